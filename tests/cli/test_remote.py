"""``--url`` mode: the same commands through the SDK against a live server."""

from __future__ import annotations

import json
import re

from labelwise.services import auth


def test_commands_through_a_server(cli, live, world, tmp_path, schema_file, monkeypatch):
    url = ["--url", live.url, "--token", world.admin.token]
    result = cli("project", "create", "remote", "--schema", str(schema_file), "--overlap", "2", *url, local=False)
    assert result.exit_code == 0, result.output
    assert "Created project 'remote'" in result.stdout
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps({"text": f"r {i}"}) + "\n" for i in range(12)))
    result = cli("import", "remote", str(items), *url, local=False)
    assert result.exit_code == 0, result.output
    assert "Imported 12 new items" in result.stdout and "Importing items.jsonl" in result.stderr
    # the token and URL may come from the environment
    monkeypatch.setenv("LABELWISE_URL", live.url)
    monkeypatch.setenv("LABELWISE_TOKEN", world.admin.token)
    listed = cli("project", "list", local=False)
    assert listed.exit_code == 0 and re.search(r"remote\s+.\s+12\s+.\s+2", listed.stdout), listed.output
    out = tmp_path / "out.jsonl"
    result = cli("export", "remote", "-o", str(out), local=False)
    assert result.exit_code == 0, result.output
    assert "Exported 12 items" in result.stdout and "12/12" in result.stderr
    assert [json.loads(line)["data"]["text"] for line in out.read_text().splitlines()] == [f"r {i}" for i in
                                                                                           range(12)]
    result = cli("export", "remote", "-o", str(tmp_path / "out.csv"), local=False)
    assert result.exit_code == 0 and (tmp_path / "out.csv").read_text().startswith("id,key,state,text")

    created = cli("user", "create", "remote@example.org", "--password", "correct horse", local=False)
    assert created.exit_code == 0, created.output
    token = cli("token", "create", "remote@example.org", local=False)
    assert token.exit_code == 0 and re.fullmatch(r"lw_\S+\n", token.stdout)
    assert auth.authenticate(world.ctx, token.stdout.strip())[0].email == "remote@example.org"


def test_server_errors_print_the_rows_and_exit_1(cli, live, world, tmp_path):
    url = ["--url", live.url, "--token", world.manager.token]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"nope": 1}\n{broken\n')
    result = cli("import", "demo", str(bad), *url, local=False)
    assert result.exit_code == 1
    assert "Error: 2 of 3 rows are invalid" in result.stderr
    assert re.search(r"^\s*2 .* missing field 'text'", result.stderr, re.M), result.stderr
    assert re.search(r"^\s*3 .* not valid JSON", result.stderr, re.M)
    assert "Traceback" not in result.output
    forbidden = cli("project", "create", "x", "--schema", str(bad), *url, local=False)
    assert forbidden.exit_code == 1 and "admin" in forbidden.stderr
    missing = cli("export", "nope", "-o", str(tmp_path / "x.jsonl"), *url, local=False)
    assert missing.exit_code == 1 and "not found" in missing.stderr
    assert not (tmp_path / "x.jsonl").exists()
    wrong = cli("project", "list", "--url", live.url, "--token", "lw_wrong", local=False)
    assert wrong.exit_code == 1 and "invalid or expired token" in wrong.stderr
    down = cli("project", "list", "--url", "http://127.0.0.1:9", "--token", "x", local=False)
    assert down.exit_code == 1 and "cannot reach" in down.stderr
