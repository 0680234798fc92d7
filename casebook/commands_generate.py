"""casebook generate: a synthetic case of realistic shape, for trying casebook at scale."""

from __future__ import annotations

from pathlib import Path

import click

from db.generate import check_target, generate_case, planned_counts

_STAGES = ("entities", "excerpts", "events", "claims", "relationships", "search index")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--excerpts", type=click.IntRange(min=1), required=True,
              help="How many excerpts (entities and events: a tenth as many; claims: a twentieth).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same seed always gives the same case.")
def generate(path: Path, excerpts: int, seed: int) -> None:
    """Generate a synthetic case at PATH (a new file) with EXCERPTS excerpts."""
    # Rich draws the bars; imported here, so other commands start without it.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    check_target(path, excerpts=excerpts)  # bad input: one line, before any bar is drawn
    planned = planned_counts(excerpts)
    console = Console(stderr=True)
    columns = (TextColumn("{task.description:<13}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    # Drawn from the first report on: a file that cannot be written is said
    # in one line, without a bar above it.
    bar = Progress(*columns, console=console, transient=False)
    tasks = {
        stage: bar.add_task(stage, total=planned.get(stage, excerpts if stage == "excerpts" else 4),
                            start=False)
        for stage in _STAGES
    }

    def report(stage: str, done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.start_task(tasks[stage])
        bar.update(tasks[stage], completed=done, total=total)

    try:
        counts = generate_case(path, excerpts=excerpts, seed=seed, progress=report)
    finally:
        bar.stop()
    click.echo(
        f"Generated {path}: {counts.sources:,} sources, {counts.excerpts:,} excerpts, "
        f"{counts.entities:,} entities, {counts.events:,} events, {counts.claims:,} claims, "
        f"{counts.annotations:,} annotations, {counts.relationships:,} relationships"
    )
