"""The role classifier: features of a mention in context and two linear heads.

Features of one mention (1152 dims): the shared encoder's embeddings of the left
view (up to ``window_words`` words of its sentence before the mention, then the
mention: what is done *to* it) and of the right view (the mention, then up to
``window_words`` words after it: what it *does* / is said to be), next to the plain
embedding of the whole sentence.  Two
:class:`~narrascope.learn.LinearMultiLabelHead` heads read them: the main role
(Protagonist / Antagonist / Innocent / ``none`` = merely reported) and the 22 fine
roles.  Decoding keeps fine roles consistent with the main role (taxonomy YAML).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from narrascope.components.entities.features import (
    DEFAULT_WINDOW,
    FEATURES_VERSION,
    PROFILE_SUBDIR,
    MentionRef,
    copy_profile_head,
    default_profile_dir,
    narratives_model_digest,
)
from narrascope.components.entities.span_net import FILE as SPAN_FILE
from narrascope.components.entities.span_net import SpanRoleNet
from narrascope.doc import Article
from narrascope.learn import LinearMultiLabelHead


@dataclass(frozen=True)
class Taxonomy:
    name: str
    main_roles: dict[str, list[str]]
    none_label: str = "none"

    @property
    def mains(self) -> list[str]:
        return list(self.main_roles)

    @property
    def fines(self) -> list[str]:
        return [f for fs in self.main_roles.values() for f in fs]

    def main_of(self, fine: str) -> str:
        for m, fs in self.main_roles.items():
            if fine in fs:
                return m
        raise KeyError(f"unknown fine role {fine!r}")

    def is_consistent(self, main: str | None, fines: list[str]) -> bool:
        if main is None:
            return not fines
        return bool(fines) and all(f in self.main_roles.get(main, []) for f in fines)


@lru_cache(maxsize=4)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    if path is None:
        raw = resources.files("narrascope.resources").joinpath(
            "entities/roles.yaml").read_text(encoding="utf-8")
    else:
        raw = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    mains = {str(k): [str(f) for f in v] for k, v in data["main_roles"].items()}
    return Taxonomy(str(data.get("name", "roles")), mains, str(data.get("none_label", "none")))


#: feature versions a model may be built for: version 5 appends the syntax blocks to
#: version 4's, so a version-4 model reads the first columns of a version-5 row
COMPATIBLE_VERSIONS = (4, FEATURES_VERSION)

#: articles whose mentions go through the span network together
SPAN_CHUNK = 8


@dataclass
class RolePrediction:
    main: str | None
    main_confidence: float
    fines: list[tuple[str, float]]
    main_probs: dict[str, float]


class RoleModel:
    """Main-role head + fine-role head + decoding rules."""

    def __init__(self, main_head: LinearMultiLabelHead, fine_head: LinearMultiLabelHead,
                 taxonomy: Taxonomy, window_words: int = DEFAULT_WINDOW,
                 meta: dict | None = None, span_net: SpanRoleNet | None = None,
                 profile_dir: str | Path | None = None) -> None:
        self.main_head = main_head
        self.fine_head = fine_head
        self.taxonomy = taxonomy
        self.window_words = window_words
        self.meta = meta or {}
        self.span_net = span_net
        #: the narratives head of the narrative-profile features (:func:`.features.build`):
        #: the model's own frozen copy once saved / loaded
        self.profile_dir = Path(profile_dir) if profile_dir is not None else default_profile_dir()

    def columns(self, X: np.ndarray) -> np.ndarray:
        """The feature columns the heads were trained on (a model of an older, shorter
        feature version reads the leading columns)."""
        coef = getattr(self.main_head, "coef_", None)
        if coef is None:  # a head without stored weights takes the whole row
            return X
        n = int(coef.shape[1])
        return X[:, :n] if X.shape[1] > n else X

    # ------------------------------------------------------- span network input
    @property
    def span_weight(self) -> float:
        return float(self.meta.get("span_weight", 0.0)) if self.span_net is not None else 0.0

    def span_probs(self, articles: Sequence[Article], refs: Sequence[Sequence[MentionRef]],
                   X: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The span network's (main, fine) probabilities for the mentions of a batch, in
        the order of ``X`` (rows of :func:`.features.build` for the same ``refs``) and
        in the label order of the linear heads; ``None`` without a span network."""
        if self.span_net is None or self.span_weight <= 0 or len(X) == 0:
            return None
        from narrascope.components.entities.span_net import (
            mention_inputs,
            mention_tokens,
            small_columns,
        )

        small = X[:, small_columns()]
        ctx = int(self.meta.get("span_context", 0))
        net = self.span_net
        mi = [net.main_labels.index(lab) for lab in self.main_head.labels_]
        fi = [net.fine_labels.index(lab) for lab in self.fine_head.labels_]
        if net.onnx_session() is not None:  # every layer on ONNX Runtime, one pass
            ids, sent_idx, ranges = mention_tokens(articles, refs, ctx)
            got = net.predict_tokens(ids, sent_idx, ranges, small)
            if got is not None:
                return got[0][:, mi], got[1][:, fi]
        parts_m, parts_f = [], []
        row = 0
        # a few articles at a time: the token states of a whole batch would not be small
        for k in range(0, len(articles), SPAN_CHUNK):
            rs = refs[k:k + SPAN_CHUNK]
            n = sum(len(r) for r in rs)
            if not n:
                continue
            states, sent_idx, ranges = mention_inputs(articles[k:k + SPAN_CHUNK], rs, ctx)
            pm_k, pf_k = self.span_net.predict_proba(states, sent_idx, ranges,
                                                     small[row:row + n])
            parts_m.append(pm_k)
            parts_f.append(pf_k)
            row += n
        pm, pf = np.vstack(parts_m), np.vstack(parts_f)
        return pm[:, mi], pf[:, fi]

    # ---------------------------------------------------------------- decoding
    def predict(self, X: np.ndarray, forced: bool = False, min_confidence: float = 0.5,
                fine_threshold: float = 0.5, second_ratio: float = 0.85,
                max_fine: int | None = None, main_prior: dict[str, float] | None = None,
                main_scale: list[dict[str, float]] | None = None,
                entity_groups: list[object] | None = None,
                entity_smoothing: float | None = None,
                span: tuple[np.ndarray, np.ndarray] | None = None) -> list[RolePrediction]:
        """Decode roles for feature rows.

        ``forced`` (SemEval mode): always a main role (never ``none``) and >= 1 fine
        role; ``main_prior`` (default: the model's ``main_prior`` metadata) multiplies
        the main-role scores there, and so does ``main_scale`` (one dict per row, e.g. the
        article-stance multipliers of :mod:`.stance`).  ``span``: the span network's
        probabilities for the same rows (:meth:`span_probs`), mixed in with weight
        :attr:`span_weight`.  ``max_fine`` (default: the model's
        ``max_fine`` metadata, else 2) caps the fine roles per mention.  Otherwise ``main`` is ``None`` when the ``none`` class wins or the best
        main role is below ``min_confidence``.
        """
        tax = self.taxonomy
        X = self.columns(X)
        if max_fine is None:
            max_fine = int(self.meta.get("max_fine") or 2)
        pm = self.main_head.predict_proba(X)
        pf = self.fine_head.predict_proba(X)
        w = self.span_weight
        if span is not None and w > 0:
            if span[0].shape != pm.shape or span[1].shape != pf.shape:
                raise ValueError("span probabilities do not match the feature rows")
            pm = (1 - w) * pm + w * span[0]
            pf = (1 - w) * pf + w * span[1]
        smooth = float(entity_smoothing if entity_smoothing is not None
                       else self.meta.get("entity_smoothing") or 0.0)
        if entity_groups is not None and smooth > 0:
            rows: dict[object, list[int]] = {}
            for i, g in enumerate(entity_groups):
                rows.setdefault(g, []).append(i)
            mixed = pm.copy()
            for idx in rows.values():
                mixed[idx] = (1 - smooth) * pm[idx] + smooth * pm[idx].mean(axis=0)
            pm = mixed
        mlabels = self.main_head.labels_
        flabels = self.fine_head.labels_
        #: multipliers of fine-role scores when ranking them (``fine_prior`` in model.json)
        fprior = {str(k): float(v) for k, v in (self.meta.get("fine_prior") or {}).items()}
        out = []
        for i in range(len(X)):
            probs = {lab: float(p) for lab, p in zip(mlabels, pm[i], strict=True)}
            roles = {m: probs.get(m, 0.0) for m in tax.mains}
            if forced:
                prior = main_prior if main_prior is not None else self.meta.get("main_prior") or {}
                scale = main_scale[i] if main_scale is not None else {}
                roles = {m: v * float(prior.get(m, 1.0)) * float(scale.get(m, 1.0))
                         for m, v in roles.items()}
                total = sum(roles.values()) or 1.0
                dist = {m: v / total for m, v in roles.items()}
            else:
                total = sum(probs.values()) or 1.0
                dist = {m: v / total for m, v in probs.items()}
            best = max(roles, key=lambda m: dist[m])
            conf = dist[best]
            if not forced and (dist.get(tax.none_label, 0.0) >= conf or conf < min_confidence):
                out.append(RolePrediction(None, conf, [], dist))
                continue
            allowed = set(tax.main_roles[best])
            cands = sorted(((flabels[j], float(pf[i, j]) * fprior.get(flabels[j], 1.0))
                            for j in range(len(flabels)) if flabels[j] in allowed),
                           key=lambda t: -t[1])
            s = sum(p for _, p in cands) or 1.0
            fines = [(cands[0][0], cands[0][1])]
            for lab, p in cands[1:max_fine]:
                if p >= fine_threshold and p >= second_ratio * cands[0][1]:
                    fines.append((lab, p))
            del s
            out.append(RolePrediction(best, conf, fines, dist))
        return out

    # ------------------------------------------------------------- persistence
    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.main_head.save(d, "main")
        self.fine_head.save(d, "fine")
        digest = copy_profile_head(self.profile_dir, d / PROFILE_SUBDIR)
        self.profile_dir = d / PROFILE_SUBDIR
        meta = {"window_words": self.window_words, "taxonomy": self.taxonomy.name,
                "main_roles": self.taxonomy.main_roles, "none_label": self.taxonomy.none_label,
                "features": "entities.features.build", "features_version": FEATURES_VERSION,
                **self.meta, "narratives_model_digest": digest,
                "narrative_profile": PROFILE_SUBDIR}
        if self.span_net is not None:
            meta["span_net_sha256"] = self.span_net.save(d)
        elif (d / SPAN_FILE).exists():
            (d / SPAN_FILE).unlink()
        (d / "model.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False))

    @classmethod
    def load(cls, directory: str | Path | None = None) -> RoleModel:
        d = Path(directory) if directory else default_model_dir()
        meta = json.loads((d / "model.json").read_text())
        from narrascope.components.encoder import check_model_folder

        check_model_folder(d, f"the role model in {d}",
                           "narrascope train roles -o DIR --encoder SPEC")
        version = meta.get("features_version")
        if version not in COMPATIBLE_VERSIONS:
            raise ValueError(
                f"{d}: role model built for features version {version}, this narrascope "
                f"builds version {FEATURES_VERSION}; retrain it with `narrascope train roles -o DIR`")
        digest = meta.get("narratives_model_digest")
        own = d / str(meta.get("narrative_profile") or PROFILE_SUBDIR)
        if (own / "model.json").is_file():  # the model's frozen narrative-profile head
            found = narratives_model_digest(own)
            if digest and digest != found:
                raise ValueError(f"{own}: the narrative-profile head's digest is {found}, the "
                                 f"role model was trained with {digest}; retrain it with "
                                 "`narrascope train roles -o DIR`")
            profile_dir: Path = own
        else:  # an older model folder: the profile comes from the shipped narratives model
            from narrascope.components.narratives.model import shipped_model_dir

            profile_dir = shipped_model_dir()
            if digest and digest != narratives_model_digest(profile_dir):
                warnings.warn(f"{d}: the role model was trained with another shipped "
                              "narratives model (its narrative-profile features differ now); "
                              "retrain it with `narrascope train roles`", stacklevel=2)
        tax = Taxonomy(meta.get("taxonomy", "roles"), meta["main_roles"],
                       meta.get("none_label", "none"))
        span_net = None
        if (d / SPAN_FILE).exists():
            span_net = SpanRoleNet.load(d, expected_sha256=meta.get("span_net_sha256"))
        return cls(LinearMultiLabelHead.load(d, "main"), LinearMultiLabelHead.load(d, "fine"),
                   tax, int(meta.get("window_words", DEFAULT_WINDOW)), meta, span_net,
                   profile_dir)


def default_model_dir() -> Path:
    return Path(str(resources.files("narrascope.resources").joinpath("models/roles")))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> RoleModel:
    return RoleModel.load(path)
