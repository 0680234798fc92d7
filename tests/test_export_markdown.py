"""export --format markdown: a report for a colleague without casebook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli
from worked_case import worked_case_file  # noqa: F401  (fixture)

from db.exports.markdown_report import block, inline


@pytest.fixture(scope="module")
def report(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:  # noqa: F811
    out = tmp_path_factory.mktemp("md") / "report.md"
    result = run_cli("export", worked_case_file, "--format", "markdown", "-o", out)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8")


def section(report: str, heading: str) -> str:
    start = report.index(heading + "\n")
    level = heading.split(" ")[0]
    following = re.compile(rf"^#{{1,{len(level)}}} ", re.M)
    end = following.search(report, start + len(heading) + 1)
    return report[start:end.start() if end else len(report)]


def test_claims_are_grouped_by_status_in_order(report: str):
    headings = re.findall(r"^### (\w+) \((\d+)\)$", section(report, "## Claims"), re.M)
    assert [name for name, _ in headings] == ["Confirmed", "Disputed", "Denied", "Unreviewed"]
    assert report.index("### Confirmed") < report.index("### Unreviewed") < report.index("## Entities")
    denied = section(report, "### Denied (3)")
    assert "#### Claim 3:" in denied


def test_a_claim_shows_its_evidence_sources_and_history(report: str):
    claim = section(report, next(line for line in report.splitlines()
                                 if line.startswith("#### ") and "cannot expel its head alone" in line))
    assert "- Claimed by: A Belgian official (anonymous)" in claim
    assert "- Status: unreviewed" in claim
    assert "> « Nous suivons la situation de très près" in claim
    assert ("— supports; *Brussels remains a hub for Russian espionage, investigation finds*, "
            "The Brussels Observer, Jana Nováková, 26 October 2023, "
            "<https://www.brussels-observer.example/europe/2023/10/26/brussels-remains-espionage-hub>") \
        in claim
    history = claim[claim.index("History:"):]
    assert history.index("ana marked it confirmed (was unreviewed): “Matches the ministry's line.”") \
        < history.index("bruno marked it disputed (was confirmed)") \
        < history.index("bruno marked it unreviewed (was disputed): “Undo: wrong claim.”")
    assert "2026-11-26 09:00 UTC, ana" in history


def test_entities_by_kind_and_the_timeline_at_its_precision(report: str):
    entities = section(report, "## Entities")
    assert "### People" in entities and "### Places" in entities
    assert "- **Petras Auštrevičius** (also Auštrevičius)" in entities
    timeline = section(report, "## Timeline")
    assert "- **1990s**: Logvinov graduates from MGIMO" in timeline
    assert "- **2010–2014**: Logvinov posted to Berlin" in timeline
    assert "- **March 2022**: Barring of Russian diplomats from the Parliament reported" in timeline
    assert not re.search(r"\*\*1 January", timeline)  # never an invented day
    dated = re.findall(r"^- \*\*(.+?)\*\*", timeline, re.M)
    assert dated[0] == "date unknown"


def test_untrusted_text_cannot_become_markup(report: str):
    assert "Contradicted by \\<b\\>two\\</b\\> \\[sources\\](x)." in report
    assert "<b>" not in report
    assert inline("[click](javascript:x) <img src=x> *bold*") == \
        "\\[click\\](javascript:x) \\<img src=x\\> \\*bold\\*"
    assert block("- not a list\n1. nor this\n\x1b[31mred") == "\\- not a list\n1\\. nor this\n␛\\[31mred"


def test_sources_are_listed(report: str):
    sources = section(report, "## Sources")
    assert sources.count("\n1. ") == 1 and "\n7. " in sources
    assert ("*Notes d'enquête : la Sûreté de l'État et la mission russe*, Cellule enquêtes, "
            "Élodie Marchand, 14 November 2023") in sources


def test_notes_and_undos_read_as_what_they_did(report: str):
    assert "ana noted (status denied): “Asked the desk for the second source.”" in report
    assert "ana undid a mark: back to unreviewed (was confirmed)" in report


# -- through GitHub's own renderer (cmark-gfm, with its autolink extension) ----


def render_gfm(markdown: str) -> str:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    # UNSAFE: raw HTML passes through, as in renderers that allow it; none may be there.
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    from hostile_exports import build_hostile_case

    folder = tmp_path_factory.mktemp("hostile-md")
    case = build_hostile_case(folder / "hostile.casebook", "http://127.0.0.1:9")
    out = folder / "report.md"
    result = run_cli("export", case, "--format", "markdown", "-o", out)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8")


def test_gfm_renders_hostile_text_as_text(hostile_report: str):
    html = render_gfm(hostile_report)
    # Nothing from the case became an element: the only tags are the report's own.
    tags = set(re.findall(r"<([a-zA-Z0-9]+)", html))
    assert tags <= {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "blockquote", "a"}, tags
    assert "<script" not in html and "onerror=" not in html.replace("onerror=&quot;", "")
    # Links: none at all (the hostile sources' URLs are not http(s), so they are text).
    assert re.findall(r'<a href="([^"]*)"', html) == []
    # The setext underline in the source stayed text; headings are only the report's.
    headings = re.findall(r"<h1>(.*?)</h1>", html)
    assert len(headings) == 1 and headings[0].startswith("Hostile ")
    assert "<p>A heading?\n===</p>" in html or "A heading?\n===" in html
    # A character reference is shown as written, never decoded into markup.
    assert "&amp;lt;script&amp;gt;" in html
    assert "spy@" in html and "www.evil.example" in html and "127.0.0.1:9/bare" in html


@pytest.mark.parametrize("text, shown", [
    ("para\n===", "para\n==="),
    ("para\n   ---", "para\n---"),
    ("&lt;b&gt; &amp; &#60;", "&amp;lt;b&amp;gt; &amp;amp; &amp;#60;"),
    ("see https://evil.example/x now", "see https://evil.example/x now"),
    ("HTTP://EVIL.EXAMPLE and ftp://evil.example", "HTTP://EVIL.EXAMPLE and ftp://evil.example"),
    ("www.evil.example", "www.evil.example"),
    ("mail spy.one@evil.example or mailto:x@evil.example", "mail spy.one@"),
])
def test_what_gfm_would_link_or_lift_stays_text(text: str, shown: str):
    html = render_gfm(block(text))
    assert "<a " not in html and "<h" not in html, html
    assert shown in html, html
    assert "<a " not in render_gfm(inline(text))


def test_relationships_by_type_with_their_evidence_and_marks(report: str):
    ties = section(report, "## Relationships")
    headings = re.findall(r"^### (.+)$", ties, re.M)
    assert headings[:3] == ["Member of", "Employed by", "Leads"] and "Located in" in headings
    assert report.index("## Entities") < report.index("## Relationships") < report.index("## Timeline")
    leads = section(report, "### Leads")
    assert ("- **Kirill Logvinov** leads **Russian Permanent Mission to the EU** "
            "(head of mission; since 27 September 2022), unreviewed") in leads
    assert "  - supports: “On 27 September 2022, Logvinov became the head" in leads
    uhrik = next(line for line in ties.splitlines() if line.startswith("- **Milan Uhrík** associate"))
    assert uhrik.endswith(", disputed") or ", disputed:" in uhrik
    block = ties[ties.index(uhrik):].split("\n\n")[0]
    assert "  - contradicts: “denied meeting Logvinov”" in block
    assert "seed marked it disputed (was unreviewed)" in block
    bullets = re.findall(r"^- \*\*", ties, re.M)
    assert len(bullets) >= 40


def test_the_report_shows_each_items_revisions(seed_case_copy: Path, tmp_path: Path):
    """Issue 11: markdown shows an item's history: who revised which field from
    what to what, and why, under the entity, the event and the claim."""
    import db
    from db import curation

    with db.open_case(seed_case_copy) as case:
        entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
        curation.revise(case, "entity", entity_id, {"name": "Kirill V. Logvinov"},
                        annotator="ana", note="full name *here*")
        curation.revise(case, "event", 1, {"title": "A better title"}, annotator="ben")
        claim_id = int(case.scalar("SELECT min(id) FROM claims"))
        curation.revise(case, "claim", claim_id, {"claimant": "VSquare [sic]"}, annotator="cleo")
        curation.revise(case, "relationship", 1, {"role": "a role revised"}, annotator="dana",
                        note="the article says so")
    out = tmp_path / "report.md"
    result = run_cli("export", seed_case_copy, "--format", "markdown", "-o", out)
    assert result.returncode == 0, result.stderr
    report = out.read_text()
    entities = section(report, "## Entities")
    assert re.search(r"- \*\*Kirill V\. Logvinov\*\*.*\n  - revised \d{4}-\d\d-\d\d \d\d:\d\d by ana: "
                     r"name: Kirill Logvinov → Kirill V\. Logvinov — full name \\\*here\\\*\n",
                     entities)
    assert re.search(r"A better title.*\n  - revised .* by ben: title: .+ → A better title\n",
                     section(report, "## Timeline"))
    claims = section(report, "## Claims")
    assert re.search(r"Revisions:\n\n- revised .* by cleo: claimant: .* → VSquare \\\[sic\\\]\n",
                     claims)
    assert re.search(r"\n  - revised .* by dana: role: .* → a role revised — the article says so\n",
                     section(report, "## Relationships"))
