"""``narratives_llm``: narratives and subnarratives from an LLM, hierarchically.

Three questions per article, each with the taxonomy's own definitions (so a user's
taxonomy works as well as the shipped one) and a JSON schema whose enums are the
taxonomy's labels: the domain, then the narratives of that domain, then the
subnarratives of the narratives found.  Every label must cite sentence numbers of the
article; a label whose citations are all sentences that do not exist is dropped (and
counted), and when every label of an answer is dropped the article keeps the offline
labels.

Modes (option ``mode``):

* ``replace``: the LLM's labels replace the offline ones (``source = "llm"``);
* ``verify``: one question: the LLM confirms or rejects each offline label (a
  precision booster); rejected labels are removed, confirmed ones kept as they were;
  a verdict without valid evidence is ignored;
* ``union``: the offline labels plus the LLM's (new ones with ``source = "llm"``).

Confidences of LLM labels come from the model's own "low / medium / high" (0.55 / 0.7
/ 0.85): they are not calibrated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from narrascope.components.llm.base import (
    CONFIDENCE,
    CONFIDENCE_SCHEMA,
    EVIDENCE_SCHEMA,
    LLMComponent,
)
from narrascope.components.narratives.taxonomy import LabelInfo, Taxonomy, load_taxonomy
from narrascope.doc import Article, Evidence, Label, Narratives
from narrascope.registry import registry

PROMPT_VERSION = "narratives-1"
MODES = ("replace", "verify", "union")


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": list(props),
            "properties": props}


def _describe(info: LabelInfo, indent: str = "  ") -> str:
    parts = [f"{indent}definition: {' '.join(info.definition.split())}"] if info.definition else []
    if info.include:
        parts.append(f"{indent}typical: {' '.join(info.include.split())}")
    if info.exclude:
        parts.append(f"{indent}not: {' '.join(info.exclude.split())}")
    return "\n".join(parts)


@registry.component("narratives_llm", assigns=["narratives"], requires=["sentences"])
class NarrativesLLM(LLMComponent):
    """Narratives from an OpenAI-compatible LLM (replace, verify or extend the offline ones)."""

    prompt_version = PROMPT_VERSION

    def __init__(self, name: str = "narratives_llm", backend: str = "llm",
                 backends: dict[str, Any] | None = None, mode: str = "replace",
                 taxonomy: str | None = None, max_evidence: int = 3,
                 max_sentences: int = 150, max_sentence_chars: int = 400) -> None:
        super().__init__(name, backend, backends, max_sentences, max_sentence_chars)
        if mode not in MODES:
            raise ValueError(f"component {name!r}: mode = {mode!r}; want one of "
                             f"{', '.join(MODES)}")
        self.mode = mode
        self.taxonomy: Taxonomy = load_taxonomy(Path(taxonomy) if taxonomy else None)
        self.max_evidence = int(max_evidence)

    # ------------------------------------------------------------------ steps
    def process(self, article: Article) -> str:
        offline = article.narratives
        if (offline is not None and self.mode in ("verify", "union")
                and offline.taxonomy != self.taxonomy.name):
            article.warnings.append(
                f"{self.name}: the offline labels use taxonomy {offline.taxonomy!r}, this "
                f"component {self.taxonomy.name!r} (set the same 'taxonomy' option for both); "
                "kept the offline labels")
            return "offline: another taxonomy"
        if self.mode == "verify" and offline is not None:
            return self._verify(article, offline)
        proposed = self._ask_hierarchy(article)
        if proposed is None:
            return "offline: every label dropped"
        if self.mode == "union" and offline is not None:
            article.narratives = self._union(offline, proposed)
        else:  # an explanation written before (component order) stays
            article.narratives = proposed.model_copy(update={
                "explanation": offline.explanation if offline is not None else None})
        return "ok"

    def _label(self, label: str, confidence: str, evidence: list[Evidence]) -> Label:
        return Label(label=label, confidence=CONFIDENCE.get(confidence, 0.55),
                     evidence=evidence[: self.max_evidence], source="llm")

    def _ask_hierarchy(self, article: Article) -> Narratives | None:
        tax = self.taxonomy
        # 1. the domain
        other = tax.other_label
        choices = "\n".join(
            f"- {code} ({tax.domain_names.get(code, code)})" for code in tax.domains)
        task = ("Which topic do the narratives this article pushes belong to? Choose one "
                f"code:\n{choices}\n- {other}: the article pushes none of these narratives "
                "(for example neutral reporting or an unrelated subject).\n"
                'Reply as {"domain": CODE, "evidence": [sentence numbers], "confidence": '
                '"low" | "medium" | "high"}. Cite the sentences that show the topic '
                f'(none for "{other}").')
        schema = _obj({"domain": {"type": "string", "enum": [*tax.domains, other]},
                       "evidence": EVIDENCE_SCHEMA, "confidence": CONFIDENCE_SCHEMA})
        ans = self.ask(self.messages(task, article), schema, "domain")
        domain = ans["domain"]
        ev = self.cited(article, ans["evidence"])
        if domain == other:
            return self._result([], [], Label(label=other, confidence=CONFIDENCE.get(
                ans["confidence"], 0.55), evidence=ev, source="llm"))
        if not ev:
            self.count("labels dropped (evidence not in the text)")
            return None
        dom_label = self._label(domain, ans["confidence"], ev)
        # 2. the narratives of that domain
        names = [tax.info[n].name for n in tax.narratives if tax.info[n].domain == domain]
        listing = "\n".join(f"- {tax.info[n].name}\n{_describe(tax.info[n])}"
                            for n in tax.narratives if tax.info[n].domain == domain)
        task = (f"The article is about {tax.domain_names.get(domain, domain)}. Which of "
                f"these narratives does it push (zero, one or more)?\n{listing}\n"
                'Reply as {"narratives": [{"name": NAME, "evidence": [sentence numbers], '
                '"confidence": "low" | "medium" | "high"}]}. Only list a narrative the '
                "article itself advances, not one it merely reports or rebuts; cite the "
                "sentences that advance it.")
        item = _obj({"name": {"type": "string", "enum": names}, "evidence": EVIDENCE_SCHEMA,
                     "confidence": CONFIDENCE_SCHEMA})
        ans = self.ask(self.messages(task, article), _obj({"narratives": {
            "type": "array", "items": item}}), "narratives")
        narratives: dict[str, Label] = {}
        proposed = 0
        for it in ans["narratives"]:
            label = f"{domain}{tax.separator}{it['name']}"
            if label not in tax.info or label in narratives:
                continue
            proposed += 1
            ev = self.cited(article, it["evidence"])
            if not ev:
                self.count("labels dropped (evidence not in the text)")
                continue
            narratives[label] = self._label(label, it["confidence"], ev)
        if proposed and not narratives:
            return None
        if not narratives:
            return self._result([], [], Label(label=other, confidence=0.55, evidence=[],
                                              source="llm"))
        # 3. the subnarratives of the narratives found
        blocks = []
        pairs: list[str] = []
        for nl in narratives:
            subs = tax.subnarratives_of(nl)
            lines = "\n".join(f"  - {tax.info[s].name}\n{_describe(tax.info[s], '    ')}"
                              for s in subs if not tax.info[s].is_other)
            blocks.append(f"- narrative: {tax.info[nl].name}\n{lines}")
            pairs.extend(tax.info[s].name for s in subs if not tax.info[s].is_other)
        task = ("The article pushes the narratives below. For each, which of its listed "
                "subnarratives does the article advance (zero, one or more)?\n"
                + "\n".join(blocks) + "\n"
                'Reply as {"subnarratives": [{"narrative": NARRATIVE, "name": SUBNARRATIVE, '
                '"evidence": [sentence numbers], "confidence": "low" | "medium" | "high"}]}. '
                "Leave a narrative out when none of its subnarratives fits.")
        item = _obj({"narrative": {"type": "string",
                                   "enum": [tax.info[n].name for n in narratives]},
                     "name": {"type": "string", "enum": sorted(set(pairs)) or ["Other"]},
                     "evidence": EVIDENCE_SCHEMA, "confidence": CONFIDENCE_SCHEMA})
        ans = self.ask(self.messages(task, article), _obj({"subnarratives": {
            "type": "array", "items": item}}), "subnarratives")
        subs: dict[str, Label] = {}
        for it in ans["subnarratives"]:
            nl = f"{domain}{tax.separator}{it['narrative']}"
            sl = f"{nl}{tax.separator}{it['name']}"
            if nl not in narratives or sl not in tax.info or tax.info[sl].is_other or sl in subs:
                continue
            ev = self.cited(article, it["evidence"])
            if not ev:
                self.count("labels dropped (evidence not in the text)")
                continue
            subs[sl] = self._label(sl, it["confidence"], ev)
        return self._result(list(narratives.values()), list(subs.values()), dom_label)

    def _result(self, narratives: list[Label], subs: list[Label], domain: Label) -> Narratives:
        """Hierarchy-consistent labels: a narrative without a subnarrative gets its Other."""
        tax = self.taxonomy
        by_label = {lab.label: lab for lab in [*narratives, *subs]}
        fine, coarse = tax.consistent([s.label for s in subs], [n.label for n in narratives])
        out_n = [by_label[c] for c in coarse if c in by_label]
        out_s = []
        for f in fine:
            if f in by_label:
                out_s.append(by_label[f])
            elif f != tax.other_label and tax.is_other(f):
                parent = by_label[tax.narrative_of(f)]
                out_s.append(parent.model_copy(update={"label": f}))
        return Narratives(taxonomy=tax.name, model=f"llm:{self.backend.config.model}",
                          domain=domain, narratives=out_n, subnarratives=out_s)

    # ------------------------------------------------------------------ verify
    def _verify(self, article: Article, offline: Narratives) -> str:
        tax = self.taxonomy
        labels = [lab.label for lab in [*offline.narratives, *offline.subnarratives]
                  if lab.label in tax.info and not tax.is_other(lab.label)]
        if not labels:
            return "ok: nothing to verify"
        lines = "\n".join(f"- {lab}\n{_describe(tax.info[lab])}" for lab in labels)
        task = ("An automatic classifier gave this article the narrative labels below. "
                "For each label, say whether the article itself advances it (confirm) or "
                f"not (reject: it only reports, rebuts or does not touch it).\n{lines}\n"
                'Reply as {"verdicts": [{"label": LABEL, "verdict": "confirm" | "reject", '
                '"evidence": [sentence numbers]}]}, one verdict per label; cite the '
                "sentences that advance a confirmed label.")
        item = _obj({"label": {"type": "string", "enum": labels},
                     "verdict": {"type": "string", "enum": ["confirm", "reject"]},
                     "evidence": EVIDENCE_SCHEMA})
        ans = self.ask(self.messages(task, article), _obj({"verdicts": {
            "type": "array", "items": item}}), "verify")
        rejected: set[str] = set()
        for it in ans["verdicts"]:
            if it["verdict"] == "reject":
                rejected.add(it["label"])
            elif not self.cited(article, it["evidence"]):
                self.count("verdicts ignored (evidence not in the text)")
        # a rejected narrative takes its subnarratives with it; a narrative whose every
        # specific subnarrative was rejected keeps only its Other
        keep_n = [n for n in offline.narratives if n.label not in rejected]
        kept = {n.label for n in keep_n}
        keep_s = [s for s in offline.subnarratives if s.label not in rejected
                  and (s.label not in tax.info or tax.narrative_of(s.label) in kept)]
        self.count("labels rejected", len([lab for lab in labels if lab in rejected]))
        result = self._result(keep_n, [s for s in keep_s if not tax.is_other(s.label)],
                              offline.domain if keep_n else Label(
                                  label=tax.other_label, confidence=offline.domain.confidence,
                                  evidence=[], source="llm"))
        # offline "X: Other" labels keep their own confidence
        by = {s.label: s for s in keep_s}
        result.subnarratives = [by.get(s.label, s) for s in result.subnarratives]
        article.narratives = result.model_copy(update={
            "model": f"{offline.model}+verify:{self.backend.config.model}",
            "explanation": offline.explanation})
        return "ok"

    # ------------------------------------------------------------------- union
    def _union(self, offline: Narratives, llm: Narratives) -> Narratives:
        have = {lab.label for lab in [*offline.narratives, *offline.subnarratives]}
        added_n = [n for n in llm.narratives if n.label not in have]
        added_s = [s for s in llm.subnarratives
                   if s.label not in have and not self.taxonomy.is_other(s.label)]
        self.count("labels added", len(added_n) + len(added_s))
        subs = [s for s in offline.subnarratives if not self.taxonomy.is_other(s.label)]
        domain = offline.domain
        if domain.label == self.taxonomy.other_label and llm.narratives:
            domain = llm.domain
        result = self._result([*offline.narratives, *added_n], [*subs, *added_s], domain)
        by = {s.label: s for s in offline.subnarratives}
        result.subnarratives = [by.get(s.label, s) for s in result.subnarratives]
        return result.model_copy(update={
            "model": f"{offline.model}+{self.backend.config.model}",
            "explanation": offline.explanation})
