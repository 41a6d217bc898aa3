"""labelwise.qa: inter-annotator agreement and truth inference over long-format labels.

A standalone numeric library (numpy, scipy, pandas only). Input: one row per (item, annotator, label),
as a DataFrame or CSV path. See docs/qa.md.

>>> import pandas as pd
>>> from labelwise import qa
>>> df = pd.DataFrame(
...     {"item": [1, 1, 2, 2], "annotator": ["a", "b", "a", "b"], "label": ["x", "x", "y", "x"]}
... )
>>> qa.agreement(df, "percent_agreement")
0.5
>>> qa.aggregate(df, "majority_vote")["label"].tolist()
['x', 'x']
"""

from labelwise.qa.aggregation import (
    GLAD,
    MACE,
    BaseAggregator,
    DawidSkene,
    GoldWeighted,
    MajorityVote,
    OneCoinDawidSkene,
    RegionConsensus,
    WeightedMajorityVote,
    aggregate,
)
from labelwise.qa.agreement import (
    AgreementResult,
    agreement,
    agreement_per_label,
    krippendorff_alpha_matrix,
    pairwise_agreement,
)
from labelwise.qa.errors import QAError

__all__ = [
    "GLAD",
    "MACE",
    "AgreementResult",
    "BaseAggregator",
    "DawidSkene",
    "GoldWeighted",
    "MajorityVote",
    "OneCoinDawidSkene",
    "QAError",
    "RegionConsensus",
    "WeightedMajorityVote",
    "aggregate",
    "agreement",
    "agreement_per_label",
    "krippendorff_alpha_matrix",
    "pairwise_agreement",
]
