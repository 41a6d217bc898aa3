"""The relational schema. Alembic migrations in ``store/migrations`` create exactly these tables.

Listing and counting touch only narrow rows (``items``, ``annotations``); payloads live in
``item_payloads`` and ``annotations.result`` so that a project of a million items lists fast.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON()
When = DateTime(timezone=True)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    Column("password_hash", String(200)),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("created_at", When, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    Column("kind", String(16), nullable=False, default="api"),  # api | session
    Column("csrf_token", String(64)),
    Column("created_at", When, nullable=False),
    Column("expires_at", When),
    Column("last_used_at", When),
)

projects = Table(
    "projects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("guidelines", Text, nullable=False, default=""),
    Column("schema_version", Integer, nullable=False, default=1),
    Column("overlap", Integer, nullable=False, default=1),
    Column("ordering", String(16), nullable=False, default="sequential"),
    Column("show_others", Boolean, nullable=False, default=False),
    Column("lease_seconds", Integer),
    # Quality settings (dynamic overlap, gold, review sampling, checks): one JSON object, read with the
    # project row and interpreted by domain.quality.QualitySettings. None means every default.
    Column("quality", Json),
    Column("created_by", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", When, nullable=False),
    Column("updated_at", When, nullable=False),
)

schema_versions = Table(
    "schema_versions",
    metadata,
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("schema", Json, nullable=False),
    Column("created_by", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", When, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("gold_resumed_at", When),  # a manager resumed this annotator: gold answers before it no longer count
    Index("ix_members_user", "user_id"),
)

_UNSTAGED = text("import_id IS NULL")  # the visible-item indexes' condition: VISIBLE below, as SQL

items = Table(
    "items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(512)),
    Column("state", String(16), nullable=False, default="new"),
    # Needs more annotations: the queue scans (project_id, is_open, sort_key).
    Column("is_open", Boolean, nullable=False, default=True),
    Column("sort_key", Float, nullable=False, default=0.0),
    Column("n_submitted", Integer, nullable=False, default=0),
    # Set when the item closes: its place in the review sample (higher first; see services.quality).
    Column("review_priority", Float),
    # Set while the import that wrote the item is still running; such items are invisible (``VISIBLE`` in
    # store/items.py) and left out of the two indexes below that only visible items need.
    Column("import_id", Id, ForeignKey("imports.id", ondelete="SET NULL")),
    Column("created_at", When, nullable=False),
    Column("updated_at", When, nullable=False),
    UniqueConstraint("project_id", "key", name="uq_items_project_key"),
    # Visible items only: an import's staged items enter these when it publishes them (by clearing
    # import_id), rather than being written into them twice. A query uses them only if it says VISIBLE.
    Index("ix_items_queue", "project_id", "is_open", "sort_key", "id", sqlite_where=_UNSTAGED,
          postgresql_where=_UNSTAGED),
    Index("ix_items_project", "project_id", "id"),  # listing and exporting in id order
    # import_id, NULL in every entry, lets counts read this index alone: SQLite 3.40 reads each row to check
    # a partial index's condition unless the index holds its column
    Index("ix_items_state", "project_id", "state", "id", "import_id", sqlite_where=_UNSTAGED,
          postgresql_where=_UNSTAGED),
    # closed items only: the many open ones (an import's) are not written into it
    Index("ix_items_review", "project_id", "review_priority", sqlite_where=text("review_priority IS NOT NULL"),
          postgresql_where=text("review_priority IS NOT NULL")),
)

# Items a running import staged are invisible until it publishes them. Every read of a project's items
# says so, which is also what lets it use ix_items_queue and ix_items_state (they hold visible items only).
VISIBLE = items.c.import_id.is_(None)

imports = Table(
    "imports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("source", String(500), nullable=False, default=""),
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("owner", String(300), nullable=False, default=""),  # host:pid of the process writing it
    Column("report", Json),
    Column("created_at", When, nullable=False),
    Column("heartbeat_at", When, nullable=False),
)

item_payloads = Table(
    "item_payloads",
    metadata,
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("data", Json, nullable=False),
    Column("meta", Json),
)

predictions = Table(
    "predictions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("model", String(200), nullable=False, default=""),
    Column("score", Float),
    Column("result", Json, nullable=False),
    Column("created_at", When, nullable=False),
)

# One row per (item, annotator): a lease, then a draft, a submission or a skip.
annotations = Table(
    "annotations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),  # leased | submitted | skipped
    Column("lease_expires_at", When),
    Column("result", Json),
    Column("draft", Json),
    Column("skip_reason", Text),
    Column("schema_version", Integer),
    Column("lead_time", Float, nullable=False, default=0.0),
    Column("review_status", String(16)),  # None | accepted | rejected | corrected
    Column("checks", Json),  # warnings of the project's automatic checks at submit (None: none)
    Column("created_at", When, nullable=False),
    Column("updated_at", When, nullable=False),
    Column("submitted_at", When),
    UniqueConstraint("item_id", "user_id", name="uq_annotations_item_user"),
    Index("ix_annotations_user", "project_id", "user_id", "status", "id"),
    Index("ix_annotations_item", "item_id", "status"),
    Index("ix_annotations_review", "project_id", "status", "review_status", "id"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("annotation_id", Id, ForeignKey("annotations.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("reviewer_id", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("action", String(16), nullable=False),  # accept | reject | correct
    Column("comment", Text, nullable=False, default=""),
    Column("result", Json),
    Column("created_at", When, nullable=False),
)

# Gold items: an item with a known answer. Gold items are never open in the regular queue; the
# queue serves them to every annotator as a share of their work (services.gold).
gold_answers = Table(
    "gold_answers",
    metadata,
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("result", Json, nullable=False),
    Column("created_by", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", When, nullable=False),
    Index("ix_gold_answers_project", "project_id", "item_id"),
)

# Each item's aggregated label, per label name: majority vote on submit, Dawid-Skene on demand.
final_labels = Table(
    "final_labels",
    metadata,
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("label", String(200), primary_key=True),
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("value", Json),
    Column("method", String(32), nullable=False),
    Column("confidence", Float),
    Column("n_annotations", Integer, nullable=False, default=0),
    Column("updated_at", When, nullable=False),
    Index("ix_final_labels_project", "project_id", "item_id"),
)

# Comments on an item, written by its annotators, reviewers and managers (newest last).
comments = Table(
    "comments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("body", Text, nullable=False),
    Column("created_at", When, nullable=False),
    Index("ix_comments_item", "item_id", "id"),
)

# Dataset versions: a snapshot freezes the project's export (its canonical JSON Lines, gzip with a fixed
# mtime, stored as snapshots/<project>/<sha256>.jsonl.gz in the media folder or bucket: ``file_key``) so that any
# format can be made from it later with identical bytes.
snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("schema_version", Integer, nullable=False),
    Column("content_sha256", String(64), nullable=False),  # of the uncompressed JSON Lines
    Column("file_sha256", String(64), nullable=False),  # of the stored .jsonl.gz
    Column("file_key", String(300), nullable=False),  # path under the media folder
    Column("size", BigInteger, nullable=False, default=0),  # uncompressed bytes
    Column("items", Integer, nullable=False, default=0),
    Column("annotations", Integer, nullable=False, default=0),
    Column("summary", Json),  # counts by state, annotators (counted), QA figures, guidelines, sources
    Column("created_by", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", When, nullable=False),
    Index("ix_snapshots_project", "project_id", "id"),
)

# Media a project's items refer to (``media:<key>`` in their data): the per-project access check of
# the media routes is one primary-key lookup here; ``facts`` are the probed width/height/duration/...
media_refs = Table(
    "media_refs",
    metadata,
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("kind", String(16), nullable=False),  # image | audio | video | timeseries
    Column("name", String(500), nullable=False, default=""),  # the uploaded file's name
    Column("facts", Json),
    Column("created_at", When, nullable=False),
)

# Background jobs (``labelwise.jobs``: huey): what was asked, by whom, and how it went. The queue holds only
# the job id; status and result live here so that any server process can answer ``GET .../jobs/{id}``.
jobs = Table(
    "jobs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),  # recompute | snapshot | import_file
    Column("params", Json),
    Column("status", String(16), nullable=False, default="queued"),  # queued | running | done | failed
    Column("result", Json),
    Column("error", Text),
    Column("created_by", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", When, nullable=False),
    Column("started_at", When),
    Column("heartbeat_at", When),  # written by the running job's worker every JOB_HEARTBEAT_TIMEOUT / 5
    Column("finished_at", When),
    Index("ix_jobs_project", "project_id", "id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", Id, ForeignKey("projects.id", ondelete="CASCADE")),
    Column("user_id", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=False, default=""),
    Column("details", Json),
    Column("at", When, nullable=False),
    Index("ix_audit_project", "project_id", "id"),
)
