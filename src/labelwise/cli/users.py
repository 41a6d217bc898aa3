"""``labelwise user create`` and ``labelwise token create``."""

from __future__ import annotations

import secrets
import sys
from enum import StrEnum
from typing import Annotated

import typer

from labelwise.cli.output import out, print_error
from labelwise.cli.where import DataDirOption, DbOption, TokenOption, UrlOption, Where

user_app = typer.Typer(no_args_is_help=True, help="Manage user accounts.")
token_app = typer.Typer(no_args_is_help=True, help="Manage API tokens.")


class InstanceRole(StrEnum):
    user = "user"
    admin = "admin"


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _ask_password() -> tuple[str, bool]:
    """A password typed twice at a terminal (empty: generate one); generated when not at a terminal."""
    if not sys.stdin.isatty():
        return new_password(), True
    typed = typer.prompt("Password (leave empty to generate one)", default="", hide_input=True,
                         show_default=False)
    if not typed:
        return new_password(), True
    again = typer.prompt("Repeat the password", hide_input=True)
    if again != typed:
        print_error("the passwords differ")
        raise typer.Exit(1)
    return typed, False


@user_app.command("create")
def create_user(
    email: Annotated[str, typer.Argument(help="The new user's email address (their login).")],
    role: Annotated[InstanceRole, typer.Option("--role", help="admin: may do everything; user: works in the "
                                               "projects they are a member of.")] = InstanceRole.user,
    password: Annotated[str | None, typer.Option(
        "--password", help="Their password (8 characters or more). Asked for at a terminal; generated and "
        "printed once otherwise.", show_default=False)] = None,
    name: Annotated[str, typer.Option("--name", help="Display name. (default: the part of the email before @)",
                                      show_default=False)] = "",
    data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """Create a user account. The first admin of a new data folder is made this way."""
    generated = False
    if password is None:
        password, generated = _ask_password()
    is_admin = role is InstanceRole.admin
    where = Where(data_dir, db, url, token)
    if where.remote:
        with where.client() as client:
            client.create_user(email, password, name=name, is_admin=is_admin)
    else:
        from labelwise.services import auth

        with where.context(create=True) as ctx:
            auth.create_user(ctx, None, email=email, password=password, name=name, is_admin=is_admin)
    out.print(f"Created {'admin' if is_admin else 'user'} {email}", highlight=False)
    if generated:
        out.print(f"Password (shown once): {password}", highlight=False)


@token_app.command("create")
def create_token(
    email: Annotated[str, typer.Argument(help="Whose token: the API acts as this user.")],
    name: Annotated[str, typer.Option("--name", help="A label to recognise the token by.")] = "api",
    data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """Create an API token for a user and print only the token (it is not shown again)."""
    where = Where(data_dir, db, url, token)
    if where.remote:
        with where.client() as client:
            value = client.create_token(email, name=name)
    else:
        from labelwise.services import auth

        with where.context() as ctx:
            value = auth.create_token(ctx, None, email=email, name=name)
    typer.echo(value)
