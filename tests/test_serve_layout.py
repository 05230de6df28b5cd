"""The copy network's labels: none crosses a line, a node or another label, and the view
box holds them all (small graphs, complete and sparse, short and long outlet names)."""

from __future__ import annotations

import itertools
import random

import pytest

pytest.importorskip("fastapi")

from narrascope.serve.pages import (  # noqa: E402
    NODE_RADIUS,
    _boxes_overlap,
    _segment_hits_box,
    circle_layout,
)

NAMES = ["Frontline Daily", "Independent Monitor", "Example Daily", "The Balkan Herald",
         "Pravda-style Aggregator Network", "Wire", "EU Observer Online", "Kyiv Bulletin",
         "Global Times Mirror", "North Courier", "Le Monde Diplomatique (copy)", "RT"]


@pytest.mark.parametrize("n", range(2, 13))
@pytest.mark.parametrize("dense", [True, False])
def test_labels_cross_no_line_node_or_label(n: int, dense: bool) -> None:
    rng = random.Random(n)
    names = NAMES[:n]
    pairs = list(itertools.combinations(names, 2))
    if not dense:
        pairs = rng.sample(pairs, max(1, len(pairs) // 3))
    g = circle_layout({"edges": [{"source": a, "target": b, "pairs": rng.randint(1, 9)}
                                 for a, b in pairs]})
    boxes = [tuple(nd["box"]) for nd in g["nodes"]]
    x0, y0, w, h = (float(v) for v in g["viewbox"].split())
    for i, (nd, box) in enumerate(zip(g["nodes"], boxes, strict=True)):
        assert x0 <= box[0] and box[2] <= x0 + w and y0 <= box[1] and box[3] <= y0 + h
        for other in boxes[i + 1:]:
            assert not _boxes_overlap(box, other), (nd["name"], n, dense)
        for m in g["nodes"]:
            r = NODE_RADIUS
            assert not _boxes_overlap(box, (m["x"] - r, m["y"] - r, m["x"] + r, m["y"] + r))
        for ln in g["lines"]:
            assert not _segment_hits_box(ln["x1"], ln["y1"], ln["x2"], ln["y2"], box), \
                (nd["name"], ln["title"])


def test_segment_box_geometry() -> None:
    box = (10.0, 10.0, 20.0, 20.0)
    assert _segment_hits_box(0, 15, 30, 15, box)
    assert _segment_hits_box(12, 12, 13, 13, box)  # inside
    assert not _segment_hits_box(0, 0, 30, 5, box)
    assert not _segment_hits_box(0, 30, 30, 25, box)
