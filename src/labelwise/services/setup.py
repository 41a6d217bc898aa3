"""Make a data folder ready to serve: folders, database schema, leftovers of a crashed process."""

from __future__ import annotations

from labelwise.config import Settings
from labelwise.services.context import Context
from labelwise.services.imports import recover_stale_imports
from labelwise.store.migrate import upgrade


def prepare(settings: Settings, *, migrate: bool = True) -> Context:
    """A context on a migrated database (``migrate`` applies pending migrations first).

    Imports abandoned by a dead process are discarded: every worker does this as it starts.
    """
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context.from_settings(settings)
    if migrate:
        upgrade(ctx.db.engine)
    recover_stale_imports(ctx)
    return ctx
