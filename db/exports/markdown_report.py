"""``markdown``: a report a colleague without casebook can read.

Claims grouped by status (confirmed, disputed, denied, then unreviewed), each
with who claims it, what it is about, its evidence quoted with source and
position, and every mark annotators made on it; then the entities by kind,
the relationships by type (with their evidence and marks), the timeline
with each date at its precision, and the sources.

Text from the case is untrusted: control and bidi characters are shown as
placeholders (``db.text.visible``) and Markdown's own characters are escaped,
so a source cannot add links, images, headings or HTML to the report. Beyond
the punctuation CommonMark gives a meaning to, that covers what a renderer
would otherwise make of plain text: a line of ``===`` under a paragraph (a
setext heading), character references (``&lt;`` stays those four
characters), and the bare URLs, ``www.`` names and e-mail addresses that
GitHub-flavoured Markdown turns into links (the ``:`` of ``://`` and the
``.`` of ``www.`` are escaped; an address gets an empty HTML comment after
its ``@``, the one thing that stops GFM's address linker and shows nothing).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from typing import TextIO

from .. import walk
from ..casefile import Case, utc_now
from ..claims import claim_entities, claim_evidence, claim_history, count_claims
from ..events import event_entities
from ..models import (
    ENTITY_KINDS,
    STATUS_ORDER,
    ClaimRecord,
    MarkEntry,
    Relationship,
    SourceInfo,
    range_label,
)
from ..relationships import relationship_evidence, relationship_history
from ..source_details import page_place
from ..sources import get_source_info
from ..text import one_line, visible
from .common import (
    KIND_HEADINGS,
    item_revisions,
    published_label,
    relationship_pages,
    revised_items,
    web_url,
)

_LIMIT = 100_000  # evidence and marks per claim: all of them, in practice

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&])")
# List items, quotes, setext underlines at a line's start: "- ", "1. ", "> ", "===".
_LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+>.)=])", re.M)
# What GFM's autolink extension links in plain text.
_URL_SCHEME = re.compile(r"(?<=[A-Za-z0-9+.-])(:)(?=//)")
_WWW = re.compile(r"(?i)\b(www)(\.)")
_ADDRESS_AT = re.compile(r"(?<=[A-Za-z0-9.+_-])@(?=[A-Za-z0-9_\\-])")


def _escaped(text: str) -> str:
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _URL_SCHEME.sub(r"\\\1", text)
    text = _WWW.sub(r"\1\\\2", text)
    return _ADDRESS_AT.sub("@<!-- -->", text)


def inline(text: str) -> str:
    """Untrusted text on one line, safe inside Markdown."""
    return _escaped(one_line(text))


def block(text: str) -> str:
    """Untrusted text keeping its lines, safe inside Markdown."""
    escaped = _escaped(visible(text, keep_newlines=True))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def write_markdown_report(case: Case, out: TextIO, *, include_retired: bool = False) -> int:
    """Write the report; returns the number of claims, entities and events in it
    (retired ones left out unless ``include_retired``)."""
    count = 0
    with case.snapshot():
        meta = walk.meta(case)
        out.write(f"# {inline(meta.get('title', case.path.stem))}\n\n")
        if meta.get("description"):
            out.write(f"{block(meta['description'])}\n\n")
        totals = {status: count_claims(case, status=status, include_retired=include_retired)
                  for status in STATUS_ORDER}
        out.write(f"Report made by casebook on {utc_now()[:10]} from the case file "
                  f"{inline(case.path.name)}.\n\n")
        out.write("Claims: " + ", ".join(f"{n} {status}" for status, n in totals.items()) + ".\n\n")
        revised = revised_items(case)
        source_info = functools.lru_cache(maxsize=4096)(lambda source_id: get_source_info(case, source_id))

        out.write("## Claims\n\n")
        for status in STATUS_ORDER:
            out.write(f"### {status.capitalize()} ({totals[status]})\n\n")
            if not totals[status]:
                out.write("None.\n\n")
            for claim in walk.claims(case, status=status, include_retired=include_retired):
                _claim(case, out, claim, source_info, revised, include_retired=include_retired)
                count += 1

        out.write("## Entities\n\n")
        for kind in ENTITY_KINDS:
            entities = walk.entities_of_kind(case, kind, include_retired=include_retired)
            first = next(entities, None)
            if first is None:
                continue
            out.write(f"### {KIND_HEADINGS[kind]}\n\n")
            for entity in itertools.chain([first], entities):
                aliases = f" (also {', '.join(inline(a) for a in entity.aliases)})" if entity.aliases else ""
                about = f": {inline(entity.description)}" if entity.description else ""
                out.write(f"- **{inline(entity.name)}**{aliases}{about}\n")
                out.write("".join(f"  - {line}\n" for line in _revision_lines(case, "entity",
                                                                               entity.uid, revised)))
                count += 1
            out.write("\n")

        count += _relationships(case, out, source_info, revised, include_retired=include_retired)

        out.write("## Timeline\n\n")
        empty = True
        for event in walk.timeline(case, include_retired=include_retired):
            empty = False
            when = range_label(event.date_start, event.date_end, event.date_precision)
            who = [inline(e.name) for e in event_entities(
            case, event.id, limit=_LIMIT, include_retired=include_retired)]
            out.write(f"- **{when}**: {inline(event.title)}")
            out.write(f". {inline(event.description)}" if event.description else "")
            out.write(f" ({', '.join(who)})\n" if who else "\n")
            out.write("".join(f"  - {line}\n" for line in _revision_lines(case, "event", event.uid,
                                                                               revised)))
            count += 1
        out.write("None.\n\n" if empty else "\n")

        out.write("## Sources\n\n")
        for number, info in enumerate(walk.source_infos(case), 1):
            out.write(f"{number}. {_source_line(info)}\n")
        out.write("\n")
    return count


def _claim(case: Case, out: TextIO, claim: ClaimRecord, source_info: Callable[[int], SourceInfo],
           revised: set[tuple[str, str]], *, include_retired: bool) -> None:
    out.write(f"#### Claim {claim.id}: {inline(claim.statement)}\n\n")
    if claim.claimant:
        out.write(f"- Claimed by: {inline(claim.claimant)}\n")
    about = [f"{inline(entity.name)}" for entity, role in claim_entities(
        case, claim.id, limit=_LIMIT, include_retired=include_retired)
             if role == "subject"]
    if about:
        out.write(f"- About: {', '.join(about)}\n")
    out.write(f"- Status: {claim.status}\n\n")
    evidence = claim_evidence(case, claim.id, limit=_LIMIT, include_retired=include_retired)
    if evidence:
        out.write("Evidence:\n\n")
    for item in evidence:
        excerpt = item.excerpt
        quoted = "\n".join(f"> {line}" for line in block(excerpt.text).split("\n"))
        place = page_place(case, excerpt.source_id, excerpt.start, excerpt.end)
        page = f"{inline(place.label)}, " if place is not None else ""
        out.write(f"{quoted}\n>\n> — {item.stance}; {_source_line(source_info(excerpt.source_id))}, "
                  f"{page}characters {excerpt.start}–{excerpt.end}\n\n")
    history = claim_history(case, claim.id, limit=_LIMIT)
    if history:
        out.write("History:\n\n")
        for mark in history:
            out.write(f"- {_mark_line(mark)}\n")
        out.write("\n")
    lines = _revision_lines(case, "claim", claim.uid, revised)
    if lines:
        out.write("Revisions:\n\n" + "".join(f"- {line}\n" for line in lines) + "\n")


def _revision_lines(case: Case, kind: str, uid: str, revised: set[tuple[str, str]]) -> list[str]:
    """An item's revisions, oldest first: when, who, each field from what to
    what, and why (issue 11: the report shows an item's history)."""
    lines = []
    for revision in item_revisions(case, kind, uid, revised):
        changes = "; ".join(f"{inline(name)}: {_revised_value(old)} → {_revised_value(new)}"
                            for name, (old, new) in revision.fields.items())
        undo = " (undo)" if revision.undoes else ""
        why = f" — {inline(revision.note)}" if revision.note and not revision.undoes else ""
        lines.append(f"revised {revision.at[:16].replace('T', ' ')} by "
                     f"{inline(revision.annotator)}{undo}: {changes}{why}")
    return lines


def _revised_value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return " | ".join(inline(str(v)) for v in value) or "(none)"
    return inline(str(value)) if value != "" else "(empty)"


def _relationships(case: Case, out: TextIO, source_info: Callable[[int], SourceInfo],
                   revised: set[tuple[str, str]], *, include_retired: bool = False) -> int:
    """The relationships by type, each with its role, dates, status, evidence
    quoted and marks (retired ones, and those to a retired entity, left out unless
    ``include_retired``), a page at a time; returns how many."""
    out.write("## Relationships\n\n")
    count = 0
    heading = ""
    for type_, page, names in relationship_pages(case, include_retired=include_retired):
        if type_ != heading:
            heading = type_
            out.write(f"### {page[0].type_label.capitalize()}\n\n")
        for relationship in page:
            _relationship(case, out, relationship, names, source_info, revised,
                          include_retired=include_retired)
            count += 1
    out.write("" if count else "None.\n\n")
    return count


def _relationship(case: Case, out: TextIO, relationship: Relationship, names: dict[int | None, str],
                  source_info: Callable[[int], SourceInfo], revised: set[tuple[str, str]], *,
                  include_retired: bool) -> None:
    said = "; ".join(part for part in (inline(relationship.role), relationship.date_label) if part)
    out.write(f"- **{inline(names.get(relationship.subject_entity_id, '?'))}** "
              f"{relationship.type_label} **{inline(names.get(relationship.object_entity_id, '?'))}**"
              + (f" ({said})" if said else "") + f", {relationship.status}"
              + (f": {inline(relationship.description)}" if relationship.description else "") + "\n")
    for item in relationship_evidence(case, relationship.id or 0, limit=_LIMIT,
                                      include_retired=include_retired):
        excerpt = item.excerpt
        out.write(f"  - {item.stance}: “{inline(excerpt.text)}” "
                  f"({_source_line(source_info(excerpt.source_id))}, "
                  f"characters {excerpt.start}–{excerpt.end})\n")
    for mark in relationship_history(case, relationship.id or 0, limit=_LIMIT):
        out.write(f"  - {_mark_line(mark)}\n")
    out.write("".join(f"  - {line}\n" for line in _revision_lines(case, "relationship", relationship.uid,
                                                                   revised)))
    out.write("\n")


def _mark_line(mark: MarkEntry) -> str:
    when = mark.created_at[:16].replace("T", " ") + " UTC"
    note = f": “{inline(mark.note)}”" if mark.note.strip() else ""
    return f"{when}, {inline(mark.annotator)} {mark.action}{note}"


def _source_line(info: SourceInfo) -> str:
    parts = [f"*{inline(info.title)}*" if info.title else f"source {info.id}"]
    parts += [inline(value) for value in (info.publisher, info.author) if value]
    if info.published:
        parts.append(published_label(info.published))
    if info.url:
        parts.append(f"<{info.url}>" if web_url(info.url) else inline(info.url))
    return ", ".join(parts)

