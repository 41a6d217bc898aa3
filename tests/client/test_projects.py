from __future__ import annotations

import json

import pytest

from labelwise.client import ApiError, Client, Conflict, ConnectionFailed, Forbidden, Invalid, NotFound, Unauthorized

SCHEMA_YAML = """\
fields: {text: text}
labels:
  - {name: topic, kind: choice, options: [sports, politics]}
"""


def test_create_project_from_dict_yaml_text_and_path(admin, tmp_path):
    p1 = admin.create_project("from-dict", schema={"fields": {"text": "text"},
                                                   "labels": [{"name": "ok", "kind": "choice", "options": ["y", "n"]}]},
                              guidelines="# Be kind", overlap=2, description="d")
    assert p1.name == "from-dict" and p1.info.overlap == 2 and p1.info.guidelines == "# Be kind"
    assert p1.info.description == "d" and p1.info.role == "manager"
    p2 = admin.create_project("from-yaml", schema=SCHEMA_YAML)
    assert p2.schema["labels"][0]["name"] == "topic"
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"fields": {"text": "text"}, "labels": [{"name": "x", "kind": "choice",
                                                                        "options": ["a"]}]}))
    p3 = admin.create_project("from-path", schema=str(path))
    assert p3.schema["labels"][0]["name"] == "x"
    p4 = admin.create_project("from-pathlib", schema=path, ordering="random")
    assert p4.info.ordering == "random"


def test_get_project_by_id_and_name_and_list(admin, world):
    by_name = admin.get_project("demo")
    assert by_name.id == world.project["id"]
    assert admin.get_project(by_name.id).name == "demo"
    spaced = admin.create_project("Demo: with spaces", schema=SCHEMA_YAML)
    assert admin.get_project("Demo: with spaces").id == spaced.id
    assert {"demo", "other", "Demo: with spaces"} <= {p.name for p in admin.projects()}
    assert repr(by_name).startswith("<Project")


def test_annotator_sees_only_their_projects(client_for):
    assert [p.name for p in client_for("annotator").projects()] == ["demo"]


def test_errors_carry_status_message_and_details(admin, client_for):
    with pytest.raises(NotFound) as err:
        admin.get_project("nope")
    assert err.value.status == 404 and "nope" in err.value.message
    with pytest.raises(Conflict) as err:
        admin.create_project("demo", schema=SCHEMA_YAML)
    assert err.value.status == 409
    with pytest.raises(Invalid) as err:
        admin.create_project("bad", schema={"fields": {"text": "text"}, "labels": []})
    assert err.value.status == 422 and err.value.errors
    with pytest.raises(Forbidden):
        client_for("annotator").create_project("mine", schema=SCHEMA_YAML)
    assert isinstance(err.value, ApiError)


def test_bad_token_and_unreachable_server(live):
    with Client(live.url, "lw_wrong") as client, pytest.raises(Unauthorized) as err:
        client.projects()
    assert err.value.status == 401
    with Client("http://127.0.0.1:9", "x") as client, pytest.raises(ConnectionFailed) as err:
        client.health()
    assert err.value.status == 0


def test_url_and_token_from_environment(live, world, monkeypatch):
    monkeypatch.setenv("LABELWISE_URL", live.url + "/api/v1/")
    monkeypatch.setenv("LABELWISE_TOKEN", world.manager.token)
    with Client() as client:
        assert client.url == live.url
        assert client.me().email == "manager@example.org"
        assert client.health()["ok"] is True


def test_no_url_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("LABELWISE_URL", raising=False)
    with pytest.raises(ValueError, match="LABELWISE_URL"):
        Client()


def test_users_tokens_and_members(admin, live):
    user = admin.create_user("new@example.org", password="long enough", name="New")
    assert user.email == "new@example.org" and not user.is_admin
    with pytest.raises(Conflict):
        admin.create_user("new@example.org")
    token = admin.create_token("new@example.org")
    project = admin.get_project("demo")
    member = project.add_member("new@example.org", role="reviewer")
    assert member.role == "reviewer"
    assert "new@example.org" in {m.email for m in project.members()}
    with Client(live.url, token) as mine:
        assert mine.me().email == "new@example.org"
        assert [p.name for p in mine.projects()] == ["demo"]
    with pytest.raises(NotFound):
        project.add_member("ghost@example.org")
    with pytest.raises(Invalid):
        project.add_member("new@example.org", role="boss")
    project.remove_member("new@example.org")
    assert "new@example.org" not in {m.email for m in project.members()}


def test_update_change_schema_and_delete(admin):
    project = admin.create_project("scratch", schema=SCHEMA_YAML)
    assert project.update(overlap=3).info.overlap == 3
    assert project.refresh().info.overlap == 3
    changed = project.change_schema(SCHEMA_YAML.replace("politics]", "politics, science]"))
    assert changed.info.schema_version == 2
    project.delete()
    with pytest.raises(NotFound):
        admin.get_project("scratch")
