"""Result validation speed (it runs on every submit).

Run:  python bench/bench_schema.py

Prints microseconds per ``validate_result`` call (best of 5 rounds) for a few typical results.
"""

from __future__ import annotations

import timeit

from rich.console import Console
from rich.table import Table

from labelwise.domain.schema import parse_schema

TEXT = "Ada Lovelace met Charles Babbage in London. " * 5
SCHEMA = parse_schema("""
fields: {text: text, image: image}
labels:
  - {name: sentiment, kind: choice, options: [positive, negative, neutral]}
  - {name: entities, kind: spans, field: text, options: [PER, ORG, LOC]}
  - {name: boxes, kind: bbox, field: image, options: [car, person]}
  - name: tagged
    kind: bbox
    field: image
    options: [car, person]
    attributes:
      - {name: occluded, type: boolean}
      - {name: color, type: choice, options: [red, blue], required: true}
      - {name: count, type: number, min: 0, max: 10, integer: true}
""")
CASES = {
    "choice": {"sentiment": "positive"},
    "choice + 2 spans": {"sentiment": "positive", "entities": [{"start": 0, "end": 12, "label": "PER"},
                                                                {"start": 36, "end": 42, "label": "LOC"}]},
    "20 spans": {"entities": [{"start": i * 10, "end": i * 10 + 5, "label": "PER"} for i in range(20)]},
    "50 boxes": {"boxes": [{"x": i, "y": i, "width": 10, "height": 10, "label": "car"} for i in range(50)]},
    "50 boxes, 3 attributes each": {"tagged": [{"x": i, "y": i, "width": 10, "height": 10, "label": "car",
                                                "attributes": {"occluded": True, "color": "red", "count": 3}}
                                               for i in range(50)]},
}


def main() -> None:
    data = {"text": TEXT, "image": "img.png"}
    media = {"image": {"width": 640, "height": 480}}
    table = Table(title="validate_result, µs per call (best of 5)")
    table.add_column("result")
    table.add_column("µs", justify="right")
    for name, result in CASES.items():
        n = 2000
        best = min(timeit.repeat(lambda r=result: SCHEMA.validate_result(r, data, media), number=n, repeat=5)) / n
        table.add_row(name, f"{best * 1e6:.1f}")
    Console().print(table)


if __name__ == "__main__":
    main()
