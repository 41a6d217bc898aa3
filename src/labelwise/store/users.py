"""Users, API tokens and login sessions. Tokens are stored as SHA-256 digests only."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from labelwise.store.clock import now
from labelwise.store.tables import api_tokens, users


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def insert_user(conn: Connection, *, email: str, name: str, password_hash: str | None, is_admin: bool) -> int:
    return conn.execute(
        insert(users).values(
            email=email, name=name, password_hash=password_hash, is_admin=is_admin, is_active=True,
            created_at=now(),
        ).returning(users.c.id)
    ).scalar_one()


def user_by_email(conn: Connection, email: str) -> dict[str, Any] | None:
    row = conn.execute(select(users).where(func.lower(users.c.email) == email.lower())).mappings().first()
    return dict(row) if row else None


def user_by_id(conn: Connection, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def list_users(conn: Connection) -> list[dict[str, Any]]:
    cols = [users.c.id, users.c.email, users.c.name, users.c.is_admin, users.c.is_active, users.c.created_at]
    return [dict(r) for r in conn.execute(select(*cols).order_by(users.c.id)).mappings()]


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def insert_token(
    conn: Connection, *, user_id: int, token: str, name: str, kind: str,
    csrf_token: str | None = None, expires_at: datetime | None = None,
) -> int:
    return conn.execute(
        insert(api_tokens).values(
            user_id=user_id, token_hash=token_digest(token), name=name, kind=kind,
            csrf_token=csrf_token, created_at=now(), expires_at=expires_at,
        ).returning(api_tokens.c.id)
    ).scalar_one()


def token_owner(conn: Connection, token: str) -> dict[str, Any] | None:
    """The token row joined with its active user, or None."""
    row = conn.execute(
        select(
            api_tokens.c.id.label("token_id"), api_tokens.c.kind, api_tokens.c.csrf_token,
            api_tokens.c.expires_at, users.c.id, users.c.email, users.c.is_admin,
        )
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(api_tokens.c.token_hash == token_digest(token), users.c.is_active.is_(True))
    ).mappings().first()
    return dict(row) if row else None


def list_tokens(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    cols = [api_tokens.c.id, api_tokens.c.name, api_tokens.c.created_at, api_tokens.c.last_used_at]
    q = select(*cols).where(api_tokens.c.user_id == user_id, api_tokens.c.kind == "api")
    return [dict(r) for r in conn.execute(q.order_by(api_tokens.c.id)).mappings()]


def delete_token(conn: Connection, *, token_id: int | None = None, token: str | None = None,
                 user_id: int | None = None) -> int:
    q = delete(api_tokens)
    if token_id is not None:
        q = q.where(api_tokens.c.id == token_id)
    if token is not None:
        q = q.where(api_tokens.c.token_hash == token_digest(token))
    if user_id is not None:
        q = q.where(api_tokens.c.user_id == user_id)
    return conn.execute(q).rowcount
