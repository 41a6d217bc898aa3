"""``labelwise qa``: agreement and truth inference on a long-format CSV (item, annotator, label)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from labelwise.qa import QAError, aggregate, agreement
from labelwise.qa.aggregation import METHODS
from labelwise.qa.agreement import METRICS

app = typer.Typer(
    help="Inter-annotator agreement and label aggregation (truth inference) on a CSV.", no_args_is_help=True,
    add_completion=False,
)

ITEM = typer.Option("item", "--item-col", help="Column naming the item.")
ANNOTATOR = typer.Option("annotator", "--annotator-col", help="Column naming the annotator.")
LABEL = typer.Option("label", "--label-col", help="Column holding the label.")


def _fail(exc: QAError) -> None:
    Console(stderr=True).print(f"[red]error:[/red] {exc}")
    raise typer.Exit(code=2)


@app.command("agreement")
def agreement_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Long-format CSV."),
    metric: str = typer.Option("krippendorff_alpha", "--metric", "-m", help=f"One of: {', '.join(METRICS)}."),
    level: str = typer.Option(
        "nominal", "--level", help="Krippendorff level: nominal, ordinal, interval, ratio."
    ),
    weights: str = typer.Option("none", "--weights", help="Cohen's kappa weights: none, linear, quadratic."),
    ci: bool = typer.Option(False, "--ci", help="Add a bootstrap 95% confidence interval."),
    n_boot: int = typer.Option(1000, "--n-boot", help="Bootstrap replicates."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap random seed."),
    item_col: str = ITEM,
    annotator_col: str = ANNOTATOR,
    label_col: str = LABEL,
) -> None:
    """Print an agreement measure (and its confidence interval) as a table."""
    try:
        result = agreement(
            file,
            metric.replace("-", "_"),
            level=level,
            weights=None if weights == "none" else weights,
            item_col=item_col,
            annotator_col=annotator_col,
            label_col=label_col,
            ci=True,
            n_boot=n_boot if ci else 1,
            random_state=seed,
        )
    except QAError as exc:
        _fail(exc)
        return
    table = Table(title=f"Agreement: {file.name}")
    for column in ("metric", "value", "items", "annotators", *(("95% CI",) if ci else ())):
        table.add_column(column)
    row = [result.metric, f"{result.value:.4f}", str(result.n_items), str(result.n_annotators)]
    if ci:
        row.append(f"[{result.ci_low:.4f}, {result.ci_high:.4f}]")
    table.add_row(*row)
    Console().print(table)


@app.command("aggregate")
def aggregate_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Long-format CSV."),
    method: str = typer.Option("dawid-skene", "--method", help=f"One of: {', '.join(sorted(METHODS))}."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write item,label,confidence CSV here."),
    limit: int = typer.Option(20, "--limit", help="Rows to print."),
    item_col: str = ITEM,
    annotator_col: str = ANNOTATOR,
    label_col: str = LABEL,
) -> None:
    """Infer one label per item; print the first rows and optionally write all of them to CSV."""
    try:
        result = aggregate(file, method, item_col=item_col, annotator_col=annotator_col, label_col=label_col)
    except QAError as exc:
        _fail(exc)
        return
    if output is not None:
        result.to_csv(output, index=False)
    table = Table(title=f"{method}: {len(result)} items" + (f" -> {output}" if output else ""))
    for column in ("item", "label", "confidence"):
        table.add_column(column)
    for row in result.head(limit).itertuples(index=False):
        table.add_row(str(row.item), str(row.label), f"{row.confidence:.3f}")
    Console().print(table)
