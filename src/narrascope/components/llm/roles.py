"""``roles_llm``: entity framing roles (SemEval-2025 Task 10 subtask 1) from an LLM.

Runs after ``entities`` and replaces the roles of what it was asked about:

* given mentions (``article.given_mentions``, ``--mentions FILE``): one question per
  article listing every given mention with its sentence; each answer gives one main role
  (Protagonist / Antagonist / Innocent) and one or more of its fine roles, citing
  sentence numbers.  A mention whose answer is inconsistent (fine roles of another main
  role) or cites only sentences that do not exist keeps the offline roles (counted);
* automatic mode: the ``max_entities`` most-mentioned entities the ``entities``
  component found, each with the sentences it appears in; the answer may also be
  ``none`` (the article merely reports the entity).  The entity's role and the roles of
  its mentions in the cited sentences come from the answer (``source = "llm"``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from narrascope.components.entities.model import Taxonomy as RoleTaxonomy
from narrascope.components.entities.model import load_taxonomy
from narrascope.components.llm.base import (
    CONFIDENCE,
    CONFIDENCE_SCHEMA,
    EVIDENCE_SCHEMA,
    LLMComponent,
)
from narrascope.doc import Article, Entity, Evidence, Label, Mention
from narrascope.registry import registry

PROMPT_VERSION = "roles-1"

#: narrascope's own short definitions of the SemEval-2025 Task 10 framing roles.
ROLE_DEFINITIONS: dict[str, str] = {
    "Protagonist": "cast in a positive light: acting for good or deserving support",
    "Antagonist": "cast in a negative light: causing harm, threat or wrongdoing",
    "Innocent": "cast as suffering harm without being at fault",
    "Guardian": "protects others or defends a community",
    "Martyr": "suffers or dies for a cause",
    "Peacemaker": "works to end conflict or reconcile sides",
    "Rebel": "resists an unjust power",
    "Underdog": "weaker side fighting on against the odds",
    "Virtuous": "shown as honest, wise or morally admirable",
    "Instigator": "starts or provokes the conflict",
    "Conspirator": "plots in secret against others",
    "Tyrant": "rules by force and oppression",
    "Foreign Adversary": "an outside power working against the home side",
    "Traitor": "betrays their own side",
    "Spy": "gathers secrets for an enemy",
    "Saboteur": "undermines or damages from within",
    "Corrupt": "abuses power for gain",
    "Incompetent": "fails through weakness or foolishness",
    "Terrorist": "uses violence against civilians to intimidate",
    "Deceiver": "lies or spreads falsehoods",
    "Bigot": "shows prejudice against a group",
    "Forgotten": "ignored or abandoned by those who should help",
    "Exploited": "used by others for their gain",
    "Victim": "harmed by the acts of others",
    "Scapegoat": "blamed unfairly for others' failures",
}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": list(props),
            "properties": props}


def roles_text(tax: RoleTaxonomy, with_none: bool) -> str:
    lines = []
    for main, fines in tax.main_roles.items():
        fl = "; ".join(f"{f} ({ROLE_DEFINITIONS.get(f, f)})" for f in fines)
        lines.append(f"- {main}: {ROLE_DEFINITIONS.get(main, main)}. Fine roles: {fl}")
    if with_none:
        lines.append("- none: the article merely mentions or reports the entity without "
                     "casting it in a role (no fine roles)")
    return "\n".join(lines)


@registry.component("roles_llm", assigns=["entities"], requires=["sentences"])
class RolesLLM(LLMComponent):
    """Entity framing roles from an OpenAI-compatible LLM (given mentions or automatic)."""

    prompt_version = PROMPT_VERSION

    def __init__(self, name: str = "roles_llm", backend: str = "llm",
                 backends: dict[str, Any] | None = None, roles: str | None = None,
                 max_entities: int = 12, max_sentences: int = 150,
                 max_sentence_chars: int = 400) -> None:
        super().__init__(name, backend, backends, max_sentences, max_sentence_chars)
        self.tax: RoleTaxonomy = load_taxonomy(str(roles) if roles else None)
        self.max_entities = int(max_entities)

    def process(self, article: Article) -> str:
        if not article.entities:
            return "ok: no entities"
        if article.given_mentions is not None:
            return self._given(article)
        return self._automatic(article)

    # ------------------------------------------------------------------ checks
    def _roles(self, article: Article, it: dict[str, Any], allow_none: bool
               ) -> tuple[str | None, list[str], list[Evidence]] | None:
        """(main, fines, evidence) of one answer item; None when it cannot be used."""
        main = it["main_role"]
        if main == "none":
            return (None, [], []) if allow_none else None
        fines = [f for f in dict.fromkeys(it["fine_roles"]) if f in self.tax.main_roles[main]]
        if len(fines) != len(set(it["fine_roles"])) or not fines:
            self.count("answers ignored (fine roles of another main role)")
            return None
        ev = self.cited(article, it["evidence"])
        if not ev:
            self.count("answers ignored (evidence not in the text)")
            return None
        return main, fines, ev

    def _schema(self, ids: list[str], allow_none: bool) -> dict[str, Any]:
        mains = [*self.tax.mains, *(["none"] if allow_none else [])]
        item = _obj({"id": {"type": "string", "enum": ids},
                     "main_role": {"type": "string", "enum": mains},
                     "fine_roles": {"type": "array", "items": {"type": "string",
                                                               "enum": self.tax.fines}},
                     "evidence": EVIDENCE_SCHEMA, "confidence": CONFIDENCE_SCHEMA})
        return _obj({"items": {"type": "array", "items": item}})

    # -------------------------------------------------------------- given mode
    def _given(self, article: Article) -> str:
        mentions: list[tuple[Entity, Mention]] = [
            (e, m) for e in article.entities for m in e.mentions]
        if not mentions:
            return "ok: no mentions"
        ids = [f"m{i + 1}" for i in range(len(mentions))]
        lines = []
        for mid, (_e, m) in zip(ids, mentions, strict=True):
            where = f" in sentence {m.sentence}" if m.sentence is not None else ""
            lines.append(f"- {mid}: \"{' '.join(m.text.split())}\"{where}")
        task = ("How does the article frame each entity mention below? Give each one main "
                "role and at least one fine role of that main role, from:\n"
                f"{roles_text(self.tax, False)}\nMentions:\n" + "\n".join(lines) + "\n"
                'Reply as {"items": [{"id": ID, "main_role": ROLE, "fine_roles": [ROLE], '
                '"evidence": [sentence numbers], "confidence": "low" | "medium" | "high"}]}, '
                "one item per mention, citing the sentences that frame it.")
        ans = self.ask(self.messages(task, article), self._schema(ids, False), "given")
        by_id = dict(zip(ids, mentions, strict=True))
        changed: set[int] = set()
        for it in ans["items"]:
            if it["id"] not in by_id:
                continue
            got = self._roles(article, it, allow_none=False)
            if got is None:
                continue
            main, fines, ev = got
            ent, m = by_id[it["id"]]
            conf = CONFIDENCE.get(it["confidence"], 0.55)
            m.main_role = Label(label=str(main), confidence=conf, evidence=ev, source="llm")
            m.fine_roles = [Label(label=f, confidence=conf, evidence=ev, source="llm")
                            for f in fines]
            changed.add(id(ent))
            self.count("mentions relabelled")
        for ent in article.entities:
            if id(ent) in changed:
                _aggregate(ent)
        return "ok"

    # ---------------------------------------------------------- automatic mode
    def _automatic(self, article: Article) -> str:
        ents = sorted(article.entities, key=lambda e: -len(e.mentions))[: self.max_entities]
        ids = [f"e{i + 1}" for i in range(len(ents))]
        lines = []
        for eid, ent in zip(ids, ents, strict=True):
            sents = sorted({m.sentence for m in ent.mentions if m.sentence is not None})
            where = f" (in sentences {', '.join(map(str, sents))})" if sents else ""
            lines.append(f"- {eid}: {' '.join(ent.canonical.split())}{where}")
        task = ("How does the article frame each entity below? Give each one main role "
                "(or none) and, with a main role, at least one of its fine roles, from:\n"
                f"{roles_text(self.tax, True)}\nEntities:\n" + "\n".join(lines) + "\n"
                'Reply as {"items": [{"id": ID, "main_role": ROLE, "fine_roles": [ROLE], '
                '"evidence": [sentence numbers], "confidence": "low" | "medium" | "high"}]}, '
                "one item per entity, citing the sentences that frame it.")
        ans = self.ask(self.messages(task, article), self._schema(ids, True), "automatic")
        by_id = dict(zip(ids, ents, strict=True))
        for it in ans["items"]:
            ent = by_id.get(it["id"])
            if ent is None:
                continue
            got = self._roles(article, it, allow_none=True)
            if got is None:
                continue
            main, fines, ev = got
            conf = CONFIDENCE.get(it["confidence"], 0.55)
            if main is None:
                ent.main_role, ent.fine_roles = None, []
                for m in ent.mentions:
                    m.main_role, m.fine_roles = None, []
                self.count("entities without a role")
                continue
            ent.main_role = Label(label=main, confidence=conf, evidence=ev, source="llm")
            ent.fine_roles = [Label(label=f, confidence=conf, evidence=ev, source="llm")
                              for f in fines]
            cited = {e.sentence for e in ev}
            for m in ent.mentions:
                if m.sentence in cited:
                    m.main_role = ent.main_role
                    m.fine_roles = list(ent.fine_roles)
                else:
                    m.main_role, m.fine_roles = None, []
            self.count("entities relabelled")
        return "ok"


def _aggregate(ent: Entity) -> None:
    """The entity's role: its mentions' most frequent main role and their fine roles."""
    roled = [m for m in ent.mentions if m.main_role is not None]
    if not roled:
        return
    mains = Counter(m.main_role.label for m in roled)  # type: ignore[union-attr]
    best = max(mains, key=lambda r: (mains[r], -min(
        m.start for m in roled if m.main_role.label == r)))  # type: ignore[union-attr]
    with_best = [m for m in roled if m.main_role.label == best]  # type: ignore[union-attr]
    evidence: list[Evidence] = []
    for m in with_best:
        for e in m.main_role.evidence:  # type: ignore[union-attr]
            if all(e.start != x.start for x in evidence) and len(evidence) < 3:
                evidence.append(e)
    conf = sum(m.main_role.confidence for m in with_best) / len(with_best)  # type: ignore[union-attr]
    sources = {m.main_role.source for m in with_best}  # type: ignore[union-attr]
    source = "llm" if sources == {"llm"} else "model+llm"
    ent.main_role = Label(label=best, confidence=round(conf, 4), evidence=evidence, source=source)
    fines = Counter(f.label for m in with_best for f in m.fine_roles)
    ent.fine_roles = [Label(label=f, confidence=round(min(n / len(with_best), 1.0), 4),
                            evidence=evidence, source=source)
                      for f, n in fines.most_common(3)]
