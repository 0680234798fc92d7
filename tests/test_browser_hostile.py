"""Untrusted text is data: a case whose source, names, titles and notes carry
markup, action links, emoji codes and terminal escapes shows them literally,
fires nothing, and never writes one of their bytes raw to the terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PtyApp, browser, press, screen_text, settle

import db
from db.claims import add_claim, mark_claim
from db.entities import add_entity, link_excerpt_entity
from db.events import add_event
from db.sources import add_source, excerpts_page

MARKUP = "[bold]bold?[/] [@click=app.quit]quit?[/] [ @click=app.quit]quit2?[/] :warning: [link=https://x]l[/link]"
ESCAPES = {
    "ESC CSI colour": "\x1b[31mred\x1b[0m",
    "CSI clear": "\x1b[2J",
    "OSC 0 title": "\x1b]0;pwned-title\x07",
    "OSC 8 link": "\x1b]8;;https://evil.example/\x1b\\evil-link\x1b]8;;\x1b\\",
    "OSC 52 clipboard": "\x1b]52;c;cHduZWQ=\x07",
    "C1 CSI": "\x9b31mc1red",
    "C1 NEL": "\x85",
    "NUL": "nul\x00byte",
    "bidi override": "\u202edesrever\u202c",
    "BEL": "\x07",
}
PAYLOAD = MARKUP + " " + " ".join(ESCAPES.values())
HOSTILE_NAME = "[@click=app.quit]bob \x1b]0;pwned-title\x07 \u202eeve"
# What must never follow an ESC (or stand as a C1 control) in the app's output.
RAW_FORBIDDEN = [b"\x1b[31mred", b"\x1b]0;pwned", b"\x1b]8;;https://evil", b"\x1b]52;",
                 b"\x1b[2J", "\x9b".encode(), "\x85".encode(), b"\x00",
                 "\u202e".encode(), "\u202c".encode()]


def build_hostile_case(path: Path) -> Path:
    with db.create_case(path, title="Hostile " + PAYLOAD) as case:
        source = add_source(
            case, text=f"First line {PAYLOAD}\nSecond line plain text about Mallory.\n",
            title="Title " + PAYLOAD, publisher="Publisher " + MARKUP, author="[red]Author[/red]",
        )
        excerpt = excerpts_page(case, offset=0, limit=1)[0]
        mallory = add_entity(case, kind="person", name="Aaa Mallory " + PAYLOAD,
                             description="Description " + PAYLOAD, aliases=["[b]alias[/b]"])
        link_excerpt_entity(case, excerpt.id, mallory.id)
        add_event(case, title="Event " + PAYLOAD, date_start="2023-06", date_precision="month",
                  description="Event description " + PAYLOAD, entity_ids=[mallory.id],
                  excerpt_ids=[excerpt.id])
        claim = add_claim(case, statement="Claim " + PAYLOAD, claimant="Claimant " + MARKUP,
                          entity_ids=[mallory.id], evidence=[(excerpt.id, "supports")])
        mark_claim(case, claim.id, "disputed", annotator="[@click=app.quit]annotator",
                   note="Note " + PAYLOAD, created_at="2024-01-01T00:00:00.000000Z")
        # A second annotator with a hostile name disagrees: names in the
        # history, the agreement screen and the changed-meanwhile dialog.
        mark_claim(case, claim.id, "confirmed", annotator=HOSTILE_NAME,
                   note="Second " + PAYLOAD, created_at="2024-01-02T00:00:00.000000Z")
        assert source.id
    return path


@pytest.fixture
def hostile_case_file(tmp_path: Path) -> Path:
    return build_hostile_case(tmp_path / "hostile.casebook")


def assert_literal(text: str) -> None:
    for literal in ("[bold]bold?[/]", "[@click=app.quit]quit?[/]", "[ @click=app.quit]quit2?[/]",
                    ":warning:", "[link=https://x]l[/link]"):
        assert literal in text, literal
    assert "⚠" not in text                      # :warning: stays words
    assert "␛[31mred" in text                   # ESC shown as a control picture
    assert "⟨U+202E⟩desrever" in text           # a bidi override shown, not obeyed
    assert "\x1b" not in text and "\x00" not in text and "\u202e" not in text


async def test_every_pane_shows_the_payload_literally_and_nothing_fires(hostile_case_file):
    with db.open_case(hostile_case_file, read_only=True) as case:
        app = browser(case, annotator="[bold]me[/]")
        async with app.run_test(size=(200, 60)) as pilot:
            await settle(pilot)
            assert "[bold]me[/]" in screen_text(app)
            for key in ("1", "2", "3", "4"):
                await press(pilot, key)
                text = screen_text(app)
                assert_literal(text)
                assert_literal(app.active_pane.detail.text)
                # Enter on the row, then on every link of its detail: no action fires.
                await press(pilot, "enter")
                for x, y in ((5, 2), (20, 2), (40, 2), (100, 4), (120, 6), (150, 8)):
                    await pilot.click(offset=(x, y))
                await settle(pilot)
                assert app.is_running and app.return_code is None
                await pilot.press("escape")
            assert "annotator [@click=app.quit]annotator" not in screen_text(app)  # header: ours
            await press(pilot, "4")
            assert "Note [bold]bold?[/]" in app.active_pane.detail.text
            assert "[@click=app.quit]annotator" in app.active_pane.detail.text
            await pilot.press("slash", *"mallory")
            await settle(pilot)
            results = app.screen.results.text    # hits are one line each: the start shows
            assert "[bold]bold?[/] [@click=app.quit]quit?[/]" in results
            assert "⚠" not in results and "\x1b" not in results
            await press(pilot, "enter")
            assert app.is_running


ESCAPE_SEQUENCE = re.compile(
    rb"\x1b(\[[0-9;?<>=:]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[^\[\]])", re.S
)


def sequence_shapes(output: bytes) -> set[bytes]:
    """The kinds of escape sequence written: CSI by final byte, OSC by number."""
    shapes = set()
    for match in ESCAPE_SEQUENCE.finditer(output):
        sequence = match.group(0)
        if sequence.startswith(b"\x1b["):
            shapes.add(b"CSI " + re.sub(rb"[0-9;:]", b"", sequence[2:]))
        elif sequence.startswith(b"\x1b]"):
            shapes.add(b"OSC " + sequence[2:].split(b";")[0])
        else:
            shapes.add(sequence)
    return shapes


def drive(path: Path) -> tuple[PtyApp, bytes]:
    app = PtyApp("open", path, size=(40, 160))
    app.wait_for("Entities")
    keys = ["\r", "\r", "\r", "2", "\r", "3", "\r", "4", "\r",
            "\x1b[<0;30;5M", "\x1b[<0;30;5m",          # a click in the list
            "\x1b[<0;100;12M", "\x1b[<0;100;12m",      # and one in the detail
            "a", "\x1b",                               # agreement: the annotators' names
            "/", "mallory", "\r"]
    app.send(*keys)
    return app, bytes(app.output)


def test_the_terminal_never_receives_the_payloads_bytes(hostile_case_file, tmp_path):
    hostile, output = drive(hostile_case_file)
    try:
        assert hostile.alive(), "an action fired: the app quit"
        assert "[@click=app.quit]quit?[/]" in hostile.text or "[bold]bold?[/]" in hostile.text
        assert "␛" in hostile.text
    finally:
        assert hostile.close() == 0
    for forbidden in RAW_FORBIDDEN:
        assert forbidden not in output, forbidden
    # No C1 control at all, raw or UTF-8 encoded; no C0 control but Textual's own.
    assert not re.search(rb"\xc2[\x80-\x9f]", output)
    assert set(re.findall(rb"[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f]", output)) == set()

    # Every escape sequence written is of a kind the same screens write for a benign case.
    benign_path = tmp_path / "benign.casebook"
    with db.create_case(benign_path, title="Benign") as case:
        add_source(case, text="First line plain.\nSecond line about Mallory.\n", title="Plain")
        add_entity(case, kind="person", name="Aaa Mallory")
    benign, benign_output = drive(benign_path)
    assert benign.close() == 0
    assert sequence_shapes(output) <= sequence_shapes(benign_output) | {b"CSI m"}


def assert_safe_name(text: str) -> None:
    assert "[@click=app.quit]bob ␛]0;pwned-title␇ ⟨U+202E⟩eve" in " ".join(text.split())
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text


async def test_names_and_notes_in_the_review_screens_stay_text(hostile_case_file):
    from db.claims import claims_page
    from tui.screens.agreement import AgreementScreen
    from tui.screens.mark_dialogs import StaleMarkScreen

    with db.open_case(hostile_case_file) as case:
        claim = claims_page(case, offset=0, limit=1)[0]
        app = browser(case, annotator="tester")
        app.POLL_SECONDS = 3600
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            await press(pilot, "4")
            history = app.active_pane.detail.text.split("History (")[1]
            assert_safe_name(history)
            assert "Second [bold]bold?[/] [@click=app.quit]quit?[/]" in history
            assert "≠ annotators disagree" in app.active_pane.detail.text
            # Undo refused: the name of whoever marked last is in the one line, as text
            # (cut to fit the toast's one line).
            said = []
            app.notify = lambda message, **kw: said.append((message, kw))   # type: ignore
            await press(pilot, "z")
            assert len(said) == 1 and said[0][1]["markup"] is False
            assert "last mark by [@click=app.quit]bob" in said[0][0]
            assert not {"\x1b", "\u202e", "\x07"} & set(said[0][0])
            # The agreement screen names both.
            await press(pilot, "A")
            assert isinstance(app.screen, AgreementScreen)
            agreement = app.screen.query_one("#agreement-view").text
            assert_safe_name(agreement)
            assert "[@click=app.quit]annotator" in agreement
            await press(pilot, "escape")
            # Changed meanwhile, by a hostile name, with a hostile note.
            with db.open_case(hostile_case_file) as other:
                mark_claim(other, claim.id, "denied", annotator=HOSTILE_NAME, note=PAYLOAD)
            await press(pilot, "c")
            assert isinstance(app.screen, StaleMarkScreen)
            dialog = screen_text(app)
            assert_safe_name(dialog)
            # Their note is quoted as they wrote it, markup and all, with no control bytes.
            assert "[bold]bold?[/] [@click=app.quit]quit?[/]" in " ".join(dialog.split())
            assert "\x1b" not in dialog and "\x9b" not in dialog and "\x00" not in dialog
            await press(pilot, "t")
            assert app.is_running and app.return_code is None


async def test_shared_items_on_a_path_stay_text(hostile_case_file):
    """``s`` in the path screen: the excerpt, event and claim two entities share,
    and the hostile name, shown literally; following nothing fires."""
    with db.open_case(hostile_case_file) as case:
        mallory = int(case.scalar("SELECT id FROM entities WHERE name LIKE 'Aaa Mallory%'"))
        excerpt = int(case.scalar("SELECT excerpt_id FROM excerpt_entities WHERE entity_id = ?",
                                  [mallory]))
        bob = add_entity(case, kind="person", name=HOSTILE_NAME)
        link_excerpt_entity(case, excerpt, bob.id)
    with db.open_case(hostile_case_file, read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(200, 60)) as pilot:
            await settle(pilot)
            app.path_from = mallory
            app.pane("entity").reveal(bob.id)
            await settle(pilot)
            await press(pilot, "p")
            await settle(pilot)
            await press(pilot, "s")
            await settle(pilot)
            view = app.screen.query_one("#path-view")
            text = view.text
            assert "1. 1 hop, 1 through shared items" in text and "shares excerpt with" in text
            assert "[@click=app.quit]bob" in text and "\x1b" not in text
            assert_literal(text)
            assert "[@click=app.quit]bob" in screen_text(app)
            for link in view.links:
                assert view.select_link(link)
            await press(pilot, "enter")
            assert app.is_running and app.return_code is None
