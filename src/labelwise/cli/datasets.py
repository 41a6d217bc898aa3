"""``labelwise import-labelstudio`` and ``labelwise snapshot create|list|export|diff|card``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from labelwise.cli.data import ProjectArg, _options, print_report
from labelwise.cli.output import out
from labelwise.cli.where import DataDirOption, DbOption, TokenOption, UrlOption, Where

app = typer.Typer(no_args_is_help=True, help="Dataset versions: freeze, list, export, compare, describe.")
SnapshotArg = Annotated[int, typer.Argument(help="Snapshot id.")]


def import_labelstudio(
    export: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                           help="A Label Studio JSON export.")],
    config: Annotated[Path, typer.Option("--config", exists=True, dir_okay=False, readable=True,
                                         help="The project's labeling config (XML).")],
    project: Annotated[str, typer.Option("--project", help="The name of the new project.")],
    as_predictions: Annotated[bool, typer.Option("--as-predictions", help="Import the annotations as "
                                                 "predictions (pre-labels).")] = False,
    model: Annotated[str | None, typer.Option("--model", help="The model name of imported predictions.",
                                              show_default=False)] = None,
    annotator: Annotated[str | None, typer.Option(
        "--annotator", help="The user (email) who takes annotations whose annotator is not a user.",
        show_default=False)] = None,
    data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """Create a project from a Label Studio export and its labeling config; lists the tags not translated."""
    labels = "predictions" if as_predictions else "annotations"
    where = Where(data_dir, db, url, token)
    if where.remote:
        with where.client() as client:
            got = client.import_labelstudio(export, config, project, labels=labels, model=model, annotator=annotator)
            result = {**got, "project": got["project"].info.model_dump()}
    else:
        from labelwise.services import auth, labelstudio_import

        with where.context() as ctx, export.open("rb") as stream:
            result = labelstudio_import.create_from_labelstudio(
                ctx, auth.local_admin(ctx), name=project, export=stream, config=config.read_bytes(),
                source=export.name, labels=labels, model=model, annotator=annotator)
    out.print(f"Created project {project!r} (id {result['project']['id']}) with labels "
              f"{', '.join(lab['name'] for lab in result['project']['schema']['labels'])}", highlight=False)
    if result["untranslated"]:
        out.print(f"Not translated: {', '.join(result['untranslated'])}", highlight=False)
    print_report(project, result["import"])


def _call(where: Where, remote: Any, local: Any) -> Any:
    if where.remote:
        with where.client() as client:
            return remote(client)
    from labelwise.services import auth

    with where.context() as ctx:
        return local(ctx, auth.local_admin(ctx))


@app.command("create")
def create(project: ProjectArg, name: Annotated[str, typer.Option("--name", help="A name for this version.")] = "",
           data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None,
           token: TokenOption = None) -> None:
    """Freeze the project's labeled data now (content hash, counts, QA summary)."""
    from labelwise.services import snapshots

    snap = _call(Where(data_dir, db, url, token), lambda c: c.get_project(project).create_snapshot(name),
                 lambda ctx, actor: snapshots.create_snapshot(ctx, actor, project, name=name))
    out.print(f"Snapshot {snap['id']} of {project!r}: {snap['items']:,} items, {snap['annotations']:,} "
              f"annotations, sha256 {snap['content_sha256']}", highlight=False)


@app.command("list")
def list_(project: ProjectArg, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
          data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None,
          token: TokenOption = None) -> None:
    """The project's snapshots, oldest first."""
    from labelwise.services import snapshots

    rows = _call(Where(data_dir, db, url, token), lambda c: c.get_project(project).snapshots(),
                 lambda ctx, actor: snapshots.list_snapshots(ctx, actor, project))
    if as_json:
        typer.echo(json.dumps(rows, default=str, indent=2))
        return
    table = Table("id", "name", "items", "annotations", "schema", "sha256", "created")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], f"{r['items']:,}", f"{r['annotations']:,}",
                      str(r["schema_version"]), r["content_sha256"][:12], str(r["created_at"])[:19])
    out.print(table)


@app.command("export")
def export(project: ProjectArg, snapshot: SnapshotArg,
           output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False, help="The file to write.")],
           format: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv, parquet, or any export format "
                                               "of the project (coco, conll, labelstudio...).")] = "jsonl",
           option: Annotated[list[str] | None, typer.Option(
               "--option", "-O", help="A format option as NAME=VALUE (repeatable).", show_default=False)] = None,
           data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None,
           token: TokenOption = None) -> None:
    """Write a snapshot in a format: the same bytes every time."""
    options = _options(option or [])
    where = Where(data_dir, db, url, token)
    if where.remote:
        with where.client() as client:
            client.get_project(project).export_snapshot(snapshot, output, format, options=options)
    else:
        from labelwise.services import auth, snapshots

        partial = output.with_name(output.name + ".part")
        try:
            with where.context() as ctx:
                stream = snapshots.export_snapshot(ctx, auth.local_admin(ctx), project, snapshot, format,
                                                   options=options)
                with partial.open("wb") as f:
                    for chunk in stream.chunks:
                        f.write(chunk)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    out.print(f"Exported snapshot {snapshot} to {output} ({output.stat().st_size:,} bytes, {format})",
              highlight=False)


@app.command("diff")
def diff(project: ProjectArg, snapshot: SnapshotArg,
         other: Annotated[int, typer.Argument(help="The snapshot to compare with (the newer one).")],
         limit: Annotated[int, typer.Option("--limit", help="List at most this many items per kind.")] = 1000,
         as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
         data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None,
         token: TokenOption = None) -> None:
    """Items added, removed and relabelled from one snapshot to another."""
    from labelwise.services import snapshot_diff

    got = _call(Where(data_dir, db, url, token),
                lambda c: c.get_project(project).diff_snapshots(snapshot, other, limit=limit),
                lambda ctx, actor: snapshot_diff.diff_snapshots(ctx, actor, project, snapshot, other, limit=limit))
    if as_json:
        typer.echo(json.dumps(got, indent=2))
        return
    c = got["counts"]
    out.print(f"{c['added']:,} added, {c['removed']:,} removed, {c['relabelled']:,} relabelled, "
              f"{c['unchanged']:,} unchanged", highlight=False)
    for kind in ("added", "removed", "relabelled"):
        for entry in got[kind]:
            out.print(f"{kind[0].upper()} {entry['id']} {entry['key'] or ''}", highlight=False)


@app.command("card")
def card(project: ProjectArg, snapshot: SnapshotArg,
         output: Annotated[Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write it to a file.",
                                                     show_default=False)] = None,
         data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None,
         token: TokenOption = None) -> None:
    """The dataset card (markdown) of a snapshot."""
    from labelwise.services import snapshot_diff

    text = _call(Where(data_dir, db, url, token), lambda c: c.get_project(project).snapshot_card(snapshot),
                 lambda ctx, actor: snapshot_diff.dataset_card(ctx, actor, project, snapshot))
    if output is not None:
        output.write_text(text, encoding="utf-8")
        out.print(f"Wrote the card of snapshot {snapshot} to {output}", highlight=False)
    else:
        typer.echo(text, nl=False)


def register(root: typer.Typer) -> None:
    root.command("import-labelstudio")(import_labelstudio)
    root.add_typer(app, name="snapshot")
