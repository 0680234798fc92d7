"""A case whose every text is written to attack the reports made from it:
HTML and script, event handlers, ``javascript:`` and ``data:`` URLs, CSS
that fetches, Markdown that would become headings and links, character
references, and bidi overrides.

``canary`` is a URL on a server the test runs: whatever the hostile text
would make a browser fetch or run points there, so a request reaching it
proves a leak.
"""

from __future__ import annotations

from pathlib import Path

import db
from db import curation
from db.claims import add_claim, add_note, mark_claim
from db.entities import add_entity, link_excerpt_entity
from db.events import add_event
from db.relationships import add_relationship, mark_relationship
from db.sources import add_excerpt, add_source, excerpts_page


def payload(canary: str) -> str:
    return (
        f"<script>fetch('{canary}/script')</script>"
        f"<img src=x onerror=\"fetch('{canary}/onerror')\">"
        f"<svg onload=\"fetch('{canary}/svg')\"></svg>"
        f"</style><style>body{{background:url({canary}/css)}}</style>"
        f"<link rel=stylesheet href=\"{canary}/link.css\">"
        f"<a href=\"javascript:fetch('{canary}/js')\">click</a>"
        f"<iframe src=\"{canary}/iframe\"></iframe>"
        f"<meta http-equiv=refresh content=\"0;url={canary}/refresh\">"
        f" ]]> --> \"' &lt;script&gt; &amp; "
        f"\u202eevil\u202c \x1b[31mred "
        f"see {canary}/bare and www.evil.example and spy@evil.example"
    )


def build_hostile_case(path: Path, canary: str) -> Path:
    text = payload(canary)
    with db.create_case(path, title="Hostile " + text) as case:
        source_text = f"First line {text}\nA heading?\n===\nSecond line about Mallory.\n"
        add_source(
            case, text=source_text,
            title="Title " + text, publisher="Publisher " + text, author="Author " + text,
            url=f"javascript:fetch('{canary}/source-url')", published="2023-06",
        )
        add_source(case, text="Third document, from a page.\n", title="A page",
                   url=f"{canary}/page\" onmouseover=\"fetch('{canary}/attr')")
        excerpts = excerpts_page(case, offset=0, limit=5)
        start = source_text.index("A heading?")
        setext = add_excerpt(case, excerpts[0].source_id, start, start + len("A heading?\n==="))
        mallory = add_entity(case, kind="person", name="Mallory " + text,
                             description="Description " + text, aliases=["alias " + text])
        place = add_entity(case, kind="place", name="Place " + text)
        for excerpt in excerpts:
            link_excerpt_entity(case, excerpt.id, mallory.id)
        add_event(case, title="Event " + text, date_start="2023-06", date_precision="month",
                  description="Event description " + text, entity_ids=[mallory.id, place.id],
                  excerpt_ids=[excerpts[0].id])
        add_event(case, title="Decade " + text, date_start="1990", date_precision="decade")
        claim = add_claim(case, statement="Claim " + text, claimant="Claimant " + text,
                          entity_ids=[mallory.id],
                          evidence=[(excerpts[0].id, "supports"), (setext, "contradicts")])
        mark_claim(case, claim.id, "disputed", annotator="annotator " + text,
                   note="Note " + text, created_at="2024-01-01T00:00:00.000000Z")
        add_note(case, claim.id, "Second note " + text, annotator="ana")
        other = add_claim(case, statement="Second claim " + text, evidence=[(excerpts[0].id, "context")])
        mark_claim(case, other.id, "confirmed", annotator="ana")
        # The kinds added later reach the reports too: a relationship and revisions.
        tie = add_relationship(case, subject_entity_id=mallory.id, object_entity_id=place.id,
                               type="located_in", role="Role " + text, start="2023-06",
                               description="Relationship description " + text,
                               evidence=[(excerpts[0].id, "supports")])
        mark_relationship(case, tie.id or 0, "disputed", annotator="annotator " + text,
                          note="Relationship note " + text)
        curation.revise(case, "entity", mallory.id, {"description": "Revised " + text},
                        annotator="reviser " + text, note="Why " + text)
        curation.revise(case, "claim", claim.id, {"claimant": "Revised claimant " + text},
                        annotator="ana", note="Claim why " + text)
    return path
