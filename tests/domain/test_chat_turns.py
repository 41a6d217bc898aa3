"""chat_turns: per-turn labels, ratings and notes on a chat transcript, checked against the item's turns."""

from __future__ import annotations

from typing import Any

import pytest

from labelwise.domain.consensus import item_finals
from labelwise.domain.kinds.chat_turns import turn_final
from labelwise.domain.schema import parse_schema
from labelwise.errors import Invalid

SCHEMA = parse_schema("""
fields: {chat: chat}
labels:
  - {name: quality, kind: chat_turns, field: chat, roles: [assistant], options: [helpful, harmful, off_topic],
     multiple: true, rating: 5, note: true}
  - {name: intent, kind: chat_turns, field: chat, options: [question, chitchat]}
  - {name: stars, kind: chat_turns, field: chat, rating: 3}
""")
CHAT = [
    {"role": "user", "content": "hi"},
    {"role": "assistant", "content": "hello"},
    {"role": "user", "content": "<img src=x onerror=alert(1)>"},
    {"role": "assistant", "content": "that is markup"},
]
DATA = {"chat": CHAT}


def check(label: str, value: Any, data: dict | None = None) -> Any:
    return SCHEMA.validate_result({label: value}, DATA if data is None else data)[label]


def messages(label: str, value: Any, data: dict | None = None) -> list[str]:
    with pytest.raises(Invalid) as exc:
        check(label, value, data)
    assert exc.value.status == 422
    for e in exc.value.errors:
        assert e["loc"][0] == label and e["msg"].startswith(f"{label}: ")
    return [e["msg"] for e in exc.value.errors]


def test_valid_entries_are_normalised_sorted_by_turn_labels_in_schema_order() -> None:
    value = [
        {"turn": 3, "labels": ["off_topic", "helpful"], "rating": 2.0, "note": "short"},
        {"turn": 1, "labels": ["helpful"], "rating": 4},
    ]
    assert check("quality", value) == [
        {"turn": 1, "labels": ["helpful"], "rating": 4},
        {"turn": 3, "labels": ["helpful", "off_topic"], "rating": 2, "note": "short"},
    ]
    assert check("intent", [{"turn": 0, "labels": ["question"]}, {"turn": 1, "labels": ["chitchat"]}]) == [
        {"turn": 0, "labels": ["question"]}, {"turn": 1, "labels": ["chitchat"]}]
    assert check("stars", [{"turn": 2, "rating": 3}]) == [{"turn": 2, "rating": 3}]
    assert check("quality", [{"turn": 1, "labels": [], "rating": 1}]) == [{"turn": 1, "rating": 1}]
    wrapped = {"chat": {"messages": [{"speaker": "assistant", "text": "x"}]}}
    assert check("quality", [{"turn": 0, "labels": ["harmful"]}], wrapped) == [{"turn": 0, "labels": ["harmful"]}]


def test_turn_out_of_range_for_this_items_transcript() -> None:
    assert messages("intent", [{"turn": 4, "labels": ["question"]}]) == [
        "intent: turn 4 is out of range: the transcript in 'chat' has 4 turns (0..3)"]
    short = {"chat": CHAT[:2]}
    assert check("intent", [{"turn": 1, "labels": ["question"]}], short) == [{"turn": 1, "labels": ["question"]}]
    assert messages("intent", [{"turn": 2, "labels": ["question"]}], short) == [
        "intent: turn 2 is out of range: the transcript in 'chat' has 2 turns (0..1)"]
    assert messages("intent", [{"turn": -1, "labels": ["question"]}]) == [
        "intent: turn -1 is out of range: the transcript in 'chat' has 4 turns (0..3)"]


def test_role_not_allowed() -> None:
    assert messages("quality", [{"turn": 2, "labels": ["helpful"]}]) == [
        "quality: turn 2 is by 'user', and this label only labels turns by assistant"]


def test_unknown_option_rating_outside_and_duplicate_turn() -> None:
    assert messages("quality", [{"turn": 1, "labels": ["great"]}]) == [
        "quality: turn 1: label 'great' is not one of the options (harmful, helpful, off_topic)"]
    assert messages("quality", [{"turn": 1, "rating": 6}]) == ["quality: turn 1: rating 6 is outside 1..5"]
    assert messages("quality", [{"turn": 1, "rating": 0}]) == ["quality: turn 1: rating 0 is outside 1..5"]
    assert messages("quality", [{"turn": 1, "rating": "4"}]) == [
        "quality: turn 1: rating must be a whole number, got a string '4'"]
    assert messages("quality", [{"turn": 1, "rating": 2}, {"turn": 3, "rating": 2}, {"turn": 1, "rating": 3}]) == [
        "quality: turn 1 is labelled twice (entries 0 and 2)"]


def test_single_choice_per_turn_and_what_a_label_does_not_take() -> None:
    assert messages("intent", [{"turn": 0, "labels": ["question", "chitchat"]}]) == [
        "intent: turn 0 has 2 labels, and this label takes one per turn (multiple: false)"]
    assert messages("intent", [{"turn": 0, "labels": ["question", "question"]}]) == [
        "intent: turn 0: 'question' is chosen twice",
        "intent: turn 0 has 2 labels, and this label takes one per turn (multiple: false)"]
    assert messages("intent", [{"turn": 0, "labels": ["question"], "rating": 2}]) == [
        "intent: turn 0: this label has no per-turn rating"]
    assert messages("intent", [{"turn": 0, "labels": ["question"], "note": "x"}]) == [
        "intent: turn 0: this label takes no notes (note: false)"]
    assert messages("stars", [{"turn": 0, "labels": ["question"]}]) == [
        "stars: turn 0: this label has no options, so labels must be left out"]


def test_shape_errors() -> None:
    assert messages("intent", {"turn": 0}) == ["intent: expected a list of turn entries, got an object"]
    assert messages("intent", ["x"]) == ["intent: each entry must be an object {turn, ...}, got a string"]
    assert messages("intent", [{"labels": ["question"]}]) == ["intent: 'turn' is required"]
    assert messages("intent", [{"turn": "1", "labels": ["question"]}]) == [
        "intent: turn must be a whole number (a 0-based index), got a string"]
    assert messages("intent", [{"turn": True, "labels": ["question"]}]) == [
        "intent: turn must be a whole number (a 0-based index), got a boolean"]
    assert messages("intent", [{"turn": 0, "label": "question"}]) == [
        "intent: unknown key 'label' (allowed: labels, note, rating, turn)",
        "intent: turn 0 has no labels, rating or note: leave the turn out instead"]
    assert messages("intent", [{"turn": 0, "labels": "question"}]) == [
        "intent: turn 0: labels must be a list of options, got a string"]
    assert messages("quality", [{"turn": 1, "note": 3}]) == ["quality: turn 1: note must be text, got a number"]
    assert messages("intent", [{"turn": 0, "labels": ["question"]}], {"chat": "not a transcript"}) == [
        "intent: the task has no chat transcript in data field 'chat' to label"]


def test_errors_are_located() -> None:
    with pytest.raises(Invalid) as exc:
        check("quality", [{"turn": 1, "labels": ["helpful"]}, {"turn": 3, "labels": ["nope"], "rating": 9}])
    assert [e["loc"] for e in exc.value.errors] == [["quality", 1, "labels", 0], ["quality", 1, "rating"]]
    assert [e["value"] for e in exc.value.errors] == ["nope", 9]


@pytest.mark.parametrize(("label", "msg"), [
    ({"name": "t", "kind": "chat_turns", "field": "chat"}, "needs options, a rating (rating: N) or note: true"),
    ({"name": "t", "kind": "chat_turns", "field": "chat", "rating": 11}, "less than or equal to 10"),
    ({"name": "t", "kind": "chat_turns", "field": "chat", "note": True, "roles": []}, "at least one role"),
    ({"name": "t", "kind": "chat_turns", "field": "chat", "note": True, "roles": ["a", "a"]}, "listed twice"),
    ({"name": "t", "kind": "chat_turns", "field": "text", "note": True}, "needs a field of kind chat"),
    ({"name": "t", "kind": "chat_turns", "note": True}, "is required"),
])
def test_schema_errors(label: dict, msg: str) -> None:
    with pytest.raises(Invalid) as exc:
        parse_schema({"fields": {"chat": "chat", "text": "text"}, "labels": [label]})
    assert msg in exc.value.errors[0]["msg"], exc.value.errors


def test_schema_diff_of_settings() -> None:
    base = {"name": "t", "kind": "chat_turns", "field": "chat", "options": ["a", "b"], "rating": 5}

    def diff(**change: Any) -> set[str | None]:
        old = parse_schema({"fields": {"chat": "chat"}, "labels": [base]})
        new = parse_schema({"fields": {"chat": "chat"}, "labels": [{**base, **change}]})
        return {opt for _, opt, _ in new.diff(old).breaking}

    assert diff(multiple=True) == set()
    assert diff(rating=7) == set()
    assert diff(rating=3) == {None}
    assert diff(rating=None) == {None}
    assert diff(note=True) == set()
    assert diff(roles=["assistant"]) == {None}
    assert diff(options=["a"]) == {"b"}
    plain = {"name": "t", "kind": "chat_turns", "field": "chat", "options": ["a", "b"]}
    old = parse_schema({"fields": {"chat": "chat"}, "labels": [plain]})
    assert not parse_schema({"fields": {"chat": "chat"}, "labels": [base]}).diff(old).breaking  # a rating added
    old = parse_schema({"fields": {"chat": "chat"}, "labels": [base]})
    assert list(old.options_used({"t": [{"turn": 0, "labels": ["a"]}, {"turn": 1, "rating": 2}]})) == [
        ("t", None), ("t", "a")]


def test_turn_final_votes_per_turn_and_option() -> None:
    a = [{"turn": 1, "labels": ["helpful"], "rating": 4}, {"turn": 3, "labels": ["harmful"], "rating": 1}]
    b = [{"turn": 1, "labels": ["helpful", "off_topic"], "rating": 5}]
    c = [{"turn": 1, "labels": ["helpful"], "rating": 4}, {"turn": 3, "labels": ["harmful"], "note": "bad"}]
    value, confidence = turn_final([a, b, c], ["helpful", "harmful", "off_topic"])
    assert value == [{"turn": 1, "labels": ["helpful"], "rating": 4}, {"turn": 3, "labels": ["harmful"], "rating": 1}]
    assert confidence == pytest.approx(2 / 3)
    assert turn_final([a, b], ["helpful", "harmful", "off_topic"]) == (
        [{"turn": 1, "labels": ["helpful"], "rating": 4}, {"turn": 3, "rating": 1}], 0.5)
    assert turn_final([[], []], ["helpful"]) == ([], 1.0)


def test_final_labels_on_submit_include_chat_turns() -> None:
    results = [(1, {"intent": [{"turn": 0, "labels": ["question"]}]}),
               (2, {"intent": [{"turn": 0, "labels": ["question"]}, {"turn": 2, "labels": ["chitchat"]}]})]
    rows = item_finals(7, results, [("intent", "chat_turns", ("question", "chitchat"))])
    assert rows == [{"item_id": 7, "label": "intent", "value": [{"turn": 0, "labels": ["question"]}],
                     "method": "per_turn_vote", "confidence": 0.5, "n_annotations": 2}]
