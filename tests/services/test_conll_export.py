"""A CoNLL export of a live project takes the fast path (items as stored, ``exports.iter_stored``) and gives
the bytes of the general path (records), of a snapshot of the same project, and the same bytes run to run:
ASCII, several lines, right-to-left text, spans out of order or crossing tokens, several annotations,
reviews, items without annotations or text, results stored in other JSON styles, filters, pages small
enough to cut an item's annotations."""

from __future__ import annotations

import json
from typing import Any

from labelwise.formats import registry
from labelwise.formats.base import ExportReport
from labelwise.services import exports, snapshots
from labelwise.store.items import ItemFilter

from .fast_path_projects import reviewed_project, set_result, set_stored

SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "ORG", "LOC"]},
    {"name": "people", "kind": "spans", "field": "text", "options": ["PER"]}]}
AR = "يعيش مُحَمَّد في القاهرة."


def _span(text: str, word: str, label: str) -> dict[str, Any]:
    start = text.index(word)
    return {"start": start, "end": start + len(word), "label": label}


def _rows(world: Any) -> list[dict[str, Any]]:
    one, two = world.annotator.actor.email, world.annotator2.actor.email

    def row(key: str, txt: str, *results: dict[str, Any]) -> dict[str, Any]:
        people = [{"annotator": who, "result": r} for who, r in zip((one, two), results, strict=False)]
        return {"key": key, "text": txt, "annotations": people}

    plain = [row(f"plain{i}", f"Ada Lovelace wrote to Charles Babbage about item {i}.",
                 {"entities": [_span("Ada Lovelace", "Ada Lovelace", "PER"),
                               {"start": 22, "end": 37, "label": "PER" if i % 2 else "ORG"}]})
             for i in range(8)]
    return [*plain,
            row("lines", "Paris is big.\n\nRome too", {"entities": [{"start": 15, "end": 19, "label": "LOC"},
                                                                    {"start": 0, "end": 5, "label": "LOC"}]}),
            row("arabic", AR, {"entities": [_span(AR, "مُحَمَّد", "PER"), _span(AR, "القاهرة", "LOC")],
                               "people": [_span(AR, "مُحَمَّد", "PER")]}),
            row("crossing", "New Yorkers like pizza", {"entities": [{"start": 0, "end": 8, "label": "LOC"}]}),
            row("two", "Ada met Alan", {"entities": [_span("Ada met Alan", "Ada", "PER")]},
                {"entities": [_span("Ada met Alan", "Alan", "PER")]}),
            row("accepted", "Grace Hopper", {"entities": [{"start": 0, "end": 12, "label": "PER"}]}),
            row("corrected", "Alan Turing", {"entities": []}, {"entities": [{"start": 0, "end": 4, "label": "ORG"}]}),
            row("empty", "nobody annotated this"),
            row("notext", "its text is replaced", {"people": []})]


def _project(world: Any) -> Any:
    access, records = reviewed_project(world, "ner", SCHEMA, _rows(world),
                                       {"entities": [{"start": 5, "end": 11, "label": "PER"}]})
    ctx = world.ctx
    with ctx.db.write() as conn:  # older rows and other writers may hold JSON with spaces, or null
        set_result(conn, records["plain1"]["annotations"][0]["id"],
                   json.dumps({"entities": [{"label": "PER", "end": 12, "start": 0}]}, separators=(", ", " : ")))
        set_result(conn, records["plain2"]["annotations"][0]["id"], "null")
        set_stored(conn, "item_payloads", "data", "item_id", records["notext"]["id"], '{"text": 12}')
    return access


def _general(world: Any, access: Any, f: ItemFilter, **options: Any) -> tuple[bytes, dict[str, Any]]:
    report = ExportReport()
    pages = exports.iter_records(world.ctx, access, f, lean=True)
    return b"".join(registry.export("conll", pages, access.schema, report, **options)), report.to_dict()


def test_the_fast_path_gives_the_general_paths_bytes(world: Any) -> None:
    ctx, manager = world.ctx, world.manager.actor
    access = _project(world)
    general, report = _general(world, access, ItemFilter())
    full = b"".join(registry.export("conll", exports.iter_records(ctx, access, ItemFilter()), access.schema))
    fast = b"".join(exports.export(ctx, manager, "ner", "conll").chunks)
    assert fast == general == full
    assert b"".join(exports.export(ctx, manager, "ner", "conll").chunks) == fast  # run to run
    for page in (1, 2, 3, 5):  # an item's annotations cut by the page, or one item more than a page
        fast_report = ExportReport()
        pages = exports.iter_stored(ctx, access, ItemFilter(), page=page)
        assert b"".join(registry.export("conll", pages, access.schema, fast_report)) == general, page
        assert fast_report.to_dict() == report, page
    words = AR[:-1].split()
    docs = fast.decode().split("-DOCSTART- -X- -X- O\n\n")[1:]
    assert len(docs) == 16 and report["items"] == 16
    assert docs[0] == ("Ada _ _ B-PER\nLovelace _ _ I-PER\nwrote _ _ O\nto _ _ O\nCharles _ _ B-ORG\n"
                       "Babbage _ _ I-ORG\nabout _ _ O\nitem _ _ O\n0 _ _ O\n. _ _ O\n\n")
    assert docs[1].startswith("Ada _ _ B-PER\nLovelace _ _ I-PER\nwrote _ _ O\nto _ _ O\nCharles _ _ O\n")
    assert "Ada _ _ O\n" in docs[2] and "B-" not in docs[2]  # a null result
    assert docs[8:] == [
        "Paris _ _ B-LOC\nis _ _ O\nbig _ _ O\n. _ _ O\n\nRome _ _ B-LOC\ntoo _ _ O\n\n",
        f"{words[0]} _ _ O\n{words[1]} _ _ B-PER\n{words[2]} _ _ O\n{words[3]} _ _ B-LOC\n. _ _ O\n\n",
        "New _ _ B-LOC\nYorkers _ _ I-LOC\nlike _ _ O\npizza _ _ O\n\n",
        "Ada _ _ B-PER\nmet _ _ O\nAlan _ _ O\n\n",  # a tie: the earliest value
        "Grace _ _ B-PER\nHopper _ _ I-PER\n\n",
        "Alan _ _ O\nTuring _ _ B-PER\n\n",
        "nobody _ _ O\nannotated _ _ O\nthis _ _ O\n\n",
        ""]
    assert [(p["key"], p["message"]) for p in report["problems"]] == [
        ("crossing", "span 0:8 'New York' (LOC) crosses token boundaries; written as the tokens 0:11 'New Yorkers'"),
        ("notext", "no text in data field 'text'; written as an empty document")]


def test_filters_options_and_snapshots_give_the_same_bytes_on_both_paths(world: Any) -> None:
    ctx, manager = world.ctx, world.manager.actor
    access = _project(world)
    filters = [({"label": "PER"}, ItemFilter(label="PER")), ({"state": "annotated"}, ItemFilter(state="annotated")),
               ({"annotator": world.annotator2.actor.email}, ItemFilter(annotator_id=world.annotator2.actor.id))]
    for given, f in filters:
        general, _ = _general(world, access, f)
        assert b"".join(exports.export(ctx, manager, "ner", "conll", **given).chunks) == general, given
        assert general.count(b"-DOCSTART-") >= 2, given
    people, _ = _general(world, access, ItemFilter(), label="people")
    assert b"".join(exports.export(ctx, manager, "ner", "conll", options={"label": "people"}).chunks) == people
    assert f"{AR.split()[1]} _ _ B-PER\n".encode() in people and b"Lovelace _ _ I-PER" not in people
    snap = snapshots.create_snapshot(ctx, manager, "ner")
    frozen = b"".join(snapshots.export_snapshot(ctx, manager, "ner", snap["id"], "conll").chunks)
    assert frozen == b"".join(exports.export(ctx, manager, "ner", "conll").chunks)
