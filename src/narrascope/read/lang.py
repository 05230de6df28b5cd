"""Language identification with py3langid (offline, ~0.4 s to load once)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from narrascope.doc import Article

#: Characters of the body used for identification (enough, and fast on long texts).
SAMPLE_CHARS = 5000
#: Below this confidence a non-English guess is reported as uncertain, not as a fact.
UNSURE_BELOW = 0.5


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str, float]:
    """``(iso639-1 code, probability)`` of the language of ``text``."""
    lang, prob = _identifier().classify(text[:SAMPLE_CHARS])
    return str(lang), round(float(prob), 4)


def set_language(article: Article) -> Article:
    """Fill ``language``/``language_confidence`` when not given; warn on non-English."""
    if article.language is None:
        sample = article.text[article.body_start :].strip()
        if not sample:
            return article
        article.language, article.language_confidence = detect(sample)
    if article.language and article.language.lower() not in {"en", "eng", "english"}:
        low = article.language_confidence
        if low is not None and low < UNSURE_BELOW:  # short texts: a guess, not a finding
            article.warnings.append(
                f"language uncertain (best guess {article.language!r}, confidence {low:.2f}); "
                "the models are trained on English news"
            )
            return article
        conf = (
            f" (confidence {article.language_confidence:.2f})"
            if article.language_confidence is not None
            else ""
        )
        article.warnings.append(
            f"language is {article.language!r}{conf}, not English: the models are trained "
            "on English news, so results for this article are unreliable"
        )
    return article
