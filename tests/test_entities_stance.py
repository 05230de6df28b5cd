"""Article-stance signal of the role decision (no encoder: stub heads)."""

from __future__ import annotations

import numpy as np

from narrascope.components.entities.aliases import load_table
from narrascope.components.entities.model import RoleModel, load_taxonomy
from narrascope.components.entities.stance import apply_stance, mention_side, stance_scales


class _Head:
    """Stub head: the feature row *is* the probability row."""

    def __init__(self, labels: list[str]) -> None:
        self.labels_ = labels

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=float)


def _model() -> RoleModel:
    tax = load_taxonomy()
    mains = [*tax.mains, tax.none_label]
    # X carries the 4 main probabilities and then 22 fine probabilities
    class _Fine(_Head):
        def predict_proba(self, X: np.ndarray) -> np.ndarray:
            return np.full((len(X), len(tax.fines)), 0.3)
    return RoleModel(_Head(mains), _Fine(tax.fines), tax, meta={})


AMBIGUOUS = [0.46, 0.42, 0.12, 0.0]  # Protagonist, Antagonist, Innocent, none


def test_sides_from_table_and_keywords() -> None:
    table = load_table(None)
    assert table.side("Vladimir Putin") == "ru"
    assert table.side("Volodymyr Zelensky") == "west"
    assert table.side("NATO") == "west"
    assert table.side("China") is None
    assert mention_side(table.side("Ukrainians"), "Ukrainian civilians") == "civilian"
    assert mention_side(None, "local residents") == "civilian"
    assert mention_side(None, "the Kremlin's envoys") == "ru"


def test_stance_flips_an_ambiguous_mention_with_the_article_side() -> None:
    model = _model()
    # pro-Kremlin article: the Russian side is framed as Protagonist
    pro_ru = np.array([[0.85, 0.05, 0.10, 0.0], AMBIGUOUS])
    # pro-Western article: Russia framed as Antagonist, the West as Protagonist
    pro_west = np.array([[0.05, 0.85, 0.10, 0.0], [0.85, 0.05, 0.10, 0.0], AMBIGUOUS])
    assert model.predict(pro_ru[1:], forced=True)[0].main == "Protagonist"  # sentence only
    a = apply_stance(model, pro_ru, [0, 0], ["ru", "west"])
    b = apply_stance(model, pro_west, [1, 1, 1], ["ru", "west", "west"])
    assert a[1].main == "Antagonist"
    assert b[2].main == "Protagonist"
    tax = model.taxonomy
    for p in [*a, *b]:  # fine roles stay consistent with the (changed) main role
        assert p.main in tax.mains and p.fines
        assert tax.is_consistent(p.main, [f for f, _ in p.fines])
    # switched off (weight 0) it is the plain decoding
    off = apply_stance(model, pro_ru, [0, 0], ["ru", "west"], {"weight": 0.0})
    assert [p.main for p in off] == [p.main for p in model.predict(pro_ru, forced=True)]


def test_stance_scales_leave_neutral_mentions_alone() -> None:
    dists = [{"Protagonist": 0.9, "Antagonist": 0.05, "Innocent": 0.05}, {"Protagonist": 0.5}]
    out = stance_scales(dists, ["ru", None])
    assert out[1] == {"Protagonist": 1.0, "Antagonist": 1.0, "Innocent": 1.0}
    # the mention's own evidence is left out of its article stance (only the bias acts)
    solo = stance_scales(dists[:1], ["ru"], weight=0.5, bias=0.0)
    assert solo[0]["Protagonist"] == 1.0
