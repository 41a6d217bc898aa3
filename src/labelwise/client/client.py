"""``Client``, the entry point of the SDK: ``Client(url, token)``, or LABELWISE_URL and LABELWISE_TOKEN."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx

from labelwise.client.http import TRANSFER_TIMEOUT, Session, path_ref
from labelwise.client.models import ProjectInfo, User
from labelwise.client.project import Project


def schema_payload(schema: dict[str, Any] | str | os.PathLike[str]) -> dict[str, Any] | str:
    """A schema as the API takes it: a dict, or YAML/JSON text (read from the file if given a path)."""
    if isinstance(schema, dict):
        return schema
    if isinstance(schema, os.PathLike):
        return Path(schema).read_text(encoding="utf-8")
    text = str(schema)
    if "\n" not in text and text.strip() and not text.lstrip().startswith("{"):
        path = Path(text).expanduser()
        if path.suffix.lower() in (".yaml", ".yml", ".json") or path.is_file():
            return path.read_text(encoding="utf-8")
    return text


class Client:
    """A labelwise server, reached over HTTP with an API token.

    >>> client = Client("http://localhost:8000", "lw_...")
    >>> project = client.create_project("tweets", schema="schema.yaml")
    """

    def __init__(self, url: str | None = None, token: str | None = None, *,
                 timeout: float | httpx.Timeout | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._session = Session(url, token, timeout=timeout, transport=transport)

    @property
    def url(self) -> str:
        return self._session.url

    def __repr__(self) -> str:
        return f"<labelwise.Client {self.url}>"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- instance ------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self._session.json("GET", "/health")  # type: ignore[no-any-return]

    def me(self) -> User:
        return User.model_validate(self._session.json("GET", "/me"))

    def users(self) -> list[User]:
        return [User.model_validate(u) for u in self._session.json("GET", "/users")]

    def create_user(self, email: str, password: str | None = None, *, name: str = "",
                    is_admin: bool = False) -> User:
        """A new user (admins only). Without a password they can only use tokens made for them."""
        body = {"email": email, "password": password, "name": name, "is_admin": is_admin}
        return User.model_validate(self._session.json("POST", "/users", json=body))

    def create_token(self, email: str | None = None, name: str = "api") -> str:
        """A new API token for yourself, or (admins) for ``email``. The server shows it only once."""
        data = self._session.json("POST", "/tokens", json={"email": email, "name": name})
        return str(data["token"])

    # ---- projects ------------------------------------------------------------------------------
    def create_project(self, name: str, schema: dict[str, Any] | str | os.PathLike[str], guidelines: str = "",
                       overlap: int = 1, **settings: Any) -> Project:
        """A new project. ``schema`` is a dict, YAML or JSON text, or the path of a YAML/JSON file.

        ``settings``: description, ordering, show_others, lease_seconds.
        """
        body = {"name": name, "schema": schema_payload(schema), "guidelines": guidelines, "overlap": overlap,
                **settings}
        data = self._session.json("POST", "/projects", json=body)
        return Project(self._session, ProjectInfo.model_validate(data))

    def get_project(self, ref: int | str) -> Project:
        """A project by id or by name."""
        data = self._session.json("GET", f"/projects/{path_ref(ref)}")
        return Project(self._session, ProjectInfo.model_validate(data))

    def projects(self) -> list[Project]:
        """The projects you can see (all of them, for an admin)."""
        data = self._session.json("GET", "/projects")
        return [Project(self._session, ProjectInfo.model_validate(p)) for p in data]

    def import_labelstudio(self, export: str | os.PathLike[str], config: str | os.PathLike[str], name: str, *,
                           labels: str = "annotations", model: str | None = None,
                           annotator: str | None = None) -> dict[str, Any]:
        """A new project ``name`` from a Label Studio JSON export and its labeling config (a path, or the XML
        itself). Returns ``{"project", "untranslated": [tags it could not translate], "import": report}``."""
        config_path = Path(config)
        xml = config_path.read_bytes() if "<" not in str(config) and config_path.is_file() else str(config).encode()
        params = {"name": name, "labels": labels, "model": model, "annotator": annotator}
        with Path(export).open("rb") as stream:
            request = self._session.http.build_request(
                "POST", "/labelstudio/import", params={k: v for k, v in params.items() if v is not None},
                files={"export": (Path(export).name, stream, "application/json"),
                       "config": (config_path.name if "<" not in str(config) else "config.xml", xml, "text/xml")},
                timeout=TRANSFER_TIMEOUT)
            response = self._session._send(request)
        out: dict[str, Any] = response.json()
        out["project"] = Project(self._session, ProjectInfo.model_validate(out["project"]))
        return out
