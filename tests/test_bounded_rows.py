"""Bounded rendering (issue 17, point 7): a row of a huge text is cut before
it is measured, and still ends with the ellipsis at the row's width."""

from __future__ import annotations

from textual.content import Content

from tui.text import fit


def test_a_huge_text_is_cut_to_its_row_with_an_ellipsis():
    for text in ("N" * 10_000_000, "\n".join(f"line {n}" for n in range(200_000)).replace("\n", " "),
                 "界" * 1_000_000, "e\u0301" * 1_000_000):
        row = fit(Content(text), 80)
        assert row.cell_length <= 80 and str(row).endswith("…"), text[:20]
        shown = str(row)[:-1].rstrip()   # a wide character cut in half leaves a space
        assert len(shown) > 20 and text.startswith(shown)


def test_a_short_text_is_left_as_it_is_and_an_exact_fit_gets_no_ellipsis():
    assert str(fit(Content("short"), 80)) == "short"
    assert str(fit(Content("x" * 80), 80)) == "x" * 80
    assert str(fit(Content("x" * 81), 80)) == "x" * 79 + "…"
