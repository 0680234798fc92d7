"""What a mark expects: the version of the claim the annotator came to (tui.parts.seen)."""

from __future__ import annotations

from tui.parts.seen import CLAIMS_LIST, DETAIL_LINK, SeenVersions


def test_a_mark_expects_the_version_found_on_arrival_not_a_later_one_shown():
    seen = SeenVersions()
    seen.came_to(CLAIMS_LIST, 7, 3)
    seen.came_to(CLAIMS_LIST, 7, 4)          # someone's mark shown while the cursor rests
    assert seen.expected(CLAIMS_LIST, 7, shown=4) == 3


def test_coming_to_another_claim_starts_again():
    seen = SeenVersions()
    seen.came_to(CLAIMS_LIST, 7, 3)
    seen.came_to(CLAIMS_LIST, 8, 1)
    seen.came_to(CLAIMS_LIST, 7, 5)
    assert seen.expected(CLAIMS_LIST, 7, shown=5) == 5
    assert seen.expected(CLAIMS_LIST, 9, shown=2) == 2       # never seen: what is shown


def test_each_cursor_place_keeps_its_own_and_leaving_a_link_forgets_it():
    seen = SeenVersions()
    seen.came_to(CLAIMS_LIST, 7, 3)
    seen.came_to(DETAIL_LINK, 7, 6)
    assert seen.expected(CLAIMS_LIST, 7, shown=9) == 3
    assert seen.expected(DETAIL_LINK, 7, shown=9) == 6
    seen.left(DETAIL_LINK)
    assert seen.expected(DETAIL_LINK, 7, shown=9) == 9


def test_ones_own_mark_and_taking_theirs_are_seen_everywhere():
    seen = SeenVersions()
    seen.came_to(CLAIMS_LIST, 7, 3)
    seen.came_to(DETAIL_LINK, 7, 3)
    seen.now_seen(7, 4)
    assert seen.expected(CLAIMS_LIST, 7, shown=9) == 4
    assert seen.expected(DETAIL_LINK, 7, shown=9) == 4
    seen.now_seen(7, None)                   # unknown: a later mark is asked about
    assert seen.expected(CLAIMS_LIST, 7, shown=9) == 4
