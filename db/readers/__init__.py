"""One reader per document format, behind one dispatch (:mod:`.dispatch`).

- :mod:`.web` — saved web pages: the article (trafilatura) or all visible text;
- :mod:`.pdf` — PDF text layers with pages and line boxes (PDFium), laid out
  into reading order by :mod:`.layout`;
- :mod:`.office` — Word (.docx) and OpenDocument (.odt) text;
- :mod:`.epub` — EPUB chapters in spine order;
- :mod:`.mail` — e-mail messages, mailboxes and MHTML pages;
- :mod:`.html_text` — the visible text of HTML, block by block;
- :mod:`.text` — text, Markdown and HTML files (pages through :mod:`.web`);
- :mod:`.document` — what every reader gives: the document, its errors, its kinds;
- :mod:`.common` — read options, safe XML.

The reading of files from disk (opened once, checked, sent to a reader) is
in :mod:`db.documents`.
"""
