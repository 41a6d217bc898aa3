"""The docs cover every setting and every command and option (datasette's tests/test_docs.py idea)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from labelwise.cli import app
from labelwise.config import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _commands(command, path=()):  # type: ignore[no-untyped-def]
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            yield from _commands(sub, (*path, name))
    else:
        options = [o for p in command.params for o in getattr(p, "opts", []) if o.startswith("--")]
        yield " ".join(path), options


COMMANDS = list(_commands(typer.main.get_command(app)))


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field):
    assert f"LABELWISE_{field.upper()}" in (DOCS / "configuration.md").read_text()


@pytest.mark.parametrize(("command", "options"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_every_command_and_option_is_documented(command, options):
    cli_doc = (DOCS / "cli.md").read_text()
    if command.startswith("qa "):  # the QA commands have their own page
        assert f"labelwise {command}" in cli_doc + (DOCS / "qa.md").read_text()
        return
    assert f"### `labelwise {command}" in cli_doc
    section = cli_doc.split(f"### `labelwise {command}", 1)[1].split("\n### ", 1)[0]
    common = {"--data-dir", "--db", "--url", "--token"}
    for option in options:
        assert f"`{option}`" in section or (option in common and "`--data-dir`, `--db`" in section), (
            f"{option} of `labelwise {command}` is not in docs/cli.md")


def test_sdk_docs_name_every_public_method():
    from labelwise.client import Client, Project

    text = (DOCS / "sdk.md").read_text()
    for cls in (Client, Project):
        for name in vars(cls):
            if not name.startswith("_") and callable(getattr(cls, name)):
                assert f"{name}(" in text, f"{cls.__name__}.{name} is not in docs/sdk.md"
