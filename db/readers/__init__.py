"""One reader per document format, behind one dispatch (:mod:`.dispatch`).

- :mod:`.web` — saved web pages: the article (trafilatura) or all visible text;
- :mod:`.pdf` — PDF text layers with pages and line boxes (PDFium), laid out
  into reading order by :mod:`.layout`;
- :mod:`.office` — Word (.docx) and OpenDocument (.odt) text;
- :mod:`.epub` — EPUB chapters in spine order;
- :mod:`.mail` — e-mail messages, mailboxes and MHTML pages;
- :mod:`.html_text` — the visible text of HTML, block by block;
- :mod:`.common` — read options, safe XML.

Text, Markdown and the reading of files are in :mod:`db.documents`.
"""
