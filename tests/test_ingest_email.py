"""E-mail in: decoded bodies in any charset, headers as metadata, attachments
as sources of their own, mailboxes as a source per message; bad mail refused."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import made_documents as made
import pytest
from conftest import assert_one_line_error, found_in, linked_entities, run_cli
from test_bad_documents import case_state
from test_ingest import run_offline

import db
from db.check import check_case
from db.readers.mail import MAX_MIME_DEPTH
from db.search import search
from db.source_details import attached_to, attachments_of, source_meta
from db.sources import get_source


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mail") / "report.pdf"
    made.report_pdf(path, paragraph_count=8)
    return path


def sources(path: Path) -> list[db.Source]:
    with db.open_case(path, read_only=True) as case:
        return [get_source(case, row[0]) for row in case.rows("SELECT id FROM sources ORDER BY id")]


def test_a_japanese_message_with_a_pdf_attached(seed_case_copy: Path, tmp_path: Path, report: Path):
    path = tmp_path / "report.eml"
    made.japanese_email_with_pdf(path, report)
    assert b"\x1b$B" in path.read_bytes()  # ISO-2022-JP on the wire
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    assert "as source 3: ブリュッセル報告" in result.stdout
    assert "  added attachment report.pdf as source 4: Annual Report 2023" in result.stdout
    assert "attachment photo.png (image/png, 2 KiB) not read: not a document type casebook reads" \
        in result.stderr
    message, attachment = sources(seed_case_copy)[2:]
    assert message.text == made.JAPANESE_BODY.strip("\n")
    assert (message.author, message.published) == ("Tanaka Yui", "2023-10-26")
    with db.open_case(seed_case_copy, read_only=True) as case:
        meta = source_meta(case, message.id)
        assert meta["message_id"] == "<report-2023-10@example.jp>" and meta["format"] == "email"
        assert meta["from"] == "Tanaka Yui <yui@example.jp>"
        listed = attachments_of(case, message.id)
        assert [(a.number, a.name, a.media_type, a.attached_id) for a in listed] == [
            (1, "report.pdf", "application/pdf", attachment.id), (2, "photo.png", "image/png", None)]
        assert listed[0].size == report.stat().st_size and listed[1].size == 2008
        assert "not a document type" in listed[1].note
        assert attached_to(case, attachment.id) == message.id and attached_to(case, message.id) is None
        assert source_meta(case, attachment.id)["file_name"] == "report.pdf"
        assert case.scalar("SELECT count(*) FROM source_pages WHERE source_id = ?", [attachment.id]) >= 1
        # FTS5 cuts Japanese at punctuation and spaces only: a run is found by its beginning.
        hits = search(case, "Logvinov は2023年", kinds=["excerpt"])
        assert any("欧州委員会" in hit.title for group in hits.groups for hit in group.hits)
        linked = {row[0] for row in case.rows(
            "SELECT DISTINCT e.name FROM excerpt_entities m JOIN excerpts x ON x.id = m.excerpt_id "
            "JOIN entities e ON e.id = m.entity_id WHERE x.source_id = ?", [message.id])}
        assert "Kirill Logvinov" in linked
        assert check_case(case).ok
    # The same PDF on its own is the attachment already in the case.
    again = run_cli("add-source", seed_case_copy, report)
    assert "already in the case as source 4" in again.stderr


def test_an_mbox_is_a_source_per_message(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "desk.mbox"
    subjects = made.mbox_of_three(path)
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    added = sources(seed_case_copy)[2:]
    assert [source.title for source in added] == subjects
    assert result.stdout.count("(1 paragraph, 2 mentions linked)") == 3   # one, not "1 paragraphs"
    assert [source.published for source in added] == ["2023-10-26", "2023-10-27", "2023-10-28"]
    assert all("Sûreté de l'État" in source.text for source in added)  # Latin-1 and UTF-8 alike
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert [source_meta(case, s.id)["mbox_message"] for s in added] == ["1", "2", "3"]
    again = run_cli("add-source", seed_case_copy, path)
    assert again.returncode == 0 and again.stderr.count("already in the case") == 3


def test_each_message_of_an_mbox_is_found_by_search_with_its_mentions(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "desk.mbox"
    subjects = made.mbox_of_three(path)
    assert run_cli("add-source", seed_case_copy, path).returncode == 0
    for number, subject in enumerate(subjects, start=1):
        # Folded: "Surete" finds "Sûreté" in the Latin-1 message and the UTF-8 ones alike.
        (hit,) = found_in(seed_case_copy, "Surete Logvinov", subject)
        assert hit["title"] == f"Report {number}: Kirill Logvinov met the Sûreté de l'État."
        # "Sûreté de l'État" is an alias of the Belgian State Security Service.
        assert linked_entities(seed_case_copy, hit["id"]) >= {"Kirill Logvinov",
                                                               "Belgian State Security Service"}


def test_an_html_message_is_read_as_an_article_and_fetches_nothing(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "newsletter.eml"
    made.html_email(path)
    log = tmp_path / "network.log"
    result = run_offline(log, "add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    assert not log.exists()
    message = sources(seed_case_copy)[-1]
    assert message.title == "Newsletter: Brussels week"
    assert "Milan Uhrík met Kirill Logvinov" in message.text and "tracker" not in message.text


def test_eml_files_in_a_directory_are_read(seed_case_copy: Path, tmp_path: Path, report: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    made.html_email(folder / "one.eml")
    made.japanese_email_with_pdf(folder / "two.eml", report)
    result = run_cli("add-source", seed_case_copy, folder)
    assert result.returncode == 0, result.stderr
    assert "added 2 of 2 documents" in result.stdout
    assert len(sources(seed_case_copy)) == 5  # two messages and a PDF


def test_mime_nested_too_deep_is_one_line(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "deep.eml"
    made.nested_email(path, MAX_MIME_DEPTH + 30)
    before = case_state(seed_case_copy)
    assert_one_line_error(run_cli("add-source", seed_case_copy, path),
                          f"deep.eml: has MIME parts nested more than {MAX_MIME_DEPTH} deep")
    made.nested_email(path, 5000)
    assert_one_line_error(run_cli("add-source", seed_case_copy, path), "deep.eml: ", "nested")
    assert case_state(seed_case_copy) == before


def test_a_large_attachment_is_listed_not_read(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "archive.eml"
    made.email_with_large_attachment(path, mib=50)
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    assert "attachment archive.pdf (application/pdf, 50.0 MiB) not read: 50.0 MiB, past the 32.0 MiB limit" \
        in result.stderr
    message = sources(seed_case_copy)[-1]
    assert message.title == "Large file"
    with db.open_case(seed_case_copy, read_only=True) as case:
        (listed,) = attachments_of(case, message.id)
        assert listed.attached_id is None and listed.size == 50 * 1024 * 1024


def test_an_email_named_as_text_stays_text_and_one_named_eml_is_mail(seed_case_copy: Path, tmp_path: Path):
    made.html_email(tmp_path / "saved.eml")
    shutil.copy(tmp_path / "saved.eml", tmp_path / "saved-message.txt")
    note = tmp_path / "forwarded"
    shutil.copy(tmp_path / "saved.eml", note)
    result = run_cli("add-source", seed_case_copy, tmp_path / "saved.eml", note)
    assert result.returncode == 0, result.stderr
    assert "saved.eml as source 3: Newsletter: Brussels week" in result.stdout
    assert "already in the case as source 3" in result.stderr  # no name, but mail by its content


def test_a_message_that_is_only_its_attachment(seed_case_copy: Path, tmp_path: Path, report: Path):
    message = made.email_message("See attached", "")
    message.clear_content()
    message.add_attachment(report.read_bytes(), maintype="application", subtype="pdf", filename="report.pdf")
    path = tmp_path / "attached.eml"
    path.write_bytes(bytes(message))
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    mail = sources(seed_case_copy)[2]
    assert mail.text.split("\n")[0] == "From: Jana Nováková <jana@observer.example>"
    assert "Subject: See attached" in mail.text


def test_office_attachments_are_read_by_content(seed_case_copy: Path, tmp_path: Path):
    made.word_docx(tmp_path / "memo.docx")
    message = made.email_message("Memo and figures", "Both files attached.\n")
    message.add_attachment((tmp_path / "memo.docx").read_bytes(), maintype="application",
                           subtype="octet-stream", filename="scan0001.bin")  # a name that says nothing
    with zipfile.ZipFile(tmp_path / "figures.xlsx", "w") as sheet:
        sheet.writestr("xl/workbook.xml", "<workbook/>")
    message.add_attachment((tmp_path / "figures.xlsx").read_bytes(), maintype="application",
                           subtype="vnd.ms-excel", filename="figures.xlsx")
    path = tmp_path / "memo.eml"
    path.write_bytes(bytes(message))
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    assert "added attachment scan0001.bin as source 4: Meetings at the Regentlaan (draft)" in result.stdout
    assert "attachment figures.xlsx (application/vnd.ms-excel" in result.stderr
    assert "not read: is an Excel workbook (.xlsx)" in result.stderr


def test_a_message_with_an_inline_picture_stays_a_message(seed_case_copy: Path, tmp_path: Path):
    """Its HTML body and picture are related parts (multipart/related), as in
    a page saved as MHTML; but it is addressed mail: Subject, From and Date kept."""
    for name, html_only in (("logo.eml", False), ("html-only.eml", True)):
        made.email_with_inline_picture(tmp_path / name, html_only=html_only)
        result = run_cli("add-source", seed_case_copy, tmp_path / name)
        assert result.returncode == 0, result.stderr
        (message,) = sources(seed_case_copy)[-1:]
        assert (message.title, message.author, message.published) == (
            "Inline picture", "Jana Nováková", "2023-10-26")
        assert "Kirill Logvinov" in message.text
        with db.open_case(seed_case_copy, read_only=True) as case:
            meta = source_meta(case, message.id)
            assert meta["format"] == "email" and meta["message_id"].endswith("@observer.example>")
