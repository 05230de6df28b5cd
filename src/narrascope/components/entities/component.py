"""The ``entities`` component: who the article talks about and how it frames them.

Automatic mode fills ``article.entities`` with canonical entities (mentions from
spaCy NER + the alias table, resolved, plus described groups such as "local residents"
from ``resources/entities/groups.yaml``), each mention classified in context
(main role / fine roles, or none when the text merely reports it) and an
article-level dominant framing per entity with its strongest evidence sentences.

SemEval subtask-1 mode (``article.given_mentions`` is not None): exactly one
:class:`Mention` per given mention, same half-open offsets, always with a main role
and at least one fine role, and nothing else.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from narrascope.components.entities.aliases import AliasTable, load_table
from narrascope.components.entities.features import (
    MentionRef,
    build,
    resolve_canonicals,
    side_of,
)
from narrascope.components.entities.groups import GroupLexicon, find_group_mentions, load_groups
from narrascope.components.entities.mentions import RawMention, find_mentions, parse
from narrascope.components.entities.model import RoleModel, RolePrediction, load_model
from narrascope.components.entities.stance import apply_stance
from narrascope.components.sentences import segment
from narrascope.doc import Article, Entity, Evidence, Label, Mention, Sentence
from narrascope.registry import Component, registry

SPACY_CACHE_KEY = "spacy_doc"

#: How a mention was found (``Mention.source``), from the finder's entity type.
_MENTION_SOURCES = {"ALIAS": "alias", "GROUP": "group", "GIVEN": "given"}


@dataclass
class _Job:
    article: int
    ref: MentionRef


def ensure_sentences(article: Article) -> None:
    if not article.sentences:
        article.sentences = [
            Sentence(start=s, end=e, text=article.text[s:e], index=i, kind=k)  # type: ignore[arg-type]
            for i, (s, e, k) in enumerate(segment(article.text, article.body_start))
        ]


def _sentence_of(article: Article, starts: list[int], start: int, end: int) -> int | None:
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and article.sentences[i].start <= start < max(article.sentences[i].end, start + 1):
        return i
    return None


def mention_ref(article: Article, starts: list[int], start: int, end: int, canonical: str,
                side: str | None) -> MentionRef:
    """A mention with its sentence (or, outside every sentence, its line) as context."""
    si = _sentence_of(article, starts, start, end)
    if si is not None:
        sent = article.sentences[si]
        return MentionRef(start, end, sent.start, max(sent.end, end), si, canonical, side)
    text = article.text
    s_start = text.rfind("\n", 0, start) + 1
    nl = text.find("\n", end)
    return MentionRef(start, end, s_start, len(text) if nl < 0 else nl, None, canonical, side)


#: capitals the alias table reads as their government or country ("Kyiv" -> Ukrainian
#: government, "Warsaw" -> Poland); used as a place ("in Kyiv", "to Warsaw") they stay
#: the city in the output
CAPITALS = frozenset("""Kyiv Kiev Moscow Warsaw Washington Brussels London Paris Berlin
Minsk Beijing Budapest Ankara Tehran Pyongyang Tbilisi Chisinau Vilnius Riga Tallinn
Helsinki Stockholm Oslo Copenhagen Rome Madrid Ottawa Tokyo Bratislava Prague Bucharest
Sofia Belgrade Damascus Kabul Islamabad Delhi Jerusalem""".split())
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|to|from|into|outside|around|across|over|towards?|via|through|"
    r"visit(?:ed|s|ing)?|left|reach(?:ed)?|arriv(?:ed|ing|es?)\s+in|flew\s+to|streets\s+of|"
    r"centre\s+of|center\s+of|residents\s+of|outskirts\s+of|people\s+of|city\s+of|"
    r"mayor\s+of|suburbs?\s+of)|\bcentral|\bdowntown|\beastern|\bwestern|\bnorthern|"
    r"\bsouthern)\s+$", re.I)


def place_as_written(text: str, m: RawMention, table: AliasTable) -> RawMention:
    """A capital the alias table reads as a government or country keeps its own name
    when the text uses it as a place ("air raid sirens in Kyiv", "flew to Warsaw"); used
    as an actor ("Kyiv said", "Warsaw's decision") it stays the government / country."""
    surface = " ".join(m.text.split())
    if surface not in CAPITALS or m.canonical == surface:
        return m
    if not _PLACE_BEFORE.search(text[max(0, m.start - 30):m.start]):
        return m
    return RawMention(m.start, m.end, m.text, m.ner_label, surface, "place")


@registry.component("entities", assigns=["entities"], requires=["sentences"])
class Entities(Component):
    """Find people, countries and organisations, resolve them and classify their roles."""

    def __init__(self, name: str = "entities", aliases: str | None = None,
                 model: str | None = None, min_confidence: float = 0.55,
                 fine_threshold: float = 0.5, max_roled_per_article: int = 12,
                 evidence_per_entity: int = 3, use_spacy: bool = True,
                 stance: bool = False, entity_min_confidence: float = 0.3,
                 max_sentences_per_entity: int = 4, find_groups: bool = True,
                 groups: str | None = None, span_net: bool = True,
                 languages: Sequence[str] = ("en",)) -> None:
        self.name = name
        #: the alias table, NER and role model read English: an article in another
        #: detected language gets no entities, with a note (``["*"]``: run anyway)
        self.languages = tuple(languages)
        self.aliases = aliases
        self.model_path = model
        self.min_confidence = min_confidence
        self.fine_threshold = fine_threshold
        self.max_roled_per_article = max_roled_per_article
        self.evidence_per_entity = evidence_per_entity
        self.use_spacy = use_spacy
        self.stance = stance
        self.entity_min_confidence = entity_min_confidence
        self.max_sentences_per_entity = max_sentences_per_entity
        self.table: AliasTable = load_table(str(aliases) if aliases else None)
        self.model: RoleModel = load_model(str(model) if model else None)
        self.span_net = span_net
        self.groups: GroupLexicon | None = (
            load_groups(str(groups) if groups else None) if find_groups else None)

    def __call__(self, article: Article) -> Article:
        return next(iter(self.pipe([article], batch_size=1)))

    # ------------------------------------------------------------------- batch
    def pipe(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article]:
        from narrascope.components.language import english_only

        everything = list(articles)
        batch = []
        for art in everything:
            if english_only(art, "entities", self.languages):
                batch.append(art)
            else:
                art.entities = []
        if not batch:
            yield from everything
            return
        for art in batch:
            ensure_sentences(art)
        if self.use_spacy:  # also in SemEval mode: later components may read the Doc
            todo = [a for a in batch if SPACY_CACHE_KEY not in a.cache]
            for art, doc in zip(todo, parse([a.text for a in todo]), strict=True):
                art.cache[SPACY_CACHE_KEY] = doc
        # mentions per article and classification jobs for the whole batch
        jobs: list[_Job] = []
        per_article: list[tuple[list[RawMention], dict[int, int], list[str | None]]] = []
        for ai, art in enumerate(batch):
            starts = [s.start for s in art.sentences]
            if art.given_mentions is not None:
                raws, job_of, warn = self._given(art, ai, starts, jobs)
                per_article.append((raws, job_of, warn))
            else:
                raws, job_of = self._automatic(art, ai, starts, jobs)
                per_article.append((raws, job_of, []))
        preds = self._classify(batch, jobs)
        for ai, art in enumerate(batch):
            raws, job_of, warns = per_article[ai]
            raws = [place_as_written(art.text, m, self.table) for m in raws]
            forced = art.given_mentions is not None
            art.entities = self._build(art, raws, job_of, preds, jobs, forced)
            art.warnings.extend(w for w in warns if w)
        yield from everything

    # ------------------------------------------------------------------- modes
    def _automatic(self, art: Article, ai: int, starts: list[int], jobs: list[_Job]
                   ) -> tuple[list[RawMention], dict[int, int]]:
        doc = art.cache.get(SPACY_CACHE_KEY)
        region = (art.body_start, len(art.text))
        raws = find_mentions(art.text, doc, self.table, region)
        if self.groups is not None:  # described groups ("local residents", "TCC officers")
            taken = bytearray(len(art.text) + 1)
            for m in raws:
                taken[m.start:m.end] = b"\x01" * (m.end - m.start)
            raws = sorted([*raws, *find_group_mentions(art.text, self.groups, region, taken,
                                                        aliases=self.table)],
                          key=lambda m: (m.start, -m.end))
        # classify the first mention of each entity in each content sentence,
        # most-mentioned entities first, within the per-article budget
        freq: dict[str, int] = defaultdict(int)
        for m in raws:
            freq[m.canonical] += 1
        firsts: dict[tuple[int, str], int] = {}
        sent_of: dict[int, int | None] = {}
        for k, m in enumerate(raws):
            si = _sentence_of(art, starts, m.start, m.end)
            sent_of[k] = si
            if si is None or art.sentences[si].kind == "boilerplate":
                continue
            firsts.setdefault((si, m.canonical), k)
        # the most-mentioned entities (up to max_roled_per_article), each in its first
        # max_sentences_per_entity content sentences
        first_sentence: dict[str, int] = {}
        for si, c in sorted(firsts):
            first_sentence.setdefault(c, si)
        keep = set(sorted(first_sentence, key=lambda c: (-freq[c], first_sentence[c]))
                   [: self.max_roled_per_article])
        per: dict[str, int] = defaultdict(int)
        chosen = []
        for (si, canon), k in sorted(firsts.items(), key=lambda kv: kv[0][0]):
            if canon in keep and per[canon] < self.max_sentences_per_entity:
                per[canon] += 1
                chosen.append(((si, canon), k))
        job_by_key: dict[tuple[int, str], int] = {}
        for (si, canon), k in chosen:
            m = raws[k]
            job_by_key[(si, canon)] = len(jobs)
            side = side_of(self.table, canon, m.text)
            jobs.append(_Job(ai, mention_ref(art, starts, m.start, m.end, canon, side)))
        job_of = {}
        for k, m in enumerate(raws):
            si = sent_of[k]
            if si is not None and (si, m.canonical) in job_by_key:
                job_of[k] = job_by_key[(si, m.canonical)]
        return raws, job_of

    def _given(self, art: Article, ai: int, starts: list[int], jobs: list[_Job]
               ) -> tuple[list[RawMention], dict[int, int], list[str | None]]:
        raws: list[RawMention] = []
        job_of: dict[int, int] = {}
        warns: list[str | None] = []
        text = art.text
        given = art.given_mentions or []
        ok = []
        for g in given:
            where = f" (line {g.line})" if g.line is not None else ""
            if not (0 <= g.start < g.end <= len(text)) or text[g.start:g.end] != g.text:
                warns.append(f"entities: given mention {g.text!r} at {g.start}-{g.end}{where} "
                             "does not match the article text; skipped")
                continue
            ok.append(g)
        canons = resolve_canonicals(self.table, [g.text for g in ok])
        for g, canon in zip(ok, canons, strict=True):
            k = len(raws)
            raws.append(RawMention(g.start, g.end, g.text, "GIVEN", canon, self.table.kind(canon)))
            job_of[k] = len(jobs)
            side = side_of(self.table, canon, g.text)
            jobs.append(_Job(ai, mention_ref(art, starts, g.start, g.end, canon, side)))
        return raws, job_of, warns

    # ---------------------------------------------------------------- features
    def _classify(self, batch: list[Article], jobs: list[_Job]) -> list[RolePrediction]:
        if not jobs:
            return []
        per_art: dict[int, list[int]] = defaultdict(list)
        for i, j in enumerate(jobs):
            per_art[j.article].append(i)
        order = [i for ai in sorted(per_art) for i in per_art[ai]]
        arts = [batch[ai] for ai in sorted(per_art)]
        refs = [[jobs[i].ref for i in per_art[ai]] for ai in sorted(per_art)]
        Xo = build(arts, refs, self.model.window_words, self.model.profile_dir)
        X = np.empty_like(Xo)
        X[order] = Xo
        span = None
        # the mention-aware network, if the model has one and it is not turned off
        so = self.model.span_probs(arts, refs, Xo) if self.span_net else None
        if so is not None:
            span = (np.empty_like(so[0]), np.empty_like(so[1]))
            span[0][order] = so[0]
            span[1][order] = so[1]
        forced_rows = np.array([batch[j.article].given_mentions is not None for j in jobs])
        preds: list[RolePrediction | None] = [None] * len(jobs)
        for flag in (True, False):
            idx = np.flatnonzero(forced_rows == flag)
            if len(idx) == 0:
                continue
            ents = [(jobs[i].article, jobs[i].ref.canonical) for i in idx]
            sub = (span[0][idx], span[1][idx]) if span is not None else None
            if self.stance:  # hand-set article-stance rule (see .stance)
                out = apply_stance(self.model, X[idx], [jobs[i].article for i in idx],
                                   [jobs[i].ref.side for i in idx],
                                   fine_threshold=self.fine_threshold, entity_groups=ents,
                                   span=sub)
            else:
                out = self.model.predict(X[idx], forced=True, fine_threshold=self.fine_threshold,
                                         entity_groups=ents, span=sub)
            if not flag:  # automatic: weigh the role by how framed the mention is at all
                local = self.model.predict(X[idx], forced=False, span=sub)
                out = [self._framed(f, loc) for f, loc in zip(out, local, strict=True)]
            for i, p in zip(idx, out, strict=True):
                preds[i] = p
        return preds  # type: ignore[return-value]

    def _framed(self, forced: RolePrediction, local: RolePrediction) -> RolePrediction:
        """Automatic mode: the forced (stance) role scaled by ``1 - P(none)``; the mention
        keeps it when that reaches ``min_confidence``."""
        framed = 1.0 - local.main_probs.get(self.model.taxonomy.none_label, 0.0)
        probs = {m: framed * v for m, v in forced.main_probs.items()}
        probs[self.model.taxonomy.none_label] = 1.0 - framed
        conf = probs[forced.main] if forced.main else 0.0
        main = forced.main if conf >= self.min_confidence else None
        return RolePrediction(main, conf, forced.fines, probs)  # fines: for the entity

    # ------------------------------------------------------------------ output
    def _build(self, art: Article, raws: list[RawMention], job_of: dict[int, int],
               preds: list[RolePrediction], jobs: list[_Job], forced: bool) -> list[Entity]:
        source = "model"
        groups: dict[str, list[tuple[Mention, RolePrediction | None, MentionRef | None]]] = (
            defaultdict(list))
        kinds: dict[str, str | None] = {}
        for k, m in enumerate(raws):
            main = None
            fines: list[Label] = []
            p = ref = None
            if k in job_of:
                ref = jobs[job_of[k]].ref
                p = preds[job_of[k]]
                if p.main is not None:
                    ev = [art.evidence(ref.s_start, ref.s_end, round(p.main_confidence, 4),
                                       ref.sentence)]
                    main = Label(label=p.main, confidence=round(p.main_confidence, 4),
                                 evidence=ev, source=source)
                    fines = [Label(label=f, confidence=round(min(max(c, 0.0), 1.0), 4),
                                   evidence=ev, source=source) for f, c in p.fines]
            mention = Mention(start=m.start, end=m.end, text=art.text[m.start:m.end],
                              label=m.canonical or " ".join(m.text.split()),
                              source=_MENTION_SOURCES.get(m.ner_label, "ner"),
                              detail=m.ner_label, confidence=1.0,
                              sentence=ref.sentence if ref is not None else None,
                              main_role=main, fine_roles=fines)
            groups[m.canonical].append((mention, p, ref))
            kinds.setdefault(m.canonical, m.kind)
        entities = []
        for canon, items in groups.items():
            ent = Entity(canonical=canon, kind=kinds.get(canon),
                         mentions=[m for m, _, _ in items])
            if forced:
                self._aggregate(ent, [(m, p.main_confidence if p else 0.0) for m, p, _ in items])
            else:
                self._aggregate_automatic(art, ent, items)
            entities.append(ent)
        if not forced:
            entities.sort(key=lambda e: (-len(e.mentions), e.mentions[0].start))
        return entities

    def _aggregate_automatic(self, art: Article, ent: Entity,
                             items: list[tuple[Mention, RolePrediction | None, MentionRef | None]]
                             ) -> None:
        """Automatic mode: the entity's role is the mean framed role distribution of its
        classified mentions (one per sentence); given when it reaches
        ``entity_min_confidence``, with the sentences that favour it most as evidence."""
        scored = [(p, ref) for _m, p, ref in items if p is not None and ref is not None]
        if not scored:
            return
        roles = self.model.taxonomy.mains
        mean = {r: sum(p.main_probs.get(r, 0.0) for p, _ in scored) / len(scored) for r in roles}
        best = max(roles, key=lambda r: mean[r])
        if mean[best] < self.entity_min_confidence:
            return
        support = sorted([(p, ref) for p, ref in scored
                          if max(roles, key=lambda r: p.main_probs.get(r, 0.0)) == best],
                         key=lambda t: -t[0].main_probs.get(best, 0.0))
        evidence = [art.evidence(ref.s_start, ref.s_end, round(p.main_probs.get(best, 0.0), 4),
                                 ref.sentence) for p, ref in support[: self.evidence_per_entity]]
        ent.main_role = Label(label=best, confidence=round(mean[best], 4), evidence=evidence,
                              source="model")
        allowed = set(self.model.taxonomy.main_roles[best])
        fine_tot: dict[str, float] = defaultdict(float)
        fine_ev: dict[str, list[Evidence]] = defaultdict(list)
        for i, (p, _ref) in enumerate(support):
            for lab, c in p.fines:
                if lab in allowed:
                    fine_tot[lab] += c * p.main_probs.get(best, 0.0)
                    if i < len(evidence):
                        fine_ev[lab].append(evidence[i])
        ranked = sorted(fine_tot.items(), key=lambda kv: -kv[1])
        if not ranked:
            return
        top = ranked[0][1]
        n = max(len(support), 1)
        ent.fine_roles = [Label(label=lab, confidence=round(min(v / n / max(mean[best], 1e-9), 1.0), 4),
                                evidence=fine_ev[lab] or evidence[:1], source="model")
                          for lab, v in ranked[:3] if v >= 0.6 * top]

    def _aggregate(self, ent: Entity, items: list[tuple[Mention, float]]) -> None:
        """Given mentions: the role with the largest summed confidence over mentions."""
        roled = [(m, c) for m, c in items if m.main_role is not None]
        if not roled:
            return
        totals: dict[str, float] = defaultdict(float)
        for m, c in roled:
            totals[m.main_role.label] += c  # type: ignore[union-attr]
        best = max(totals, key=lambda r: totals[r])
        best_items = sorted([it for it in roled if it[0].main_role.label == best],  # type: ignore[union-attr]
                            key=lambda it: -it[1])
        evidence: list[Evidence] = []
        seen: set[int] = set()
        for m, _c in best_items:
            for ev in m.main_role.evidence:  # type: ignore[union-attr]
                if ev.start not in seen and len(evidence) < self.evidence_per_entity:
                    seen.add(ev.start)
                    evidence.append(ev)
        conf = totals[best] / len(roled)
        ent.main_role = Label(label=best, confidence=round(min(conf, 1.0), 4),
                              evidence=evidence, source="model")
        fine_tot: dict[str, float] = defaultdict(float)
        for m, _c in best_items:
            for f in m.fine_roles:
                fine_tot[f.label] += f.confidence
        ranked = sorted(fine_tot.items(), key=lambda kv: -kv[1])
        top = ranked[0][1] if ranked else 0.0
        n = len(best_items)
        ent.fine_roles = [
            Label(label=lab, confidence=round(min(v / n, 1.0), 4), source="model",
                  evidence=[ev for m, _c in best_items if any(f.label == lab for f in m.fine_roles)
                            for ev in m.main_role.evidence][: self.evidence_per_entity])  # type: ignore[union-attr]
            for lab, v in ranked[:3] if v >= 0.6 * top
        ]
