"""Word shingles and MinHash signatures, computed for many texts at once.

Texts are lower-cased and cut into word tokens (``\\w+``); each token is hashed with
CRC-32 and each run of ``k`` tokens (a *shingle*) is combined into one 32-bit value.
Signatures are datasketch MinHash signatures (scheme ``affine32``): the values are equal
to ``datasketch.MinHash(num_perm, seed).update_batch(shingles)`` with an identity hash
function (checked in the tests), computed with numpy over a whole batch of texts.

Passages (paragraphs) are the units of partial-copy matching: the text's lines (split at
line breaks) with at least ``min_words`` tokens; a longer line is cut into windows of
``max_words`` tokens.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)
_MULT = np.uint32(0x01000193)
EMPTY = np.uint32(0xFFFFFFFF)

try:  # the avalanche pre-mix of datasketch's affine32 scheme
    from datasketch.minhash import _fmix as _ds_fmix
except ImportError:  # pragma: no cover - older datasketch
    _ds_fmix = None


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``."""
    return _TOKEN.findall(text.lower())


_HASHES: dict[str, int] = {}


def token_hashes(toks: Sequence[str]) -> np.ndarray:
    """CRC-32 of each token (memoised: news vocabularies repeat)."""
    cache = _HASHES
    if len(cache) > 2_000_000:
        cache.clear()
    out = np.empty(len(toks), dtype=np.uint32)
    for i, t in enumerate(toks):
        h = cache.get(t)
        if h is None:
            h = cache[t] = zlib.crc32(t.encode("utf-8"))
        out[i] = h
    return out


def shingle_hashes(th: np.ndarray, k: int = 5) -> np.ndarray:
    """32-bit hashes of the runs of ``k`` consecutive tokens (one value if fewer tokens)."""
    n = len(th)
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    if n < k:
        k = n
    m = n - k + 1
    with np.errstate(over="ignore"):
        h = th[:m].copy()
        for j in range(1, k):
            h = h * _MULT ^ th[j:j + m]
    return h


def _fmix32(hv: np.ndarray) -> np.ndarray:
    if _ds_fmix is not None:
        return _ds_fmix(hv, 32)
    with np.errstate(over="ignore"):  # pragma: no cover - same constants as datasketch
        hv = hv ^ (hv >> np.uint32(16))
        hv = hv * np.uint32(0x85EBCA6B)
        hv = hv ^ (hv >> np.uint32(13))
        hv = hv * np.uint32(0xC2B2AE35)
        return hv ^ (hv >> np.uint32(16))


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) parameters of datasketch's MinHash(num_perm, seed)."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def signatures(shingle_sets: Sequence[np.ndarray], num_perm: int, seed: int = 1,
               chunk: int = 200_000) -> np.ndarray:
    """MinHash signatures, shape ``(len(shingle_sets), num_perm)`` uint32.

    An empty set gets all ``0xFFFFFFFF`` (it never matches: see :func:`band_keys`).
    """
    a, b = permutations(num_perm, seed)
    out = np.full((len(shingle_sets), num_perm), EMPTY, dtype=np.uint32)
    i = 0
    n = len(shingle_sets)
    while i < n:  # groups of texts with about `chunk` shingles each
        j, total = i, 0
        while j < n and (total == 0 or total + len(shingle_sets[j]) <= chunk):
            total += len(shingle_sets[j])
            j += 1
        group = [s for s in shingle_sets[i:j]]
        lens = np.array([len(s) for s in group])
        nonempty = np.nonzero(lens)[0]
        if len(nonempty):
            flat = np.concatenate([group[t] for t in nonempty])
            with np.errstate(over="ignore"):
                phv = _fmix32(flat).reshape(-1, 1) * a + b
            starts = np.concatenate([[0], np.cumsum(lens[nonempty])[:-1]])
            out[i + nonempty] = np.minimum.reduceat(phv, starts, axis=0)
        i = j
    return out


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """LSH band keys, shape ``(n, bands)`` int64; the band number is mixed in.

    A row of an empty signature gets key 0 in every band (callers skip key 0).
    """
    n = sigs.shape[0]
    s = sigs[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    with np.errstate(over="ignore"):
        h = np.full((n, bands), np.uint64(1469598103934665603), dtype=np.uint64)
        h ^= np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        for r in range(rows):
            h = (h ^ s[:, :, r]) * np.uint64(1099511628211)
            h ^= h >> np.uint64(29)
    keys = h.view(np.int64)
    keys[keys == 0] = 1
    empty = (sigs == EMPTY).all(axis=1)
    keys[empty] = 0
    return keys


_STOP_CAPS = frozenset("""the a an in on of and to for with by at from as is was be this that it its
he she they we i you our his her their but or not no so if then there here what who when where
why how all said says after before while during about also more most new""".split())
_ANCHOR = re.compile(r"\b(?:[^\W\d_a-z]\w*|\w*\d\w*)", re.UNICODE)


def anchor_hashes(text: str) -> np.ndarray:
    """CRC-32 of the *anchor* tokens: numbers and capitalised words (names, places,
    organisations), lower-cased, without common words; sorted, unique.  Two rewrites of
    one story keep most of them, two stories on one topic share fewer."""
    out = {t.lower() for t in _ANCHOR.findall(text)
           if t[0].isupper() or t[0].isdigit() or any(c.isdigit() for c in t)} - _STOP_CAPS
    return np.unique(token_hashes(sorted(out)))


def anchor_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


@dataclass
class Shingled:
    """One text cut into shingles, whole and per passage."""

    shingles: np.ndarray                # unique shingle hashes of the whole text
    words: int                          # word tokens
    passages: list[np.ndarray]          # unique shingle hashes per passage
    passage_words: list[int]
    passage_spans: list[tuple[int, int]]  # character span of each passage in the text


def shingle_text(text: str, k: int = 5, min_words: int = 20, max_words: int = 120
                 ) -> Shingled:
    low = text.lower()
    if len(low) != len(text):  # a few characters change length when lower-cased
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    toks: list[str] = []
    lines: list[tuple[int, int, int]] = []  # (char start, first token, tokens)
    pos = 0
    for line in low.split("\n"):
        lt = _TOKEN.findall(line)
        if len(lt) >= min_words:
            lines.append((pos, len(toks), len(lt)))
        toks.extend(lt)
        pos += len(line) + 1
    th = token_hashes(toks)
    sh = np.unique(shingle_hashes(th, k))
    passages: list[np.ndarray] = []
    pwords: list[int] = []
    spans: list[tuple[int, int]] = []
    for start, t0, n in lines:
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if n <= max_words:
            windows = [(0, n)]
        else:
            windows = [(w0, min(n, w0 + max_words)) for w0 in range(0, n, max_words)]
            if windows[-1][1] - windows[-1][0] < min_words:  # a short tail: the last half window
                windows[-1] = (max(0, n - max_words // 2), n)
        if len(windows) == 1:
            cuts = [(start, end)]
        else:
            ms = list(_TOKEN.finditer(text, start, end))
            cuts = [(ms[a].start(), ms[b - 1].end()) for a, b in windows]
        for (a, b), cut in zip(windows, cuts, strict=True):
            passages.append(np.unique(shingle_hashes(th[t0 + a:t0 + b], k)))
            pwords.append(b - a)
            spans.append(cut)
    return Shingled(sh, len(toks), passages, pwords, spans)
