"""Final labels of one item in plain Python: the submit path's consensus (no numpy, scipy or pandas).

- **regions** (``spans``, ``time_ranges``, ``audio_ranges``, ``bbox``): the "match then vote" scheme of
  ``labelwise.qa.RegionConsensus``, step for step: annotators in a fixed order (their ids), each one's
  regions matched one-to-one to the current clusters (a cluster is the member median) by maximal total
  IoU, with IoU >= ``iou_threshold``; a cluster with votes from a strict majority of the item's annotators
  is kept, with the majority label and the member median. The assignment is a port of the shortest
  augmenting path solver that ``scipy.optimize.linear_sum_assignment`` uses (Crouse 2016), so ties are
  broken the same way; a hypothesis test holds the output equal to the library's.
- **multi_choice**: a majority vote per option (selected or not; a tie leaves it out).
- **rating** (the lower median, a valid rating) and **number** (the median).
- **chat_turns**: per turn, a majority vote per option and the lower median of the ratings
  (:func:`labelwise.domain.kinds.chat_turns.turn_final`).

Labels of other kinds (polygons, text, taxonomy, ...) get no final label on submit; polygons get one from a
project recompute (``RegionConsensus(kind="polygon")``).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from labelwise.domain.kinds.chat_turns import turn_final
from labelwise.domain.quality import majority_vote

#: schema kind -> RegionConsensus kind
REGION_KINDS = {"spans": "span", "time_ranges": "time", "audio_ranges": "time", "bbox": "box", "polygon": "polygon"}
SUBMIT_REGION_KINDS = frozenset({"spans", "time_ranges", "audio_ranges", "bbox"})
SCALAR_KINDS = frozenset({"multi_choice", "rating", "number", "chat_turns"})
#: final-label method per scalar kind
SCALAR_METHODS = {"multi_choice": "per_option_vote", "chat_turns": "per_turn_vote"}
IOU_THRESHOLD = 0.5
REGION_METHOD = "region_consensus"

Coords = tuple[float, ...]


def region_coords(region: dict[str, Any], kind: str) -> Coords:
    """A region as the library parses it: ``(start, end)`` or box corners ``(x1, y1, x2, y2)``."""
    if kind == "box":
        x, y = float(region["x"]), float(region["y"])
        return (x, y, x + float(region["width"]), y + float(region["height"]))
    return (float(region["start"]), float(region["end"]))


def _iou(a: Coords, b: Coords) -> float:
    """IoU with the operations in the order numpy does them in ``qa.geometry.iou_matrix``."""
    if len(a) == 2:
        inter = max(min(a[1], b[1]) - max(a[0], b[0]), 0.0)
        union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    else:
        inter = max(min(a[2], b[2]) - max(a[0], b[0]), 0.0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    if union > 0:
        return inter / union
    return 1.0 if a == b else 0.0


def _median(values: Sequence[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def linear_sum_assignment_max(weights: list[list[float]]) -> list[tuple[int, int]]:
    """Pairs ``(row, col)`` of a one-to-one assignment maximising the total weight (every row or every
    column matched), found as ``scipy.optimize.linear_sum_assignment(..., maximize=True)`` finds it."""
    nr = len(weights)
    nc = len(weights[0]) if nr else 0
    if nr == 0 or nc == 0:
        return []
    transpose = nc < nr
    if transpose:
        cost = [[-weights[i][j] for i in range(nr)] for j in range(nc)]
        nr, nc = nc, nr
    else:
        cost = [[-w for w in row] for row in weights]
    u, v = [0.0] * nr, [0.0] * nc
    path, col4row, row4col = [-1] * nc, [-1] * nr, [-1] * nc
    for cur in range(nr):
        shortest = [math.inf] * nc
        sr, sc = [False] * nr, [False] * nc
        remaining = list(range(nc - 1, -1, -1))
        min_val, i, sink = 0.0, cur, -1
        while sink == -1:
            index, lowest = -1, math.inf
            sr[i] = True
            for it, j in enumerate(remaining):
                r = min_val + cost[i][j] - u[i] - v[j]
                if r < shortest[j]:
                    path[j] = i
                    shortest[j] = r
                if shortest[j] < lowest or (shortest[j] == lowest and row4col[j] == -1):
                    lowest = shortest[j]
                    index = it
            min_val = lowest
            j = remaining[index]
            if row4col[j] == -1:
                sink = j
            else:
                i = row4col[j]
            sc[j] = True
            remaining[index] = remaining[-1]
            remaining.pop()
        u[cur] += min_val
        for k in range(nr):
            if sr[k] and k != cur:
                u[k] += min_val - shortest[col4row[k]]
        for k in range(nc):
            if sc[k]:
                v[k] -= min_val - shortest[k]
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            col4row[i], j = j, col4row[i]
            if i == cur:
                break
    if transpose:
        return sorted((col4row[c], c) for c in range(nr))
    return [(r, col4row[r]) for r in range(nr)]


def consensus_regions(annotations: Sequence[tuple[Any, list[dict[str, Any]]]], kind: str, *,
                      iou_threshold: float = IOU_THRESHOLD) -> list[tuple[Coords, str, int, float]]:
    """``RegionConsensus(kind=kind).fit_predict`` for one item: ``(coords, label, votes, confidence)`` per kept
    cluster, coords as the library outputs them (start/end, or x/y/width/height).

    ``annotations``: ``(annotator, regions)`` pairs; annotators are visited in sorted order, like the library.
    """
    ordered = sorted(annotations, key=lambda a: a[0])
    n_annotators = len({a for a, _ in ordered})
    need = n_annotators // 2 + 1
    members: list[list[tuple[Coords, str]]] = []
    centres: list[Coords] = []
    for _, regions in ordered:
        mine = [(region_coords(r, kind), str(r.get("label", ""))) for r in regions]
        matched: dict[int, int] = {}
        if mine and centres:
            weights = [[_iou(c, centre) for centre in centres] for c, _ in mine]
            for r, c in linear_sum_assignment_max(weights):
                w = weights[r][c]
                if w > 0 and (w >= iou_threshold if iou_threshold > 0 else w > 0):
                    matched[r] = c
        for n, member in enumerate(mine):
            if n in matched:
                members[matched[n]].append(member)
            else:
                members.append([member])
        centres = [tuple(_median([m[0][d] for m in cl]) for d in range(len(cl[0][0]))) for cl in members]
    out = []
    for cluster, centre in zip(members, centres, strict=True):
        votes = len(cluster)
        if votes < need:
            continue
        counts = Counter(m[1] for m in cluster)
        best = max(counts.values())
        label = min(name for name, k in counts.items() if k == best)
        coords = (centre[0], centre[1], centre[2] - centre[0], centre[3] - centre[1]) if kind == "box" else centre
        out.append((coords, label, votes, votes / n_annotators))
    return out


def region_value(kind: str, clusters: Sequence[tuple[Coords, str]]) -> list[dict[str, Any]]:
    """Consensus clusters as a result value of the schema kind (spans widened to whole characters)."""
    out: list[dict[str, Any]] = []
    for coords, label in clusters:
        if kind == "spans":
            out.append({"start": math.floor(coords[0]), "end": math.ceil(coords[1]), "label": label})
        elif kind == "bbox":
            x, y, w, h = coords
            out.append({"x": x, "y": y, "width": w, "height": h, "label": label})
        elif kind == "polygon":
            out.append({"points": coords[0], "label": label})
        else:
            out.append({"start": coords[0], "end": coords[1], "label": label})
    return out


def region_confidence(kept_votes: int, total_regions: int) -> float:
    """Share of all the regions the annotators drew that ended up in a kept cluster (1 when none was drawn)."""
    return kept_votes / total_regions if total_regions else 1.0


def scalar_final(kind: str, values: list[Any], options: Sequence[str] = ()) -> tuple[Any, float]:
    """``(value, confidence)`` of a multi_choice (majority per option), rating, number or chat_turns label."""
    if kind == "chat_turns":
        return turn_final(values, options)
    if kind == "multi_choice":
        chosen, shares = [], []
        for option in options:
            selected, share = majority_vote([option in v for v in values])
            shares.append(share)
            if selected:
                chosen.append(option)
        return chosen, min(shares, default=1.0)
    value = statistics.median_low(values) if kind == "rating" else statistics.median(values)
    return value, sum(1 for v in values if v == value) / len(values)


def item_finals(item_id: int, results: Sequence[tuple[int, dict[str, Any]]],
                labels: Sequence[tuple[str, str, Sequence[str]]]) -> list[dict[str, Any]]:
    """Final-label rows of one item for labels ``(name, kind, options)`` of the kinds handled on submit."""
    rows: list[dict[str, Any]] = []
    for name, kind, options in labels:
        if kind in SUBMIT_REGION_KINDS:
            anns = [(u, list(r.get(name) or [])) for u, r in results]
            kept = consensus_regions(anns, REGION_KINDS[kind])
            total = sum(len(regions) for _, regions in anns)
            value = region_value(kind, [(c, label) for c, label, _, _ in kept])
            rows.append({"item_id": item_id, "label": name, "value": value, "method": REGION_METHOD,
                         "confidence": region_confidence(sum(k[2] for k in kept), total),
                         "n_annotations": len(anns)})
        elif kind in SCALAR_KINDS:
            values = [r[name] for _, r in results if r.get(name) is not None]
            if values:
                value, confidence = scalar_final(kind, values, options)
                rows.append({"item_id": item_id, "label": name, "value": value,
                             "method": SCALAR_METHODS.get(kind, "median"),
                             "confidence": confidence, "n_annotations": len(values)})
    return rows
