"""Label kinds, one module per family. ``LabelDef`` is the tagged union a schema's ``labels`` hold."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from labelwise.domain.kinds.base import DATA_KINDS, LabelBase, Option
from labelwise.domain.kinds.chat_turns import ChatTurnsLabel
from labelwise.domain.kinds.choice import ChoiceLabel, MultiChoiceLabel
from labelwise.domain.kinds.compare import PairwiseLabel, RankingLabel
from labelwise.domain.kinds.image import BBoxLabel, PolygonLabel
from labelwise.domain.kinds.pose import KeypointsLabel, MaskLabel
from labelwise.domain.kinds.scalar import NumberLabel, RatingLabel, TextLabel
from labelwise.domain.kinds.spans import RelationsLabel, SpansLabel
from labelwise.domain.kinds.taxonomy import TaxonomyLabel, TaxonomyNode
from labelwise.domain.kinds.timed import AudioRangesLabel, TimeRangesLabel, VideoBoxesLabel

LabelDef = Annotated[
    ChoiceLabel
    | MultiChoiceLabel
    | TaxonomyLabel
    | SpansLabel
    | RelationsLabel
    | RatingLabel
    | NumberLabel
    | TextLabel
    | PairwiseLabel
    | RankingLabel
    | BBoxLabel
    | PolygonLabel
    | KeypointsLabel
    | MaskLabel
    | AudioRangesLabel
    | TimeRangesLabel
    | VideoBoxesLabel
    | ChatTurnsLabel,
    Field(discriminator="kind"),
]

_CLASSES: tuple[type[LabelBase], ...] = (
    ChoiceLabel, MultiChoiceLabel, TaxonomyLabel, SpansLabel, RelationsLabel, RatingLabel, NumberLabel,
    TextLabel, PairwiseLabel, RankingLabel, BBoxLabel, PolygonLabel, KeypointsLabel, MaskLabel,
    AudioRangesLabel, TimeRangesLabel, VideoBoxesLabel, ChatTurnsLabel,
)  # fmt: skip

#: kind name -> model class
KINDS: dict[str, type[LabelBase]] = {cls.model_fields["kind"].default: cls for cls in _CLASSES}

__all__ = [
    "DATA_KINDS",
    "KINDS",
    "AudioRangesLabel",
    "BBoxLabel",
    "ChatTurnsLabel",
    "ChoiceLabel",
    "KeypointsLabel",
    "LabelBase",
    "LabelDef",
    "MaskLabel",
    "MultiChoiceLabel",
    "NumberLabel",
    "Option",
    "PairwiseLabel",
    "PolygonLabel",
    "RankingLabel",
    "RatingLabel",
    "RelationsLabel",
    "SpansLabel",
    "TaxonomyLabel",
    "TaxonomyNode",
    "TextLabel",
    "TimeRangesLabel",
    "VideoBoxesLabel",
]
