"""A new project from a Label Studio export and its labeling config.

The config's tags become a labelwise schema (``formats.labelstudio_config.translate_config``); tags it
cannot translate are listed by name in the answer. The tasks then go through the ordinary staged import
with their annotations (by users' emails) or as predictions. If the import fails, the new project is
removed again, so a failed attempt leaves nothing behind.
"""

from __future__ import annotations

from typing import IO, Any

from labelwise.domain.permissions import Actor, require_admin
from labelwise.errors import Invalid
from labelwise.formats.base import FormatError
from labelwise.formats.labelstudio_config import translate_config
from labelwise.services import imports, projects
from labelwise.services.context import Context


def create_from_labelstudio(ctx: Context, actor: Actor, *, name: str, export: IO[bytes], config: str | bytes,
                            source: str = "labelstudio.json", labels: str = "annotations", model: str | None = None,
                            annotator: str | None = None) -> dict[str, Any]:
    """``{"project", "untranslated": ["Tag name", ...], "import": report}``."""
    require_admin(actor)
    try:
        schema, untranslated = translate_config(config)
    except FormatError as exc:
        raise Invalid(str(exc), errors=[{"loc": [exc.file, exc.where], "msg": exc.reason}]) from None
    if not schema.get("labels"):
        raise Invalid("the labeling config has no tag labelwise can translate"
                      + (f" (untranslated: {', '.join(untranslated)})" if untranslated else ""))
    project = projects.create_project(ctx, actor, name=name, schema=schema,
                                      description="Imported from Label Studio")
    try:
        report = imports.import_stream(ctx, actor, project["id"], export, "labelstudio", source=source,
                                       labels=labels, model=model, annotator=annotator)
    except BaseException:
        projects.delete_project(ctx, actor, project["id"])
        raise
    return {"project": projects.get_project(ctx, actor, project["id"]), "untranslated": untranslated,
            "import": report.as_dict()}
