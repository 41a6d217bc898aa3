"""``labelwise demo``: a ready-to-label instance in one command.

Creates the data folder, an admin ``admin@localhost`` and the project "Demo: YouTube comments" with
400 real comments (``labelwise/demo/``, see its SOURCE.md), then serves. Running it again changes
nothing and serves the same data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from typing import Annotated

import typer

from labelwise.cli.output import out
from labelwise.cli.server import HostOption, PortOption, run_server
from labelwise.cli.users import new_password
from labelwise.cli.where import DataDirOption, settings_for
from labelwise.config import Settings

ADMIN_EMAIL = "admin@localhost"
PROJECT_NAME = "Demo: YouTube comments"
PASSWORD_ENV = "LABELWISE_ADMIN_PASSWORD"


@dataclass
class DemoSetup:
    admin_email: str
    password: str | None  # set when this run chose or changed it
    generated: bool  # the password was generated here (print it: it is never shown again)
    created_admin: bool
    created_project: bool
    project_id: int
    imported: int


def demo_file(name: str) -> bytes:
    return (files("labelwise") / "demo" / name).read_bytes()


def setup_demo(settings: Settings, password: str | None = None) -> DemoSetup:
    """Make the demo data folder ready. Idempotent: a second run creates and imports nothing.

    The admin's password is ``password``, else ``LABELWISE_ADMIN_PASSWORD``, else generated (only when the
    admin is created). A password given for an existing admin replaces theirs.
    """
    import io

    from labelwise.errors import NotFound
    from labelwise.services import auth, browse, imports, projects
    from labelwise.services.setup import prepare

    password = password or os.environ.get(PASSWORD_ENV) or None
    ctx = prepare(settings)
    try:
        try:
            actor = auth.local_admin(ctx, ADMIN_EMAIL)
            created_admin, generated = False, False
            if password:
                auth.set_password(ctx, None, email=ADMIN_EMAIL, password=password)
        except NotFound:
            generated = password is None
            password = password or new_password()
            auth.create_user(ctx, None, email=ADMIN_EMAIL, password=password, name="Admin", is_admin=True)
            actor = auth.local_admin(ctx, ADMIN_EMAIL)
            created_admin = True
        try:
            project = projects.get_project(ctx, actor, PROJECT_NAME)
            created_project = False
        except NotFound:
            project = projects.create_project(
                ctx, actor, name=PROJECT_NAME, schema=demo_file("schema.yaml").decode("utf-8"),
                guidelines=demo_file("guidelines.md").decode("utf-8"),
                description="Real YouTube comments (CC BY 4.0, see labelwise/demo/SOURCE.md): spam or ham?")
            created_project = True
        imported = 0
        if browse.count_items(ctx, actor, project["id"])["total"] == 0:
            report = imports.import_stream(ctx, actor, project["id"], io.BytesIO(demo_file("comments.jsonl")),
                                           "jsonl", source="labelwise demo: comments.jsonl")
            imported = report.created
    finally:
        ctx.close()
    return DemoSetup(admin_email=ADMIN_EMAIL, password=password if (created_admin or password) else None,
                     generated=generated, created_admin=created_admin, created_project=created_project,
                     project_id=project["id"], imported=imported)


def demo(
    data_dir: DataDirOption = None,
    host: HostOption = "127.0.0.1", port: PortOption = 8000,
    password: Annotated[str | None, typer.Option(
        "--password", help=f"The admin's password (or {PASSWORD_ENV}). Default: generated and printed once, "
        "when the admin is created.", show_default=False)] = None,
) -> None:
    """Set up a demo project with 400 real comments to label, then serve it."""
    settings = settings_for(data_dir, None)
    result = setup_demo(settings, password)
    if result.created_project:
        out.print(f"Created the project {PROJECT_NAME!r} with {result.imported} comments to label.", highlight=False)
    else:
        out.print(f"The project {PROJECT_NAME!r} is there already.", highlight=False)
    if result.generated:
        out.print(f"Log in as {ADMIN_EMAIL} with the password: {result.password}", highlight=False)
        out.print("(It is shown only this once. Change it with --password or LABELWISE_ADMIN_PASSWORD.)")
    elif result.created_admin:
        out.print(f"Log in as {ADMIN_EMAIL} with the password you gave.", highlight=False)
    else:
        out.print(f"Log in as {ADMIN_EMAIL}" + (" with the new password." if result.password else
                                                " (password unchanged)."), highlight=False)
    run_server(settings, host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
