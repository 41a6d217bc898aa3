"""The labelwise SDK: talk to a labelwise server over HTTP. Needs only httpx and pydantic.

    from labelwise import Client
    client = Client("http://localhost:8000", token)       # or LABELWISE_URL / LABELWISE_TOKEN
    project = client.create_project("reviews", schema="schema.yaml")
    report = project.import_items("reviews.jsonl")
"""

from labelwise.client.client import Client
from labelwise.client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    ConnectionFailed,
    Forbidden,
    Invalid,
    NotFound,
    ServerError,
    Unauthorized,
)
from labelwise.client.models import (
    Annotation,
    AuditEntry,
    Counts,
    ImportReport,
    Item,
    Member,
    ProjectInfo,
    Review,
    Task,
    User,
)
from labelwise.client.project import Project

__all__ = [
    "Annotation",
    "ApiError",
    "AuditEntry",
    "BadRequest",
    "Client",
    "Conflict",
    "ConnectionFailed",
    "Counts",
    "Forbidden",
    "ImportReport",
    "Invalid",
    "Item",
    "Member",
    "NotFound",
    "Project",
    "ProjectInfo",
    "Review",
    "ServerError",
    "Task",
    "Unauthorized",
    "User",
]
