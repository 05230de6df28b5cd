"""Article-level frames (SemEval-2023 Task 3 subtask 2) from transparent lexical cues.

Each frame has cue regexes (``resources/techniques/frames.yaml``).  A content sentence
supports a frame when a cue matches it; the frame's confidence is a saturating function
of the share of supporting sentences and of the number of distinct cues, and the
evidence is the sentences with the most distinct cue hits.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from narrascope.components.techniques.taxonomy import frame_names, resource_dir
from narrascope.doc import Article, Label, Sentence


class FrameDetector:
    def __init__(self, path: str | Path | None = None) -> None:
        p = Path(path) if path else resource_dir() / "frames.yaml"
        data: dict[str, Any] = yaml.safe_load(p.read_text(encoding="utf-8"))
        known = set(frame_names())
        self.min_confidence = float(data.get("min_confidence", 0.3))
        self.max_evidence = int(data.get("max_evidence", 3))
        self.cues: dict[str, re.Pattern[str]] = {}
        for name, cues in data["frames"].items():
            if name not in known:
                raise ValueError(f"{p}: unknown frame {name!r}")
            self.cues[name] = re.compile(r"\b(?:" + "|".join(f"(?:{c})" for c in cues) + r")",
                                         re.IGNORECASE)

    def __call__(self, article: Article, sentences: list[Sentence]) -> list[Label]:
        if not sentences:
            return []
        n = len(sentences)
        ordered = sorted(sentences, key=lambda s: s.start)
        starts = [s.start for s in ordered]
        lo, hi = ordered[0].start, max(s.end for s in ordered)
        labels: list[Label] = []
        for name, rx in self.cues.items():
            found: dict[int, set[str]] = defaultdict(set)
            for m in rx.finditer(article.text, lo, hi):
                k = bisect_right(starts, m.start()) - 1
                if k >= 0 and m.end() <= ordered[k].end:
                    found[k].add(m.group().lower())
            if not found:
                continue
            hits: list[tuple[int, Sentence]] = [(len(v), ordered[k]) for k, v in found.items()]
            distinct: set[str] = set().union(*found.values())
            share = len(hits) / n
            conf = (1 - math.exp(-3.0 * share)) * (1 - math.exp(-0.7 * len(distinct)))
            if len(hits) < 2 and n > 3:
                conf *= 0.5
            conf = round(min(1.0, conf), 4)
            if conf < self.min_confidence:
                continue
            top = sorted(hits, key=lambda h: (-h[0], h[1].index))[: self.max_evidence]
            best = max(h[0] for h in top)
            evidence = [article.evidence(s.start, s.end, score=round(k / best, 4),
                                         sentence=s.index)
                        for k, s in sorted(top, key=lambda h: h[1].index)]
            labels.append(Label(label=name, confidence=conf, evidence=evidence, source="pattern"))
        labels.sort(key=lambda lab: -lab.confidence)
        return labels
