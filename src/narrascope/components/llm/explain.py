"""``explain_llm``: the dominant narrative's explanation (subtask 3) written by an LLM.

The target is the given dominant narrative (``--dominant FILE``) or the most confident
one, as for the template explanation.  The answer is kept only when

* it has at most 80 words and at least one quoted phrase;
* every phrase between quotation marks (“…”, "…", «…») occurs verbatim in the article
  and holds no line break or tab;

otherwise the article keeps the template explanation of the ``techniques`` component
(computed here when that component did not run), and the reason is counted.  Kept
answers have their quotes written “…” and recorded with offsets in
``Explanation.quotes``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from narrascope.components.llm.base import LLMComponent
from narrascope.components.narratives.taxonomy import Taxonomy, load_taxonomy
from narrascope.doc import Article, Explanation
from narrascope.registry import registry

PROMPT_VERSION = "explain-1"
MAX_WORDS = 80
_QUOTED = re.compile(r"“([^“”]*)”|\"([^\"]*)\"|«([^«»]*)»")


def quoted_phrases(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(text)]


def check_explanation(article: Article, text: str, max_words: int = MAX_WORDS
                      ) -> tuple[str, list[tuple[int, int]]] | str:
    """(normalised text, quote offsets) when ``text`` passes the checks, else the reason."""
    text = " ".join(text.split())
    if not text:
        return "empty"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") for c in text):
        return "control characters"
    if len(text.split()) > max_words:
        return f"over {max_words} words"
    phrases = quoted_phrases(text)
    if not phrases:
        return "no quoted phrase"
    offsets: list[tuple[int, int]] = []
    for p in phrases:
        start = article.text.find(p) if p.strip() else -1
        if start < 0 or any(c in p for c in "\n\r\t"):
            return "a quoted phrase is not in the article"
        offsets.append((start, start + len(p)))
    leftover = _QUOTED.sub("", text)
    if any(c in leftover for c in "“”«»\""):
        return "unbalanced quotation marks"
    normalised = _QUOTED.sub(lambda m: f"“{next(g for g in m.groups() if g is not None)}”", text)
    return normalised, offsets


@registry.component("explain_llm", assigns=["narratives.explanation"], requires=["sentences"])
class ExplainLLM(LLMComponent):
    """Explanations of the dominant narrative by an LLM, quotes checked verbatim."""

    prompt_version = PROMPT_VERSION

    def __init__(self, name: str = "explain_llm", backend: str = "llm",
                 backends: dict[str, Any] | None = None, taxonomy: str | None = None,
                 max_sentences: int = 150, max_sentence_chars: int = 400) -> None:
        super().__init__(name, backend, backends, max_sentences, max_sentence_chars)
        self.taxonomy: Taxonomy = load_taxonomy(taxonomy)

    def process(self, article: Article) -> str:
        from narrascope.components.techniques.explain import dominant_narrative

        target = dominant_narrative(article)
        if target is None or article.narratives is None:
            return "ok: no narrative to explain"
        narrative, sub = target
        template = article.narratives.explanation
        if template is None:
            template = _template(article)
        desc = []
        for label in (narrative, sub):
            info = self.taxonomy.info.get(label or "")
            if info is not None and info.definition and not info.is_other:
                desc.append(f"{label}: {' '.join(info.definition.split())}")
            elif label:
                desc.append(label)
        task = ("Explain in at most 60 words why this article advances the narrative "
                "below. Quote one to three short phrases copied exactly, character for "
                "character, from the article, each between “ and ”; use no other "
                "quotation marks.\nNarrative: " + "\n".join(desc) + "\n"
                'Reply as {"explanation": TEXT}.')
        schema = {"type": "object", "additionalProperties": False, "required": ["explanation"],
                  "properties": {"explanation": {"type": "string"}}}
        try:
            ans = self.ask(self.messages(task, article), schema, "explain")
        except Exception:
            article.narratives.explanation = template
            raise
        checked = check_explanation(article, ans["explanation"])
        if isinstance(checked, str):
            self.count(f"explanations replaced by the template ({checked})")
            article.narratives.explanation = template
            return f"template: {checked}"
        text, offsets = checked
        article.narratives.explanation = Explanation(
            narrative=narrative, subnarrative=sub, text=text,
            quotes=[article.span(s, e) for s, e in offsets], source="llm")
        return "ok"


def _template(article: Article) -> Explanation | None:
    """The template explanation (as the techniques component writes it), or None."""
    try:
        from narrascope.components.techniques.component import _embed_query, _vectors
        from narrascope.components.techniques.explain import explain_article

        return explain_article(article, _vectors, _embed_query)
    except (ImportError, OSError, RuntimeError):
        return None
