"""Shared estimator battery for the trainable heads (scikit-learn style)."""

from __future__ import annotations

import numpy as np
import pytest

from narrascope.learn import LinearMultiLabelHead


def _toy(seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(3, 16))
    X, Y = [], []
    for i in range(120):
        k = i % 3
        X.append(centers[k] + 0.3 * rng.normal(size=16))
        y = [0, 0, 0]
        y[k] = 1
        Y.append(y)
    return np.array(X, dtype=np.float32), np.array(Y), ["a", "b", "c"]


def test_fit_learns_separable_labels() -> None:
    X, Y, labels = _toy()
    head = LinearMultiLabelHead(C=1.0).fit(X, Y, labels)
    pred = head.predict(X)
    assert (pred == Y).mean() > 0.95


def test_params_unchanged_and_fit_returns_self() -> None:
    head = LinearMultiLabelHead(C=0.5, class_weight=None)
    X, Y, labels = _toy()
    assert head.fit(X, Y, labels) is head
    assert head.get_params()["C"] == 0.5 and head.get_params()["class_weight"] is None


def test_save_load_round_trip(tmp_path) -> None:
    X, Y, labels = _toy()
    head = LinearMultiLabelHead().fit(X, Y, labels)
    head.save(tmp_path, "h", note="toy")
    again = LinearMultiLabelHead.load(tmp_path, "h")
    assert again.labels_ == labels
    assert again.meta_["note"] == "toy"
    np.testing.assert_allclose(again.predict_proba(X), head.predict_proba(X), atol=2e-2)
    assert not list(tmp_path.glob("*.pkl"))


def test_probabilities_in_range_and_constant_labels() -> None:
    X, Y, labels = _toy()
    Y = np.concatenate([Y, np.zeros((len(Y), 1), dtype=int)], axis=1)
    head = LinearMultiLabelHead().fit(X, Y, labels + ["never"])
    p = head.predict_proba(X)
    assert p.shape == (len(X), 4)
    assert ((p >= 0) & (p <= 1)).all()
    assert p[:, 3].max() < 0.01


def test_bad_shapes_rejected() -> None:
    X, Y, labels = _toy()
    with pytest.raises(ValueError):
        LinearMultiLabelHead().fit(X, Y[:, :2], labels)
