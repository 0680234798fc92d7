"""Synthetic case files of realistic shape, for tests and benchmarks at scale.

``generate_case(path, excerpts=1_000_000)`` writes a case of the shape real
investigations grow into: sources of a few thousand words split into
paragraph excerpts of English-like text that mentions people, organisations
and places (many names with diacritics); about one entity and one event per
ten excerpts, one claim per twenty, with annotators' marks on most claims.
The same ``seed`` always gives the same rows in every table.

Rows go in through bulk inserts with the search triggers suspended
(:func:`db.bulk.bulk_load`); the search indexes are rebuilt once at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import random
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import outfile
from .bulk import REBUILD_ORDER, bulk_load
from .casefile import Case, building_case
from .errors import InvalidValueError
from .models import CaseCounts
from .tables import (
    ANNOTATIONS,
    CASE_META,
    CLAIM_ENTITIES,
    CLAIM_EXCERPTS,
    CLAIMS,
    ENTITIES,
    ENTITY_ALIASES,
    EVENT_ENTITIES,
    EVENT_EXCERPTS,
    EVENTS,
    EXCERPT_ENTITIES,
    EXCERPTS,
    RELATIONSHIP_ANNOTATIONS,
    RELATIONSHIP_EXCERPTS,
    RELATIONSHIPS,
    SOURCES,
)
from .text import fold

# progress(stage, done, total): stages are "entities", "excerpts", "events",
# "claims", "relationships" and "search index".
Progress = Callable[[str, int, int], None]
# A row for executemany, in its table's column order (db/tables.py).
Row = tuple[Any, ...]

# Bumped whenever the same seed would give a different case; recorded in
# case_meta ('generator'), so a benchmark knows whether a cached case is current.
GENERATOR_VERSION = 3   # 3: relationships

# Rows per write transaction: big enough to amortise, small enough to report.
_BATCH = 20_000
_BASE_TIME = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

# -- vocabulary -------------------------------------------------------------
# Roughly in order of frequency; drawn with Zipf weights, so "the" is as common
# as in real prose and the domain words are common enough to matter.
_WORDS = """
the of and to a in that is was he for it with as his on be at by had not are but from
or have an they which one you were her all she there would their we him been has when
who will more no if out so said what up its about into than them can only other new
some could time these two may then do first any my now such like our over man me even
most made after also did many before must through back years where much your way well
down should because each just those people how too little state good very make world
still own see men work long get here between both life being under never day same
another know while last might us great old year off come since against go came right
used take three states himself few house use during without again place around however
home small found thought went say part once general high upon school every does got
united left number course war until always away something fact though water less public
put think almost hand enough far took head yet government system better set told nothing
night end why called didn't eyes find going look asked later knew point next city business
give group toward young let room president side social given present several order national
possible rather second face per among form important often things looked early white case
john become large big need four within felt along children saw best church ever least power
development light thing seemed family interest want members mind country area others done
turned although open god service certain kind problem began different door thus help sense
means whole matter perhaps itself york times law human line above name example action company
hands local show whether five history gave today either act feet across taken past quite anything
having seen death experience body word half really week field money report officials ministry
intelligence embassy diplomat diplomats officer officers agency agencies security investigation
investigators prosecutor prosecutors contract contracts payment payments transfer transfers account
accounts bank shell firm firms director board meeting meetings minister ministers parliament
commission mission delegation envoy attache consulate police court trial judge evidence documents
document leaked emails email phone calls call sources source network networks influence operation
operations campaign funding funds donation donations offshore registry registered subsidiary
subsidiaries owner owners beneficial shares shareholder sanctions sanctioned export licence
licences procurement tender tenders bribe bribes lobbying lobbyist lobbyists adviser advisers
spokesperson statement statements denied confirmed declined comment according reported alleged
allegedly suspected suspect arrested detained charged expelled recruited recruit handler handlers
asset assets surveillance counterintelligence espionage spy spies journalist journalists newspaper
interview interviews record records archive archives dossier memo memos letter letters signed
agreement agreements visit visited travelled travel flight flights hotel dinner reception conference
foundation institute university association chamber trade energy pipeline gas oil shipping port
logistics consulting holding holdings group investment investments capital fund real estate property
villa apartment yacht vehicle cargo customs border visa visas passport residence citizenship
""".split()

_FIRST_NAMES = """
Petras Milan Kirill Roberta Valdis Josep Urmas Martin Tomas Dmitry Arseniy Sergey Denis
Ferenc Hannah Eva Kristof Michael Anna Maria Jana Lucie Tereza Zuzana Katarína Marek Jiří
Radek Ondřej Łukasz Paweł Małgorzata Agnieszka Wojciech Zoltán Gábor Ágnes Réka Péter
Jonas Rūta Aušra Gintarė Mindaugas Andris Līga Kārlis Ilze Mart Kadri Tõnis Søren Jørgen
Åsa Björn Sigríður Þórunn Håkon Mikael Élodie François Hélène Jérôme Céline Zoë Noël
Ana Mihai Dragoș Ștefan Ioana Bogdan Ivan Olga Natalia Yuri Oleksandr Iryna Bohdan Nikola
Dušan Željko Branka Goran Ismail Gülşen Ömer Çağla Emre Selin Müge Jürgen Günther Käthe
Jörg Uwe Luís João Inês Gonçalo Begoña Íñigo Nuria Àlex Giulia Matteo Niccolò Chiara
Dimitris Eleni Giorgos Katerina Mehmet Leyla Rashid Amira Chen Wei Li Zhang Mei Hiroshi
Aiko Sven Ingrid Pieter Sanne Bram Lotte Koen Annelies Liam Siobhán Seán Aoife Patrick
""".split()

_SURNAMES = """
Auštrevičius Uhrík Logvinov Metsola Dombrovskis Borrell Chizhov Paet Hojsik Tobé Vishnyakov
Golovenkin Nedyak Zubkov Shuturin Katrein Slagmulder Novák Dvořák Svoboda Černý Procházková
Kučera Veselý Horáková Němec Marková Pokorný Kowalczyk Wiśniewski Wójcik Kamiński Lewandowska
Zieliński Szymańska Woźniak Dąbrowski Kozłowska Nagy Kovács Tóth Szabó Horváth Varga Kiss
Molnár Németh Farkas Balogh Kazlauskas Jankauskienė Petrauskas Stankevičius Vasiliauskas
Žukauskas Bērziņš Kalniņš Ozoliņa Jansons Liepiņš Tamm Saar Sepp Mägi Kask Rebane Jørgensen
Sørensen Nielsen Andersson Johansson Lindqvist Öberg Åkesson Guðmundsdóttir Sigurðsson
Dubois Lefèvre Moreau Girard Bélanger Fournier Mercier Popescu Ionescu Dumitrescu Stănescu
Rădulescu Constantinescu Kovalenko Shevchenko Bondarenko Tkachenko Melnyk Petrović Jovanović
Nikolić Đorđević Marković Yılmaz Kaya Demir Şahin Çelik Öztürk Aydın Müller Schmidt Schneider
Fischer Weiß Groß Köhler Schäfer Hoffmann Krüger Silva Gonçalves Araújo Magalhães García
Fernández Martínez Núñez Muñoz Peña Rossi Esposito Bianchi Ricci Marino Papadopoulos
Georgiou Dimitriou Karamanlis Al-Rashid Haddad Wang Liu Huang Tanaka Sato Janssens Peeters
Maes Verhoeven Claes O'Brien McCarthy Murphy
""".split() + ["Van Damme", "De Smet", "Van Quickenborne", "Ó Súilleabháin"]

# Syllables for the long tail of names: a real case holds thousands of rare names.
_ONSETS = "b br ch d dr g h k kr l m n p pr r s sh st t tr v z ž š č ł".split()
_VOWELS = "a e i o u a e o á é í ó ú ä ö ü y ě".split()
_SURNAME_ENDINGS = "ov ova ski ska ić ičius ienė escu enko sen son dóttir ák ová er mann ez ini".split()
_PLACE_ENDINGS = "burg grad ice ovo ava ów stad holm ville berg ec any ing".split()

_PLACES = """
Brussels Vilnius Prague Bratislava Kraków Gdańsk Tallinn Rīga Budapest Zürich Genève Malmö
København Reykjavík Timișoara Plovdiv Thessaloníki Łódź Poznań Brno Košice Kaunas Tartu Pécs
İstanbul Antwerp Liège Ghent Luxembourg Strasbourg Vienna Berlin Munich Hamburg Warsaw
Moscow Minsk Kyiv Lviv Odesa Chișinău Belgrade Zagreb Ljubljana Sofia Athens Nicosia
Limassol Valletta Lisbon Madrid Barcelona Rome Milan Paris Marseille Amsterdam Rotterdam
""".split()

_ORG_FIRST = """
Baltic Northern Eastern Central Atlantic Danube Carpathian Adriatic Nordic Euro Trans Global
United Continental Meridian Polar Iron Amber Silver Crown Harbour Alpine Black Sea Caspian
""".split()
_ORG_SECOND = """
Maritime Energy Logistics Trading Consulting Shipping Capital Holdings Security Media
Technologies Resources Infrastructure Investments Analytics Partners Ventures Industries
Pipeline Telecom Defence Aviation Mining Grain Chemicals
""".split()
_ORG_SUFFIX = ["Group", "Ltd", "GmbH", "S.A.", "s.r.o.", "AG", "BV", "Holding", "Foundation",
               "Institute", "Association", "Fund", "Agency", "Council", "Bureau"]

_ROLES = {
    "person": ["diplomat", "businessman", "businesswoman", "MEP", "lobbyist", "journalist",
               "intelligence officer", "banker", "lawyer", "adviser", "official", "consultant"],
    "organization": ["company", "holding company", "think tank", "foundation", "bank",
                     "shipping firm", "consultancy", "state agency", "media outlet"],
    "place": ["city", "port", "town", "district", "region"],
    "document": ["report", "leaked memo", "contract", "court filing", "registry extract"],
    "other": ["operation", "programme", "vessel", "network"],
}
_DESCRIPTIONS = ["{role} based in {place}. {sentence}", "{role} with ties to {place}.",
                 "{role}. {sentence}", "{role} registered in {place}; {sentence}",
                 "{role} seen in {place}.", "{role}, {place}."]
_KIND_WEIGHTS = [("person", 50), ("organization", 25), ("place", 15), ("document", 5), ("other", 5)]

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_PUBLISHERS = ["Euromaidan Press", "The Epoch Times", "VSquare", "Dossier Center", "Le Soir",
               "De Standaard", "Gazeta Wyborcza", "Denník N", "Delfi", "Der Spiegel",
               "Reuters", "OCCRP", "Politico Europe", "Balkan Insight", "Süddeutsche Zeitung"]
_ANNOTATORS = ["ana", "bram", "chloé", "dmitri", "eva"]
_MARK_NOTES = ["", "", "", "Matches the registry extract.", "Only one source; needs a second.",
               "Contradicted by the travel records.", "The subject denies it.",
               "Confirmed by two agencies.", "Date uncertain."]
_TIES_TO_ORGANIZATIONS = [("member_of", "member"), ("employed_by", "analyst"),
                          ("employed_by", "adviser"), ("leads", "director"),
                          ("directs", "board member"), ("represents", "envoy"),
                          ("owns", "shareholder"), ("member_of", "")]
_TIES_TO_PEOPLE = [("associate", ""), ("associate", "business partner"), ("family", "sibling"),
                   ("family", "spouse"), ("other", "met")]
_CLAIMANTS = ["an unnamed official", "prosecutors", "two intelligence agencies",
              "a former employee", "the investigators", "a parliamentary committee"]


def planned_counts(excerpts: int) -> dict[str, int]:
    """How many of each kind a case of ``excerpts`` excerpts gets."""
    return {
        "entities": max(1, excerpts // 10),
        "events": max(1, excerpts // 10),
        "claims": max(1, excerpts // 20),
        "relationships": 2 * max(1, excerpts // 10) if excerpts >= 20 else 0,
    }


def generator_label(excerpts: int, seed: int) -> str:
    """What ``case_meta.generator`` says of a case this casebook would generate."""
    return f"casebook generate v{GENERATOR_VERSION}: {excerpts} excerpts, seed {seed}"


def check_target(path: str | os.PathLike[str], *, excerpts: int) -> Path:
    """Refuse, with one line, what :func:`generate_case` cannot do (before any work)."""
    if isinstance(excerpts, bool) or not isinstance(excerpts, int) or excerpts < 1:
        raise InvalidValueError(f"excerpts must be a whole number of at least 1, not {excerpts!r}")
    out = Path(path)
    outfile.check_target(out, what="a case file")
    return out


def generate_case(
    path: str | os.PathLike[str],
    *,
    excerpts: int,
    seed: int = 0,
    progress: Progress | None = None,
) -> CaseCounts:
    """Write a new synthetic case of ``excerpts`` excerpts at ``path``.

    The file is built under a hidden name beside ``path`` and moved into place
    only when complete: a failure or an interrupt leaves nothing behind.
    Returns what the case holds.
    """
    check_target(path, excerpts=excerpts)
    rng = random.Random(seed)
    title = f"Generated case: {excerpts:,} excerpts (seed {seed})"
    with building_case(path, title=title, case_uid=str(_uuid(rng))) as case:
        with case.write() as tx:  # a fixed creation time: the same seed, the same rows
            tx.execute("UPDATE case_meta SET value = ? WHERE key = 'created_at'", [_timestamp(0)])
            tx.execute(CASE_META.insert().sql, ["generator", generator_label(excerpts, seed)])
        return _Generator(case, rng, excerpts, progress or _silent).run()


def _silent(stage: str, done: int, total: int) -> None:
    pass


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _timestamp(seconds: int) -> str:
    moment = _BASE_TIME + dt.timedelta(seconds=seconds)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


# Who added a generated entity, event or claim, and when: unknown ('', as in a
# file older than schema v11), so the activity log is not flooded with them.
_UNKNOWN_ADDITION = ("", "")

class _Generator:
    def __init__(self, case: Case, rng: random.Random, excerpts: int, progress: Progress):
        self.case = case
        self.rng = rng
        # Uids from a stream of their own, so they leave the case's other rows as they were.
        self.uid_rng = random.Random(hash((0x75696473, *rng.getstate()[1])))
        self.excerpts = excerpts
        self.progress = progress
        self.planned = planned_counts(excerpts)
        self.names: list[str] = []          # entity id - 1 -> name
        self.mention_forms: list[list[str]] = []  # entity id - 1 -> name and aliases
        self.persons: list[int] = []
        self.organizations: list[int] = []
        self.places: list[int] = []
        self.real_places: set[str] = set()
        cumulative = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(len(_WORDS))))
        self.word_weights = cumulative

    def run(self) -> CaseCounts:
        with bulk_load(self.case, on_index=self._index_progress):
            self._entities()
            sources = self._sources_and_excerpts()
            self._events()
            annotations = self._claims()
            self._relationships()   # last: the rows before stay as earlier versions made them
        self.progress("search index", 4, 4)
        self.case.conn.execute("PRAGMA optimize")
        return CaseCounts(
            sources=sources, excerpts=self.excerpts, entities=self.planned["entities"],
            events=self.planned["events"], claims=self.planned["claims"], annotations=annotations,
            relationships=self.planned["relationships"],
        )

    def _index_progress(self, table: str) -> None:
        self.progress("search index", REBUILD_ORDER.index(table), len(REBUILD_ORDER))

    # -- names ------------------------------------------------------------------

    def _syllables(self, count: int) -> str:
        rng = self.rng
        return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(count))

    def _surname(self) -> str:
        # Some real surnames (namesakes happen), mostly a long tail of rare ones.
        if self.rng.random() < 0.15:
            return self.rng.choice(_SURNAMES)
        stem = self._syllables(self.rng.randint(1, 2))
        return (stem + self.rng.choice(_SURNAME_ENDINGS)).capitalize()

    def _entity(self) -> tuple[str, str, list[str], str]:
        rng = self.rng
        kind = rng.choices([k for k, _ in _KIND_WEIGHTS], [w for _, w in _KIND_WEIGHTS])[0]
        if kind == "person":
            first, last = rng.choice(_FIRST_NAMES), self._surname()
            name = f"{first} {last}"
            aliases = [last] if rng.random() < 0.7 else [f"{first[0]}. {last}"]
        elif kind == "organization":
            words = [rng.choice(_ORG_FIRST), rng.choice(_ORG_SECOND), rng.choice(_ORG_SUFFIX)]
            if rng.random() < 0.3:
                words.insert(1, self._surname())
            name = " ".join(words)
            aliases = ["".join(word[0] for word in words if word[0].isalpha()).upper()]
        elif kind == "place":
            real = rng.choice(_PLACES)
            if real not in self.real_places:  # one Brussels per case
                self.real_places.add(real)
                name = real
            else:
                name = (self._syllables(rng.randint(1, 2)) + rng.choice(_PLACE_ENDINGS)).capitalize()
            aliases = [fold(name).capitalize()] if fold(name) != name.lower() else []
        elif kind == "document":
            genre = rng.choice(["Report", "Memo", "Contract", "Filing"])
            name = f"{genre} {rng.randint(1, 9999):04d}/{rng.randint(1990, 2026)}"
            aliases = []
        else:
            name = f"Operation {self._syllables(2).capitalize()}"
            aliases = []
        role = rng.choice(_ROLES[kind])
        description = rng.choice(_DESCRIPTIONS).format(
            role=role[0].upper() + role[1:], place=rng.choice(_PLACES),
            sentence=self._sentence(6, 16),
        )
        return kind, name, [a for a in aliases if a and a != name], description

    def _entities(self) -> None:
        total = self.planned["entities"]
        for start in range(0, total, _BATCH):
            rows: list[Row] = []
            aliases: list[Row] = []
            for entity_id in range(start + 1, min(total, start + _BATCH) + 1):
                kind, name, entity_aliases, description = self._entity()
                rows.append((entity_id, kind, name, fold(name), description, 0, self._uid(),
                             *_UNKNOWN_ADDITION))
                aliases.extend((entity_id, alias) for alias in entity_aliases)
                self.names.append(name)
                self.mention_forms.append([name, *entity_aliases])
                {"person": self.persons, "organization": self.organizations,
                 "place": self.places}.get(kind, []).append(entity_id)
            with self.case.write() as tx:
                tx.executemany(ENTITIES.insert().sql, rows)
                tx.executemany(ENTITY_ALIASES.insert().sql, aliases)
            self.progress("entities", min(total, start + _BATCH), total)

    # -- text -------------------------------------------------------------------

    def _popular_entity(self, pool: list[int] | None = None) -> int:
        """An entity id, skewed so a few are everywhere and most are rare."""
        if pool:
            return pool[int(len(pool) * self.rng.random() ** 3)]
        return 1 + int(len(self.names) * self.rng.random() ** 3)

    def _sentence(self, shortest: int, longest: int) -> str:
        words = self.rng.choices(_WORDS, cum_weights=self.word_weights,
                                 k=self.rng.randint(shortest, longest))
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def _paragraph(self) -> tuple[str, set[int]]:
        """A paragraph of 8 to 70 words and the entities it mentions."""
        rng = self.rng
        words = rng.choices(_WORDS, cum_weights=self.word_weights, k=rng.randint(8, 70))
        mentioned: set[int] = set()
        for position in rng.sample(range(len(words)), rng.choice((0, 1, 1, 1, 2, 2, 3))):
            entity_id = self._popular_entity()
            mentioned.add(entity_id)
            words[position] = rng.choice(self.mention_forms[entity_id - 1])
        # Sentences of 5 to 20 words: capitals after full stops, a comma now and then.
        position = 0
        while position < len(words):
            words[position] = words[position][:1].upper() + words[position][1:]
            length = rng.randint(5, 20)
            end = min(len(words), position + length) - 1
            words[end] += "."
            if length > 10 and end - position > 6:
                words[position + 4] += ","
            position = end + 1
        return " ".join(words), mentioned

    def _sources_and_excerpts(self) -> int:
        rng = self.rng
        total = self.excerpts
        done, source_id = 0, 0
        sources: list[Row] = []
        excerpts: list[Row] = []
        links: list[Row] = []
        while done < total:
            source_id += 1
            paragraphs = min(total - done, rng.randint(45, 115))  # 2,000-4,000 words
            title_entity = self._popular_entity(self.persons or self.organizations)
            title = f"{self.names[title_entity - 1]}: {self._sentence(4, 9)[:-1]}"
            pieces, offset = [], 0
            for _ in range(paragraphs):
                text, mentioned = self._paragraph()
                done += 1
                excerpts.append((done, source_id, offset, offset + len(text), text, "paragraph",
                                 self._uid()))
                links.extend((done, entity_id) for entity_id in sorted(mentioned))
                pieces.append(text)
                offset += len(text) + 2
            text = "\n\n".join(pieces)
            year = rng.randint(1995, 2026)
            published = f"{year}-{rng.randint(1, 12):02d}" if rng.random() < 0.7 else str(year)
            sources.append((
                source_id, title, rng.choice(_PUBLISHERS), self._person_name(), "", published, text,
                hashlib.sha256(text.encode("utf-8")).hexdigest(), _timestamp(source_id), self._uid(),
            ))
            if len(excerpts) >= _BATCH or done == total:
                self._write_sources(sources, excerpts, links)
                sources, excerpts, links = [], [], []
                self.progress("excerpts", done, total)
        return source_id

    def _uid(self) -> str:
        return str(_uuid(self.uid_rng))

    def _name(self, entity_id: int) -> str:
        return self.names[entity_id - 1]

    def _person_name(self) -> str:
        return f"{self.rng.choice(_FIRST_NAMES)} {self._surname()}"

    def _write_sources(self, sources: list[Row], excerpts: list[Row], links: list[Row]) -> None:
        # Rows are tuples in each table's column order (db/tables.py).
        with self.case.write() as tx:
            tx.executemany(SOURCES.insert().sql, sources)
            tx.executemany(EXCERPTS.insert().sql, excerpts)
            tx.executemany(EXCERPT_ENTITIES.insert().sql, links)

    # -- events -------------------------------------------------------------------

    def _date(self) -> tuple[str, str, str]:
        rng = self.rng
        year = rng.randint(1985, 2026)
        precision = rng.choices(["day", "month", "year", "decade", "unknown"], [50, 20, 20, 5, 5])[0]
        if precision == "unknown":
            return "", "", precision
        if precision == "decade":
            return str(year - year % 10), "", precision
        if precision == "year":
            end = str(year + rng.randint(1, 4)) if rng.random() < 0.2 else ""
            return str(year), end, precision
        month = rng.randint(1, 12)
        if precision == "month":
            return f"{year}-{month:02d}", "", precision
        day = rng.randint(1, 28)
        end = f"{year}-{month:02d}-{day + rng.randint(1, 3):02d}" if rng.random() < 0.1 else ""
        return f"{year}-{month:02d}-{day:02d}", end, precision

    def _event_title(self) -> tuple[str, list[int]]:
        rng = self.rng
        person = self._popular_entity(self.persons)
        other = self._popular_entity(self.persons)
        org = self._popular_entity(self.organizations)
        place = self._popular_entity(self.places)
        choice = rng.randrange(6)
        name = self._name
        if choice == 0:
            return f"{name(person)} visits {name(place)}", [person, place]
        if choice == 1:
            return f"{name(org)} registered in {name(place)}", [org, place]
        if choice == 2:
            return f"Meeting between {name(person)} and {name(other)}", [person, other]
        if choice == 3:
            return f"{name(org)} signs a contract with {name(person)}", [org, person]
        if choice == 4:
            return f"{name(person)} appointed to the board of {name(org)}", [person, org]
        return f"Search of the offices of {name(org)} in {name(place)}", [org, place]

    def _events(self) -> None:
        total = self.planned["events"]
        for start in range(0, total, _BATCH):
            events: list[Row] = []
            entities: list[Row] = []
            evidence: list[Row] = []
            for event_id in range(start + 1, min(total, start + _BATCH) + 1):
                title, entity_ids = self._event_title()
                date_start, date_end, precision = self._date()
                events.append((event_id, title, date_start, date_end, precision,
                               self._sentence(6, 18), 0, self._uid(), *_UNKNOWN_ADDITION))
                entities.extend((event_id, e) for e in sorted(set(entity_ids)))
                evidence.extend(
                    (event_id, x) for x in sorted({self.rng.randint(1, self.excerpts)
                                                   for _ in range(self.rng.randint(1, 2))})
                )
            with self.case.write() as tx:
                tx.executemany(EVENTS.insert().sql, events)
                tx.executemany(EVENT_ENTITIES.insert().sql, entities)
                tx.executemany(EVENT_EXCERPTS.insert().sql, evidence)
            self.progress("events", min(total, start + _BATCH), total)

    # -- claims and marks ---------------------------------------------------------

    def _statement(self) -> tuple[str, list[int]]:
        rng = self.rng
        person = self._popular_entity(self.persons)
        other = self._popular_entity(self.persons)
        org = self._popular_entity(self.organizations)
        place = self._popular_entity(self.places)
        name = self._name
        year = rng.randint(1990, 2026)
        choice = rng.randrange(5)
        if choice == 0:
            return (f"{name(person)} received payments from {name(org)} between {year} and "
                    f"{year + rng.randint(1, 5)}.", [person, org])
        if choice == 1:
            return f"{name(org)} acted as a front for an intelligence service.", [org]
        if choice == 2:
            return (f"{name(person)} met {name(other)} in {name(place)} in "
                    f"{rng.choice(_MONTHS)} {year}.", [person, other, place])
        if choice == 3:
            return f"{name(person)} passed documents to an officer working under diplomatic cover.", [person]
        return f"{name(org)} is controlled through nominee shareholders in {name(place)}.", [org, place]

    def _marks(self, claim_id: int) -> list[Row]:
        """A claim's annotation history: most claims reviewed once, some argued over."""
        rng = self.rng
        count = rng.choices([0, 1, 2, 3], [40, 35, 18, 7])[0]
        marks, previous = [], "unreviewed"
        when = claim_id * 60
        for _ in range(count):
            status = rng.choice(["confirmed", "disputed", "denied", "confirmed"])
            when += rng.randint(60, 86_400)
            marks.append((str(_uuid(rng)), claim_id, status, previous, rng.choice(_MARK_NOTES),
                          rng.choice(_ANNOTATORS), _timestamp(when), "mark", ""))
            previous = status
        return marks

    # -- relationships ------------------------------------------------------------

    def _tie(self, entity_id: int) -> tuple[int, str, str] | None:
        """Another entity for ``entity_id`` to be tied to, the type and a role; None
        when the case has none that fits."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.4 and self.organizations:
            other = self._popular_entity(self.organizations)
            type_, role = rng.choice(_TIES_TO_ORGANIZATIONS)
        elif roll < 0.7 and self.persons:
            other = self._popular_entity(self.persons)
            type_, role = rng.choice(_TIES_TO_PEOPLE)
        elif roll < 0.85 and self.places:
            other, type_, role = self._popular_entity(self.places), "located_in", ""
        else:
            other, type_, role = self._popular_entity(), rng.choice(["associate", "other"]), ""
        return None if other == entity_id else (other, type_, role)

    def _relationships(self) -> None:
        """About two relationships per entity, to popular entities (hubs, as in a
        real case), some dated, each with an excerpt of evidence; a quarter marked."""
        rng = self.rng
        total = self.planned["relationships"]
        entities = self.planned["entities"]
        made = 0
        relationship_id = 0
        while made < total:
            rows: list[Row] = []
            evidence: list[Row] = []
            marks: list[Row] = []
            while made < total and len(rows) < _BATCH:
                subject = 1 + made % entities
                made += 1
                tie = self._tie(subject)
                if tie is None:
                    continue
                other, type_, role = tie
                relationship_id += 1
                start, start_precision = "", "unknown"
                if rng.random() < 0.5:
                    year = rng.randint(1990, 2024)
                    start, start_precision = (f"{year}-{rng.randint(1, 12):02d}", "month") \
                        if rng.random() < 0.5 else (str(year), "year")
                when = _timestamp(relationship_id * 30)
                status, version, updated = "unreviewed", 0, when
                if rng.random() < 0.25:
                    status = rng.choice(["confirmed", "confirmed", "disputed", "denied"])
                    updated = _timestamp(relationship_id * 30 + rng.randint(60, 86_400))
                    marks.append((str(_uuid(rng)), relationship_id, status, "unreviewed",
                                  "", rng.choice(_ANNOTATORS), updated, "mark", ""))
                    version = 1
                rows.append((relationship_id, self._uid(), subject, other, type_, role, start,
                             start_precision, "", "unknown", "", status, version, when,
                             "generate", updated))
                evidence.append((relationship_id, rng.randint(1, self.excerpts),
                                 rng.choices(["supports", "context"], [85, 15])[0]))
            with self.case.write() as tx:
                tx.executemany(RELATIONSHIPS.insert().sql, rows)
                tx.executemany(RELATIONSHIP_EXCERPTS.insert().sql, evidence)
                tx.executemany(RELATIONSHIP_ANNOTATIONS.insert().sql, marks)
            self.progress("relationships", made, total)
        self.planned["relationships"] = relationship_id

    def _claims(self) -> int:
        rng = self.rng
        total = self.planned["claims"]
        annotations = 0
        for start in range(0, total, _BATCH):
            claims: list[Row] = []
            entities: list[Row] = []
            evidence: list[Row] = []
            marks: list[Row] = []
            for claim_id in range(start + 1, min(total, start + _BATCH) + 1):
                statement, subjects = self._statement()
                if self.persons and rng.random() < 0.6:
                    claimant_id = self._popular_entity(self.persons)
                    claimant = self.names[claimant_id - 1]
                    entities.append((claim_id, claimant_id, "claimant", self._uid()))
                else:
                    claimant = rng.choice(_CLAIMANTS)
                entities.extend((claim_id, e, "subject", self._uid()) for e in sorted(set(subjects)))
                stances = {}
                for _ in range(rng.randint(1, 3)):
                    stances[rng.randint(1, self.excerpts)] = rng.choices(
                        ["supports", "contradicts", "context"], [70, 20, 10])[0]
                evidence.extend((claim_id, x, s, self._uid()) for x, s in sorted(stances.items()))
                history = self._marks(claim_id)
                marks.extend(history)
                status, updated = (history[-1][2], history[-1][6]) if history else ("unreviewed", "")
                claims.append((claim_id, str(_uuid(rng)), statement, claimant, status,
                               len(history), updated, *_UNKNOWN_ADDITION))
            with self.case.write() as tx:
                tx.executemany(CLAIMS.insert().sql, claims)
                tx.executemany(CLAIM_ENTITIES.insert(or_ignore=True).sql, entities)
                tx.executemany(CLAIM_EXCERPTS.insert().sql, evidence)
                tx.executemany(ANNOTATIONS.insert().sql, marks)
            annotations += len(marks)
            self.progress("claims", min(total, start + _BATCH), total)
        return annotations

