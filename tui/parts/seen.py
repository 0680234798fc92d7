"""The version of each claim an annotator came to: what their mark expects.

A mark carries the version of the claim the annotator saw, so that a mark
over someone else's change is never written blindly (``StaleClaimError``
asks first). "Saw" means the version the claim had when a cursor *came to*
it: the Claims list's cursor, or a detail's cursor on a claim link (for a
relationship: on a tie in an entity's detail). Others'
marks shown while the cursor rests there do not move it; the annotator's
own marks do (their change is seen), and so does choosing "take theirs" in
the stale-mark dialog.

This is the one owner of that knowledge: the panes and details report where
their cursors came to; the marking part asks what a mark should expect.
"""

from __future__ import annotations

# Where a cursor can rest on a claim.
CLAIMS_LIST = "claims-list"
DETAIL_LINK = "detail-link"
# ... and on a relationship: a tie in an entity's detail (the link's ``via``).
DETAIL_TIE = "detail-tie"
# The places each kind of marked item is seen at (ids of two kinds never mix).
PLACES = {"claim": (CLAIMS_LIST, DETAIL_LINK), "relationship": (DETAIL_TIE,)}


class SeenVersions:
    """Per cursor place, the claim under it and the version it had on arrival."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, int | None]] = {}

    def came_to(self, place: str, claim_id: int, version: int | None) -> None:
        """A cursor rests on ``claim_id`` (shown at ``version``). Coming back to
        the claim it already rests on (the view was read again around it)
        keeps the version first seen."""
        current = self._seen.get(place)
        if current is None or current[0] != claim_id:
            self._seen[place] = (claim_id, version)

    def left(self, place: str) -> None:
        """The cursor there rests on no claim now."""
        self._seen.pop(place, None)

    def expected(self, place: str, claim_id: int, shown: int | None) -> int | None:
        """The version of ``claim_id`` a mark made from ``place`` expects:
        the one seen on arrival, else the one shown."""
        current = self._seen.get(place)
        return current[1] if current is not None and current[0] == claim_id else shown

    def now_seen(self, claim_id: int, version: int | None, *, item: str = "claim") -> None:
        """The annotator has seen ``claim_id`` (an ``item``: claim or relationship)
        at ``version`` (their own mark made it so, or they chose to leave
        someone's change as it is). An unknown version changes nothing: a later
        mark is then asked about rather than written blindly."""
        if version is None:
            return
        for place, (seen_id, _) in list(self._seen.items()):
            if seen_id == claim_id and place in PLACES[item]:
                self._seen[place] = (claim_id, version)
