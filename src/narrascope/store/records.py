"""Articles to rows and back.

:func:`article_rows` turns one analysed :class:`~narrascope.doc.Article` into the rows
of every table; :func:`pack_layers` / :func:`unpack_article` keep the whole record
(compressed JSON without the article text and without span texts, which are
``text[start:end]`` and are put back on reading).  Both data model 1.x and 2.0
field names are read, so records written before the 2.0 upgrade can be stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from narrascope.doc import Article

ERROR_PREFIX = "error in component"


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the article text: same id + same hash = the same article."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def monday(d: dt.date | None) -> dt.date | None:
    return None if d is None else d - dt.timedelta(days=d.weekday())


def analysis_error(article: Article) -> str | None:
    errs = [w for w in article.warnings if w.startswith(ERROR_PREFIX)]
    return "; ".join(errs) if errs else None


# ---------------------------------------------------------------------------- layers blob


def _strip(obj: Any, text: str) -> None:
    """Drop, in place, every span's ``text`` that equals ``text[start:end]``."""
    if type(obj) is dict:
        t = obj.get("text")
        if type(t) is str:
            s, e = obj.get("start"), obj.get("end")
            if type(s) is int and type(e) is int and text[s:e] == t:
                del obj["text"]
        for v in obj.values():
            if type(v) is dict or type(v) is list:
                _strip(v, text)
    else:
        for v in obj:
            if type(v) is dict or type(v) is list:
                _strip(v, text)


def _restore(obj: Any, text: str) -> None:
    """Put the span texts back (in place)."""
    if type(obj) is dict:
        if "text" not in obj:
            s, e = obj.get("start"), obj.get("end")
            if type(s) is int and type(e) is int:
                obj["text"] = text[s:e]
        for v in obj.values():
            if type(v) is dict or type(v) is list:
                _restore(v, text)
    else:
        for v in obj:
            if type(v) is dict or type(v) is list:
                _restore(v, text)


_EV = {"evidence": {"__all__": {"text"}}}
_LABEL = {"__all__": _EV}
_SPAN = {"__all__": {"text": True, **_EV}}
#: Every span text of the data model (each equals ``article.text[start:end]``): left out
#: of the stored record and put back on reading.  A field missing here is simply kept.
_EXCLUDE: dict[str, Any] = {
    "text": True,
    "metadata": {"notice"},  # written again on export
    "sentences": {"__all__": {"text"}},
    "date_evidence": {"text"},
    "narratives": {"domain": _EV, "narratives": _LABEL, "subnarratives": _LABEL,
                   "explanation": {"quotes": {"__all__": {"text"}}}},
    "entities": {"__all__": {
        "mentions": {"__all__": {"text": True, **_EV, "main_role": _EV, "fine_roles": _LABEL}},
        "main_role": _EV, "fine_roles": _LABEL}},
    "techniques": {"spans": _SPAN, "frames": _LABEL},
    "fact_checks": _SPAN,
}


def pack_layers(article: Article) -> bytes:
    """The record without the article text and the span texts, as zlib-compressed JSON."""
    try:
        raw = article.model_dump_json(exclude=_EXCLUDE)
    except (KeyError, TypeError, ValueError):  # a data model this exclusion does not fit
        rec = article.model_dump(mode="json", exclude={"text"})
        rec.get("metadata", {}).pop("notice", None)
        _strip(rec, article.text)
        raw = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(raw.encode("utf-8", "surrogatepass"), 1)


def unpack_record(blob: bytes, text: str) -> dict[str, Any]:
    rec = json.loads(zlib.decompress(blob))
    _restore(rec, text)
    rec["text"] = text
    return rec


def unpack_article(blob: bytes, text: str) -> Article:
    rec = unpack_record(blob, text)
    from narrascope import doc

    upgrade = getattr(doc, "upgrade_record", None)
    if upgrade is not None and str(rec.get("schema_version", "")) != doc.SCHEMA_VERSION:
        rec = upgrade(rec)
    return Article.model_validate(rec)


# ------------------------------------------------------------------------------ vectors


def pack_vector(vec: np.ndarray) -> tuple[int, bytes]:
    v = np.asarray(vec, dtype="<f2").reshape(-1)
    return int(v.shape[0]), v.tobytes()


def unpack_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)


def article_vector(article: Article) -> np.ndarray | None:
    """The vector the encoder component set (``article.vector``), if any."""
    vec = getattr(article, "vector", None)
    if vec is None:
        vec = article.cache.get("article_vector")
    return None if vec is None else np.asarray(vec, dtype=np.float32)


# --------------------------------------------------------------------------------- rows


def _g(obj: Any, *names: str) -> Any:
    """The first of ``names`` that ``obj`` has and that is not None (1.x and 2.0 fields)."""
    for n in names:
        v = getattr(obj, n, None)
        if v is not None:
            return v
    return None


def _offsets(evidence: Any) -> list[list[int]]:
    return [[int(e.start), int(e.end)] for e in (evidence or [])]


@dataclass
class Rows:
    """The rows of one article, without ``article_pk`` (added when it is known); their
    JSON columns hold JSON text already."""

    labels: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    entity_roles: list[dict[str, Any]] = field(default_factory=list)
    technique_spans: list[dict[str, Any]] = field(default_factory=list)
    fact_checks: list[dict[str, Any]] = field(default_factory=list)


def _label(rows: dict[tuple[str, str], dict[str, Any]], layer: str, label: str, conf: float,
           source: str | None, evidence: list[list[int]]) -> None:
    key = (layer, label)
    old = rows.get(key)
    if old is None:
        rows[key] = {"layer": layer, "label": label[:500], "confidence": float(conf),
                     "source": source, "evidence": evidence}
    else:
        old["confidence"] = max(old["confidence"], float(conf))
        old["evidence"] = (old["evidence"] or []) + evidence


def article_rows(article: Article) -> Rows:
    rows = Rows()
    lab: dict[tuple[str, str], dict[str, Any]] = {}
    nar = article.narratives
    if nar is not None:
        if nar.domain is not None:
            _label(lab, "domain", nar.domain.label, nar.domain.confidence, nar.domain.source,
                   _offsets(nar.domain.evidence))
        for layer, items in (("narrative", nar.narratives), ("subnarrative", nar.subnarratives)):
            for x in items:
                _label(lab, layer, x.label, x.confidence, x.source, _offsets(x.evidence))
    tech = article.techniques
    if tech is not None:
        for s in tech.spans:
            name = _g(s, "label", "technique")
            src = _g(s, "source", "detector")
            rows.technique_spans.append({
                "label": str(name)[:200], "start": s.start, "end": s.end,
                "confidence": float(s.confidence), "source": src,
                "detail": _g(s, "detail", "pattern"), "sentence": getattr(s, "sentence", None),
                "voice": getattr(s, "voice", None)})
            _label(lab, "technique", str(name), s.confidence, src, [[s.start, s.end]])
        for fr in tech.frames:
            _label(lab, "frame", fr.label, fr.confidence, fr.source, _offsets(fr.evidence))
    for ent in article.entities:
        name = str(_g(ent, "canonical", "label", "name") or "")
        for m in ent.mentions:
            mr = m.main_role
            rows.mentions.append({
                "entity": str(_g(m, "label", "canonical") or name)[:500], "start": m.start,
                "end": m.end, "source": getattr(m, "source", None),
                "detail": _g(m, "detail", "ner_label"),
                "main_role": mr.label if mr else None,
                "main_role_confidence": float(mr.confidence) if mr else None,
                "fine_roles": [[f.label, round(float(f.confidence), 4)] for f in m.fine_roles]})
        mr = ent.main_role
        rows.entity_roles.append({
            "entity": name[:500], "kind": getattr(ent, "kind", None),
            "role": mr.label if mr else None,
            "confidence": float(mr.confidence) if mr else None,
            "fine_roles": [[f.label, round(float(f.confidence), 4)] for f in ent.fine_roles],
            "mentions": len(ent.mentions)})
        if mr is not None:
            ev = _offsets(mr.evidence) or [[m.start, m.end] for m in ent.mentions[:20]]
            _label(lab, "entity_role", f"{name}: {mr.label}", mr.confidence, mr.source, ev)
    for fc in article.fact_checks:
        verdict = str(_g(fc, "verdict", "label"))
        claim = getattr(fc, "claim", None)
        start = claim.start if claim is not None else fc.start
        end = claim.end if claim is not None else fc.end
        rows.fact_checks.append({
            "verdict": verdict, "start": start, "end": end, "person": fc.person,
            "office": fc.office, "severity": fc.severity, "message": fc.message,
            "holder_on_date": fc.holder_on_date})
        sev = {"high": 1.0, "medium": 0.66, "low": 0.33}.get(str(fc.severity), 1.0)
        _label(lab, "fact_check", verdict, sev, "kb", [[start, end]])
    for x in lab.values():  # JSON text made here: the bulk insert passes text through
        x["evidence"] = "[" + ",".join(f"[{int(a)},{int(b)}]" for a, b in x["evidence"]) + "]"
    rows.labels = list(lab.values())
    for r in rows.mentions:
        r["fine_roles"] = _dumps(r["fine_roles"]) if r["fine_roles"] else "[]"
    for r in rows.entity_roles:
        r["fine_roles"] = _dumps(r["fine_roles"]) if r["fine_roles"] else "[]"
    return rows


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def article_row(article: Article, chash: str) -> dict[str, Any]:
    """The ``articles`` row without outlet, run and pipeline columns."""
    return {
        "id": article.id, "content_hash": chash, "source": (article.source or None),
        "url": article.url, "date": article.date, "week": monday(article.date),
        "date_source": getattr(article, "date_source", None),
        "language": article.language, "title": article.title, "text": article.text,
        "error": analysis_error(article), "n_warnings": min(len(article.warnings), 32767),
        "components": list(article.components), "schema_version": article.schema_version,
        "layers": pack_layers(article),
    }
