"""Who may do what: one policy table, used by every service before it acts.

Instance admins may do everything. Inside a project a member has one role; each role may do
what the roles below it may do, plus its own actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from labelwise.errors import Forbidden, NotFound


class Role(StrEnum):
    annotator = "annotator"
    reviewer = "reviewer"
    manager = "manager"


class Action(StrEnum):
    view = "view"  # see the project, its schema and guidelines
    annotate = "annotate"  # take tasks, submit, skip, save drafts
    browse = "browse"  # list and read every item and annotation
    review = "review"  # accept, reject, correct
    manage = "manage"  # settings, schema, members, imports, exports, audit log


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.annotator: frozenset({Action.view, Action.annotate}),
    Role.reviewer: frozenset({Action.view, Action.annotate, Action.browse, Action.review}),
    Role.manager: frozenset(Action),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated user a request acts for."""

    id: int
    email: str
    is_admin: bool = False


def role_allows(role: Role | str | None, action: Action) -> bool:
    return role is not None and action in _ALLOWED[Role(role)]


def require(actor: Actor, role: Role | str | None, action: Action, *, project: str) -> None:
    """Raise unless ``actor`` holding ``role`` in ``project`` may do ``action``.

    A user who is not a member learns nothing about the project: they get NotFound, not Forbidden.
    """
    if actor.is_admin or role_allows(role, action):
        return
    if role is None:
        raise NotFound(f"project {project!r} not found")
    raise Forbidden(f"your role {role!s} in project {project!r} does not allow {action.value}")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only an instance admin may do this")
