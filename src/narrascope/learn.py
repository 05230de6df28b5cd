"""Small trainable heads shared by the narrative, role and technique components.

They follow scikit-learn's conventions: hyper-parameters are stored unchanged in
``__init__``, ``fit`` learns attributes with a trailing underscore and returns
``self``, ``predict_proba`` only reads them.  Weights are saved as ``.npz`` plus a
JSON sidecar (no pickle), so a shipped model is small, inspectable and safe to load.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


class NpzPersistence:
    """``save``/``load`` for heads: learned arrays to ``.npz``, the rest to ``.json``.

    A head lists its learned array attributes in ``_ARRAYS`` (trailing underscore;
    stored without it) and those stored as float16 in ``_HALF``; it must have
    ``get_params()`` and ``labels_``.
    """

    _ARRAYS: tuple[str, ...] = ()
    _HALF: frozenset[str] = frozenset()

    def get_params(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def save(self, directory: str | Path, name: str = "head", **extra: Any) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for attr in self._ARRAYS:
            value = getattr(self, attr)
            arrays[attr.rstrip("_")] = value.astype(np.float16) if attr in self._HALF else value
        np.savez_compressed(d / f"{name}.npz", **arrays)
        meta = {"class": type(self).__name__, "params": self.get_params(),
                "labels": self.labels_, **extra}  # type: ignore[attr-defined]
        (d / f"{name}.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False))

    @classmethod
    def load(cls, directory: str | Path, name: str = "head") -> Any:
        d = Path(directory)
        meta = json.loads((d / f"{name}.json").read_text())
        head = cls(**meta["params"])
        with np.load(d / f"{name}.npz") as npz:
            for attr in cls._ARRAYS:
                setattr(head, attr, npz[attr.rstrip("_")].astype(np.float32))
        head.labels_ = list(meta["labels"])  # type: ignore[attr-defined]
        head.meta_ = meta  # type: ignore[attr-defined]
        return head


class LinearMultiLabelHead(NpzPersistence):
    """One logistic regression per label over fixed embeddings (multi-label).

    ``Y`` is a 0/1 matrix ``(n_samples, n_labels)``.  Labels with no positive
    example get a constant very low score.
    """

    _ARRAYS = ("coef_", "intercept_")
    _HALF = frozenset({"coef_"})

    def __init__(self, C: float = 4.0, class_weight: str | None = "balanced",
                 max_iter: int = 2000, random_state: int = 0) -> None:
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def get_params(self) -> dict[str, Any]:
        return {"C": self.C, "class_weight": self.class_weight,
                "max_iter": self.max_iter, "random_state": self.random_state}

    def fit(self, X: np.ndarray, Y: np.ndarray, labels: list[str]) -> LinearMultiLabelHead:
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=np.float32)
        Y = np.asarray(Y, dtype=np.int8)
        if Y.ndim != 2 or Y.shape[0] != X.shape[0] or Y.shape[1] != len(labels):
            raise ValueError(f"Y must be (n_samples, n_labels); got {Y.shape}")
        coef = np.zeros((len(labels), X.shape[1]), dtype=np.float32)
        intercept = np.full(len(labels), -10.0, dtype=np.float32)
        for j in range(len(labels)):
            y = Y[:, j]
            if y.min() == y.max():
                if y[0] == 1:
                    intercept[j] = 10.0
                continue
            clf = LogisticRegression(C=self.C, class_weight=self.class_weight,
                                     max_iter=self.max_iter, random_state=self.random_state)
            clf.fit(X, y)
            coef[j] = clf.coef_[0]
            intercept[j] = clf.intercept_[0]
        self.coef_ = coef
        self.intercept_ = intercept
        self.labels_ = list(labels)
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=np.float32) @ self.coef_.T + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        z = np.clip(self.decision_function(X), -30, 30)
        return 1.0 / (1.0 + np.exp(-z))

    def predict(self, X: np.ndarray, threshold: float | np.ndarray = 0.5) -> np.ndarray:
        return (self.predict_proba(X) >= threshold).astype(np.int8)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


class MLPMultiLabelHead(NpzPersistence):
    """A one-hidden-layer multi-label network (trained with torch, run with numpy).

    Same conventions as :class:`LinearMultiLabelHead`: hyper-parameters in
    ``__init__``; ``fit(X, Y, labels, sample_weight=None)`` learns ``W1_, b1_, W2_, b2_,
    labels_``; ``save``/``load`` write ``.npz`` + ``.json`` without pickle.
    """

    _ARRAYS = ("W1_", "b1_", "W2_", "b2_")
    _HALF = frozenset({"W1_", "W2_"})

    def __init__(self, hidden: int = 256, epochs: int = 40, lr: float = 2e-3,
                 weight_decay: float = 1e-4, dropout: float = 0.2, pos_weight_max: float = 20.0,
                 batch_size: int = 128, random_state: int = 0) -> None:
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.pos_weight_max = pos_weight_max
        self.batch_size = batch_size
        self.random_state = random_state

    def get_params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("hidden", "epochs", "lr", "weight_decay",
                                              "dropout", "pos_weight_max", "batch_size",
                                              "random_state")}

    def fit(self, X: np.ndarray, Y: np.ndarray, labels: list[str],
            sample_weight: np.ndarray | None = None) -> MLPMultiLabelHead:
        import torch

        X = np.asarray(X, dtype=np.float32)
        Y = np.asarray(Y, dtype=np.float32)
        if Y.ndim != 2 or Y.shape[0] != X.shape[0] or Y.shape[1] != len(labels):
            raise ValueError(f"Y must be (n_samples, n_labels); got {Y.shape}")
        torch.manual_seed(self.random_state)
        g = torch.Generator().manual_seed(self.random_state)
        n, d = X.shape
        net = torch.nn.Sequential(
            torch.nn.Linear(d, self.hidden), torch.nn.ReLU(), torch.nn.Dropout(self.dropout),
            torch.nn.Linear(self.hidden, Y.shape[1]))
        pos = Y.sum(0)
        pw = np.clip((n - pos) / np.maximum(pos, 1.0), 1.0, self.pos_weight_max)
        pw = np.sqrt(pw)  # soften: thresholds are tuned afterwards anyway
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw, dtype=torch.float32),
                                             reduction="none")
        opt = torch.optim.AdamW(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        W = torch.from_numpy(np.ones(n, np.float32) if sample_weight is None
                             else np.asarray(sample_weight, np.float32))
        net.train()
        for _ in range(self.epochs):
            perm = torch.randperm(n, generator=g)
            for i in range(0, n, self.batch_size):
                idx = perm[i:i + self.batch_size]
                opt.zero_grad()
                loss = (loss_fn(net(Xt[idx]), Yt[idx]).mean(1) * W[idx]).mean()
                loss.backward()
                opt.step()
        net.eval()
        self.W1_ = net[0].weight.detach().numpy().T.copy()
        self.b1_ = net[0].bias.detach().numpy().copy()
        self.W2_ = net[3].weight.detach().numpy().T.copy()
        self.b2_ = net[3].bias.detach().numpy().copy()
        self.labels_ = list(labels)
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        h = np.maximum(np.asarray(X, dtype=np.float32) @ self.W1_ + self.b1_, 0.0)
        return h @ self.W2_ + self.b2_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return _sigmoid(self.decision_function(X)).astype(np.float32)
