"""E-mail: one message (.eml), a mailbox (.mbox: one document per message)
and pages saved as MHTML, with Python's own MIME parser.

A message's text is its plain-text body, else its HTML body through the
web-page extraction; decoded from whatever charset it declares. Subject is
the title, From the author, Date the published day; Message-ID and the
other addressing headers are kept as metadata. Each attachment is handed
back for reading as a document of its own. Nothing a message refers to
(remote images) is fetched.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from email.message import EmailMessage, Message
from pathlib import Path

from ..text import nfc
from .common import ReadOptions, clean_title
from .document import BadDocumentError, Document, choose_split, normalise_text
from .html_text import html_paragraphs, parse_html
from .web import page_document

# Multiparts inside multiparts: real mail nests three or four deep.
MAX_MIME_DEPTH = 20
# Parts of one message (each a body or an attachment).
MAX_MIME_PARTS = 1000
_SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject")
_KEPT_HEADERS = ("message-id", "to", "cc", "in-reply-to", "references", "reply-to")


def read_email(path: Path, data: bytes, options: ReadOptions) -> Document:
    return message_document(path, _parse(path, data), options)


def _parse(path: Path, data: bytes) -> EmailMessage:
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except RecursionError:
        raise BadDocumentError(path, f"has MIME parts nested more than {MAX_MIME_DEPTH} deep") from None
    _check_structure(path, message)
    return message


def _check_structure(path: Path, message: Message) -> None:
    """Depth and number of parts, walked without recursion."""
    stack = [(message, 0)]
    parts = 0
    while stack:
        part, depth = stack.pop()
        parts += 1
        if depth > MAX_MIME_DEPTH:
            raise BadDocumentError(path, f"has MIME parts nested more than {MAX_MIME_DEPTH} deep")
        if parts > MAX_MIME_PARTS:
            raise BadDocumentError(path, f"has more than {MAX_MIME_PARTS:,} MIME parts")
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            stack += [(child, depth + 1) for child in payload if isinstance(child, Message)]


def message_document(path: Path, message: EmailMessage, options: ReadOptions) -> Document:
    text, html_used = _body_text(path, message, options)
    subject = clean_title(_header(message, "subject"))
    sender = _header(message, "from")
    name, address = email.utils.parseaddr(sender)
    meta = {"format": "email", "media_type": "message/rfc822"}
    if address:
        meta["from"] = sender
    for key in _KEPT_HEADERS:
        value = _header(message, key)
        if value:
            meta[key.replace("-", "_")] = value
    if html_used:
        meta["body"] = "html (article text extracted)"
    attachments: list[tuple[str, str, bytes]] = []
    for part in _attachments(message):
        filename = nfc(part.get_filename() or "") or _unnamed(part, len(attachments) + 1)
        attachments.append((filename if part.get_content_type() != "message/rfc822" or
                            filename.lower().endswith(".eml") else f"{filename}.eml",
                            part.get_content_type(), _attachment_bytes(part)))
    if not text.strip():
        if not attachments:
            raise BadDocumentError(path, "is an e-mail with no text")
        # A message that is only its attachments ("see attached"): its text is
        # its headers, as they are written, so it can still be read and cited.
        text = "\n".join(f"{name}: {_header(message, name)}" for name in _SHOWN_HEADERS
                         if _header(message, name))
        meta["body"] = "none (the text is the message's headers)"
    # One paragraph a line for HTML and headers; plain bodies are often wrapped at 72.
    split = "lines" if html_used or "body" in meta else choose_split(text)
    return Document(path=str(path), kind="email", text=text, split=split,
                    title=subject or "(no subject)", author=name or address or sender,
                    published=_date(message), meta=meta, raw_attachments=tuple(attachments))


def _attachment_bytes(part: Message) -> bytes:
    """An attachment decoded from its transfer encoding (a forwarded message as its bytes)."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        return bytes(inner[0]) if isinstance(inner, list) and inner and isinstance(inner[0], Message) \
            else bytes(part)
    if part.is_multipart():
        return bytes(part)
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a header the parser cannot decode
        value = message.get_all(name, [""])[0] if hasattr(message, "get_all") else ""
    return " ".join(nfc(str(value or "")).split())


def _date(message: Message) -> str:
    try:
        when = email.utils.parsedate_to_datetime(_header(message, "date"))
    except (TypeError, ValueError, IndexError):
        return ""
    return when.date().isoformat() if when else ""


def _body_text(path: Path, message: EmailMessage, options: ReadOptions) -> tuple[str, bool]:
    """The plain-text body, else the HTML one through the article extraction."""
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, AttributeError):
        body = None
    if body is None:
        return "", False
    content = _content(path, body)
    if body.get_content_subtype() == "html":
        try:
            page = page_document(path, content, options.model_copy(update={"extraction": "balanced"}))
        except BadDocumentError:
            root = parse_html(content)
            return ("\n".join(html_paragraphs(root)) if root is not None else ""), True
        return page.text, True
    lines = normalise_text(content).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n"), False


def _content(path: Path, part: Message) -> str:
    """A text part decoded from its transfer encoding and its charset (an
    unknown or wrong charset is read as UTF-8, then Latin-1, never refused)."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    for name in (charset, "utf-8", "latin-1"):
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _attachments(message: EmailMessage) -> list[Message]:
    """Every attachment, in order (inline images of an HTML body are no attachment)."""
    try:
        return list(message.iter_attachments()) if message.is_multipart() else []
    except (KeyError, AttributeError, TypeError):
        return []


def _unnamed(part: Message, number: int) -> str:
    extension = {"application/pdf": ".pdf", "text/plain": ".txt", "text/html": ".html",
                 "message/rfc822": ".eml"}.get(part.get_content_type(), "")
    return f"attachment-{number}{extension}"


# A message of an mbox begins at a "From " line at the start of the file or
# after a blank line ("From " inside a message is written ">From ").
_FROM_LINE = re.compile(rb"(?:\A|(?<=\n\n)|(?<=\r\n\r\n))From [^\n]*\n")


def read_mbox(path: Path, data: bytes, options: ReadOptions) -> list[Document]:
    """Each message of a mailbox, as a document named ``mailbox.mbox#3``."""
    documents = []
    starts = [found.end() for found in _FROM_LINE.finditer(data)]
    ends = [found.start() for found in _FROM_LINE.finditer(data)][1:] + [len(data)]
    for number, (start, end) in enumerate(zip(starts, ends, strict=True), start=1):
        raw = re.sub(rb"(?m)^>(>*From )", rb"\1", data[start:end])
        where = Path(f"{path}#{number}")
        try:
            document = read_email(where, raw, options)
        except BadDocumentError as error:
            raise BadDocumentError(path, f"message {number}: {error.reason}") from None
        documents.append(document.model_copy(update={"meta": {**document.meta, "mbox_message": str(number)}}))
    if not documents:
        raise BadDocumentError(path, "is an empty mailbox")
    return documents


def read_mhtml(path: Path, data: bytes, options: ReadOptions) -> Document:
    """A page saved as one file (MHTML): its HTML part through the web-page path."""
    message = _parse(path, data)
    html_part = None
    for part in message.walk():
        if part.get_content_type() == "text/html":
            html_part = part
            break
    if html_part is None:
        raise BadDocumentError(path, "is an MHTML file with no HTML page in it")
    page = page_document(path, _content(path, html_part), options)
    url = page.url or _header(message, "snapshot-content-location") or _header(html_part, "content-location")
    meta = {**page.meta, "format": "mhtml", "media_type": "multipart/related"}
    web = url if url.startswith(("http://", "https://")) else ""
    return page.model_copy(update={"kind": "mhtml", "url": web, "meta": meta})
