"""casebook search: full-text search from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from db import open_case
from db.kinds import item_kind
from db.search import KINDS
from db.search import search as search_case

from .output import echo_json, line


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("query")
@click.option("--kind", "kinds", type=click.Choice(KINDS), multiple=True,
              help="Only this kind (repeatable).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Hits per kind.")
@click.option("--include-retired", is_flag=True, help="Find retired items too.")
@click.option("--exact", is_flag=True,
              help="No transliteration: only words as written (Metsola does not find Мецола).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search(path: Path, query: str, kinds: tuple[str, ...], limit: int, include_retired: bool,
           exact: bool, as_json: bool) -> None:
    """Search PATH for QUERY (case and diacritics fold: Uhrik finds Uhrík;
    across scripts: Metsola finds Мецола and Μέτσολα, after the exact matches,
    marked "transliterated")."""
    with open_case(path, read_only=True) as case:
        results = search_case(case, query, kinds=kinds or KINDS, limit=limit,
                              include_retired=include_retired, exact=exact)
    if as_json:
        echo_json(results.model_dump())
        return
    if results.empty:
        click.echo("no matches")
        return
    for group in results.groups:
        if not group.hits:
            continue
        more = "+" if group.capped else ""
        spelt = f", {group.transliterated} transliterated" if group.transliterated else ""
        click.echo(f"{item_kind(group.kind).plural} ({group.total}{more}{spelt})")
        for hit in group.hits:
            marker = "  (transliterated)" if hit.transliterated else ""
            click.echo(f"  #{hit.id:<6} {line(hit.title, 100)}{marker}")
            if hit.detail:
                click.echo(f"          {line(hit.detail, 100)}")
            if hit.damage:
                click.echo(f"          damaged: {line(hit.damage, 200)}")
