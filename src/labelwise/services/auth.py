"""Users, passwords, API tokens and login sessions.

Passwords are hashed with Argon2id; API and session tokens are random 256-bit strings stored
only as SHA-256 digests. Lookups of a token go through a short-lived in-process cache so that
the annotation hot path does not pay a query per request; a deleted token or user stops
working within ``TOKEN_CACHE_SECONDS``.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from labelwise.domain.permissions import Actor, require_admin
from labelwise.errors import Conflict, Invalid, NotFound, Unauthorized
from labelwise.services.context import Context
from labelwise.store import audit, users
from labelwise.store.clock import aware, now

_hasher = PasswordHasher()
TOKEN_CACHE_SECONDS = 5.0
_token_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def _check_email(email: str) -> str:
    email = email.strip()
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise Invalid(f"not an email address: {email!r}")
    return email


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise Invalid("a password needs at least 8 characters")


def create_user(ctx: Context, actor: Actor | None, *, email: str, password: str | None = None, name: str = "",
                is_admin: bool = False) -> dict[str, Any]:
    """Create a user. ``actor`` None is the local CLI acting as the instance owner."""
    if actor is not None:
        require_admin(actor)
    email = _check_email(email)
    if password is not None:
        _check_password(password)
    with ctx.db.write() as conn:
        if users.user_by_email(conn, email):
            raise Conflict(f"a user with email {email!r} exists already")
        user_id = users.insert_user(conn, email=email, name=name or email.split("@")[0],
                                    password_hash=_hasher.hash(password) if password else None, is_admin=is_admin)
        audit.record(conn, user_id=actor.id if actor else None, action="user.create", target=email,
                     details={"is_admin": is_admin})
    return {"id": user_id, "email": email, "name": name or email.split("@")[0], "is_admin": is_admin}


def list_users(ctx: Context, actor: Actor) -> list[dict[str, Any]]:
    require_admin(actor)
    with ctx.db.read() as conn:
        return users.list_users(conn)


def set_password(ctx: Context, actor: Actor | None, *, email: str, password: str) -> None:
    _check_password(password)
    with ctx.db.write() as conn:
        user = users.user_by_email(conn, email)
        if user is None:
            raise NotFound(f"no user {email!r}")
        if actor is not None and actor.id != user["id"]:
            require_admin(actor)
        users.update_user(conn, user["id"], password_hash=_hasher.hash(password))
        audit.record(conn, user_id=actor.id if actor else None, action="user.password", target=email)


def deactivate_user(ctx: Context, actor: Actor | None, *, email: str) -> None:
    """Deactivate a user and delete every token and session they hold."""
    if actor is not None:
        require_admin(actor)
    with ctx.db.write() as conn:
        user = users.user_by_email(conn, email)
        if user is None:
            raise NotFound(f"no user {email!r}")
        users.update_user(conn, user["id"], is_active=False)
        users.delete_token(conn, user_id=user["id"])
        audit.record(conn, user_id=actor.id if actor else None, action="user.deactivate", target=email)
    _token_cache.clear()


def login(ctx: Context, *, email: str, password: str) -> tuple[str, str, Actor]:
    """Check a password; open a session. Returns (session token, CSRF token, actor)."""
    with ctx.db.read() as conn:
        user = users.user_by_email(conn, email.strip())
    ok = False
    if user and user["is_active"] and user["password_hash"]:
        try:
            ok = _hasher.verify(user["password_hash"], password)
        except (VerificationError, InvalidHashError):
            ok = False
    if not ok or user is None:
        raise Unauthorized("wrong email or password")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with ctx.db.write() as conn:
        users.insert_token(conn, user_id=user["id"], token=token, name="session", kind="session", csrf_token=csrf,
                           expires_at=now() + timedelta(days=ctx.settings.session_days))
        if _hasher.check_needs_rehash(user["password_hash"]):
            users.update_user(conn, user["id"], password_hash=_hasher.hash(password))
        audit.record(conn, user_id=user["id"], action="user.login", target=user["email"])
    return token, csrf, Actor(id=user["id"], email=user["email"], is_admin=user["is_admin"])


def logout(ctx: Context, token: str) -> None:
    with ctx.db.write() as conn:
        users.delete_token(conn, token=token)
    _token_cache.pop(token, None)


def create_token(ctx: Context, actor: Actor | None, *, email: str, name: str = "api") -> str:
    """A new personal API token for ``email`` (yourself, or anyone if admin). Shown once."""
    token = "lw_" + secrets.token_urlsafe(32)
    with ctx.db.write() as conn:
        user = users.user_by_email(conn, email)
        if user is None or not user["is_active"]:
            raise NotFound(f"no active user {email!r}")
        if actor is not None and actor.id != user["id"]:
            require_admin(actor)
        users.insert_token(conn, user_id=user["id"], token=token, name=name, kind="api")
        audit.record(conn, user_id=actor.id if actor else user["id"], action="token.create", target=email,
                     details={"name": name})
    return token


def list_tokens(ctx: Context, actor: Actor) -> list[dict[str, Any]]:
    with ctx.db.read() as conn:
        return users.list_tokens(conn, actor.id)


def revoke_token(ctx: Context, actor: Actor, token_id: int) -> None:
    with ctx.db.write() as conn:
        if not users.delete_token(conn, token_id=token_id, user_id=None if actor.is_admin else actor.id):
            raise NotFound(f"token {token_id} not found")
        audit.record(conn, user_id=actor.id, action="token.revoke", target=str(token_id))
    _token_cache.clear()


def authenticate_cached(token: str) -> tuple[Actor, dict[str, Any]] | None:
    """``authenticate`` without I/O: the answer if the token was seen in the last few seconds, else None."""
    cached = _token_cache.get(token)
    if cached is None or time.monotonic() - cached[0] >= TOKEN_CACHE_SECONDS:
        return None
    return _actor(cached[1])


def authenticate(ctx: Context, token: str) -> tuple[Actor, dict[str, Any]]:
    """The actor a token belongs to, and the token's facts (kind, csrf). Raises Unauthorized."""
    known = authenticate_cached(token)
    if known is not None:
        return known
    with ctx.db.read() as conn:
        row = users.token_owner(conn, token)
    if row is None:
        _token_cache.pop(token, None)
        raise Unauthorized("invalid or expired token")
    if len(_token_cache) > 10_000:
        _token_cache.clear()
    _token_cache[token] = (time.monotonic(), row)
    return _actor(row)


def _actor(row: dict[str, Any]) -> tuple[Actor, dict[str, Any]]:
    expires = aware(row["expires_at"])
    if expires is not None and expires < now():
        raise Unauthorized("session expired: log in again")
    return Actor(id=row["id"], email=row["email"], is_admin=row["is_admin"]), row


def me(ctx: Context, actor: Actor) -> dict[str, Any]:
    with ctx.db.read() as conn:
        user = users.user_by_id(conn, actor.id)
    assert user is not None
    return {k: user[k] for k in ("id", "email", "name", "is_admin", "created_at")}


def local_admin(ctx: Context, email: str | None = None) -> Actor:
    """Who the local CLI acts as: the active admin ``email``, or else the first active admin.

    Creates nothing: NotFound when there is no such admin.
    """
    with ctx.db.read() as conn:
        admins = [u for u in users.list_users(conn) if u["is_admin"] and u["is_active"]]
    if email is not None:
        admins = [u for u in admins if u["email"] == email.strip()]
    if not admins:
        raise NotFound(f"no active admin {email!r}" if email else
                       "this instance has no admin yet: create one with `labelwise user create EMAIL --role admin`")
    return Actor(id=admins[0]["id"], email=admins[0]["email"], is_admin=True)
