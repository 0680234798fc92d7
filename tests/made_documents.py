"""Documents of every format casebook reads, made here rather than committed.

Each maker writes a real file of that format — PDFs with reportlab (a test
dependency), Office and e-book files as the ZIP packages of XML they are,
e-mail with the standard library — shaped like what analysts hold: a
two-column report with running headers and hyphenated line ends, a scan
with no text layer, a password-protected PDF, a Word file with a table, a
comment and tracked changes, an e-mail in ISO-2022-JP with a PDF attached,
and so on. Makers return what the document says (its paragraphs in reading
order), so tests and benchmarks/pdf_libraries.py can compare what was read
with what was written.
"""

from __future__ import annotations

import datetime as dt
import io
import mailbox
import random
import re
import zipfile
import zlib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

# -- text -------------------------------------------------------------------

_SENTENCES = [
    "The Belgian State Security Service reported that Kirill Logvinov met officials of the "
    "European Commission at a reception in Brussels.",
    "Intelligence officers working under diplomatic cover at the Russian Permanent Mission to the EU "
    "approached staff of the European Parliament.",
    "According to the investigation, payments were routed through companies registered in Cyprus "
    "and Latvia between 2019 and 2022.",
    "Petras Auštrevičius told journalists that the networks had been known to counterintelligence "
    "services for several years.",
    "The report notes that recruitment attempts increased considerably after the full-scale "
    "invasion of Ukraine in February 2022.",
    "Milan Uhrík denied any contact with the diplomats named in the documents and called the "
    "findings a political campaign.",
    "Surveillance teams observed repeated meetings near the Regentlaan, close to several "
    "embassies and international institutions.",
    "Analysts compared travel records, telephone metadata and registration documents "
    "to reconstruct the chronology of contacts.",
]

HEADER = "VSSE — Annual Report 2023"
LONG_WORD = "internationalisation"  # hyphenated across a line end in the PDFs


def paragraphs(count: int, seed: int = 1, sentences: tuple[int, int] = (2, 4)) -> list[str]:
    """Paragraphs of English prose about the seed case's people and places."""
    rng = random.Random(seed)
    made = []
    for number in range(count):
        chosen = [rng.choice(_SENTENCES) for _ in range(rng.randint(*sentences))]
        if number % 3 == 1:  # a long word that the PDF makers hyphenate at a line end
            chosen.insert(1, f"Officials described the {LONG_WORD} of the networks as deliberate.")
        made.append(" ".join(chosen))
    return made


# -- PDF --------------------------------------------------------------------


def _fonts() -> tuple[str, str]:
    """Bitstream Vera (shipped with reportlab): unlike the standard PDF fonts
    it has the letters of Lithuanian and Czech names (č, ė, ū)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in (("Vera", "Vera.ttf"), ("VeraBd", "VeraBd.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, file))
    return "Vera", "VeraBd"


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width`` points; the long word is hyphenated across a
    line end when it does not fit whole (as a typesetter would)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if word.startswith(LONG_WORD[:5]):
            for cut in range(len(word) - 3, 2, -1):
                head = f"{current} {word[:cut]}-".strip()
                if stringWidth(head, font, size) <= width:
                    lines.append(head)
                    current = word[cut:]
                    break
            else:
                lines.append(current)
                current = word
            continue
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


def report_pdf(path: Path, *, paragraph_count: int = 30, columns: int = 2,
               title: str = "Annual Report 2023", author: str = "Belgian State Security Service",
               seed: int = 1, headers: bool = True, encrypt: str | None = None) -> list[str]:
    """A report of ``columns`` columns a page with running headers, footers
    and page numbers; returns its title and paragraphs in reading order.

    Paragraphs flow down the left column, then the right one, and on to the
    next page (a paragraph may continue across a column or a page), each
    line drawn on its own, as a word processor would.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    margin, gutter, size, leading = 56.0, 24.0, 10.0, 13.0
    column_width = (width - 2 * margin - gutter * (columns - 1)) / columns
    top, bottom = height - 100.0, 70.0
    options = {}
    if encrypt is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        options["encrypt"] = StandardEncryption(encrypt, canPrint=1, strength=128)
    pdf = canvas.Canvas(str(path), pagesize=A4, **options)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    pdf.setSubject("Threat assessment")
    pdf.setCreator("casebook tests")

    regular, bold = _fonts()
    text = paragraphs(paragraph_count, seed=seed)
    body: list[str | None] = []  # every line, None between paragraphs
    for paragraph in text:
        body += [*_wrap(paragraph, regular, size, column_width), None]
    pages = _lines_into_pages(body, columns, int((top - bottom) / leading) + 1)
    for number, page in enumerate(pages):
        if headers:
            pdf.setFont(regular, 8)
            pdf.drawString(margin, height - 40, HEADER)
            pdf.drawRightString(width - margin, height - 40, "Unclassified")
            pdf.drawCentredString(width / 2, 36, f"Page {number + 1} of {len(pages)}")
        y0 = top
        if number == 0:
            pdf.setFont(bold, 18)
            pdf.drawString(margin, top, title)
            y0 = top - 36
        pdf.setFont(regular, size)
        for column, lines in enumerate(page):
            x = margin + column * (column_width + gutter)
            for row, line in enumerate(lines):
                if line is not None:
                    pdf.drawString(x, y0 - row * leading, line)
        pdf.showPage()
    pdf.save()
    return [title, *text]


def _lines_into_pages(body: list[str | None], columns: int, rows: int) -> list[list[list[str | None]]]:
    """The lines cut into columns of ``rows`` lines (the first page's are
    three shorter, for the title) and pages of ``columns`` columns."""
    pages: list[list[list[str | None]]] = []
    position = 0
    while position < len(body):
        page = []
        for _ in range(columns):
            height = rows - (3 if not pages else 0)
            column = body[position:position + height]
            while column and column[0] is None:  # a column never starts with a gap
                position += 1
                column = body[position:position + height]
            page.append(column)
            position += height
        pages.append(page)
    return pages


def scanned_pdf(path: Path, pages: int = 2) -> None:
    """A "scan": pages of drawn shapes (the picture of a page), no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    rng = random.Random(3)
    for _ in range(pages):
        for row in range(40):
            y = 780 - row * 18
            x = 60.0
            while x < 520:
                length = rng.uniform(10, 60)
                pdf.rect(x, y, length, 7, stroke=0, fill=1)
                x += length + 6
        pdf.showPage()
    pdf.save()


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF file of the given objects (1 is the catalog), with its xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def many_pages_pdf(path: Path, pages: int) -> None:
    """A PDF of ``pages`` pages, each saying its number (written directly: fast)."""
    font = 3
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for number in range(pages):
        content = b"BT /F1 12 Tf 72 720 Td (Page %d of the register.) Tj ET" % (number + 1)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (len(objects), font))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join(kids))
    path.write_bytes(_raw_pdf(objects))


def bomb_pdf(path: Path, inflated_mib: int = 2048) -> None:
    """A one-page PDF whose content stream is small on disk and inflates to
    ``inflated_mib`` MiB (spaces: valid content, nothing drawn)."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    packed = b"".join(packer.compress(chunk) for _ in range(inflated_mib)) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
    ]
    path.write_bytes(_raw_pdf(objects))


# -- Office and e-book packages ---------------------------------------------

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _zip(path: Path, members: dict[str, str | bytes], *, stored_first: str | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        if stored_first:
            package.writestr(zipfile.ZipInfo(stored_first), members[stored_first],
                             compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            if name != stored_first:
                package.writestr(name, data)


def _w_paragraph(text: str, style: str = "") -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def word_docx(path: Path) -> None:
    """A Word file: a title, a heading, paragraphs, a table, a comment, a
    tracked insertion and a tracked deletion, and core properties."""
    body = "".join([
        _w_paragraph("Meetings at the Regentlaan", "Title"),
        _w_paragraph("Background", "Heading1"),
        _w_paragraph("Kirill Logvinov hosted a dinner for officials of the European Commission."),
        # A comment on part of a paragraph: the comment itself is not text of the document.
        '<w:p><w:commentRangeStart w:id="0"/><w:r><w:t xml:space="preserve">The Belgian State Security '
        'Service was informed in March 2023.</w:t></w:r><w:commentRangeEnd w:id="0"/>'
        '<w:r><w:commentReference w:id="0"/></w:r></w:p>',
        # Tracked changes: "in Brussels" inserted, "in Antwerp" deleted.
        '<w:p><w:r><w:t xml:space="preserve">The second meeting took place </w:t></w:r>'
        '<w:ins w:id="1" w:author="Ana" w:date="2023-05-01T10:00:00Z">'
        "<w:r><w:t>in Brussels</w:t></w:r></w:ins>"
        '<w:del w:id="2" w:author="Ana" w:date="2023-05-01T10:00:00Z"><w:r><w:delText>in Antwerp</w:delText>'
        '</w:r></w:del><w:r><w:t>.</w:t></w:r></w:p>',
        _w_paragraph("Payments", "Heading2"),
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Date</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Amount"
        "</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>From</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>2021-06-03</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>€ 12,000"
        "</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Baltic Trade SIA</w:t></w:r></w:p></w:tc></w:tr>"
        "</w:tbl>",
        _w_paragraph("Milan Uhrík denied any contact with the diplomats."),
    ])
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>{body}'
                '<w:sectPr/></w:body></w:document>')
    comments = (f'<?xml version="1.0" encoding="UTF-8"?><w:comments {_W}>'
                '<w:comment w:id="0" w:author="Bruno" '
                'w:date="2023-05-02T09:00:00Z"><w:p><w:r><w:t>Source? This needs a second confirmation.'
                '</w:t></w:r></w:p></w:comment></w:comments>')
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><w:styles {_W}>'
              '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>'
              "</w:styles>")
    core = ('<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:title>Meetings at the Regentlaan (draft)</dc:title><dc:creator>Élodie Marchand</dc:creator>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2023-05-01T08:00:00Z</dcterms:created>'
            "</cp:coreProperties>")
    content_types = ('<?xml version="1.0" encoding="UTF-8"?><Types '
                     'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/word/document.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    _zip(path, {"[Content_Types].xml": content_types, "word/document.xml": document,
                "word/comments.xml": comments, "word/styles.xml": styles, "docProps/core.xml": core})


def docx_bomb(path: Path, inflated_mib: int = 400) -> None:
    """A .docx whose document part inflates far past any real document."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(f"<w:document {_W}><w:body>".encode())
            chunk = b" " * (1024 * 1024)
            for _ in range(inflated_mib):
                part.write(chunk)
            part.write(b"</w:body></w:document>")


def writer_odt(path: Path) -> None:
    """An OpenDocument text: a heading, paragraphs, a list, a table, metadata."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
               "<office:body><office:text>"
               '<text:h text:outline-level="1">Note on the Permanent Mission</text:h>'
               "<text:p>Kirill Logvinov leads the mission's<text:s/>political section.</text:p>"
               '<text:p>Staff met <text:span>Petras Auštrevičius</text:span> twice.'
               '<office:annotation><text:p>check the dates</text:p></office:annotation></text:p>'
               "<text:list><text:list-item><text:p>First contact: 2021</text:p></text:list-item></text:list>"
               "<table:table><table:table-row><table:table-cell><text:p>Name</text:p></table:table-cell>"
               "<table:table-cell><text:p>Role</text:p></table:table-cell></table:table-row></table:table>"
               "</office:text></office:body></office:document-content>")
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ns}><office:meta>'
            "<dc:title>Mission note</dc:title><dc:creator>Rūta Žemaitytė</dc:creator>"
            "<dc:date>2022-11-03T12:00:00</dc:date></office:meta></office:document-meta>")
    _zip(path, {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content,
                "meta.xml": meta}, stored_first="mimetype")


def epub_book(path: Path) -> list[str]:
    """An EPUB 3 whose spine order differs from its manifest order; returns
    the chapters' first paragraphs in spine order."""
    chapters = {
        "c2.xhtml": ("Chapter Two: Brussels", "Kirill Logvinov arrived in Brussels in 2014."),
        "c1.xhtml": ("Chapter One: Vilnius", "Petras Auštrevičius raised the alarm in the Parliament."),
        "c3.xhtml": ("Chapter Three: Bratislava", "Milan Uhrík founded the party Republika."),
    }
    spine = ["c1.xhtml", "c2.xhtml", "c3.xhtml"]
    members: dict[str, str | bytes] = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": (
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/book.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>"),
    }
    manifest = "".join(f'<item id="{name[:-6]}" href="text/{name}" media-type="application/xhtml+xml"/>'
                       for name in chapters)
    itemrefs = "".join(f'<itemref idref="{name[:-6]}"/>' for name in spine)
    members["OEBPS/book.opf"] = (
        '<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:identifier id="id">urn:isbn:9780000000002</dc:identifier>'
        "<dc:title>Spies in the Heartland</dc:title>"
        "<dc:creator>Hannah Ng</dc:creator><dc:publisher>Harbour Books</dc:publisher>"
        "<dc:date>2024-03-15</dc:date><dc:language>en</dc:language></metadata>"
        f'<manifest>{manifest}<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
        f'properties="nav"/></manifest><spine>{itemrefs}</spine></package>')
    members["OEBPS/nav.xhtml"] = "<html><body><nav><ol><li>Contents</li></ol></nav></body></html>"
    for name, (heading, first) in chapters.items():
        members[f"OEBPS/text/{name}"] = (
            '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
            f"<title>{heading}</title><style>p {{ margin: 0 }}</style></head><body><h1>{heading}</h1>"
            f'<p>{first}</p><p>It was <em>not</em> the first time.<img src="http://example.org/x.png"/></p>'
            "</body></html>")
    _zip(path, members, stored_first="mimetype")
    return [chapters[name][1] for name in spine]


# -- e-mail -----------------------------------------------------------------

_WHEN = dt.datetime(2023, 10, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def email_message(subject: str = "Meeting notes", body: str = "Logvinov was at the reception.\n",
                  *, sender: str = "Jana Nováková <jana@observer.example>", charset: str = "utf-8",
                  when: dt.datetime = _WHEN, message_id: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "desk@observer.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = message_id or make_msgid(domain="observer.example")
    if charset == "iso-2022-jp":
        message.set_content(body, charset="iso-2022-jp", cte="7bit")
    else:
        message.set_content(body, charset=charset)
    return message


JAPANESE_BODY = ("ブリュッセルのロシア代表部について報告します。\n\n"
                 "Kirill Logvinov は2023年10月に欧州委員会の職員と会いました。\n")


def japanese_email_with_pdf(path: Path, pdf: Path) -> EmailMessage:
    """An ISO-2022-JP message (subject and body) with a PDF and a picture attached."""
    message = email_message("ブリュッセル報告", JAPANESE_BODY, charset="iso-2022-jp",
                            sender="Tanaka Yui <yui@example.jp>",
                            message_id="<report-2023-10@example.jp>")
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    message.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(2000), maintype="image", subtype="png",
                           filename="photo.png")
    path.write_bytes(bytes(message))
    return message


def html_email(path: Path) -> None:
    """An HTML-only message with a remote image (which must never be fetched)."""
    message = email_message("Newsletter: Brussels week")
    message.set_content(
        "<html><body><article><h1>Brussels week</h1><p>Milan Uhrík met Kirill Logvinov at a reception "
        "organised by the Russian Permanent Mission to the EU, according to two people present.</p>"
        "<p>The Belgian State Security Service declined to comment on the meeting or on the "
        "diplomats involved, citing an ongoing investigation.</p>"
        '<img src="https://tracker.example/pixel.gif"></article></body></html>', subtype="html")
    path.write_bytes(bytes(message))


def mbox_of_three(path: Path) -> list[str]:
    """An mbox of three messages (one in Latin-1); returns their subjects."""
    subjects = ["First report", "Second report: Auštrevičius", "Third report"]
    box = mailbox.mbox(str(path), create=True)
    try:
        for number, subject in enumerate(subjects):
            charset = "latin-1" if number == 2 else "utf-8"
            body = f"Report {number + 1}: Kirill Logvinov met the Sûreté de l'État.\n"
            box.add(email_message(subject, body, charset=charset,
                                  when=_WHEN + dt.timedelta(days=number)))
        box.flush()
    finally:
        box.close()
    return subjects


def email_with_inline_picture(path: Path, *, html_only: bool = False) -> None:
    """A message whose HTML body carries its picture (multipart/related), as
    mail programs send a signature logo: inside multipart/alternative beside
    the text part, or (``html_only``) as the whole message."""
    message = email_message("Inline picture", "Milan Uhrík met Kirill Logvinov at the reception.\n")
    html = ("<html><body><p>Milan Uhrík met Kirill Logvinov at the reception organised by the "
            "Russian Permanent Mission to the EU, according to two people present.</p>"
            '<img src="cid:logo"></body></html>')
    if html_only:
        message.set_content(html, subtype="html")
        part = message
    else:
        message.add_alternative(html, subtype="html")
        alternatives = message.get_payload()
        assert isinstance(alternatives, list) and isinstance(alternatives[1], EmailMessage)
        part = alternatives[1]
    part.add_related(b"GIF89a" + bytes(40), maintype="image", subtype="gif", cid="<logo>")
    path.write_bytes(bytes(message))


def nested_email(path: Path, depth: int) -> None:
    """A message whose parts are nested ``depth`` multiparts deep."""
    lines = ["From: a@example.org", "Subject: nested", "MIME-Version: 1.0"]
    for level in range(depth):
        lines += [f'Content-Type: multipart/mixed; boundary="b{level}"', "", f"--b{level}"]
    lines += ["Content-Type: text/plain", "", "deep"]
    for level in reversed(range(depth)):
        lines += [f"--b{level}--"]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="ascii")


def email_with_large_attachment(path: Path, mib: int = 50) -> None:
    message = email_message("Large file", "The full archive is attached.\n")
    message.add_attachment(random.Random(1).randbytes(mib * 1024 * 1024), maintype="application",
                           subtype="pdf", filename="archive.pdf")
    path.write_bytes(bytes(message))


def saved_mhtml(path: Path) -> None:
    """A page saved by a browser as MHTML ("Webpage, single file")."""
    html = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Spy hub</title>"
            '<meta property="og:title" content="Brussels, a hub for spies">'
            '<meta name="author" content="Jana Nováková"></head><body><nav>Home | Europe</nav><article>'
            "<h1>Brussels, a hub for spies</h1>"
            "<p>Before the invasion, Kirill Logvinov ran a network of intelligence officers from the "
            "Russian Permanent Mission to the EU, according to documents seen by reporters.</p>"
            "<p>Petras Auštrevičius said the European Parliament had long been a target of "
            "recruitment attempts by services working under diplomatic cover.</p>"
            "<p>The Belgian State Security Service did not respond to questions about the officers "
            "named in the investigation.</p></article><footer>© 2023</footer></body></html>")
    message = EmailMessage()
    message["From"] = "<Saved by Blink>"
    message["Snapshot-Content-Location"] = "https://observer.example/spy-hub"
    message["Subject"] = "Spy hub"
    message["MIME-Version"] = "1.0"
    message.make_mixed()
    message.set_type("multipart/related")
    page = EmailMessage()
    page.set_content(html, subtype="html", cte="quoted-printable")
    page["Content-Location"] = "https://observer.example/spy-hub"
    message.attach(page)
    image = EmailMessage()
    image.set_content(b"GIF89a" + bytes(40), maintype="image", subtype="gif")
    image["Content-Location"] = "https://observer.example/logo.gif"
    message.attach(image)
    path.write_bytes(bytes(message))


def explorer_mht(path: Path) -> None:
    """A page saved by Internet Explorer or Word as a "Web Archive" (.mht): no
    saved-from header, the HTML part's type in the top Content-Type."""
    saved_mhtml(path)
    raw = path.read_bytes().replace(b"<Saved by Blink>", b"<Saved by Windows Internet Explorer 8>")
    raw = re.sub(rb"Snapshot-Content-Location: [^\n]*\n", b"", raw)
    path.write_bytes(raw.replace(b"multipart/related;", b'multipart/related; type="text/html";', 1))


def labelled_pdf(path: Path) -> None:
    """Four pages printed "i", "ii", "1", "2", with an XMP packet naming the
    title, authors and date, and an Info dictionary that says otherwise
    (XMP is the newer record; an editor's junk title in Info is no title)."""
    xmp = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
           'xmp:CreateDate="2023-04-18T09:12:00+02:00">'
           '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Hybrid threats to the EU institutions</rdf:li>'
           "</rdf:Alt></dc:title><dc:creator><rdf:Seq><rdf:li>Analysis Unit</rdf:li>"
           "<rdf:li>J. Peeters</rdf:li>"
           '</rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R /PageLabels << /Nums [0 << /S /r >> "
        b"2 << /S /D /St 1 >>] >> >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp + b"\nendstream",
        b"<< /Title (Microsoft Word - draft7.docx) /Author (jpeeters) /CreationDate (D:20230419100000Z) >>",
    ]
    texts = ["Contents and summary of the assessment.", "Method: open sources and interviews.",
             "Kirill Logvinov coordinated the contacts with officials.",
             "The Belgian State Security Service opened an inquiry in 2023."]
    kids = []
    for text in texts:
        content = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 3 0 R >> >> >>" % len(objects))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(texts), b" ".join(kids))
    data = _raw_pdf(objects).replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Info 5 0 R >>")
    path.write_bytes(data)


def encrypted_office(path: Path) -> None:
    """What Word writes for a password-protected .docx: an OLE compound file
    holding an EncryptedPackage stream (only its tell-tale parts here)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = "EncryptionInfo".encode("utf-16-le").ljust(128, b"\0") + \
        "EncryptedPackage".encode("utf-16-le").ljust(128, b"\0")
    path.write_bytes(header + directory + random.Random(2).randbytes(4096))


def drm_epub(path: Path) -> None:
    """An EPUB whose chapters are encrypted (DRM), as META-INF/encryption.xml says."""
    epub_book(path)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("META-INF/encryption.xml", (
            '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
            'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
            '<enc:CipherReference URI="OEBPS/text/c1.xhtml"/></enc:CipherData></enc:EncryptedData>'
            "</encryption>"))
