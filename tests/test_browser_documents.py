"""Documents in the browser: an excerpt of a PDF says its page; a message
lists its attachments, each read one a link to it, and an attachment says
what it came attached to; an e-book's chapter and a saved page's paragraph
are found by search with the case's entities linked."""

from __future__ import annotations

from pathlib import Path

import made_documents as made
from conftest import browser, press, run_cli, settle
from test_browser_search import type_query

import db
from db.entities import entities_page
from db.source_details import attachments_of, excerpt_place
from db.sources import excerpts_page
from tui.widgets.detail import Link


def _source_ids(case_or_path: db.Case | Path) -> list[int]:
    if isinstance(case_or_path, Path):
        with db.open_case(case_or_path, read_only=True) as case:
            return _source_ids(case)
    return [row[0] for row in case_or_path.rows("SELECT id FROM sources ORDER BY id")]


async def test_a_pdf_excerpt_says_its_page_and_a_message_its_attachments(seed_case_copy: Path,
                                                                         tmp_path: Path):
    pdf = tmp_path / "report.pdf"
    made.report_pdf(pdf, paragraph_count=8)
    message = tmp_path / "report.eml"
    made.japanese_email_with_pdf(message, pdf)
    before = set(_source_ids(seed_case_copy))
    result = run_cli("add-source", seed_case_copy, message)
    assert result.returncode == 0, result.stderr
    added = [i for i in _source_ids(seed_case_copy) if i not in before]
    with db.open_case(seed_case_copy, read_only=True) as case:
        mail_id = next(i for i in added if attachments_of(case, i))
        (read, unread) = attachments_of(case, mail_id)
        assert read.attached_id is not None and unread.attached_id is None
        mail_excerpt = excerpts_page(case, offset=0, limit=1, source_id=mail_id)[0]
        pdf_excerpt = excerpts_page(case, offset=0, limit=1, source_id=read.attached_id)[0]
        place = excerpt_place(case, pdf_excerpt.id)
        assert place is not None
        app = browser(case)
        async with app.run_test(size=(160, 48)) as pilot:
            await press(pilot, "3")
            app.pane("excerpt").reveal(mail_excerpt.id)
            await settle(pilot)
            detail = app.pane("excerpt").detail
            assert "Attachments (2)" in detail.text
            assert read.name in detail.text and unread.name in detail.text
            assert unread.note in " ".join(detail.text.split())   # why the picture was not read
            attachment_link = next(link for link in detail.links if link.id == pdf_excerpt.id)
            assert detail.select_link(attachment_link)
            detail.focus()
            await press(pilot, "enter")                # follow it to the attachment's text
            pane = app.pane("excerpt")
            assert pane.paged_list.cursor_item_id == pdf_excerpt.id
            text = pane.detail.text
            assert place.label in text                 # "p. 1": the page it is on
            assert "Attached to" in text
            assert any(link.id == mail_excerpt.id for link in pane.detail.links)


async def _found_and_followed(pilot, query: str, excerpt_id: int) -> None:
    """Search for ``query`` with /, move to the excerpt's hit and open it with Enter."""
    screen = await type_query(pilot, query)
    wanted = Link("excerpt", excerpt_id)
    assert wanted in screen.results.links, screen.results.text
    while screen.results.link != wanted:
        await pilot.press("down")
    await press(pilot, "enter")


async def test_an_epub_and_an_mhtml_page_are_found_in_the_browser_with_their_mentions(seed_case_copy: Path,
                                                                                     tmp_path: Path):
    made.epub_book(tmp_path / "book.epub")
    made.saved_mhtml(tmp_path / "spy-hub.mhtml")
    for name in ("book.epub", "spy-hub.mhtml"):
        result = run_cli("add-source", seed_case_copy, tmp_path / name)
        assert result.returncode == 0, result.stderr
    with db.open_case(seed_case_copy, read_only=True) as case:
        book_id, page_id = _source_ids(case)[-2:]
        [chapter] = [x for x in excerpts_page(case, offset=0, limit=50, source_id=book_id)
                     if x.text == "Milan Uhrík founded the party Republika."]
        [paragraph] = [x for x in excerpts_page(case, offset=0, limit=50, source_id=page_id)
                       if x.text.startswith("Before the invasion, Kirill Logvinov")]
        names = {e.name: e.id for e in entities_page(case, offset=0, limit=1000)}
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for excerpt, query, source, mentioned in (
                    (chapter, "Uhrik Republika", "Spies in the Heartland", ("Milan Uhrík", "Republika")),
                    (paragraph, "Logvinov invasion", "Brussels, a hub for spies",
                     ("Kirill Logvinov", "Russian Permanent Mission to the EU"))):
                await _found_and_followed(pilot, query, excerpt.id)
                pane = app.pane("excerpt")
                assert app.active_kind == "excerpt" and pane.paged_list.cursor_item_id == excerpt.id
                assert source in pane.detail.text
                linked = {link.id for link in pane.detail.links if link.kind == "entity"}
                assert {names[name] for name in mentioned} <= linked
            # A mention is a link: Enter on it opens the entity.
            pane = app.pane("excerpt")
            assert pane.detail.select_link(Link("entity", names["Kirill Logvinov"]))
            pane.detail.focus()
            await press(pilot, "enter")
            assert app.active_kind == "entity"
            assert app.active_pane.paged_list.cursor_item_id == names["Kirill Logvinov"]
