"""Label kinds, one module per family. ``LabelDef`` is the tagged union a schema's ``labels`` hold."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from labelwise.domain.kinds.base import DATA_KINDS, LabelBase, Option
from labelwise.domain.kinds.choice import ChoiceLabel, MultiChoiceLabel
from labelwise.domain.kinds.scalar import NumberLabel, RatingLabel, TextLabel
from labelwise.domain.kinds.spans import RelationsLabel, SpansLabel

LabelDef = Annotated[
    ChoiceLabel | MultiChoiceLabel | SpansLabel | RelationsLabel | RatingLabel | NumberLabel | TextLabel,
    Field(discriminator="kind"),
]

#: kind name -> model class
KINDS: dict[str, type[LabelBase]] = {
    cls.model_fields["kind"].default: cls
    for cls in (
        ChoiceLabel,
        MultiChoiceLabel,
        SpansLabel,
        RelationsLabel,
        RatingLabel,
        NumberLabel,
        TextLabel,
    )
}

__all__ = [
    "DATA_KINDS",
    "KINDS",
    "ChoiceLabel",
    "LabelBase",
    "LabelDef",
    "MultiChoiceLabel",
    "NumberLabel",
    "Option",
    "RatingLabel",
    "RelationsLabel",
    "SpansLabel",
    "TextLabel",
]
