"""``labelwise import --format ...``, ``import-labelstudio`` and ``snapshot ...`` on a local data folder."""

from __future__ import annotations

import json


def _admin(cli):  # type: ignore[no-untyped-def]
    result = cli("user", "create", "owner@example.org", "--role", "admin", "--password", "correct horse")
    assert result.exit_code == 0, result.output


def test_labeled_import_and_snapshots(cli, tmp_path):  # type: ignore[no-untyped-def]
    _admin(cli)
    schema_file = tmp_path / "ner.yaml"
    schema_file.write_text("fields: {text: text}\nlabels:\n  - {name: entities, kind: spans, field: text, "
                           "options: [PER, ORG]}\n")
    assert cli("project", "create", "tweets", "--schema", str(schema_file)).exit_code == 0
    conll = tmp_path / "in.conll"
    conll.write_text("-DOCSTART- -X- -X- O\n\nAda _ _ B-PER\nworks _ _ O\n\n-DOCSTART- -X- -X- O\n\nACME _ _ B-ORG\n")
    result = cli("import", "tweets", str(conll), "--format", "conll", "-O", "label=entities")
    assert result.exit_code == 1 and "unknown annotators" in result.output and "'conll'" in result.output
    result = cli("import", "tweets", str(conll), "--format", "conll", "--as-predictions", "--model", "ner-v1")
    assert result.exit_code == 0, result.output
    assert "Imported 2 new items" in result.stdout

    result = cli("snapshot", "create", "tweets", "--name", "v1")
    assert result.exit_code == 0, result.output and "Snapshot 1" in result.stdout
    listed = cli("snapshot", "list", "tweets", "--json")
    snap = json.loads(listed.stdout)[0]
    assert snap["name"] == "v1" and snap["items"] == 2
    out1 = tmp_path / "s.conll"
    result = cli("snapshot", "export", "tweets", str(snap["id"]), "-o", str(out1), "-f", "ner-jsonl",
                 "-O", "label=entities")
    assert result.exit_code == 0, result.output
    items = tmp_path / "more.jsonl"
    items.write_text(json.dumps({"text": "new"}) + "\n")
    assert cli("import", "tweets", str(items)).exit_code == 0
    assert cli("snapshot", "create", "tweets").exit_code == 0
    out2 = tmp_path / "s2.conll"
    cli("snapshot", "export", "tweets", str(snap["id"]), "-o", str(out2), "-f", "ner-jsonl", "-O", "label=entities")
    assert out1.read_bytes() == out2.read_bytes()
    diff = cli("snapshot", "diff", "tweets", str(snap["id"]), str(snap["id"] + 1))
    assert "1 added, 0 removed, 0 relabelled, 2 unchanged" in diff.stdout
    card = cli("snapshot", "card", "tweets", str(snap["id"]))
    assert card.exit_code == 0 and "## Annotators" in card.stdout


def test_import_labelstudio(cli, tmp_path):  # type: ignore[no-untyped-def]
    _admin(cli)
    export = tmp_path / "ls.json"
    export.write_text(json.dumps([{"data": {"text": "hello"}, "annotations": [
        {"completed_by": {"email": "owner@example.org"},
         "result": [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}]}]}]))
    config = tmp_path / "config.xml"
    config.write_text('<View><Text name="text" value="$text"/><Choices name="c" toName="text">'
                      '<Choice value="a"/></Choices><Ellipse name="e" toName="text"/></View>')
    result = cli("import-labelstudio", str(export), "--config", str(config), "--project", "ls")
    assert result.exit_code == 0, result.output
    assert "Created project 'ls'" in result.stdout and "Not translated: Ellipse e" in result.stdout
    assert "1 annotations" in result.stdout
