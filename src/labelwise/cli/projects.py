"""``labelwise project create`` and ``labelwise project list``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from labelwise.cli.output import out
from labelwise.cli.where import DataDirOption, DbOption, TokenOption, UrlOption, Where

app = typer.Typer(no_args_is_help=True, help="Create and list projects.")

ExistingFile = typer.Option(exists=True, dir_okay=False, readable=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The project's name (unique).")],
    schema: Annotated[Path, typer.Option("--schema", exists=True, dir_okay=False, readable=True,
                                         help="Label schema file, YAML or JSON.")],
    guidelines: Annotated[Path | None, typer.Option(
        "--guidelines", exists=True, dir_okay=False, readable=True,
        help="Annotation guidelines, a Markdown file shown to annotators.", show_default=False)] = None,
    overlap: Annotated[int, typer.Option("--overlap", min=1, max=100,
                                         help="How many annotators label each item.")] = 1,
    description: Annotated[str, typer.Option("--description", help="A one-line description.")] = "",
    data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """Create a project from a label schema file."""
    schema_text = schema.read_text(encoding="utf-8")
    guide = guidelines.read_text(encoding="utf-8") if guidelines else ""
    where = Where(data_dir, db, url, token)
    if where.remote:
        with where.client() as client:
            info: dict[str, Any] = client.create_project(name, schema=schema_text, guidelines=guide, overlap=overlap,
                                                         description=description).info.model_dump()
    else:
        from labelwise.services import auth, projects

        with where.context() as ctx:
            info = projects.create_project(ctx, auth.local_admin(ctx), name=name, schema=schema_text,
                                           guidelines=guide, overlap=overlap, description=description)
    out.print(f"Created project {info['name']!r} (id {info['id']})", highlight=False)


@app.command("list")
def list_projects(
    data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """List projects with their item counts."""
    rows: list[tuple[dict[str, Any], int]] = []
    where = Where(data_dir, db, url, token)
    if where.remote:
        with where.client() as client:
            for project in client.projects():
                rows.append((project.info.model_dump(), project.counts().total))
    else:
        from labelwise.services import auth, browse, projects

        with where.context() as ctx:
            actor = auth.local_admin(ctx)
            for info in projects.list_projects(ctx, actor):
                rows.append((info, browse.count_items(ctx, actor, info["id"])["total"]))
    if not rows:
        out.print("No projects yet: create one with `labelwise project create NAME --schema FILE`.")
        return
    table = Table(show_edge=False, header_style="bold")
    for column, justify in (("id", "right"), ("name", "left"), ("items", "right"), ("overlap", "right"),
                            ("schema", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for info, total in rows:
        table.add_row(str(info["id"]), info["name"], str(total), str(info["overlap"]), f"v{info['schema_version']}")
    out.print(table)
