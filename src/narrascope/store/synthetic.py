"""Synthetic analysed articles (every layer filled) for the store's tests and benchmarks.

The texts are strings of made-up words with a Zipf-like frequency, so the full-text
index sees a realistic vocabulary; no real article text is used.
"""

from __future__ import annotations

import datetime as dt
import random

from narrascope.doc import (
    Article,
    Entity,
    FactCheck,
    Label,
    LabelledSpan,
    Mention,
    Narratives,
    Sentence,
    Techniques,
)

NARRATIVES = [f"URW: Narrative {i}" for i in range(12)] + [f"CC: Narrative {i}" for i in range(8)]
TECHNIQUES = ["Loaded_Language", "Name_Calling-Labeling", "Doubt", "Exaggeration-Minimisation",
              "Appeal_to_Fear-Prejudice", "Flag_Waving", "Repetition", "Whataboutism"]
ENTITIES = [f"Entity {i}" for i in range(60)]
ROLES = ["Protagonist", "Antagonist", "Innocent"]
VERDICTS = ["not_in_office_on_date", "never_held", "held_only_before", "held_only_after"]
_SYL = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fe", "go", "pa", "zu", "ri"]


def _vocab(n: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(_SYL) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Synth:
    """``Synth(seed).article(i)``: article ``i`` of a synthetic corpus (deterministic)."""

    def __init__(self, seed: int = 0, outlets: int = 50, start: dt.date = dt.date(2024, 1, 1),
                 days: int = 730, sentences: int = 20) -> None:
        rng = random.Random(seed)
        self.seed = seed
        self.vocab = _vocab(5000, rng)
        self.weights = [1.0 / (r + 1) for r in range(len(self.vocab))]
        self.outlets = [f"outlet{k}.example" for k in range(outlets)]
        self.start = start
        self.days = days
        self.sentences = sentences

    def text(self, rng: random.Random, n_sent: int) -> tuple[str, list[tuple[int, int]]]:
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        for _ in range(n_sent):
            words = rng.choices(self.vocab, self.weights, k=rng.randint(8, 24))
            s = " ".join(words).capitalize() + "."
            if parts:
                parts.append(" ")
                pos += 1
            spans.append((pos, pos + len(s)))
            parts.append(s)
            pos += len(s)
        return "".join(parts), spans

    def article(self, i: int) -> Article:
        rng = random.Random(self.seed * 1_000_003 + i)
        title, _ = self.text(rng, 1)
        body, spans = self.text(rng, self.sentences)
        text = title + "\n\n" + body
        off = len(title) + 2
        art = Article(id=f"synthetic-{self.seed}-{i:08d}", text=text, title=title,
                      url=f"https://www.{rng.choice(self.outlets)}/news/{i}",
                      date=self.start + dt.timedelta(days=rng.randrange(self.days)),
                      language="en")
        art.date_source = "given"
        sents = [Sentence(start=0, end=len(title), text=title, index=0, kind="title")]
        for k, (s, e) in enumerate(spans, 1):
            sents.append(Sentence(start=s + off, end=e + off, text=text[s + off:e + off], index=k))
        art.sentences = sents

        def ev(k: int) -> list:
            s = sents[k]
            return [art.evidence(s.start, s.end, score=round(rng.random(), 3), sentence=k)]

        chosen = rng.sample(NARRATIVES, rng.randint(1, 3))
        dom = chosen[0].split(":")[0]
        art.narratives = Narratives(
            taxonomy="synthetic", model="synthetic",
            domain=Label(label=dom, confidence=round(rng.uniform(0.5, 1), 4), source="model"),
            narratives=[Label(label=n, confidence=round(rng.uniform(0.3, 1), 4), source="model",
                              evidence=ev(rng.randrange(len(sents)))) for n in chosen],
            subnarratives=[Label(label=f"{n}: Sub {rng.randrange(4)}",
                                 confidence=round(rng.uniform(0.3, 1), 4), source="model")
                           for n in chosen])
        ents = []
        for name in rng.sample(ENTITIES, rng.randint(2, 6)):
            role = Label(label=rng.choice(ROLES), confidence=round(rng.uniform(0.3, 1), 4),
                         source="model")
            ms = []
            for _ in range(rng.randint(1, 3)):
                s = sents[rng.randrange(1, len(sents))]
                ms.append(Mention(start=s.start, end=s.start + 5, text=text[s.start:s.start + 5],
                                  label=name, source="alias", detail="ALIAS", main_role=role))
            ents.append(Entity(canonical=name, kind="organisation", mentions=ms, main_role=role))
        art.entities = ents
        tspans = []
        for _ in range(rng.randint(1, 5)):
            k = rng.randrange(1, len(sents))
            s = sents[k]
            tspans.append(LabelledSpan(start=s.start, end=s.end, text=s.text,
                                       label=rng.choice(TECHNIQUES),
                                       confidence=round(rng.uniform(0.3, 1), 4),
                                       source=rng.choice(["model", "pattern"]), sentence=k))
        art.techniques = Techniques(spans=tspans, words=len(text.split()))
        if rng.random() < 0.1:
            s = sents[0]
            art.fact_checks = [FactCheck(start=s.start, end=s.start + 5, text=text[:5],
                                         label=rng.choice(VERDICTS), source="kb",
                                         person=rng.choice(ENTITIES), office="President",
                                         severity="high", message="synthetic finding")]
        art.components = ["sentences", "encoder", "narratives", "entities", "techniques",
                          "fact_checks"]
        return art
