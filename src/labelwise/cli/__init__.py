"""The ``labelwise`` command line: Typer + Rich.

Every command acts either on a local data folder (``--data-dir`` / ``--db``), directly through the
services and as the instance owner, or on a running server (``--url`` / ``LABELWISE_URL`` with
``LABELWISE_TOKEN``) through the SDK. User errors print one line plus a table of row and field
problems and exit with status 1, never with a traceback.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from labelwise import __version__
from labelwise.cli import data, datasets, demo, projects, server, users
from labelwise.cli.output import print_error
from labelwise.cli.where import NoDatabase


class _Group(TyperGroup):
    """Turns domain and API errors raised by any command into a message and exit status 1, and loads
    ``labelwise qa`` only when it is asked for (or listed)."""

    def list_commands(self, ctx: Any) -> list[str]:
        self._add_qa()
        return super().list_commands(ctx)  # type: ignore[no-any-return]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name == "qa":
            self._add_qa()
        return super().get_command(ctx, cmd_name)

    def _add_qa(self) -> None:
        if "qa" not in self.commands:
            qa = _qa_command()
            if qa is not None:
                self.add_command(qa, "qa")

    def invoke(self, ctx: Any) -> Any:
        from labelwise.client.errors import ApiError
        from labelwise.errors import LabelwiseError

        try:
            return super().invoke(ctx)
        except (LabelwiseError, ApiError) as exc:
            print_error(exc.message, exc.errors)
            raise typer.Exit(1) from None
        except NoDatabase as exc:
            print_error(str(exc))
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group, name="labelwise", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="labelwise: open-source data labeling. Serve the app, manage users and projects, import and export.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"labelwise {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """labelwise: open-source data labeling."""


server.register(app)
demo.register(app)
data.register(app)
datasets.register(app)
app.add_typer(users.user_app, name="user")
app.add_typer(users.token_app, name="token")
app.add_typer(projects.app, name="project")


def _qa_command() -> Any:
    """``labelwise qa`` as a click command, when the QA commands are installed (``labelwise.cli.qa``).

    Loaded on demand: the QA library brings numpy, pandas, scipy and pyarrow (about 70 MB), which
    ``labelwise serve`` would otherwise hold in the server process for nothing."""
    try:
        from labelwise.cli.qa import app as qa_app
    except ImportError as exc:
        if exc.name == "labelwise.cli.qa":
            return None
        problem = f"labelwise qa is unavailable: {exc}"

        def _qa_unavailable() -> None:
            print_error(problem)
            raise typer.Exit(1)

        fallback = typer.Typer(add_completion=False)
        fallback.command("qa", help="Quality checks (unavailable: see the message when run).",
                         context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
                         )(_qa_unavailable)
        command = typer.main.get_command(fallback)
        command.name = "qa"
        return command
    command = typer.main.get_command(qa_app)
    command.name, command.help = "qa", "Quality: agreement, aggregation, label errors, annotators."
    return command


def main() -> None:
    """The ``labelwise`` console script."""
    app()
