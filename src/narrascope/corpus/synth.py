"""A generated corpus with ground truth, for the copy and story benchmarks.

Stories are events (who did what, where, how many, who reacted) in one of a few topics;
articles about a story are written from sentence templates filled with the story's
facts, so two articles of the same story share facts but not wording, and articles of
different stories of the same topic share vocabulary (the hard negatives).  Planted copy
families derive articles from a source article:

* ``verbatim`` - the same text (another outlet, a later date);
* ``light`` - typos, reordered paragraphs, a changed headline, an added line;
* ``partial`` - two or three paragraphs of the source inside another article;
* ``paraphrase`` - machine-translation style: words replaced by synonyms, clauses moved;
* ``rewrite`` - the same facts in the same order written again from other templates.

Everything is deterministic in the seed.  No real article text is used.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

TOPICS: dict[str, dict[str, list[str]]] = {
    "energy": {
        "thing": ["gas pipeline", "power grid", "oil terminal", "wind farm", "nuclear plant",
                  "coal mine", "fuel depot", "refinery"],
        "act": ["shut down", "expanded", "sabotaged", "inspected", "sold", "reopened"],
        "issue": ["energy prices", "fuel supplies", "winter heating", "electricity bills"],
        "group": ["energy regulators", "utility workers", "grid operators", "fuel traders"],
    },
    "sanctions": {
        "thing": ["export ban", "asset freeze", "trade embargo", "banking restriction",
                  "price cap", "shipping ban", "import tariff", "travel ban"],
        "act": ["approved", "extended", "lifted", "tightened", "challenged", "delayed"],
        "issue": ["the economy", "trade flows", "food prices", "the currency"],
        "group": ["exporters", "bank customers", "small businesses", "shipping firms"],
    },
    "military": {
        "thing": ["air defence system", "artillery shipment", "drone factory", "naval base",
                  "training mission", "ammunition depot", "tank brigade", "border post"],
        "act": ["delivered", "attacked", "moved", "destroyed", "announced", "withdrew"],
        "issue": ["the front line", "border security", "the ceasefire talks", "air safety"],
        "group": ["soldiers", "veterans", "border guards", "military analysts"],
    },
    "elections": {
        "thing": ["vote count", "ballot law", "campaign fund", "polling station",
                  "election commission", "candidate list", "debate", "recount"],
        "act": ["challenged", "suspended", "approved", "investigated", "postponed", "published"],
        "issue": ["voter turnout", "the campaign", "public trust", "the coalition"],
        "group": ["voters", "observers", "party members", "election officials"],
    },
    "climate": {
        "thing": ["carbon tax", "emissions target", "climate report", "flood barrier",
                  "heat plan", "green subsidy", "drought fund", "solar programme"],
        "act": ["rejected", "adopted", "criticised", "funded", "revised", "praised"],
        "issue": ["farm incomes", "household costs", "the coastline", "crop yields"],
        "group": ["farmers", "scientists", "homeowners", "environmental groups"],
    },
    "health": {
        "thing": ["vaccine programme", "hospital wing", "drug shortage", "health budget",
                  "clinic network", "screening scheme", "medical supply", "nurse contract"],
        "act": ["cut", "launched", "extended", "audited", "expanded", "halted"],
        "issue": ["waiting times", "patient safety", "staff numbers", "drug prices"],
        "group": ["nurses", "patients", "doctors", "pharmacists"],
    },
}

FIRST = ["Anna", "Marek", "Elena", "Tomas", "Sofia", "Ivan", "Laura", "Pavel", "Irena",
         "Jonas", "Maria", "Viktor", "Clara", "Dmitri", "Nina", "Oskar", "Greta", "Luka",
         "Petra", "Andrei", "Hana", "Stefan", "Milena", "Bogdan"]
LAST = ["Novak", "Kowalski", "Petrov", "Lindqvist", "Horvat", "Moreau", "Schulz",
        "Varga", "Ionescu", "Berg", "Kovac", "Meyer", "Dumas", "Popescu", "Jansen",
        "Rossi", "Falk", "Sokol", "Brandt", "Tamm"]
PLACES = ["Norvik", "Castellan", "Brezno", "Ostrava Nova", "Lindau Bay", "Marrow Hill",
          "Kestrel Point", "Valmora", "Dunmere", "Silvano", "Harrowgate", "Port Alvin",
          "Eastmarch", "Tiverton Cross", "Grenholm", "Zalesie", "Carrow", "Belmonte"]
ROLES = ["minister", "spokesperson", "mayor", "senator", "director", "governor",
         "commissioner", "envoy"]
ORGS = ["the national government", "the regional council", "the European Commission",
        "the parliament", "a state company", "the defence ministry", "the central bank",
        "an industry group"]

TEMPLATES = [
    "{Org} {act} the {thing} in {place} on {day}, officials said.",
    "Officials in {place} confirmed on {day} that {org} had {act} the {thing}.",
    "The {thing} in {place} was {act} by {org}, according to a statement released {day}.",
    "{Role} {person} said the decision on the {thing} would affect {issue} for months.",
    "\"This is about {issue},\" {role} {person} told reporters in {place}.",
    "According to {person}, the {role} in charge, about {n} {group} are directly affected.",
    "Some {n} {group} gathered in {place} to protest against the move.",
    "Critics argue the {thing} decision will hurt {issue} and {group} in particular.",
    "Supporters of the plan say {issue} will improve once the {thing} is settled.",
    "The move follows weeks of debate over {issue} in {place}.",
    "Analysts expect further changes to the {thing} before the end of the year.",
    "{Person} warned that {group} could pay the price if {issue} keeps worsening.",
    "A report seen by reporters puts the cost of the {thing} at {n} million euros.",
    "Local {group} said they had not been consulted before the {thing} was {act}.",
    "The {role}, {person}, promised a full review of the {thing} within {k} weeks.",
    "Opposition figures called the handling of the {thing} a failure of leadership.",
    "In {place}, {group} described the mood as tense but calm.",
    "The {thing} has been at the centre of a dispute over {issue} since last spring.",
]

REWRITE = [
    "On {day}, {org} {act} the {thing} located in {place}, according to officials.",
    "{Place} officials said {day} that the {thing} there had been {act} by {org}.",
    "A statement published {day} said {org} {act} the {thing} in {place}.",
    "The {thing} ruling will weigh on {issue} for months, {role} {person} said.",
    "{Role} {person} told journalists in {place} the issue was {issue}.",
    "Roughly {n} {group} feel the effects directly, said {person}, the responsible {role}.",
    "Around {n} {group} protested against the decision in {place}.",
    "Opponents say {group} above all will suffer, along with {issue}, after the {thing} decision.",
    "Those backing the plan argue that settling the {thing} will help {issue}.",
    "It comes after weeks of arguments in {place} about {issue}.",
    "More changes to the {thing} are expected by analysts before the year ends.",
    "If {issue} gets worse, {group} may pay the price, {person} cautioned.",
    "Reporters have seen a report estimating the {thing} cost at {n} million euros.",
    "{Group} in the area said nobody asked them before the {thing} was {act}.",
    "{Person}, the {role}, pledged to review the {thing} fully within {k} weeks.",
    "The opposition described how the {thing} was handled as a leadership failure.",
    "{Group} in {place} called the atmosphere tense yet calm.",
    "Since last spring the {thing} has been part of a row about {issue}.",
]

TITLES = [
    "{Thing} in {place} {act} as {group} voice concern",
    "{Person} defends decision on {place} {thing}",
    "{Group} react after {org} {act} {thing}",
    "What the {place} {thing} decision means for {issue}",
]

SYNONYMS = {
    "said": "stated", "officials": "authorities", "decision": "ruling", "affect": "impact",
    "months": "many months", "reporters": "journalists", "about": "roughly",
    "directly": "immediately", "affected": "impacted", "gathered": "assembled",
    "protest": "demonstrate", "against": "versus", "move": "step", "critics": "opponents",
    "argue": "claim", "hurt": "damage", "particular": "especially", "supporters": "backers",
    "plan": "scheme", "improve": "get better", "once": "when", "follows": "comes after",
    "weeks": "several weeks", "debate": "discussion", "expect": "anticipate",
    "further": "additional", "changes": "modifications", "end": "close", "warned": "cautioned",
    "could": "might", "price": "cost", "keeps": "continues", "worsening": "deteriorating",
    "report": "document", "cost": "expense", "local": "regional", "consulted": "asked",
    "promised": "pledged", "full": "complete", "review": "examination", "within": "inside",
    "called": "named", "handling": "management", "failure": "collapse",
    "leadership": "the leaders", "described": "characterised", "mood": "atmosphere",
    "tense": "strained", "calm": "peaceful", "centre": "heart", "dispute": "quarrel",
    "since": "from", "last": "previous", "spring": "springtime", "confirmed": "verified",
    "statement": "communique", "released": "issued", "according": "as per",
    "charge": "control", "year": "twelve months", "told": "informed", "seen": "viewed",
    "puts": "places", "promise": "pledge",
}

FILLER = [
    "The weather in the region has been unusually cold this week.",
    "Traffic in the city centre was slower than usual on the day.",
    "The local football club won its match on Saturday by two goals.",
    "A new bakery opened on the main square earlier this month.",
    "Schools in the district will close early for the holidays.",
    "The museum extended its opening hours for the summer season.",
]


@dataclass
class Story:
    id: int
    topic: str
    facts: dict[str, str]
    day: dt.date


@dataclass
class SynthArticle:
    id: str
    outlet: str
    date: dt.date
    title: str
    text: str
    story: int | None
    family: str | None = None          # the copy family (source article id)
    edit: str | None = None            # verbatim|light|partial|paraphrase|rewrite
    extra: dict[str, str] = field(default_factory=dict)

    def record(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "text": self.text,
                "date": self.date.isoformat(), "source": self.outlet,
                "url": f"https://{self.outlet}/{self.date:%Y/%m/%d}/{self.id}"}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Generator:
    def __init__(self, seed: int = 0, outlets: int = 40, start: dt.date = dt.date(2025, 1, 1),
                 days: int = 120) -> None:
        self.rng = random.Random(seed)
        self.outlets = [f"outlet{i:03d}.example" for i in range(outlets)]
        self.start, self.days = start, days
        self.n = 0

    def story(self, sid: int, topic: str | None = None) -> Story:
        r = self.rng
        topic = topic or r.choice(sorted(TOPICS))
        t = TOPICS[topic]
        facts = {"thing": r.choice(t["thing"]), "act": r.choice(t["act"]),
                 "issue": r.choice(t["issue"]), "group": r.choice(t["group"]),
                 "person": f"{r.choice(FIRST)} {r.choice(LAST)}", "role": r.choice(ROLES),
                 "place": r.choice(PLACES), "org": r.choice(ORGS),
                 "n": str(r.randint(2, 90) * 10), "k": str(r.randint(2, 9)),
                 "day": r.choice(["on Monday", "on Tuesday", "on Wednesday", "on Thursday",
                                  "on Friday", "at the weekend"])}
        facts["day"] = facts["day"].replace("on ", "")
        day = self.start + dt.timedelta(days=r.randrange(self.days))
        return Story(sid, topic, facts, day)

    def _fill(self, tpl: str, facts: dict[str, str]) -> str:
        keys = dict(facts)
        keys.update({_cap(k): _cap(v) for k, v in facts.items()})
        return tpl.format(**keys)

    def _plan(self, n: int) -> list[tuple[int, int]]:
        r = self.rng
        return [(i, r.randrange(2)) for i in r.sample(range(len(TEMPLATES)), n)]

    def write(self, story: Story, plan: list[tuple[int, int]] | None = None,
              sentences: int = 12, outlet: str | None = None, date: dt.date | None = None,
              filler: int = 1, facts: dict[str, str] | None = None) -> SynthArticle:
        """An article about ``story``: sentence ``i`` of the plan from template pair ``i``,
        variant 0 (:data:`TEMPLATES`) or 1 (:data:`REWRITE`)."""
        r = self.rng
        per = 3
        plan = plan or self._plan(min(len(TEMPLATES), sentences))
        f = facts or story.facts
        sents = [self._fill((TEMPLATES, REWRITE)[v][i], f) for i, v in plan]
        for _ in range(filler):
            sents.insert(r.randrange(len(sents) + 1), r.choice(FILLER))
        paras = [" ".join(sents[i:i + per]) for i in range(0, len(sents), per)]
        title = self._fill(r.choice(TITLES), f)
        self.n += 1
        art = SynthArticle(f"syn{self.n:07d}", outlet or r.choice(self.outlets),
                           date or story.day + dt.timedelta(days=r.randrange(3)), title,
                           title + "\n\n" + "\n\n".join(paras), story.id)
        art.extra["plan"] = ",".join(f"{i}:{v}" for i, v in plan)
        return art

    def sibling(self, story: Story, outlet: str | None = None) -> SynthArticle:
        """Another outlet's own article on the same event: other quotes, numbers, people."""
        r = self.rng
        t = TOPICS[story.topic]
        facts = dict(story.facts)
        facts.update({"issue": r.choice(t["issue"]), "group": r.choice(t["group"]),
                      "person": f"{r.choice(FIRST)} {r.choice(LAST)}", "role": r.choice(ROLES),
                      "n": str(r.randint(2, 90) * 10), "k": str(r.randint(2, 9))})
        return self.write(story, outlet=outlet, facts=facts)

    def _derive(self, src: SynthArticle, text: str, title: str, edit: str) -> SynthArticle:
        r = self.rng
        self.n += 1
        outlet = r.choice([o for o in self.outlets if o != src.outlet])
        return SynthArticle(f"syn{self.n:07d}", outlet,
                            src.date + dt.timedelta(days=r.choice([0, 0, 1, 2, 5])), title,
                            title + "\n\n" + text, src.story, src.id, edit)

    @staticmethod
    def body(a: SynthArticle) -> str:
        return a.text.split("\n\n", 1)[1]

    def verbatim(self, src: SynthArticle) -> SynthArticle:
        return self._derive(src, self.body(src), src.title, "verbatim")

    def light(self, src: SynthArticle) -> SynthArticle:
        r = self.rng
        paras = self.body(src).split("\n\n")
        if r.random() < 0.6:
            r.shuffle(paras)
        words = "\n\n".join(paras).split(" ")
        for _ in range(r.randint(2, 6)):  # typos
            i = r.randrange(len(words))
            w = words[i]
            if len(w) > 3:
                j = r.randrange(1, len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        text = " ".join(words)
        if r.random() < 0.5:
            text += "\n\nRead more on our website."
        title = src.title if r.random() < 0.4 else "BREAKING: " + src.title.lower()
        return self._derive(src, text, title, "light")

    def partial(self, src: SynthArticle, story: Story) -> SynthArticle:
        r = self.rng
        paras = self.body(src).split("\n\n")
        take = paras[: r.choice([2, 3])]
        own = self.body(self.write(self.story(-1, story.topic), sentences=7)).split("\n\n")
        self.n -= 1
        text = "\n\n".join(own[:2] + take + own[2:])
        return self._derive(src, text, "Commentary: " + src.title, "partial")

    def paraphrase(self, src: SynthArticle) -> SynthArticle:
        r = self.rng
        out = []
        for para in self.body(src).split("\n\n"):
            sents = []
            for s in para.split(". "):
                ws = s.split(" ")
                ws = [SYNONYMS.get(w.lower(), w) if r.random() < 0.85 else w for w in ws]
                if len(ws) > 6 and r.random() < 0.5:  # move a clause
                    cut = r.randrange(2, len(ws) - 2)
                    ws = ws[cut:] + [","] + ws[:cut]
                sents.append(" ".join(ws))
            out.append(". ".join(sents))
        return self._derive(src, "\n\n".join(out), "Report: " + src.title, "paraphrase")

    def rewrite(self, src: SynthArticle, story: Story) -> SynthArticle:
        """The same facts in the same order, each sentence from the other template."""
        plan = [(int(i), 1 - int(v)) for i, v in
                (x.split(":") for x in src.extra["plan"].split(","))]
        art = self.write(story, plan=plan, filler=0)
        self.n -= 1
        return self._derive(src, self.body(art), self._fill(self.rng.choice(TITLES), story.facts),
                            "rewrite")


EDITS = ("verbatim", "light", "partial", "paraphrase", "rewrite")


def benchmark_corpus(n_background: int = 400, n_families: int = 60, n_stories: int = 30,
                     per_story: int = 4, seed: int = 0) -> list[SynthArticle]:
    """Background articles + planted copy families (each edit type) + planted stories.

    Every background article is its own story; a planted story has ``per_story``
    independently written articles (same facts, different sentences); each copy family
    is a source article plus one or two derived articles of one edit type.
    """
    g = Generator(seed)
    out: list[SynthArticle] = []
    sid = 0
    for _ in range(n_background):
        sid += 1
        out.append(g.write(g.story(sid)))
    for _ in range(n_stories):
        sid += 1
        st = g.story(sid)
        for _ in range(per_story):
            out.append(g.sibling(st))
    for f in range(n_families):
        sid += 1
        st = g.story(sid)
        src = g.write(st)
        src.family = src.id
        out.append(src)
        edit = EDITS[f % len(EDITS)]
        for _ in range(g.rng.choice([1, 2])):
            if edit == "verbatim":
                d = g.verbatim(src)
            elif edit == "light":
                d = g.light(src)
            elif edit == "partial":
                d = g.partial(src, st)
            elif edit == "paraphrase":
                d = g.paraphrase(src)
            else:
                d = g.rewrite(src, st)
            d.story = st.id if edit != "partial" else None
            out.append(d)
    g.rng.shuffle(out)
    return out
