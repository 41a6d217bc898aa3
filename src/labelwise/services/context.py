"""What every use case needs: the database, the settings, the media store and small caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from labelwise.config import Settings
from labelwise.services.media import MediaStore
from labelwise.store.database import Database

if TYPE_CHECKING:
    from labelwise.domain.schema import LabelSchema


@dataclass
class Context:
    settings: Settings
    db: Database
    media: MediaStore
    # Parsed schemas by (project id, version): versions never change once written.
    schemas: dict[tuple[int, int], LabelSchema] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        from labelwise.store.database import Database

        pool = 16
        return cls(settings=settings, db=Database.from_url(settings.database_url, pool_size=pool),
                   media=MediaStore.from_settings(settings))

    def close(self) -> None:
        self.db.dispose()
