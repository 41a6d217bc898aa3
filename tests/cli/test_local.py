from __future__ import annotations

import csv
import json
import re

import pyarrow.parquet as pq

from labelwise.services import auth


def _admin(cli):
    result = cli("user", "create", "owner@example.org", "--role", "admin", "--password", "correct horse")
    assert result.exit_code == 0, result.output
    assert "Created admin owner@example.org" in result.stdout


def test_project_create_list_import_export(cli, tmp_path, schema_file, ctx):
    _admin(cli)
    guidelines = tmp_path / "guide.md"
    guidelines.write_text("# Read carefully")
    result = cli("project", "create", "tweets", "--schema", str(schema_file), "--guidelines", str(guidelines),
                 "--overlap", "2", "--description", "Some tweets")
    assert result.exit_code == 0, result.output
    assert "Created project 'tweets'" in result.stdout
    listed = cli("project", "list")
    assert listed.exit_code == 0 and "tweets" in listed.stdout

    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps({"text": f"tweet {i}", "key": f"t{i}"}) + "\n" for i in range(25)))
    result = cli("import", "tweets", str(items))
    assert result.exit_code == 0, result.output
    assert "Imported 25 new items" in result.stdout
    assert "Importing items.jsonl" in result.stderr and "100%" in result.stderr and "25 rows" in result.stderr
    again = cli("import", "tweets", str(items), "--key-field", "key")
    assert "Imported 0 new items" in again.stdout and "25 already there" in again.stdout
    listed = cli("project", "list")
    assert re.search(r"tweets\s+.\s+25\s+.\s+2", listed.stdout), listed.stdout

    result = cli("export", "tweets", "--format", "csv", "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert "Exporting to out.csv" in result.stderr
    with (tmp_path / "out.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["text"] for r in rows] == [f"tweet {i}" for i in range(25)]
    result = cli("export", "tweets", "-o", str(tmp_path / "out.jsonl"), "--state", "new")
    assert result.exit_code == 0, result.output
    assert "Exported 25 items" in result.stdout and "25/25" in result.stderr
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["key"] for r in records] == [f"t{i}" for i in range(25)]
    assert cli("export", "tweets", "-o", str(tmp_path / "out.parquet")).exit_code == 0
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 25
    assert cli("export", "tweets", "-o", str(tmp_path / "none.jsonl"), "--state", "accepted").exit_code == 0
    assert (tmp_path / "none.jsonl").read_text() == ""
    result = cli("export", "tweets", "-o", str(tmp_path / "ls.json"), "--format", "labelstudio")
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "ls.json").read_text())) == 25
    assert cli("export", "tweets", "-o", str(tmp_path / "x.json"), "-O", "novalue").exit_code == 2
    bad = cli("export", "tweets", "-o", str(tmp_path / "x.jsonl"), "-O", "label=x")
    assert bad.exit_code == 1 and "takes no options" in bad.stderr


def test_bad_file_exits_non_zero_with_the_row_errors(cli, tmp_path, schema_file):
    _admin(cli)
    cli("project", "create", "tweets", "--schema", str(schema_file))
    bad = tmp_path / "bad.csv"
    bad.write_text("text,other\nfine,1\n,2\nalso fine,3\n,4\n")
    result = cli("import", "tweets", str(bad))
    assert result.exit_code == 1
    assert "Error: 2 of 4 rows are invalid; nothing was imported" in result.stderr
    assert re.search(r"^\s*2 .* data\.text .* missing field 'text'", result.stderr, re.M), result.stderr
    assert re.search(r"^\s*4 .* data\.text", result.stderr, re.M)
    assert "Traceback" not in result.output
    assert "0 " in cli("project", "list").stdout
    kept = cli("import", "tweets", str(bad), "--skip-invalid")
    assert kept.exit_code == 0 and "Imported 2 new items" in kept.stdout and "2 invalid" in kept.stdout
    assert "missing field 'text'" in kept.stdout


def test_user_errors_are_one_line_not_tracebacks(cli, tmp_path, schema_file):
    result = cli("project", "create", "x", "--schema", str(schema_file))
    assert result.exit_code == 1 and "has no admin yet" in result.stderr and "user create" in result.stderr
    _admin(cli)
    assert cli("project", "create", "x", "--schema", str(schema_file)).exit_code == 0
    dup = cli("project", "create", "x", "--schema", str(schema_file))
    assert dup.exit_code == 1 and "exists already" in dup.stderr
    missing = cli("import", "nope", str(schema_file.with_name("items.jsonl").resolve()))
    assert missing.exit_code == 2  # the file does not exist: a usage error from Typer
    (tmp_path / "items.txt").write_text("x")
    assert cli("import", "x", str(tmp_path / "items.txt")).exit_code == 2
    (tmp_path / "items.jsonl").write_text('{"text": "a"}\n')
    gone = cli("import", "nope", str(tmp_path / "items.jsonl"))
    assert gone.exit_code == 1 and "project 'nope' not found" in gone.stderr
    bad_schema = tmp_path / "bad.yaml"
    bad_schema.write_text("fields: {text: text}\nlabels: [{name: s, kind: choice, options: []}]\n")
    result = cli("project", "create", "y", "--schema", str(bad_schema))
    assert result.exit_code == 1 and "Error:" in result.stderr
    state = cli("export", "x", "-o", str(tmp_path / "o.jsonl"), "--state", "bogus")
    assert state.exit_code == 1 and "state must be one of" in state.stderr
    assert not (tmp_path / "o.jsonl").exists() and not (tmp_path / "o.jsonl.part").exists()
    assert all("Traceback" not in r.output for r in (result, state, gone, dup))


def test_no_database_in_the_folder(tmp_path):
    from typer.testing import CliRunner

    from labelwise.cli import app

    result = CliRunner().invoke(app, ["project", "list", "--data-dir", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "no labelwise database" in result.stderr
    assert not (tmp_path / "empty").exists()


def test_user_and_token_create(cli, ctx):
    result = cli("user", "create", "someone@example.org")
    assert result.exit_code == 0, result.output
    password = re.search(r"Password \(shown once\): (\S+)", result.stdout).group(1)
    assert auth.login(ctx, email="someone@example.org", password=password)[2].is_admin is False
    token = cli("token", "create", "someone@example.org", "--name", "ci")
    assert token.exit_code == 0
    assert re.fullmatch(r"lw_\S+\n", token.stdout)
    assert auth.authenticate(ctx, token.stdout.strip())[0].email == "someone@example.org"
    assert cli("token", "create", "ghost@example.org").exit_code == 1
    dup = cli("user", "create", "someone@example.org", "--password", "correct horse")
    assert dup.exit_code == 1 and "exists already" in dup.stderr
    short = cli("user", "create", "short@example.org", "--password", "short")
    assert short.exit_code == 1 and "at least 8 characters" in short.stderr


def test_migrate_creates_a_new_data_folder(tmp_path):
    from typer.testing import CliRunner

    from labelwise.cli import app

    folder = tmp_path / "fresh"
    result = CliRunner().invoke(app, ["migrate", "--data-dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "labelwise.db").exists() and "up to date" in result.stdout
    assert CliRunner().invoke(app, ["migrate", "--data-dir", str(folder)]).exit_code == 0
