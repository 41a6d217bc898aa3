from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

import labelwise
from labelwise.cli import app
from labelwise.cli.demo import ADMIN_EMAIL, PROJECT_NAME, demo_file, setup_demo
from labelwise.domain.schema import parse_schema
from labelwise.services import auth, browse, projects


def test_demo_data_is_real_and_valid():
    records = [json.loads(line) for line in demo_file("comments.jsonl").decode().splitlines()]
    assert 300 <= len(records) <= 500
    assert len({r["key"] for r in records}) == len(records)
    assert all(r["text"].strip() and "&#39;" not in r["text"] for r in records)
    schema = parse_schema(demo_file("schema.yaml").decode())
    verdict = schema.label("verdict")
    assert [o.value for o in verdict.options] == ["spam", "ham"]
    assert all(o.shortcut for o in verdict.options)
    assert {lab.kind for lab in schema.labels} == {"choice", "spans"}
    assert "CC BY 4.0" in demo_file("SOURCE.md").decode()
    assert demo_file("guidelines.md").decode().startswith("# ")


def test_demo_setup_is_idempotent(ctx):
    first = setup_demo(ctx.settings)
    assert first.created_admin and first.created_project and first.generated
    assert first.imported == len(demo_file("comments.jsonl").splitlines())
    actor = auth.login(ctx, email=ADMIN_EMAIL, password=first.password)[2]
    assert actor.is_admin
    project = projects.get_project(ctx, actor, PROJECT_NAME)
    assert project["guidelines"].startswith("# Guidelines")
    second = setup_demo(ctx.settings)
    assert not (second.created_admin or second.created_project or second.generated)
    assert second.imported == 0 and second.password is None and second.project_id == first.project_id
    assert browse.count_items(ctx, actor, PROJECT_NAME)["total"] == first.imported
    assert [p["name"] for p in projects.list_projects(ctx, actor)] == [PROJECT_NAME]
    auth.login(ctx, email=ADMIN_EMAIL, password=first.password)  # unchanged


def test_demo_password_from_the_environment(ctx, monkeypatch):
    monkeypatch.setenv("LABELWISE_ADMIN_PASSWORD", "from the env")
    result = setup_demo(ctx.settings)
    assert result.created_admin and not result.generated
    auth.login(ctx, email=ADMIN_EMAIL, password="from the env")
    monkeypatch.setenv("LABELWISE_ADMIN_PASSWORD", "changed again")
    assert not setup_demo(ctx.settings).created_admin
    auth.login(ctx, email=ADMIN_EMAIL, password="changed again")


@pytest.fixture
def no_server(monkeypatch):
    """uvicorn.run replaced by a recorder: the commands set up everything, then would block serving."""
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    for name in ("LABELWISE_DATA_DIR", "LABELWISE_DB"):
        monkeypatch.setenv(name, "unset")  # restored after the test, whatever serve sets
        monkeypatch.delenv(name)
    return calls


def test_demo_command_prints_the_password_once_then_serves(tmp_path, no_server):
    folder = tmp_path / "demo-data"
    first = CliRunner().invoke(app, ["demo", "--data-dir", str(folder), "--port", "8765"])
    assert first.exit_code == 0, first.output
    assert "Created the project 'Demo: YouTube comments' with 400 comments" in first.stdout
    assert "with the password:" in first.stdout and (folder / "labelwise.db").exists()
    second = CliRunner().invoke(app, ["demo", "--data-dir", str(folder)])
    assert second.exit_code == 0 and "is there already" in second.stdout
    assert "password:" not in second.stdout and "password unchanged" in second.stdout
    assert [kw["port"] for _, kw in no_server] == [8765, 8000]
    assert all(kw["host"] == "127.0.0.1" for _, kw in no_server)


def test_serve_migrates_then_runs_uvicorn(tmp_path, no_server):
    folder = tmp_path / "served"
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(folder), "--host", "0.0.0.0", "--port", "9000"])
    assert result.exit_code == 0, result.output
    assert (folder / "labelwise.db").exists()
    served, options = no_server[0]
    assert not isinstance(served, str) and options == {"host": "0.0.0.0", "port": 9000, "log_level": "info"}
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(folder), "--workers", "3"])
    assert result.exit_code == 0, result.output
    target, options = no_server[1]
    assert target == "labelwise.api.app:app_from_env"
    assert options["factory"] is True and options["workers"] == 3
    assert os.environ["LABELWISE_DATA_DIR"] == str(folder.resolve())


def test_version_and_help():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"labelwise {labelwise.__version__}"
    assert "serve" in CliRunner().invoke(app, ["--help"]).stdout


def test_cli_works_without_the_qa_module(tmp_path):
    src = Path(labelwise.__file__).resolve().parents[1]
    code = ("import sys; sys.modules['labelwise.cli.qa'] = None\n"
            "from typer.testing import CliRunner\nfrom labelwise.cli import app\n"
            "r = CliRunner().invoke(app, ['--help'])\nprint(r.exit_code, 'qa ' in r.stdout, 'serve' in r.stdout)")
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, env=env,
                          timeout=60, check=True)
    assert done.stdout.split() == ["0", "False", "True"]
