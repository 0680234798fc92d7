"""Documents in the browser: an excerpt of a PDF says its page; a message
lists its attachments, each read one a link to it, and an attachment says
what it came attached to."""

from __future__ import annotations

from pathlib import Path

import made_documents as made
from conftest import browser, press, run_cli, settle

import db
from db.source_details import attachments_of, excerpt_place
from db.sources import excerpts_page


def _source_ids(path: Path) -> list[int]:
    with db.open_case(path, read_only=True) as case:
        return [row[0] for row in case.rows("SELECT id FROM sources ORDER BY id")]


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
