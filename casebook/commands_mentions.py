"""casebook mentions / judge-mention: the possible mentions proposed for review."""

from __future__ import annotations

from pathlib import Path

import click

from db import open_case
from db.claims import default_annotator
from db.possible_mentions import JUDGEMENTS, judge_mention, possible_mention, possible_mentions
from db.sources import excerpts_by_ids

from .output import echo_json, line

PATH = click.Path(path_type=Path)
CONTEXT = 30   # characters of the excerpt shown either side of the words


@click.command()
@click.argument("path", type=PATH)
@click.option("--proposed", is_flag=True,
              help="Only those waiting for a judgement (never judged, or skipped).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def mentions(path: Path, proposed: bool, limit: int, as_json: bool) -> None:
    """Possible mentions in PATH: words that resemble an entity's name
    (inflected, in another script, a generic alias where another place is
    named), proposed when a source was added, never linked until judged."""
    with open_case(path, read_only=True) as case:
        found = possible_mentions(case, open_only=proposed, limit=limit)
        texts = {x.id: x.text for x in excerpts_by_ids(case, list({m.excerpt_id for m in found}))}
        names = {row[0]: row[1] for row in case.rows(
            "SELECT id, name FROM entities WHERE id IN (SELECT value FROM json_each(?))",
            [str(sorted({m.entity_id for m in found}))])}
    if as_json:
        echo_json([{**m.model_dump(), "entity": names.get(m.entity_id, "")} for m in found])
        return
    if not found:
        click.echo("no possible mentions" + (" waiting" if proposed else ""))
        return
    for m in found:
        text = texts.get(m.excerpt_id, "")
        before = text[max(0, m.start - CONTEXT):m.start]
        after = text[m.end:m.end + CONTEXT]
        state = m.judgement or "proposed"
        click.echo(f"{m.id}\t{state}\t{m.reason} {m.score:.0f}\texcerpt {m.excerpt_id}\t"
                   f"entity {m.entity_id} {line(names.get(m.entity_id, ''), 40)}")
        click.echo(f"\t{line(f'…{before}[{m.form}]{after}…')}")


@click.command("judge-mention")
@click.argument("path", type=PATH)
@click.argument("mention_id", type=int)
@click.argument("judgement", type=click.Choice(JUDGEMENTS))
@click.option("--annotator", "--as", "annotator", default=None,
              help="Who (default: $CASEBOOK_ANNOTATOR, else your login name).")
def judge_mention_command(path: Path, mention_id: int, judgement: str, annotator: str | None) -> None:
    """Judge possible mention MENTION_ID: link (the excerpt is linked to the
    entity), not (not this entity) or skip (asked again later). Every
    judgement is kept."""
    with open_case(path) as case:
        linked = judge_mention(case, mention_id, judgement,
                               annotator=annotator if annotator is not None else default_annotator())
        mention = possible_mention(case, mention_id)
    done = {"link": "linked" if linked else "linked already", "not": "not this entity",
            "skip": "skipped"}[judgement]
    click.echo(f"possible mention {mention_id} ({line(mention.form)}): {done}")


COMMANDS = (mentions, judge_mention_command)
