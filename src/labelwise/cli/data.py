"""``labelwise import`` and ``labelwise export``, with progress bars."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer

from labelwise.cli.output import errors_table, out, progress_bar
from labelwise.cli.where import DataDirOption, DbOption, TokenOption, UrlOption, Where
from labelwise.client.transfer import format_of

if TYPE_CHECKING:
    from labelwise.services.context import Context

ProjectArg = Annotated[str, typer.Argument(help="Project name or id.")]


class _Reader(io.RawIOBase):
    """A file read through a counter of the bytes read so far (for the progress bar).

    Readers may wrap the stream (a text wrapper for CSV) and drop the wrapper unclosed; closing
    this reader leaves the file itself to its ``with`` block.
    """

    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._file.readinto(buffer)  # type: ignore[attr-defined,no-any-return]

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


NATIVE_FORMATS = ("jsonl", "csv", "parquet")


def _options(values: list[str]) -> dict[str, str]:
    options = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"expected NAME=VALUE, not {value!r}", param_hint="--option")
        options[name.strip()] = setting
    return options


def import_command(
    project: ProjectArg,
    file: Annotated[Path, typer.Argument(exists=True, readable=True,
                                         help="A .jsonl, .json, .csv or .parquet file, or a file or folder in "
                                         "another --format.")],
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the valid rows and report the "
                                               "others, instead of rejecting the whole file.")] = False,
    key_field: Annotated[str | None, typer.Option("--key-field", help="The field holding each row's unique key "
                                                  "(rows whose key exists already are skipped).",
                                                  show_default=False)] = None,
    format: Annotated[str | None, typer.Option(
        "--format", "-f", help="jsonl, json, csv, parquet, or a dataset format with labels: coco, yolo, "
        "yolo-seg, yolo-pose, voc, conll, spacy, ner-jsonl, labelstudio (a folder is sent as a zip). "
        "(default: from the file's extension)", show_default=False)] = None,
    labels: Annotated[str | None, typer.Option(
        "--labels", help="What to do with the file's labels: annotations (attributed by annotator email), "
        "predictions, or ignore. (default: annotations for dataset formats, ignore for jsonl/json/csv/parquet)",
        show_default=False)] = None,
    as_predictions: Annotated[bool, typer.Option("--as-predictions", help="Import the labels as predictions "
                                                 "(pre-labels), not annotations.")] = False,
    model: Annotated[str | None, typer.Option("--model", help="The model name of imported predictions "
                                              "(default: the format).", show_default=False)] = None,
    annotator: Annotated[str | None, typer.Option(
        "--annotator", help="The user (email) who takes annotations whose annotator is not a user.",
        show_default=False)] = None,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-O", help="A reader option as NAME=VALUE (repeatable), e.g. -O label=entities.",
        show_default=False)] = None,
    data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """Import items from a file into a project, with their labels in dataset formats. All or nothing unless
    --skip-invalid."""
    try:
        fmt = format or format_of(file)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="FILE") from None
    if as_predictions:
        labels = "predictions"
    options = _options(option or [])
    if file.is_dir():
        import_folder(project, file, fmt, skip_invalid=skip_invalid, key_field=key_field, labels=labels,
                      model=model, annotator=annotator, options=options, where=Where(data_dir, db, url, token))
        return
    where = Where(data_dir, db, url, token)
    size = file.stat().st_size
    with progress_bar(f"Importing {file.name}", total=size) as bar:
        if where.remote:
            with where.client() as client:
                def sent(done: int) -> None:
                    bar.update(done, note="sent" if done < size else "the server is importing...")

                report: dict[str, Any] = client.get_project(project).import_items(
                    file, skip_invalid=skip_invalid, key_field=key_field, format=fmt, progress=sent, labels=labels,
                    model=model, annotator=annotator, options=options).model_dump()
        else:
            from labelwise.services import auth, imports

            with _importing(where) as ctx, file.open("rb", buffering=0) as raw:
                def rows_done(rows: int) -> None:
                    bar.update(raw.tell() if not raw.closed else size, note=f"{rows:,} rows")

                stream = io.BufferedReader(_Reader(raw))
                report = imports.import_stream(ctx, auth.local_admin(ctx), project, stream, fmt, source=file.name,
                                               skip_invalid=skip_invalid, key_field=key_field,
                                               progress=rows_done, labels=labels, model=model,
                                               annotator=annotator, options=options).as_dict()
        bar.update(size, note=f"{report['rows']:,} rows")
    print_report(project, report)


@contextmanager
def _importing(where: Where) -> Iterator[Context]:
    """The local context an import runs in, with the job queue the import hands the text index's catch-up
    to opened first, as a server opens it at startup: not after the last row (0.2 s in a fresh process)."""
    from labelwise.services import imports

    with where.context() as ctx:
        imports.prepare_index_queue(ctx)
        yield ctx


def print_report(project: str, report: dict[str, Any]) -> None:
    labelled = f", {report['annotations']:,} annotations" if report.get("annotations") else ""
    out.print(f"Imported {report['created']:,} new items into {project!r} from {report['rows']:,} rows "
              f"({report['skipped']:,} already there, {report['invalid']:,} invalid{labelled})", highlight=False)
    if report["errors"]:
        out.print(errors_table(report["errors"]))


def import_folder(project: str, folder: Path, fmt: str, *, where: Where, **settings: Any) -> None:
    """A folder format (YOLO, VOC, spaCy): zipped, then imported like a file."""
    from labelwise.client.transfer import zipped

    if where.remote:
        with where.client() as client:
            report: dict[str, Any] = client.get_project(project).import_items(folder, format=fmt,
                                                                              **settings).model_dump()
    else:
        from labelwise.services import auth, imports

        with _importing(where) as ctx, zipped(folder) as stream:
            report = imports.import_stream(ctx, auth.local_admin(ctx), project, stream, fmt,
                                           source=f"{folder.name}.zip", **settings).as_dict()
    print_report(project, report)


def export_command(
    project: ProjectArg,
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False, help="The file to write.")],
    format: Annotated[str | None, typer.Option(
        "--format", "-f", help="jsonl (one record per item, nested), csv or parquet (one row per item), or "
        "another format the project offers: coco, yolo, voc, conll, spacy, labelstudio... (see docs/formats.md). "
        "(default: from the output file's extension, else jsonl)", show_default=False)] = None,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-O", help="A format option as NAME=VALUE (repeatable), e.g. -O label=entities.",
        show_default=False)] = None,
    state: Annotated[str | None, typer.Option("--state", help="Only items in this state: new, in_progress, "
                                              "annotated, in_review, accepted, rejected.",
                                              show_default=False)] = None,
    annotator: Annotated[str | None, typer.Option("--annotator", help="Only items this user (email) annotated.",
                                                  show_default=False)] = None,
    label: Annotated[str | None, typer.Option("--label", help="Only items with an annotation using this "
                                              "label or option.", show_default=False)] = None,
    data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """Export a project's items with their annotations, streamed to a file."""
    suffix = output.suffix.lower().lstrip(".")
    fmt = format or (suffix if suffix in NATIVE_FORMATS else "jsonl")
    options = _options(option or [])
    filters = {"state": state, "annotator": annotator, "label": label}
    where = Where(data_dir, db, url, token)
    partial = output.with_name(output.name + ".part")
    try:
        if where.remote:
            with where.client() as client:
                handle = client.get_project(project)
                total = handle.counts(**filters).total
                with handle.export_stream(fmt, options=options, **filters) as chunks:
                    items = _write(chunks, partial, fmt, total)
        else:
            from labelwise.services import auth, browse, exports

            with where.context() as ctx:
                actor = auth.local_admin(ctx)
                total = browse.count_items(ctx, actor, project, **filters)["total"]
                stream = exports.export(ctx, actor, project, fmt, options=options, **filters)
                items = _write(stream.chunks, partial, fmt, total)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    size = output.stat().st_size
    out.print(f"Exported {items if items is not None else total:,} items to {output} ({size:,} bytes, {fmt})",
              highlight=False)


def _write(chunks: Iterator[bytes], path: Path, fmt: str, total: int) -> int | None:
    """Write the chunks; the bar counts items for JSONL (one per line), bytes otherwise."""
    items = 0 if fmt == "jsonl" else None
    unit = "items" if fmt == "jsonl" else "bytes"
    with progress_bar(f"Exporting to {path.name.removesuffix('.part')}", total=total if unit == "items" else None,
                      unit=unit) as bar, path.open("wb") as f:
        for chunk in chunks:
            f.write(chunk)
            if items is not None:
                items += chunk.count(b"\n")
                bar.update(items)
            else:
                bar.advance(len(chunk))
    return items


def import_media_command(
    project: ProjectArg,
    source: Annotated[Path, typer.Argument(exists=True, readable=True,
                                           help="A folder of media files, a zip of them, or one file.")],
    field: Annotated[str | None, typer.Option(help="The schema field to fill (when several fit).")] = None,
    skip_invalid: Annotated[bool, typer.Option(help="Import the readable files; list the others.")] = False,
    data_dir: DataDirOption = None, db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """Import images, audio, video or time series: one item per file, facts computed on the server."""
    where = Where(data_dir, db, url, token)
    if where.remote:
        with where.client() as client:
            report: dict[str, Any] = client.get_project(project).import_media(
                source, field=field, skip_invalid=skip_invalid).model_dump()
    else:
        from labelwise.services import auth, media_import

        with _importing(where) as ctx:
            report = media_import.import_path(ctx, auth.local_admin(ctx), project, source, field=field,
                                              skip_invalid=skip_invalid).as_dict()
    print_report(project, report)


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("import-media")(import_media_command)
    app.command("export")(export_command)
