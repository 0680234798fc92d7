"""Marks beyond a single annotate: notes, undo, history, agreement, conflicts,
and moving marks between copies (backup, merge, JSON Lines)."""

from __future__ import annotations

from pathlib import Path

import click

from db import STATUSES, CaseFileError, backup_case_file, curation, open_case
from db.agreement import (
    MACHINE_ANNOTATORS,
    annotator_judgements,
    claim_agreements,
    pair_agreements,
    shared_claim_pages,
)
from db.claims import add_note, claim_history, default_annotator, get_claim, undo_last_mark
from db.conflicts import claim_conflicts, conflicted_claim_pages, resolve_conflicts
from db.entities import entities_by_ids
from db.jsonl import import_annotations, write_annotations
from db.merge import merge_case_files
from db.models import Annotation, MarkEntry, MergeReport, RelationshipAnnotation
from db.outfile import atomic_file
from db.relationships import (
    get_relationship,
    mark_relationship,
    note_relationship,
    relationship_conflicts,
    relationship_history,
    resolve_relationship_conflicts,
    undo_relationship_mark,
)

from .commands_curation import conflict_lines
from .output import echo_json, line, to_stdout

PATH = click.Path(path_type=Path)
_PAGE = 500
_ANNOTATOR = click.option(
    "--annotator", default=None,
    help="Who (default: $CASEBOOK_ANNOTATOR, else your login name).",
)


_KIND = click.option("--kind", type=click.Choice(["claim", "relationship"]), default="claim",
                     show_default=True, help="What the id is: a claim or a relationship.")


def _who(annotator: str | None) -> str:
    return annotator if annotator is not None else default_annotator()


def _describe(mark: MarkEntry) -> str:
    if mark.kind == "note":
        return f"note by {line(mark.annotator)} (status {mark.status})"
    verb = "undo" if mark.kind == "undo" else "mark"
    return f"{verb}: {mark.previous_status} → {mark.status} by {line(mark.annotator)}"


# -- single claims ---------------------------------------------------------------


@click.command()
@click.argument("path", type=PATH)
@click.argument("claim_id", type=int)
@click.argument("text")
@click.option("--status", type=click.Choice(STATUSES), help="Also mark the claim.")
@click.option("--expect-version", type=int, default=None,
              help="Refuse if the claim changed since this version.")
@_KIND
@_ANNOTATOR
def note(path: Path, claim_id: int, text: str, status: str | None,
         expect_version: int | None, kind: str, annotator: str | None) -> None:
    """Add a note to claim CLAIM_ID (its status stays unless --status is given)."""
    mark: Annotation | RelationshipAnnotation
    with open_case(path) as case:
        if kind == "claim":
            mark = add_note(case, claim_id, text, annotator=_who(annotator), status=status,
                            expected_version=expect_version)
        elif status is not None:   # a mark that carries the note
            mark = mark_relationship(case, claim_id, status, note=text, annotator=_who(annotator),
                                     expected_version=expect_version)
        else:
            mark = note_relationship(case, claim_id, text, annotator=_who(annotator),
                                     expected_version=expect_version)
    click.echo(f"{kind} {claim_id}: {_describe(mark)}")


@click.command()
@click.argument("path", type=PATH)
@click.argument("claim_id", type=int)
@_KIND
@_ANNOTATOR
def undo(path: Path, claim_id: int, kind: str, annotator: str | None) -> None:
    """Undo your latest mark on claim CLAIM_ID (adds an undo; nothing is deleted)."""
    undoer = undo_last_mark if kind == "claim" else undo_relationship_mark
    with open_case(path) as case:
        mark = undoer(case, claim_id, annotator=_who(annotator))
    click.echo(f"{kind} {claim_id}: {_describe(mark)}")


@click.command()
@click.argument("path", type=PATH)
@click.argument("claim_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_KIND
def history(path: Path, claim_id: int, as_json: bool, kind: str) -> None:
    """Every mark, note and undo on claim CLAIM_ID, oldest first."""
    if kind == "relationship":
        _relationship_history(path, claim_id, as_json)
        return
    with open_case(path, read_only=True) as case:
        claim = get_claim(case, claim_id)
        marks = claim_history(case, claim_id, limit=100_000)
    if as_json:
        echo_json({"claim": claim.model_dump(), "history": [m.model_dump() for m in marks]})
        return
    click.echo(f"claim {claim.id} ({claim.status}, version {claim.version}): "
               f"{line(claim.statement, 100)}")
    for mark in marks:
        click.echo(f"  {mark.created_at}  {_describe(mark)}")
        if mark.note:
            click.echo(f"      “{line(mark.note, 200)}”")


def _relationship_history(path: Path, relationship_id: int, as_json: bool) -> None:
    with open_case(path, read_only=True) as case:
        relationship = get_relationship(case, relationship_id)
        marks = relationship_history(case, relationship_id, limit=100_000)
        names = {e.id: e.name for e in entities_by_ids(
            case, [relationship.subject_entity_id, relationship.object_entity_id])}
    if as_json:
        echo_json({"relationship": relationship.model_dump(),
                   "history": [m.model_dump() for m in marks]})
        return
    click.echo(f"relationship {relationship.id} ({relationship.status}, version "
               f"{relationship.version}): {line(names.get(relationship.subject_entity_id, '?'), 50)}"
               f" {relationship.type_label} {line(names.get(relationship.object_entity_id, '?'), 50)}")
    for mark in marks:
        click.echo(f"  {mark.created_at}  {_describe(mark)}")
        if mark.note:
            click.echo(f"      “{line(mark.note, 200)}”")


# -- agreement and conflicts ---------------------------------------------------------


def _kappa(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@click.command()
@click.argument("path", type=PATH)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--include-seed", is_flag=True,
              help="Count the seed builder's marks as an annotator's.")
def agreement(path: Path, as_json: bool, include_seed: bool) -> None:
    """Agreement between annotators: per pair (Cohen's kappa) and per claim."""
    exclude = () if include_seed else MACHINE_ANNOTATORS
    with open_case(path, read_only=True) as case:
        judged = annotator_judgements(case, exclude=exclude)
        pairs = pair_agreements(case, exclude=exclude)
        claims = []
        for ids in shared_claim_pages(case, exclude=exclude, page=_PAGE):
            agreements = claim_agreements(case, ids, exclude=exclude)
            claims += [(get_claim(case, claim_id), agreements[claim_id]) for claim_id in ids]
    if as_json:
        echo_json({
            "excluded_annotators": list(exclude),
            "annotators": judged,
            "pairs": [pair.model_dump() for pair in pairs],
            "claims": [
                {"claim_id": claim.id, "uid": claim.uid, "statement": claim.statement,
                 "marks": {m.annotator: m.status for m in agreed.marks},
                 "agreeing_pairs": agreed.agreeing_pairs,
                 "disagreeing_pairs": agreed.disagreeing_pairs,
                 "disagreement": agreed.disagreement}
                for claim, agreed in claims
            ],
        })
        return
    if not judged:
        click.echo("no annotator has judged a claim yet"
                   + ("" if include_seed else " (seed marks are not counted)"))
        return
    click.echo("annotators: " + ", ".join(f"{line(name)} ({count})" for name, count in judged.items()))
    if pairs:
        click.echo(f"{'pair':<32} {'shared':>6} {'agree':>6} {'differ':>6} "
                   f"{'p_o':>6} {'p_e':>6} {'kappa':>6}")
    for pair in pairs:
        name = line(f"{pair.annotator_a} / {pair.annotator_b}", 32)
        observed = "—" if pair.observed is None else f"{pair.observed:.3f}"
        expected = "—" if pair.expected is None else f"{pair.expected:.3f}"
        click.echo(f"{name:<32} {pair.claims:>6} {pair.agreements:>6} {pair.disagreements:>6} "
                   f"{observed:>6} {expected:>6} {_kappa(pair.kappa):>6}"
                   + (f"  ({pair.kappa_note})" if pair.kappa_note else ""))
    differing = [(claim, agreed) for claim, agreed in claims if agreed.disagreement]
    click.echo(f"{len(claims)} claims judged by two or more; {len(differing)} in disagreement")
    for claim, agreed in differing:
        marks = ", ".join(f"{line(m.annotator)} {m.status}" for m in agreed.marks)
        click.echo(f"{claim.id:>6}  {marks}  {line(claim.statement, 80)}")


@click.command()
@click.argument("path", type=PATH)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def conflicts(path: Path, as_json: bool) -> None:
    """Claims marked differently on both sides of a merge, and fields revised
    differently on both sides, waiting to be settled."""
    with open_case(path, read_only=True) as case:
        found = [(get_claim(case, claim_id), claim_conflicts(case, claim_id))
                 for ids in conflicted_claim_pages(case, page=_PAGE) for claim_id in ids]
        ties = [tie for page in relationship_conflicts(case, page=_PAGE) for tie in page]
        names = {e.id: e.name for e in entities_by_ids(case, list(
            {i for r, _ in ties for i in (r.subject_entity_id, r.object_entity_id)}))}
        fields = [conflict for page in curation.field_conflict_pages(case, page=_PAGE)
                  for conflict in page]
    if as_json:
        echo_json([{"claim": claim.model_dump(), "conflicts": [c.model_dump() for c in open_]}
                   for claim, open_ in found]
                  + [{"field": conflict.model_dump(mode="json")} for conflict in fields]
                  + [{"relationship": tie.model_dump(mode="json"),
                      "marks": [m.model_dump(mode="json") for m in marks]} for tie, marks in ties])
        return
    if not found and not fields and not ties:
        click.echo("no open conflicts")
        return
    for tie, tie_marks in ties:
        click.echo(f"relationship {tie.id} (now {tie.status}): "
                   f"{line(names.get(tie.subject_entity_id, '?'), 60)} {tie.type_label} "
                   f"{line(names.get(tie.object_entity_id, '?'), 60)}")
        for tie_mark in tie_marks:
            click.echo(f"    {line(tie_mark.annotator)} marked {tie_mark.status} at "
                       f"{tie_mark.created_at}"
                       + (f": “{line(tie_mark.note, 80)}”" if tie_mark.note else ""))
    if ties:
        click.echo(f"{_count(len(ties), 'relationship')} in conflict; settle one with "
                   f"'casebook resolve {path} RELATIONSHIP_ID STATUS --kind relationship'", err=True)
    for field_conflict in fields:
        click.echo("\n".join(conflict_lines(field_conflict)))
    if fields:
        click.echo(f"{_count(len(fields), 'field')} revised differently on both sides; settle one with "
                   f"'casebook settle {path} ID --keep ours|theirs|VALUE'", err=True)
    if not found:
        return
    for claim, open_ in found:
        click.echo(f"claim {claim.id} (now {claim.status}): {line(claim.statement, 100)}")
        for conflict in open_:
            for mark in (conflict.a, conflict.b):
                click.echo(f"    {line(mark.annotator)} marked {mark.status} at {mark.created_at}"
                           + (f": “{line(mark.note, 80)}”" if mark.note else ""))
    click.echo(f"{len(found)} claims in conflict; settle one with "
               f"'casebook resolve {path} CLAIM_ID STATUS'", err=True)


@click.command()
@click.argument("path", type=PATH)
@click.argument("claim_id", type=int)
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--note", default="", help="Why: kept with the mark.")
@_KIND
@_ANNOTATOR
def resolve(path: Path, claim_id: int, status: str, note: str, kind: str,
            annotator: str | None) -> None:
    """Resolve claim CLAIM_ID's merge conflict by marking it STATUS."""
    mark: Annotation | RelationshipAnnotation
    with open_case(path) as case:
        if kind == "claim":
            mark = resolve_conflicts(case, claim_id, status, annotator=_who(annotator), note=note)
        else:
            mark = resolve_relationship_conflicts(case, claim_id, status,
                                                  annotator=_who(annotator), note=note)
    click.echo(f"{kind} {claim_id}: conflict resolved; {_describe(mark)}")


# -- copies: backup, merge, JSON Lines ---------------------------------------------


@click.command()
@click.argument("path", type=PATH)
@click.argument("out", type=PATH)
def backup(path: Path, out: Path) -> None:
    """Copy the case at PATH to OUT (a new file, mode 0600) with SQLite's backup API,
    safe while others have it open."""
    with open_case(path, read_only=True) as case:
        backup_case_file(case.conn, out)
    click.echo(f"Backed up {path} to {out}")


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" + ("" if number == 1 else "s")


def _report(report: MergeReport, what: str, into: Path) -> None:
    click.echo(f"{what} into {into}:")
    click.echo(f"  {_count(report.annotations_added, 'annotation')} added "
               f"({report.annotations_present} already here)")
    click.echo(f"  {_count(report.claims_changed, 'claim')} changed status")
    came = {name: count for name, count in report.added.items() if count}
    if came:
        click.echo("  came in: " + ", ".join(f"{count} {name}" for name, count in came.items()))
    if report.revision_conflicts_found:
        click.echo(f"  {_count(report.revision_conflicts_found, 'field')} revised differently on "
                   "both sides: flagged in revision_conflicts (the later revision stands meanwhile)")
    if report.conflicts_found:
        click.echo(f"  {_count(report.conflicts_found, 'new conflict')}: claims marked "
                   "differently on both sides since the copies diverged")
    if report.relationship_conflicts_found:
        click.echo(f"  {_count(report.relationship_conflicts_found, 'new conflict')}: "
                   "relationships marked differently on both sides since the copies diverged "
                   f"(casebook conflicts {into})")
    if report.conflicts_copied:
        click.echo(f"  {_count(report.conflicts_copied, 'conflict')} recorded in the other file "
                   "copied here")
    if report.open_conflicts:
        click.echo(f"  {_count(report.open_conflicts, 'claim')} in conflict, waiting for review: "
                   f"casebook conflicts {into}")
    left = {name: count for name, count in report.not_merged.items() if count}
    if left:
        click.echo("  not merged: "
                   + ", ".join(f"{count} {name}" for name, count in left.items()))


@click.command()
@click.argument("path", type=PATH)
@click.argument("other", type=PATH)
@click.option("--force", is_flag=True, help="Merge even if OTHER is a copy of another case.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def merge(path: Path, other: Path, force: bool, as_json: bool) -> None:
    """Bring everything added on OTHER (a copy of this case) into PATH: sources,
    excerpts, entities, events, claims, links, marks, revisions, retirements,
    combinations and duplicate judgements, matched by uid."""
    with open_case(path) as case:
        report = merge_case_files(case, other, force=force)
    if as_json:
        echo_json(report.model_dump())
    else:
        _report(report, f"Merged {other}", path)


@click.command("export-annotations")
@click.argument("path", type=PATH)
@click.option("-o", "--output", "out", type=PATH, default=None,
              help="Write to this new file (mode 0600) instead of standard output.")
def export_annotations(path: Path, out: Path | None) -> None:
    """Every annotation in PATH as JSON Lines (one per line, claims named by uid)."""
    with open_case(path, read_only=True) as case:
        if out is None:
            to_stdout(lambda out: write_annotations(case, out))
            return
        with atomic_file(out) as handle:
            count = write_annotations(case, handle)
    click.echo(f"Wrote {count} annotations to {out}", err=True)


@click.command("import-annotations")
@click.argument("path", type=PATH)
@click.argument("file", type=PATH)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_annotations_command(path: Path, file: Path, as_json: bool) -> None:
    """Import annotations from FILE (JSON Lines, as export-annotations writes) into PATH.

    All or nothing: a bad line is named and nothing is imported.
    """
    if not file.is_file():
        raise CaseFileError(f"{file}: no such file" if not file.exists() else f"{file}: not a file")
    with open_case(path) as case:
        report = import_annotations(case, file)
    if as_json:
        echo_json(report.model_dump())
    else:
        _report(report, f"Imported {file}", path)


COMMANDS = (note, undo, history, agreement, conflicts, resolve, backup, merge,
            export_annotations, import_annotations_command)
