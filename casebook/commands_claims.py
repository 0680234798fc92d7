"""casebook claims / annotate: claims and their marks from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from db import STATUSES, Claim, open_case
from db.claims import claims_page, count_claims, default_annotator, mark_claim
from db.marks import check_status
from db.relationships import mark_relationship

from .output import echo_json, line

_PAGE = 500
# The kinds of item that carry marks.
MARKED_KINDS = click.Choice(["claim", "relationship"])


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--status", type=click.Choice(STATUSES), help="Only claims with this status.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one array).")
def claims(path: Path, status: str | None, as_json: bool) -> None:
    """List the claims in PATH with their current status."""
    with open_case(path, read_only=True) as case:
        total = count_claims(case, status=status)
        pages = (
            claims_page(case, offset=offset, limit=_PAGE, total=total, status=status)
            for offset in range(0, total, _PAGE)
        )
        if as_json:
            echo_json([_listed(claim) for page in pages for claim in page])
            return
        for page in pages:
            for claim in page:
                click.echo(f"{claim.id:>6}  {claim.status:<10}  {line(claim.statement, 120)}")
                if claim.claimant:
                    click.echo(f"{'':>6}  {'':<10}  — {line(claim.claimant, 100)}")
                if claim.damage:
                    click.echo(f"{'':>6}  {'':<10}  damaged: {line(claim.damage, 200)}")
        click.echo(f"{total} claims" + (f" {status}" if status else ""), err=True)


def _listed(claim: Claim) -> dict[str, object]:
    """A claim as ``claims --json`` lists it: a damaged row says what is wrong."""
    return {**claim.model_dump(), "damage": claim.damage} if claim.damage else claim.model_dump()


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("claim_id", type=int)
@click.argument("status")
@click.option("--note", default="", help="Why: kept with the mark.")
@click.option("--annotator", default=None,
              help="Who marks (default: $CASEBOOK_ANNOTATOR, else your login name).")
@click.option("--expect-version", type=int, default=None,
              help="Refuse, saying who changed it, if the claim is no longer at this version.")
@click.option("--kind", type=MARKED_KINDS, default="claim", show_default=True,
              help="What ITEM_ID is: a claim or a relationship.")
def annotate(path: Path, claim_id: int, status: str, note: str, annotator: str | None,
             expect_version: int | None, kind: str) -> None:
    """Mark claim CLAIM_ID (a relationship with --kind relationship) as STATUS
    (confirmed, disputed, denied or unreviewed)."""
    check_status(status)
    who = annotator if annotator is not None else default_annotator()
    marker = mark_claim if kind == "claim" else mark_relationship
    with open_case(path) as case:
        mark = marker(case, claim_id, status, annotator=who, note=note,
                      expected_version=expect_version)
    click.echo(f"{kind} {claim_id}: {mark.previous_status} → {mark.status} by {line(who)}")
