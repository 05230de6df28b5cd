"""Article-level stance for the role decision (given-mentions mode).

Roles in slanted news follow the article's side: in a pro-Kremlin text the Russian
state side is mostly Protagonist and the Ukrainian/Western side Antagonist, and the
reverse in a pro-Western text.  The stance is estimated from the role model's own
sentence-level evidence on the *other* mentions of the article (leave-one-out):
``S_i = sum_{j != i} sign(side_j) * (P_j + I_j - A_j)`` with sign +1 for ``ru`` and -1
for ``west`` (``resources/entities/aliases.yaml``, section ``sides``).  A mention of
side ``s`` then gets its Protagonist score multiplied by ``exp(w * s * tanh(S_i))`` and
its Antagonist score by the inverse; civilians get their Innocent score multiplied by
``exp(civilian_weight)``.  Weights tuned on held-out synthetic passages of other splits;
see docs/model-card-roles.md ("Stance").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

SIGN = {"ru": 1.0, "west": -1.0}
#: The climate axis (features only; the hand-set stance rule below is URW-only).
CC_SIGN = {"green": 1.0, "fossil": -1.0}

#: Weights chosen on the held-out multi-entity passages of splits 0-4 (mean main-role
#: accuracy 0.702 -> 0.724); checked on the whole-article set data/roles/articles/
#: (docs/model-card-roles.md, "Stance").  ``bias`` > 0 leans articles without evidence
#: to the pro-Kremlin side, the majority of the target data.
STANCE_WEIGHT = 0.5
STANCE_BIAS = 1.0
CIVILIAN_WEIGHT = 0.0
STANCE = {"weight": STANCE_WEIGHT, "bias": STANCE_BIAS, "civilian_weight": CIVILIAN_WEIGHT}

_CIVILIAN = re.compile(r"\b(civilians?|residents?|children|families|famil(y|ies)|people|"
                       r"citizens|pensioners|refugees|households|villagers|inhabitants|"
                       r"population|mothers|workers|farmers|taxpayers|motorists|drivers|"
                       r"consumers|homeowners|renters|tenants|conscripts|recruits|draftees|"
                       r"mobili[sz]ed (men|Ukrainians|Russians)|hostages|victims|survivors|"
                       r"prisoners|detainees|patients|pupils|students|pensioners|elderly|"
                       r"women|parishioners|worshippers|minority|minorities|bill ?payers|"
                       r"communities|locals|evacuees|displaced)\b", re.I)
_GREEN = re.compile(r"\b(climate (activists?|campaigners?|scientists?|alarmists?|lobby|"
                    r"movement|zealots|fanatics|elites?|crusaders)|activists?|environmentalists?|"
                    r"eco-\w+|green (lobby|movement|activists?|campaigners?|groups?|zealots|"
                    r"elites?|blob)|net[- ]zero (lobby|zealots|fanatics|campaigners))\b", re.I)
_FOSSIL = re.compile(r"\b(oil (compan\w*|majors?|giants?|lobby|industry|executives?|firms?)|"
                     r"fossil[- ]fuel (compan\w*|industry|lobby|giants?|interests|firms?|"
                     r"executives?)|big oil|oil and gas (compan\w*|industry|lobby|producers)|"
                     r"petroleum (compan\w*|industry)|climate (deniers?|denialists?|sceptics?|"
                     r"skeptics?|contrarians?))\b", re.I)
_RU = re.compile(r"\b(Russia|Russian|Moscow|Kremlin|Putin|Chechen|Belarus\w*|North Korean?|"
                 r"Pyongyang|Wagner|Donetsk People|Luhansk People|DPR|LPR)", re.I)
_WEST = re.compile(r"\b(Ukrain\w*|Kyiv|Kiev|Zelensk\w*|NATO|Washington|Brussels|Western|"
                   r"the West|Pentagon|Biden|EU|European|American|(?-i:U\.?S\.?)|British|French|German|"
                   r"Polish|Baltic|Latvian|Lithuanian|Estonian|Finnish|Swedish|Danish|Dutch|Czech|"
                   r"Canadian|Moldovan|Anglo-Saxons?|Berlin|London|Warsaw|Downing Street|"
                   r"Elys[eé]e)\b", re.I)


def mention_side(table_side: str | None, surface: str) -> str | None:
    """Side from the alias table, else from keywords of the surface (civilians first)."""
    if _CIVILIAN.search(surface):
        return "civilian"
    if table_side:
        return table_side
    if _FOSSIL.search(surface):
        return "fossil"
    if _GREEN.search(surface):
        return "green"
    if _RU.search(surface):
        return "ru"
    if _WEST.search(surface):
        return "west"
    return None


def stance_scales(dists: Sequence[dict[str, float]], sides: Sequence[str | None],
                  weight: float = STANCE_WEIGHT, civilian_weight: float = CIVILIAN_WEIGHT,
                  bias: float = STANCE_BIAS) -> list[dict[str, float]]:
    """Per-mention multipliers of the main-role scores for the mentions of ONE article."""
    ev = [SIGN.get(s or "", 0.0) * (d.get("Protagonist", 0.0) + d.get("Innocent", 0.0)
                                    - d.get("Antagonist", 0.0))
          for d, s in zip(dists, sides, strict=True)]
    total = sum(ev)
    out = []
    for e, s in zip(ev, sides, strict=True):
        scale = {"Protagonist": 1.0, "Antagonist": 1.0, "Innocent": 1.0}
        sign = SIGN.get(s or "", 0.0)
        if sign:
            z = weight * sign * math.tanh(total - e + bias)
            scale["Protagonist"] = math.exp(z)
            scale["Antagonist"] = math.exp(-z)
        elif s == "civilian" and civilian_weight:
            scale["Innocent"] = math.exp(civilian_weight)
        out.append(scale)
    return out


def apply_stance(model, X, groups: Sequence[object], sides: Sequence[str | None],
                 params: dict | None = None, **decode) -> list:
    """Forced (given-mentions) decoding with the article-stance multipliers.

    ``groups``: the article of each row; ``params``: ``weight`` / ``bias`` /
    ``civilian_weight`` (default: the model's ``stance`` metadata, else :data:`STANCE`).
    """
    p = dict(STANCE)
    p.update(params if params is not None else model.meta.get("stance") or {})
    base = model.predict(X, forced=True, **decode)
    rows: dict[object, list[int]] = {}
    for i, g in enumerate(groups):
        rows.setdefault(g, []).append(i)
    scales: list[dict[str, float]] = [{} for _ in range(len(base))]
    for idx in rows.values():
        out = stance_scales([base[i].main_probs for i in idx], [sides[i] for i in idx],
                            float(p["weight"]), float(p["civilian_weight"]), float(p["bias"]))
        for i, sc in zip(idx, out, strict=True):
            scales[i] = sc
    return model.predict(X, forced=True, main_scale=scales, **decode)
