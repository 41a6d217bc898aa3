"""One project seen through the SDK: members, imports, the annotation queue, review, exports."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labelwise.client import transfer
from labelwise.client.http import TRANSFER_TIMEOUT, Session, path_ref
from labelwise.client.models import (
    Annotation,
    AuditEntry,
    Counts,
    ImportReport,
    Item,
    Member,
    ProjectInfo,
    Review,
    Task,
)

if TYPE_CHECKING:
    import pandas as pd

RECORDS_CHUNK = 5000


def _filters(state: str | None, annotator: str | None, label: str | None, text: str | None,
             meta: dict[str, str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {"state": state, "annotator": annotator, "label": label, "text": text}
    params.update({f"meta.{k}": v for k, v in (meta or {}).items()})
    return params


class Project:
    """A handle on a project. ``info`` holds its settings as last read from the server."""

    def __init__(self, session: Session, info: ProjectInfo) -> None:
        self._session = session
        self.info = info

    def __repr__(self) -> str:
        return f"<Project {self.info.id} {self.info.name!r}>"

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def schema(self) -> dict[str, Any] | None:
        return self.info.label_schema

    @property
    def _path(self) -> str:
        return f"/projects/{self.info.id}"

    # ---- the project itself --------------------------------------------------------------------
    def refresh(self) -> Project:
        self.info = ProjectInfo.model_validate(self._session.json("GET", self._path))
        return self

    def update(self, **settings: Any) -> Project:
        """Change settings: description, guidelines, overlap, ordering, show_others, lease_seconds."""
        self.info = ProjectInfo.model_validate(self._session.json("PATCH", self._path, json=settings))
        return self

    def change_schema(self, schema: dict[str, Any] | str | os.PathLike[str], *,
                      allow_breaking: bool = False) -> Project:
        from labelwise.client.client import schema_payload

        body = {"schema": schema_payload(schema), "allow_breaking": allow_breaking}
        self.info = ProjectInfo.model_validate(self._session.json("PUT", f"{self._path}/schema", json=body))
        return self

    def delete(self) -> None:
        self._session.request("DELETE", self._path)

    # ---- members -------------------------------------------------------------------------------
    def add_member(self, email: str, role: str = "annotator") -> Member:
        """Give ``email`` a role here (annotator, reviewer or manager), replacing any role they had."""
        body = {"email": email, "role": role}
        return Member.model_validate(self._session.json("POST", f"{self._path}/members", json=body))

    def members(self) -> list[Member]:
        return [Member.model_validate(m) for m in self._session.json("GET", f"{self._path}/members")]

    def remove_member(self, email: str) -> None:
        self._session.request("DELETE", f"{self._path}/members/{path_ref(email)}")

    # ---- imports -------------------------------------------------------------------------------
    def import_items(self, source: Iterable[dict[str, Any]] | str | os.PathLike[str] | pd.DataFrame, *,
                     skip_invalid: bool = False, key_field: str | None = None, format: str | None = None,
                     progress: Callable[[int], None] | None = None, labels: str | None = None,
                     model: str | None = None, annotator: str | None = None,
                     options: dict[str, str] | None = None) -> ImportReport:
        """Import a file (path), a list or iterable of records, or a pandas DataFrame.

        All or nothing: a bad row rejects the whole import with ``Invalid`` (its ``errors`` list every bad
        row) unless ``skip_invalid``, which keeps the valid rows and reports the others. ``progress`` is
        called with the number of bytes sent so far (for files and large record sets).

        ``format`` may be any dataset format the server reads (``coco``, ``yolo``, ``voc``, ``conll``,
        ``spacy``, ``ner-jsonl``, ``labelstudio``); a folder (YOLO, VOC, spaCy) is sent as a zip. ``labels``:
        ``annotations`` (by users' emails; ``annotator`` takes those of anyone else), ``predictions`` (of
        ``model``) or ``ignore``; ``options`` are the reader's options.
        """
        extra = {"labels": labels, "model": model, "annotator": annotator,
                 **{f"opt.{k}": v for k, v in (options or {}).items()}}
        settings = {"skip_invalid": skip_invalid, "key_field": key_field, "extra": extra}
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            fmt = format or transfer.format_of(path)
            if path.is_dir():
                with transfer.zipped(path) as stream:
                    return self._import_stream(stream, fmt, f"{path.name}.zip", progress=progress, **settings)
            with path.open("rb") as stream:
                return self._import_stream(stream, fmt, path.name, progress=progress, **settings)
        records: Iterable[dict[str, Any]] = (
            transfer.dataframe_records(source) if transfer.is_dataframe(source) else source  # type: ignore[arg-type]
        )
        head, rest = transfer.first_chunk(records, RECORDS_CHUNK)
        if len(head) <= RECORDS_CHUNK and not any(extra.values()):
            body = transfer.dumps({"records": head, "skip_invalid": skip_invalid, "key_field": key_field})
            data = self._session.json("POST", f"{self._path}/records", content=body,
                                      headers={"content-type": "application/json"}, timeout=TRANSFER_TIMEOUT)
            return ImportReport.model_validate(data)
        with transfer.spool_jsonl(head, rest) as spool:
            return self._import_stream(spool, "jsonl", "records.jsonl", progress=progress, **settings)

    def import_media(self, path: str | os.PathLike[str], *, field: str | None = None,
                     skip_invalid: bool = False) -> ImportReport:
        """Import a folder of media files, a zip of them or one file: one item per file, its schema field
        set to ``media:<key>`` and its facts (size, duration, frames, ...) in ``meta.media``. Unreadable
        files are named in the report's errors (and reject the import unless ``skip_invalid``)."""
        path = Path(path)
        params = {"skip_invalid": skip_invalid, **({"field": field} if field else {})}
        with (transfer.zipped(path) if path.is_dir() else path.open("rb")) as stream:
            name = f"{path.name}.zip" if path.is_dir() else path.name
            request = self._session.http.build_request("POST", f"{self._path}/media", params=params,
                                                       files={"files": (name, stream)}, timeout=TRANSFER_TIMEOUT)
            response = self._session._send(request)
        return ImportReport.model_validate(response.json())

    def _import_stream(self, stream: Any, fmt: str, name: str, *, skip_invalid: bool, key_field: str | None,
                       progress: Callable[[int], None] | None, extra: dict[str, Any] | None = None) -> ImportReport:
        params = {"format": fmt, "filename": name, "skip_invalid": skip_invalid, "key_field": key_field,
                  **(extra or {})}
        headers = {"content-type": "application/octet-stream"}
        size = transfer.stream_size(stream)
        if size is not None:
            headers["content-length"] = str(size)
        data = self._session.json("POST", f"{self._path}/import", params=params, headers=headers,
                                  content=transfer.read_chunks(stream, progress), timeout=TRANSFER_TIMEOUT)
        return ImportReport.model_validate(data)

    # ---- annotating ----------------------------------------------------------------------------
    def next_task(self) -> Task | None:
        """The task to do now, leased to you; None when nothing is left for you."""
        data = self._session.json("POST", f"{self._path}/tasks/next")
        return None if data is None else Task.model_validate(data)

    def get_task(self, task_id: int) -> Task:
        return Task.model_validate(self._session.json("GET", f"{self._path}/tasks/{task_id}"))

    def submit(self, task_id: int, result: dict[str, Any], lead_time: float | None = None) -> Annotation:
        body = {"result": result, "lead_time": lead_time}
        return Annotation.model_validate(self._session.json("POST", f"{self._path}/tasks/{task_id}/submit",
                                                            json=body))

    def update_annotation(self, task_id: int, result: dict[str, Any],
                          lead_time: float | None = None) -> Annotation:
        body = {"result": result, "lead_time": lead_time}
        return Annotation.model_validate(self._session.json("PUT", f"{self._path}/tasks/{task_id}/annotation",
                                                            json=body))

    def save_draft(self, task_id: int, draft: dict[str, Any],
                   lead_time: float | None = None) -> dict[str, Any]:
        body = {"draft": draft, "lead_time": lead_time}
        return self._session.json("PUT", f"{self._path}/tasks/{task_id}/draft", json=body)  # type: ignore[no-any-return]

    def skip(self, task_id: int, reason: str = "") -> dict[str, Any]:
        return self._session.json("POST", f"{self._path}/tasks/{task_id}/skip",  # type: ignore[no-any-return]
                                  json={"reason": reason})

    def renew_lease(self, task_id: int) -> dict[str, Any]:
        return self._session.json("POST", f"{self._path}/tasks/{task_id}/lease")  # type: ignore[no-any-return]

    # ---- browsing and review -------------------------------------------------------------------
    def items(self, state: str | None = None, *, annotator: str | None = None, label: str | None = None,
              text: str | None = None, meta: dict[str, str] | None = None,
              page_size: int = 200) -> Iterator[Item]:
        """Every matching item in id order, fetched a page at a time."""
        params = _filters(state, annotator, label, text, meta)
        after = 0
        while True:
            page = self._session.json("GET", f"{self._path}/items",
                                      params={**params, "after": after, "limit": page_size})
            for item in page["items"]:
                yield Item.model_validate(item)
            if page.get("next") is None:
                return
            after = page["next"]

    def get_item(self, item_id: int) -> dict[str, Any]:
        """One item with its data, predictions, every annotation and its reviews."""
        return self._session.json("GET", f"{self._path}/items/{item_id}")  # type: ignore[no-any-return]

    def counts(self, state: str | None = None, *, annotator: str | None = None, label: str | None = None,
               text: str | None = None, meta: dict[str, str] | None = None) -> Counts:
        """How many items: in total and per state, or how many match the filters."""
        params = _filters(state, annotator, label, text, meta)
        return Counts.model_validate(self._session.json("GET", f"{self._path}/items/count", params=params))

    def review_queue(self, *, after: int = 0, limit: int = 20) -> list[dict[str, Any]]:
        return self._session.json("GET", f"{self._path}/review/queue",  # type: ignore[no-any-return]
                                  params={"after": after, "limit": limit})

    def review(self, annotation_id: int, action: str, comment: str = "",
               result: dict[str, Any] | None = None) -> Review:
        """``accept``, ``reject`` (a comment is required) or ``correct`` (with the corrected result)."""
        body = {"action": action, "comment": comment, "result": result}
        data = self._session.json("POST", f"{self._path}/annotations/{annotation_id}/review", json=body)
        return Review.model_validate(data)

    def resume_annotator(self, email_or_id: str | int) -> dict[str, Any]:
        """Let an annotator paused by gold continue (managers): only gold answers from now on count."""
        path = f"{self._path}/quality/gold/annotators/{path_ref(str(email_or_id))}/resume"
        return self._session.json("POST", path)  # type: ignore[no-any-return]

    def audit_log(self, action: str | None = None) -> list[AuditEntry]:
        """Every audit entry of this project, oldest first (managers and admins)."""
        out: list[AuditEntry] = []
        after = 0
        while True:
            page = self._session.json("GET", f"{self._path}/audit",
                                      params={"after": after, "limit": 1000, "action": action})
            out.extend(AuditEntry.model_validate(e) for e in page)
            if len(page) < 1000:
                return out
            after = page[-1]["id"]

    # ---- exports -------------------------------------------------------------------------------
    @contextmanager
    def export_stream(self, format: str = "jsonl", *, state: str | None = None, annotator: str | None = None,
                      label: str | None = None, text: str | None = None, meta: dict[str, str] | None = None,
                      options: dict[str, str] | None = None) -> Iterator[Iterator[bytes]]:
        """The export as an iterator of byte chunks, read from the network as you consume it.

        ``format``: ``jsonl``, ``csv``, ``parquet`` or any format the server offers (``coco``, ``conll``...);
        ``options`` are that format's options (sent as ``opt.<name>``).
        """
        if not format or not format.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"not a format name: {format!r}")
        params = {"format": format, **_filters(state, annotator, label, text, meta),
                  **{f"opt.{k}": v for k, v in (options or {}).items()}}
        with self._session.stream("GET", f"{self._path}/export", params=params) as response:
            yield response.iter_bytes(transfer.CHUNK_BYTES)

    def export(self, format: str = "jsonl", path: str | os.PathLike[str] | None = None,
               **filters: Any) -> Path:
        """Stream the export into ``path`` (default ``<project name>.<format>``); returns the path.

        The file appears only once the whole export has arrived.
        """
        target = Path(path) if path is not None else Path(f"{self.name}.{format}")
        partial = target.with_name(target.name + ".part")
        try:
            with self.export_stream(format, **filters) as chunks, partial.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return target

    def export_df(self, **filters: Any) -> pd.DataFrame:
        """The export as a pandas DataFrame, one row per item: ``id, key, state``, a column per data field
        (``data.<name>`` if the name clashes), then ``annotations``, ``predictions``, ``meta`` as objects."""
        import pandas as pd

        columns: dict[str, None] = {}
        rows: list[dict[str, Any]] = []
        with self.export_stream("jsonl", **filters) as chunks:
            pending = b""
            for chunk in chunks:
                pending += chunk
                *lines, pending = pending.split(b"\n")
                rows.extend(transfer.flat_record(json.loads(line), columns) for line in lines if line.strip())
            if pending.strip():
                rows.append(transfer.flat_record(json.loads(pending), columns))
        order = [*transfer.FIXED_COLUMNS, *columns, *transfer.JSON_COLUMNS]
        return pd.DataFrame.from_records(rows, columns=order)

    # ---- snapshots (dataset versions) ------------------------------------------------------------
    def create_snapshot(self, name: str = "") -> dict[str, Any]:
        """Freeze the labeled data now: content hash, counts, schema version, QA summary."""
        return self._session.json("POST", f"{self._path}/snapshots", json={"name": name},  # type: ignore[no-any-return]
                                  timeout=TRANSFER_TIMEOUT)

    def snapshots(self) -> list[dict[str, Any]]:
        return self._session.json("GET", f"{self._path}/snapshots")  # type: ignore[no-any-return]

    def snapshot(self, snapshot_id: int) -> dict[str, Any]:
        return self._session.json("GET", f"{self._path}/snapshots/{int(snapshot_id)}")  # type: ignore[no-any-return]

    def export_snapshot(self, snapshot_id: int, path: str | os.PathLike[str], format: str = "jsonl", *,
                        options: dict[str, str] | None = None) -> Path:
        """Write a snapshot in ``format`` to ``path`` (the same bytes every time); returns the path."""
        target = Path(path)
        partial = target.with_name(target.name + ".part")
        params = {"format": format, **{f"opt.{k}": v for k, v in (options or {}).items()}}
        try:
            with self._session.stream("GET", f"{self._path}/snapshots/{int(snapshot_id)}/export",
                                      params=params) as response, partial.open("wb") as out:
                for chunk in response.iter_bytes(transfer.CHUNK_BYTES):
                    out.write(chunk)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return target

    def diff_snapshots(self, snapshot_id: int, other_id: int, *, limit: int = 1000) -> dict[str, Any]:
        """Items added, removed and relabelled from one snapshot to another (lists cut at ``limit``)."""
        return self._session.json(  # type: ignore[no-any-return]
            "GET", f"{self._path}/snapshots/{int(snapshot_id)}/diff/{int(other_id)}", params={"limit": limit},
            timeout=TRANSFER_TIMEOUT)

    def snapshot_card(self, snapshot_id: int) -> str:
        """The dataset card of a snapshot, as markdown."""
        return self._session.request("GET", f"{self._path}/snapshots/{int(snapshot_id)}/card").text
