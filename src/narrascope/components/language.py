"""Language checks shared by the components whose models are trained on English text.

``english_only(article, layer)`` returns True when ``layer`` may run on ``article``:
the article's language is English, unknown, or uncertain (a short text), or a model for
its language is configured.  Otherwise it records why the layer is withheld: a warning
in ``article.warnings`` and ``article.metadata["withheld"][layer] = reason`` (a field in
every output format), and returns False.  A component then leaves its layer empty.

Each component passes its own ``languages`` option (default ``["en"]``), e.g.::

    [components.narratives]
    languages = ["en", "de"]      # a German-capable model is configured
    # languages = ["*"]           # run on every language (results may be unreliable)
"""

from __future__ import annotations

from collections.abc import Iterable

from narrascope.doc import Article

ENGLISH = frozenset({"en", "eng", "english"})
#: below this detection confidence a non-English guess does not withhold anything
UNSURE_BELOW = 0.5
#: a detected language of a text of fewer words is trusted only from SHORT_SURE_FROM
#: ("Russian Foreign Minister Péter Szijjártó said." reads as Hungarian at 0.68)
MIN_WORDS = 15
SHORT_SURE_FROM = 0.9
WITHHELD_KEY = "withheld"


def detected_language(article: Article) -> tuple[str | None, float | None]:
    """The article's language, detecting it (py3langid) when the reader did not."""
    if article.language is None:
        text = article.text[article.body_start:].strip()
        if text:
            try:
                from narrascope.read.lang import detect
            except ImportError:  # pragma: no cover - optional dependency
                return None, None
            article.language, article.language_confidence = detect(text)
    return article.language, article.language_confidence


def is_english(article: Article) -> bool:
    """English, unknown, or too uncertain to say otherwise (low confidence, short text)."""
    lang, conf = detected_language(article)
    if lang is None or lang.lower() in ENGLISH:
        return True
    if conf is None:  # given, not detected
        return False
    if conf < SHORT_SURE_FROM and len(article.text[article.body_start:].split()) < MIN_WORDS:
        return True
    return conf < UNSURE_BELOW


def english_only(article: Article, layer: str, languages: Iterable[str] = ("en",)) -> bool:
    """True when ``layer`` may run on ``article``; otherwise note why it is withheld."""
    langs = {x.lower() for x in languages}
    if "*" in langs or is_english(article):
        return True
    lang = (article.language or "").lower()
    if lang in langs:
        return True
    reason = (f"{layer} withheld: the article's language is {article.language!r} "
              f"(confidence {article.language_confidence or 0:.2f}) and the {layer} model is "
              f"trained on English only; configure a model for this language or set "
              f"languages = [\"*\"] in [components.{layer}] to run it anyway")
    held = article.metadata.setdefault(WITHHELD_KEY, {})
    if isinstance(held, dict) and layer not in held:
        held[layer] = reason
        article.warnings.append(reason)
    return False
