"""``html``: the case as one self-contained web page a colleague opens in any browser.

Claims by status (confirmed, disputed, denied, unreviewed), each with who
claims it, what it is about, its evidence highlighted in the text around it
the history of marks and its revisions; the entities by kind (with their
revisions); the relationships by type, with their evidence and marks; the
timeline, each event
drawn at its date's precision on a common axis (SVG: a day is a tick, a
month, a year or a decade a bar that long, a range a bar from its start to
its end); the sources.

Safe to open, whatever the case holds:

- **no fetch of any kind**: one file, no script, no image, no font, no
  external stylesheet; the only style is the page's own, allowed by its
  hash in a strict Content-Security-Policy (``default-src 'none'``) that also
  forbids ``<base>``, forms and plugins, and the referrer is never sent;
- **untrusted text is text**: every name, title, quote and note is
  HTML-escaped, control and bidi characters shown as placeholders
  (``db.text.visible``), so a source cannot add markup, script, style or
  reorder what the page shows; a source's URL becomes a link only when it is
  a well-formed ``http(s)`` URL (``db.exports.common.web_url``).

Written as it is read, a page of the case at a time.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
from collections.abc import Sequence
from typing import TextIO

from .. import walk
from ..casefile import Case, utc_now
from ..claims import claim_entities, claim_evidence, claim_history, count_claims
from ..curation import Revision
from ..events import event_entities
from ..models import (
    ENTITY_KINDS,
    STATUS_ORDER,
    ClaimRecord,
    EventRecord,
    Evidence,
    MarkEntry,
    Relationship,
    SourceInfo,
    range_label,
)
from ..paging import live
from ..relationships import relationship_evidence, relationship_history
from ..sources import source_slice
from ..text import one_line, visible
from .common import (
    KIND_HEADINGS,
    item_revisions,
    published_label,
    relationship_pages,
    revised_items,
    web_url,
)

_LIMIT = 100_000       # evidence and marks per claim: all of them, in practice
CONTEXT_CHARS = 160    # the text shown around a quote

STYLE = """
:root { color-scheme: light dark; --ink: #1d1d1f; --paper: #fff; --dim: #5f6368; --line: #d0d4d9;
  --mark: #ffe27a; --confirmed: #1a7f37; --disputed: #9a6700; --denied: #cf222e; --unreviewed: #57606a; }
@media (prefers-color-scheme: dark) { :root { --ink: #e6e6e6; --paper: #16181c; --dim: #9aa0a6;
  --line: #3a3f45; --mark: #6b5600; } }
body { font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: var(--paper);
  max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; }
h2 { border-bottom: 1px solid var(--line); margin-top: 2.5rem; }
nav a { margin-right: 1rem; } .dim, .meta { color: var(--dim); font-size: .9rem; }
article.claim { border: 1px solid var(--line); border-radius: .4rem; padding: .6rem 1rem; margin: 1rem 0; }
article.claim h4 { margin: .2rem 0 .4rem; font-size: 1.05rem; }
.status { display: inline-block; font-weight: 600; padding: 0 .5rem; border-radius: 1rem; color: #fff; }
.status-confirmed { background: var(--confirmed); } .status-disputed { background: var(--disputed); }
.status-denied { background: var(--denied); } .status-unreviewed { background: var(--unreviewed); }
blockquote { margin: .6rem 0; padding: .3rem .8rem; border-left: 4px solid var(--line); white-space: pre-wrap;
  overflow-wrap: anywhere; }
blockquote.contradicts { border-left-color: var(--denied); }
blockquote.supports { border-left-color: var(--confirmed); }
mark { background: var(--mark); color: inherit; padding: 0 .1rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .2rem .4rem; border-bottom: 1px solid var(--line); }
.timeline td.when { white-space: nowrap; width: 11rem; }
svg.timeline { width: 100%; height: auto; display: block; margin: 1rem 0 1.5rem; }
svg .grid { stroke: var(--line); stroke-width: .5; } svg text { font-size: 11px; fill: var(--dim); }
svg text.label { fill: var(--ink); } svg .range { fill: var(--confirmed); opacity: .85; }
svg .range-day { fill: var(--denied); } svg .range-decade { fill: var(--disputed); }
ul.entities li { margin: .2rem 0; } ul.revisions { margin: .2rem 0; font-size: .9rem; color: var(--dim); }
article.relationship { border-left: 3px solid var(--line); padding: .1rem .8rem; margin: .8rem 0; }
"""
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'; object-src 'none'"
)


def text(value: str) -> str:
    """Untrusted text, shown as written: escaped, its control and bidi characters visible."""
    return html.escape(visible(value, keep_newlines=True), quote=True)


def line(value: str) -> str:
    """Untrusted text on one line."""
    return html.escape(one_line(value), quote=True)


def write_html_report(case: Case, out: TextIO, *, include_retired: bool = False) -> int:
    """Write the page; returns the number of claims, entities and events in it
    (retired ones left out unless ``include_retired``)."""
    count = 0
    with case.snapshot():
        meta = walk.meta(case)
        title = meta.get("title") or case.path.stem
        out.write(_head(title))
        out.write(f"<header><h1>{line(title)}</h1>\n")
        if meta.get("description"):
            out.write(f"<p>{text(meta['description'])}</p>\n")
        totals = {status: count_claims(case, status=status, include_retired=include_retired)
                  for status in STATUS_ORDER}
        out.write(f'<p class="meta">Report made by casebook on {utc_now()[:10]} from the case file '
                  f'{line(case.path.name)}. Claims: '
                  + ", ".join(f"{n} {status}" for status, n in totals.items()) + ".</p>\n")
        out.write('<nav><a href="#claims">Claims</a><a href="#entities">Entities</a>'
                  '<a href="#relationships">Relationships</a><a href="#timeline">Timeline</a>'
                  '<a href="#sources">Sources</a></nav></header>\n<main>\n')
        sources = {info.id: info for info in walk.source_infos(case)}
        revised = revised_items(case)

        out.write('<section id="claims"><h2>Claims</h2>\n')
        for status in STATUS_ORDER:
            out.write(f'<h3 id="{status}">{status.capitalize()} ({totals[status]})</h3>\n')
            if not totals[status]:
                out.write('<p class="dim">None.</p>\n')
            for claim in walk.claims(case, status=status, include_retired=include_retired):
                out.write(_claim(case, claim, sources, revised, include_retired=include_retired))
                count += 1
        out.write("</section>\n")

        out.write('<section id="entities"><h2>Entities</h2>\n')
        for kind in ENTITY_KINDS:
            count += _entities(case, kind, out, revised, include_retired=include_retired)
        out.write("</section>\n")

        out.write('<section id="relationships"><h2>Relationships</h2>\n')
        count += _relationships(case, out, sources, revised, include_retired=include_retired)
        out.write("</section>\n")

        out.write('<section id="timeline"><h2>Timeline</h2>\n')
        count += _timeline(case, out, revised, include_retired=include_retired)
        out.write("</section>\n")

        out.write('<section id="sources"><h2>Sources</h2>\n<ol>\n')
        for info in sources.values():
            out.write(f'<li id="source-{info.id}">{_source(info)}</li>\n')
        out.write("</ol></section>\n</main>\n</body>\n</html>\n")
    return count


def _head(title: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{line(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n")


# -- claims ----------------------------------------------------------------------


def _claim(case: Case, claim: ClaimRecord, sources: dict[int | None, SourceInfo],
           revised: set[tuple[str, str]], *, include_retired: bool) -> str:
    parts = [f'<article class="claim" id="claim-{claim.id}">',
             f'<h4>Claim {claim.id}: {line(claim.statement)}</h4>',
             f'<p><span class="status status-{claim.status}">{claim.status}</span>']
    if claim.claimant:
        parts.append(f" · claimed by {line(claim.claimant)}")
    about = [line(entity.name) for entity, role in claim_entities(
        case, claim.id, limit=_LIMIT, include_retired=include_retired)
             if role == "subject"]
    if about:
        parts.append(f" · about {', '.join(about)}")
    parts.append("</p>")
    evidence = claim_evidence(case, claim.id, limit=_LIMIT, include_retired=include_retired)
    if evidence:
        parts.append("<h5>Evidence</h5>")
    parts += _quotes(case, evidence, sources)
    history = claim_history(case, claim.id, limit=_LIMIT)
    if history:
        parts.append(_history(history))
    parts.append(_revisions(item_revisions(case, "claim", claim.uid, revised), heading=True))
    parts.append("</article>\n")
    return "\n".join(parts)


def _quotes(case: Case, evidence: list[Evidence], sources: dict[int | None, SourceInfo]) -> list[str]:
    """Each piece of evidence highlighted in the text around it, with its stance and place."""
    parts = []
    for item in evidence:
        excerpt = item.excerpt
        before = source_slice(case, excerpt.source_id, excerpt.start - CONTEXT_CHARS, excerpt.start)
        after = source_slice(case, excerpt.source_id, excerpt.end, excerpt.end + CONTEXT_CHARS)
        opening = "…" if excerpt.start > CONTEXT_CHARS else ""
        closing = "…" if len(after) == CONTEXT_CHARS else ""
        parts.append(f'<blockquote class="{item.stance}">{opening}{text(before)}<mark>{text(excerpt.text)}'
                     f'</mark>{text(after)}{closing}</blockquote>')
        parts.append(f'<p class="meta">{item.stance} · {_source(sources[excerpt.source_id])}, '
                     f'characters {excerpt.start}–{excerpt.end}</p>')
    return parts


def _history(marks: Sequence[MarkEntry]) -> str:
    return ("<h5>History</h5><table><tr><th>When (UTC)</th><th>Who</th><th>What</th><th>Note</th></tr>\n"
            + "\n".join(_mark_row(mark) for mark in marks) + "</table>")


def _revisions(revisions: list[Revision], *, heading: bool = False) -> str:
    """An item's revisions, oldest first: when, who, each field from what to what, why."""
    if not revisions:
        return ""
    rows = []
    for revision in revisions:
        changes = "; ".join(f"{line(name)}: {_revised_value(old)} → {_revised_value(new)}"
                            for name, (old, new) in revision.fields.items())
        undo = " (undo)" if revision.undoes else ""
        why = f" — {line(revision.note)}" if revision.note and not revision.undoes else ""
        rows.append(f"<li>revised {html.escape(revision.at[:16].replace('T', ' '))} by "
                    f"{line(revision.annotator)}{undo}: {changes}{why}</li>")
    return ("<h5>Revisions</h5>" if heading else "") + '<ul class="revisions">' + "".join(rows) + "</ul>"


def _revised_value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return " | ".join(line(str(v)) for v in value) or "(none)"
    return line(str(value)) if value != "" else "(empty)"


def _mark_row(mark: MarkEntry) -> str:
    when = mark.created_at[:16].replace("T", " ")
    return (f"<tr><td>{when}</td><td>{line(mark.annotator)}</td><td>{mark.action}</td>"
            f"<td>{text(mark.note)}</td></tr>")


# -- entities, sources -----------------------------------------------------------


def _entities(case: Case, kind: str, out: TextIO, revised: set[tuple[str, str]], *,
              include_retired: bool) -> int:
    entities = walk.entities_of_kind(case, kind, include_retired=include_retired)
    first = next(entities, None)
    if first is None:
        return 0
    out.write(f"<h3>{KIND_HEADINGS[kind]}</h3>\n<ul class=\"entities\">\n")
    count = 0
    for entity in itertools.chain([first], entities):
        also = line(", ".join(entity.aliases))
        aliases = f' <span class="dim">(also {also})</span>' if entity.aliases else ""
        about = f": {line(entity.description)}" if entity.description else ""
        changes = _revisions(item_revisions(case, "entity", entity.uid, revised))
        out.write(f'<li id="entity-{entity.id}"><strong>{line(entity.name)}</strong>{aliases}{about}'
                  f'{changes}</li>\n')
        count += 1
    out.write("</ul>\n")
    return count


def _relationships(case: Case, out: TextIO, sources: dict[int | None, SourceInfo],
                   revised: set[tuple[str, str]], *, include_retired: bool) -> int:
    """The relationships by type, each with its role, dates, status, evidence in
    context, marks and revisions, a page at a time; returns how many."""
    count = 0
    heading = ""
    for type_, page, names in relationship_pages(case, include_retired=include_retired):
        if type_ != heading:
            heading = type_
            out.write(f"<h3>{html.escape(page[0].type_label.capitalize())}</h3>\n")
        for relationship in page:
            out.write(_relationship(case, relationship, names, sources, revised,
                                    include_retired=include_retired))
            count += 1
    out.write("" if count else '<p class="dim">None.</p>\n')
    return count


def _relationship(case: Case, relationship: Relationship, names: dict[int | None, str],
                  sources: dict[int | None, SourceInfo], revised: set[tuple[str, str]], *,
                  include_retired: bool) -> str:
    said = " · ".join(part for part in (line(relationship.role), html.escape(relationship.date_label))
                      if part)
    parts = [f'<article class="relationship" id="relationship-{relationship.id}">',
             f"<p><strong>{line(names.get(relationship.subject_entity_id, '?'))}</strong> "
             f"{html.escape(relationship.type_label)} "
             f"<strong>{line(names.get(relationship.object_entity_id, '?'))}</strong> "
             f'<span class="status status-{html.escape(relationship.status)}">'
             f"{html.escape(relationship.status)}</span>"
             + (f' <span class="dim">{said}</span>' if said else "") + "</p>"]
    if relationship.description:
        parts.append(f"<p>{text(relationship.description)}</p>")
    parts += _quotes(case, relationship_evidence(case, relationship.id or 0, limit=_LIMIT,
                                                 include_retired=include_retired), sources)
    history = relationship_history(case, relationship.id or 0, limit=_LIMIT)
    if history:
        parts.append(_history(history))
    parts.append(_revisions(item_revisions(case, "relationship", relationship.uid, revised), heading=True))
    parts.append("</article>\n")
    return "\n".join(parts)


def _source(info: SourceInfo) -> str:
    parts = [f"<cite>{line(info.title)}</cite>" if info.title else f"source {info.id}"]
    parts += [line(value) for value in (info.publisher, info.author) if value]
    if info.published:
        parts.append(published_label(info.published))
    url = web_url(info.url)
    if url:
        parts.append(f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{line(url)}</a>')
    elif info.url:
        parts.append(f'<span class="dim">{line(info.url)}</span>')
    return ", ".join(parts)


# -- the timeline ------------------------------------------------------------------

_SPAN_YEARS = {"year": 1.0, "decade": 10.0}


def _years(date: str, precision: str, *, end: bool = False) -> float:
    """A partial date as a fractional year; ``end`` gives the end of the period it names."""
    year = float(date[:4])
    if precision == "day":
        month, day = int(date[5:7]), int(date[8:10])
        return year + ((month - 1) * 30.44 + day - (0 if end else 1)) / 365.25
    if precision == "month":
        return year + (int(date[5:7]) - (0 if end else 1)) / 12
    return year + (_SPAN_YEARS.get(precision, 1.0) if end else 0.0)


def _span(event: EventRecord) -> tuple[float, float]:
    start = _years(event.date_start, event.date_precision)
    end = _years(event.date_end or event.date_start, event.date_precision, end=True)
    return start, max(end, start)


# A date whose year can be read (a damaged row's 'sometime' cannot be drawn; the table lists it).
_DRAWABLE = ("date_precision != 'unknown' AND date_start GLOB '[0-9][0-9][0-9][0-9]*' "
             "AND (date_end = '' OR date_end GLOB '[0-9][0-9][0-9][0-9]*')")


def _axis(case: Case) -> tuple[float, float] | None:
    row = case.row("SELECT min(date_start), max(max(date_start, date_end)) FROM events "
                   f"WHERE {_DRAWABLE}")
    if row is None or row[0] is None:
        return None
    first = int(row[0][:4])
    last = int(row[1][:4]) + (10 if row[1][3] == "0" else 1)  # room for a decade bar
    return float(first), float(max(last, first + 1))


CHART_LIMIT = 1_000     # events drawn in the chart; the table below lists them all
_LABEL_WIDTH, _BAR_LEFT, _BAR_WIDTH, _ROW, _TOP = 390, 400, 590, 16, 26


def _x(year: float, low: float, high: float) -> float:
    return _BAR_LEFT + (year - low) / (high - low) * _BAR_WIDTH


def _chart_head(low: float, high: float, rows: int) -> str:
    height = _TOP + _ROW * rows
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 500, 1000) if (high - low) / s <= 10)
    ticks = []
    for year in range(int(low) + (-int(low)) % step, int(high) + 1, step):
        x = _x(year, low, high)
        ticks.append(f'<line class="grid" x1="{x:.1f}" y1="{_TOP - 6}" x2="{x:.1f}" y2="{height}"/>'
                     f'<text x="{x:.1f}" y="12" text-anchor="middle">{year}</text>')
    return (f'<svg class="timeline" viewBox="0 0 1000 {height}" role="img" '
            f'aria-label="The timeline from {int(low)} to {int(high)}">{"".join(ticks)}\n')


def _chart_row(event: EventRecord, row: int, low: float, high: float) -> str:
    start, end = _span(event)
    y = _TOP + _ROW * row
    x = _x(start, low, high)
    width = max(_x(end, low, high) - x, 2.0)  # a day is a tick: never thinner than one
    when = range_label(event.date_start, event.date_end, event.date_precision)
    label = one_line(event.title)
    label = label if len(label) <= 58 else label[:57] + "…"
    return (f'<g><title>{html.escape(when)}: {line(event.title)}</title>'
            f'<text class="label" x="{_LABEL_WIDTH}" y="{y + 11}" text-anchor="end">'
            f'{html.escape(label)}</text>'
            f'<rect class="range range-{event.date_precision}" x="{x:.2f}" y="{y + 2}" '
            f'width="{width:.2f}" height="11"/></g>\n')


def _chart(case: Case, out: TextIO, *, include_retired: bool) -> None:
    axis = _axis(case)
    if axis is None:
        return
    shown = live("events", include_retired=include_retired) or "1"
    dated = case.scalar(f"SELECT count(*) FROM events WHERE {_DRAWABLE} AND {shown}")
    rows = min(dated, CHART_LIMIT)
    out.write(_chart_head(*axis, rows))
    drawn = 0
    for event in walk.timeline(case, include_retired=include_retired):
        if event.date_precision == "unknown" or event.damage:
            continue
        if drawn == rows:
            break
        out.write(_chart_row(event, drawn, *axis))
        drawn += 1
    out.write("</svg>\n")
    out.write('<p class="dim">Each bar spans the period its date names: a day is a tick, a month or a '
              "year a bar that long (green), a decade a bar of ten years (ochre), a range from its "
              "start to its end.</p>\n")
    if dated > rows:
        out.write(f'<p class="dim">The first {rows:,} of {dated:,} dated events are drawn; '
                  "the table lists them all.</p>\n")


def _timeline(case: Case, out: TextIO, revised: set[tuple[str, str]], *, include_retired: bool) -> int:
    _chart(case, out, include_retired=include_retired)
    out.write('<table class="timeline"><tr><th>When</th><th>What</th><th>Who</th></tr>\n')
    count = 0
    for event in walk.timeline(case, include_retired=include_retired):
        when = range_label(event.date_start, event.date_end, event.date_precision)
        who = ", ".join(line(e.name) for e in event_entities(
            case, event.id, limit=_LIMIT, include_retired=include_retired))
        about = f'<br><span class="dim">{line(event.description)}</span>' if event.description else ""
        about += _revisions(item_revisions(case, "event", event.uid, revised))
        out.write(f'<tr id="event-{event.id}"><td class="when">{when}</td><td>{line(event.title)}{about}</td>'
                  f'<td>{who}</td></tr>\n')
        count += 1
    out.write("</table>\n" if count else '</table>\n<p class="dim">None.</p>\n')
    return count

