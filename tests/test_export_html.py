"""export --format html: one self-contained page, opened in a real browser
(headless Chromium from the system's packages). A hostile case runs nothing
and fetches nothing: whatever its text would fetch points at a server the
test runs on 127.0.0.1, and that server must hear nothing."""

from __future__ import annotations

import html.parser
import http.server
import re
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli
from hostile_exports import build_hostile_case, payload
from worked_case import worked_case_file  # noqa: F401  (fixture)

from db.exports.html_report import CONTENT_SECURITY_POLICY, STYLE_HASH

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run does)")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]


class Canary:
    """An HTTP server on 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                canary.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"seen")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120)


class Elements(html.parser.HTMLParser):
    """Every element and attribute of a document (the DOM Chromium dumped)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def elements(dom: str) -> Elements:
    parsed = Elements()
    parsed.feed(dom)
    return parsed


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def report(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("html") / "report.html"
    result = run_cli("export", worked_case_file, "--format", "html", "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def test_one_self_contained_file_with_a_strict_policy(report: Path):
    page = report.read_text(encoding="utf-8")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">' in page
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert f"'sha256-{STYLE_HASH}'" in CONTENT_SECURITY_POLICY
    assert "<script" not in page and "<img" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"""(src|href)=["'](?!#|https?://)""", page)  # no other resource, no odd link
    assert page.count("<style>") == 1 and 'style="' not in page


def test_the_report_has_what_a_colleague_reads(report: Path):
    page = report.read_text(encoding="utf-8")
    for heading in ("Confirmed (", "Disputed (", "Denied (", "Unreviewed (", "People", "Places", "Timeline",
                    "Sources"):
        assert heading in page, heading
    claim = page[page.index("cannot expel its head alone"):]
    claim = claim[:claim.index("</article>")]
    assert "<mark>« Nous suivons" in claim  # the quote highlighted in its context
    assert ("ana</td><td>marked it confirmed (was unreviewed)</td><td>Matches the ministry&#x27;s line."
            in claim)
    assert "claimed by A Belgian official (anonymous)" in claim
    assert 'rel="noopener noreferrer">https://www.brussels-observer.example/' in page
    # The timeline draws each date at its precision: the 1990s are ten years, 2010–2014 five.
    bars = dict(re.findall(r"<title>([^<]*?): [^<]*</title>.*?width=\"([\d.]+)\"", page))
    assert float(bars["1990s"]) == pytest.approx(10 * float(bars["2010–2014"]) / 5, rel=0.01)
    assert float(bars["March 2022"]) < float(bars["2022"]) / 6


def test_relationships_by_type_with_their_evidence_in_context_and_marks(report: Path):
    page = report.read_text(encoding="utf-8")
    ties = page[page.index('<section id="relationships">'):page.index('<section id="timeline">')]
    assert page.index('<section id="entities">') < page.index('<section id="relationships">')
    headings = re.findall(r"<h3>([^<]+)</h3>", ties)
    assert headings[:3] == ["Member of", "Employed by", "Leads"] and "Located in" in headings
    assert '<a href="#relationships">Relationships</a>' in page
    leads = ties[ties.index("<h3>Leads</h3>"):]
    leads = leads[:leads.index("</article>")]
    assert ("<strong>Kirill Logvinov</strong> leads <strong>Russian Permanent Mission to the EU</strong> "
            '<span class="status status-unreviewed">unreviewed</span>') in leads
    assert "head of mission · since 27 September 2022" in leads
    assert '<blockquote class="supports">' in leads and "<mark>On 27 September 2022, Logvinov" in leads
    uhrik = ties[ties.index("<strong>Milan Uhrík</strong> associate"):]
    uhrik = uhrik[:uhrik.index("</article>")]
    assert '<blockquote class="contradicts">' in uhrik and "denied meeting Logvinov" in uhrik
    assert "<td>seed</td><td>marked it disputed (was unreviewed)</td>" in uhrik
    assert ties.count('<article class="relationship"') >= 40


def test_the_report_shows_each_items_revisions(seed_case_copy: Path, tmp_path: Path):
    """As markdown does (issue 11): who revised which field of an entity, an event,
    a claim or a relationship, from what to what, and why."""
    import db
    from db import curation

    with db.open_case(seed_case_copy) as case:
        entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
        curation.revise(case, "entity", entity_id, {"name": "Kirill V. Logvinov"},
                        annotator="ana", note="full name <here>")
        curation.revise(case, "event", 1, {"title": "A better title"}, annotator="ben")
        claim_id = int(case.scalar("SELECT min(id) FROM claims"))
        curation.revise(case, "claim", claim_id, {"claimant": "VSquare [sic]"}, annotator="cleo")
        curation.revise(case, "relationship", 1, {"role": "a role revised"}, annotator="dana")
    out = tmp_path / "report.html"
    result = run_cli("export", seed_case_copy, "--format", "html", "-o", out)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    entities = page[page.index('<section id="entities">'):page.index('<section id="relationships">')]
    assert re.search(r"<strong>Kirill V\. Logvinov</strong>.*<ul class=\"revisions\"><li>revised "
                     r"\d{4}-\d\d-\d\d \d\d:\d\d by ana: name: Kirill Logvinov → Kirill V\. Logvinov "
                     r"— full name &lt;here&gt;</li></ul></li>", entities)
    assert re.search(r"A better title.*<li>revised .* by ben: title: .+ → A better title</li>",
                     page[page.index('<section id="timeline">'):])
    claim = page[page.index(f'id="claim-{claim_id}"'):]
    claim = claim[:claim.index("</article>")]
    assert re.search(r"<h5>Revisions</h5><ul class=\"revisions\"><li>revised .* by cleo: claimant: .* → "
                     r"VSquare \[sic\]</li>", claim)
    tie = page[page.index('id="relationship-1"'):]
    assert re.search(r"<li>revised .* by dana: role: .* → a role revised</li>", tie[:tie.index("</article>")])


@needs_chromium
def test_chromium_renders_it_without_a_complaint(report: Path, tmp_path: Path):
    shot = tmp_path / "report.png"
    result = chromium(report, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2400")
    assert result.returncode == 0, result.stderr[-2000:]
    assert png_size(shot) == (1280, 2400) and shot.stat().st_size > 50_000  # a page of text, not blank
    # Not one Content-Security-Policy violation: the page's own style is allowed by its hash.
    assert "violates the following Content Security Policy" not in result.stderr
    dom = chromium(report, tmp_path / "profile2", "--dump-dom").stdout
    assert "Russian and Chinese intelligence in Brussels" in dom and "<svg" in dom


@needs_chromium
def test_a_hostile_case_runs_nothing_and_fetches_nothing(canary: Canary, tmp_path: Path):
    case = build_hostile_case(tmp_path / "hostile.casebook", canary.url)
    page = tmp_path / "hostile.html"
    result = run_cli("export", case, "--format", "html", "-o", page)
    assert result.returncode == 0, result.stderr
    opened = chromium(page, tmp_path / "profile", "--dump-dom")
    shot = tmp_path / "hostile.png"
    shown = chromium(page, tmp_path / "profile2", f"--screenshot={shot}", "--window-size=1280,1600")
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert png_size(shot) == (1280, 1600)
    assert canary.requests == []
    assert "violates the following Content Security Policy" not in opened.stderr  # nothing even tried
    dom = elements(opened.stdout)
    tags = {tag for tag, _ in dom.tags}
    assert tags <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "h5",
                    "p", "nav", "a", "main", "section", "article", "span", "blockquote", "mark", "table",
                    "tbody", "tr", "th", "td", "ul", "ol", "li", "strong", "cite", "br", "svg", "g", "line",
                    "text", "rect"}, tags
    assert not [(tag, name) for tag, attrs in dom.tags for name in attrs if name.startswith("on")]
    links = [attrs["href"] or "" for tag, attrs in dom.tags if tag == "a"]
    assert [href for href in links if not href.startswith("#")] == []
    shown = "".join(dom.text)
    assert "<script>fetch(" in shown and "onerror=" in shown and "javascript:fetch(" in shown  # as text
    assert "&lt;script&gt;" in shown  # a character reference in a source stays those characters
    assert "⟨U+202E⟩evil" in shown and "\u202e" not in opened.stdout  # a bidi override is shown, not obeyed
    assert "␛[31mred" in shown
    # The kinds added later are there, as text: a relationship, its mark, revisions.
    assert "Relationship description <script>fetch(" in shown and "Role <script>fetch(" in shown
    assert "Relationship note <script>" in shown and "Revised <script>fetch(" in shown
    assert "Why <script>fetch(" in shown and "Claim why <script>fetch(" in shown
    (title,) = [t for t in re.findall(r"<title>(.*?)</title>", opened.stdout, re.S)][:1]
    assert title.startswith("Hostile &lt;script&gt;")


@needs_chromium
def test_the_canary_would_hear_a_page_that_did_run_the_text(canary: Canary, tmp_path: Path):
    """The same text pasted raw into a page, without the report's escaping or
    policy: the browser fetches, and the canary hears it (so the test above could fail)."""
    page = tmp_path / "unsafe.html"
    page.write_text(f"<!DOCTYPE html><html><body>{payload(canary.url)}</body></html>", encoding="utf-8")
    chromium(page, tmp_path / "profile", "--dump-dom")
    assert {"/script", "/onerror", "/css"} & set(canary.requests), canary.requests


@needs_chromium
def test_the_report_shows_each_items_revisions_escaped(seed_case_copy: Path, tmp_path: Path,
                                                       canary: Canary):
    """Issue 11: the page shows an item's history as the markdown report does (who
    revised which field from what to what, and why) under the entity, the event
    and the claim; a hostile revision note or value is text, in Chromium too."""
    import db
    from db import curation

    hostile = f'<img src="{canary.url}/note" onerror="fetch(\'{canary.url}/onerror\')">'
    with db.open_case(seed_case_copy) as case:
        entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
        curation.revise(case, "entity", entity_id, {"name": "Kirill V. Logvinov"},
                        annotator="ana", note=f"full name {hostile}")
        curation.revise(case, "event", 1, {"title": "A better <b>title</b>"}, annotator="ben")
        claim_id = int(case.scalar("SELECT min(id) FROM claims"))
        curation.revise(case, "claim", claim_id, {"claimant": "VSquare [sic]"}, annotator="cleo")
    out = tmp_path / "report.html"
    result = run_cli("export", seed_case_copy, "--format", "html", "-o", out)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    entity = page[page.index(f'<li id="entity-{entity_id}">'):]
    entity = entity[:entity.index("</li></ul></li>")]
    assert re.search(r'<ul class="revisions"><li>revised \d{4}-\d\d-\d\d \d\d:\d\d by ana: '
                     r"name: Kirill Logvinov → Kirill V\. Logvinov — full name &lt;img src=", entity)
    assert "<img" not in page
    event = page[page.index('<tr id="event-1">'):]
    event = event[:event.index("</tr>")]
    assert re.search(r"<li>revised .* by ben: title: .+ → A better &lt;b&gt;title&lt;/b&gt;</li>", event)
    claim = page[page.index(f'<article class="claim" id="claim-{claim_id}">'):]
    claim = claim[:claim.index("</article>")]
    assert re.search(r'<h5>Revisions</h5><ul class="revisions"><li>revised .* by cleo: claimant: .* '
                     r"→ VSquare \[sic\]</li></ul>", claim)
    opened = chromium(out, tmp_path / "profile", "--dump-dom")
    assert canary.requests == []
    assert "violates the following Content Security Policy" not in opened.stderr
    shown = "".join(elements(opened.stdout).text)
    assert "name: Kirill Logvinov → Kirill V. Logvinov — full name <img src=" in shown
    assert "title: " in shown and "→ A better <b>title</b>" in shown
    assert "claimant: " in shown and "→ VSquare [sic]" in shown
