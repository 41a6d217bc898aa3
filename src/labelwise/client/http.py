"""The HTTP session under the SDK: base URL, token, timeouts, and errors turned into ``ApiError``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx

from labelwise.client.errors import ConnectionFailed, error_for

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: Imports are parsed and written before the server answers; exports may pause between pages.
TRANSFER_TIMEOUT = httpx.Timeout(connect=10.0, read=3600.0, write=300.0, pool=30.0)


def base_url(url: str) -> str:
    """``http://host:8000``, ``http://host:8000/`` and ``http://host:8000/api/v1`` all mean the same."""
    url = url.strip().rstrip("/")
    return url.removesuffix("/api/v1")


def path_ref(ref: int | str) -> str:
    """A project id or name, escaped for use in a URL path."""
    return quote(str(ref), safe="")


class Session:
    """One ``httpx.Client`` for ``{url}/api/v1`` with a bearer token."""

    def __init__(self, url: str | None, token: str | None, *, timeout: float | httpx.Timeout | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        url = url or os.environ.get("LABELWISE_URL")
        if not url:
            raise ValueError("no server URL: pass url=... or set LABELWISE_URL")
        self.url = base_url(url)
        self.token = token if token is not None else os.environ.get("LABELWISE_TOKEN")
        headers = {"user-agent": "labelwise-sdk", "accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        if timeout is None:
            timeout = DEFAULT_TIMEOUT
        self.http = httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=timeout,
                                 transport=transport)

    def close(self) -> None:
        self.http.close()

    def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        try:
            response = self.http.send(request, stream=stream)
        except httpx.TimeoutException as exc:
            raise ConnectionFailed(0, f"{self.url} did not answer in time ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise ConnectionFailed(0, f"cannot reach {self.url}: {exc}") from None
        if response.status_code >= 400:
            try:
                response.read()
                body: Any = response.json()
            except ValueError:
                body = None
            finally:
                response.close()
            raise error_for(response.status_code, body, f"{response.reason_phrase or 'error'} for "
                            f"{request.method} {request.url.path}")
        return response

    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                content: Any = None, headers: dict[str, str] | None = None,
                timeout: httpx.Timeout | None = None) -> httpx.Response:
        request = self.http.build_request(method, path, json=json, params=_params(params), content=content,
                                          headers=headers, timeout=timeout or self.http.timeout)
        return self._send(request)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        return None if response.status_code == 204 else response.json()

    @contextmanager
    def stream(self, method: str, path: str, *,
               params: dict[str, Any] | None = None) -> Iterator[httpx.Response]:
        request = self.http.build_request(method, path, params=_params(params), timeout=TRANSFER_TIMEOUT)
        response = self._send(request, stream=True)
        try:
            yield response
        except httpx.TransportError as exc:
            raise ConnectionFailed(0, f"the connection to {self.url} broke: {exc}") from None
        finally:
            response.close()


def _params(params: dict[str, Any] | None) -> dict[str, Any] | None:
    """Query parameters without ``None`` values; booleans as ``true``/``false``."""
    if not params:
        return None
    return {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items() if v is not None}
