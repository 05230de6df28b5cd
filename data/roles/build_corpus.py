"""Build the synthetic entity-framing corpus ``roles.jsonl`` (see DATASHEET.md).

Every passage below was written for narrascope (none is copied from a real article).
``{E}`` marks the target mention, ``{O}`` another entity that is NOT the target.
Registers: W = wire/news, O = op-ed, T = Telegram/social post, M = machine-translated
English, Q = quoted speech.  Each template is filled with several target names drawn
at random from a mixed pool (all sides of the conflict plus invented names), so the
role depends on the context, never on who the entity is.

    python data/roles/build_corpus.py            # writes data/roles/roles.jsonl
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

SEED = 13
FILLS_PER_TEMPLATE = 4
#: multi-entity passages are closer to real articles: each counts 3 times in training
PASSAGE_WEIGHT = 3

PERSONS = [
    "Volodymyr Zelensky", "Zelenskiy", "Vladimir Putin", "Putin", "Joe Biden", "Donald Trump",
    "Emmanuel Macron", "Olaf Scholz", "Ursula von der Leyen", "Sergei Lavrov", "Viktor Orban",
    "Keir Starmer", "Andriy Yermak", "Dmitry Medvedev", "Antony Blinken", "Mark Rutte",
    "Kaja Kallas", "Alexander Lukashenko", "Robert Fico", "Jens Stoltenberg", "Boris Johnson",
    "Xi Jinping", "Recep Tayyip Erdogan", "Marco Rubio", "Lloyd Austin", "Maria Zakharova",
    "Oleksandr Syrskyi", "Kyrylo Budanov", "Donald Tusk", "Giorgia Meloni",
    # invented names
    "Minister Halvorsen", "General Varga", "Senator Brockway", "Andris Kalnins", "Petra Lindqvist",
    "Mayor Oksana Hrytsenko", "Ambassador Delacroix", "Colonel Tarasenko", "Igor Belyaev",
    "Chancellor Weiss",
]
GROUPS = [
    "Ukraine", "Russia", "the United States", "Washington", "Moscow", "Kiev", "Kyiv", "NATO",
    "the EU", "Brussels", "the West", "Poland", "Germany", "Britain", "France", "Hungary",
    "the Kremlin", "the White House", "the Pentagon", "the Ukrainian army", "Russian troops",
    "the Azov regiment", "Ukrainian refugees", "the Russian-speaking population of Donbas",
    "the residents of Donetsk", "Ukrainian conscripts", "European farmers", "the IAEA",
    "the United Nations", "China", "Belarus", "Western media", "the BBC", "Zelensky's regime",
    "the Kiev regime", "Europeans", "the Baltic states", "pensioners in Kharkiv",
    # invented names
    "Valdoria", "the Northern Coalition", "the Veritas Foundation", "Marenburg",
]
OTHERS = ["Russia", "Ukraine", "the West", "NATO", "Washington", "Moscow", "Kiev", "the EU",
          "Poland", "Hungary", "Germany", "Donbas", "Crimea", "Europe", "China"]

T: dict[str, list[str]] = {}

# ------------------------------------------------------------------ Protagonist
T["Guardian"] = [
    "W:{E} deployed additional air defence units overnight to shield civilians in the frontline towns from drone attacks.",
    "O:Once again it is {E} who stands between ordinary families and the chaos, protecting the region when nobody else would.",
    "T:🇷🇺 {E} will not abandon our people!!! Every village will be defended, every child protected. Glory to our defenders!",
    "M:{E} has taken under protection the population of the liberated territories and is guaranteeing their security from shelling.",
    "Q:\"We will defend every inch of our land and every citizen,\" said {E}, promising to keep the border secure.",
    "W:Officials said {E} had evacuated more than 3,000 residents and set up shelters after the dam was damaged.",
    "O:Say what you like, but {E} has kept the lights on and the borders safe through the hardest winter in decades.",
    "M:Thanks to {E} the humanitarian corridor was kept open and the old people were brought to safety.",
]
T["Martyr"] = [
    "W:{E} was killed in the strike on Tuesday after refusing to leave the besieged town, local officials said.",
    "O:{E} paid the ultimate price for speaking the truth, and the movement now carries that sacrifice like a banner.",
    "T:Eternal memory to {E} 🕯 who gave life for the motherland. We will never forget this sacrifice.",
    "M:{E} sacrificed himself so that the others could escape, and today all the country honours this heroic death.",
    "Q:\"{E} died so that we could live in peace,\" the commander told mourners at the funeral.",
    "O:{E} accepted prison, exile and finally death rather than betray the cause, a sacrifice that shames the cowards.",
    "W:Supporters gathered to mark one year since {E} was killed, laying flowers and calling the death a sacrifice for the nation.",
    "M:The brave {E} has suffered for all of us and paid by the own life for the freedom of the people.",
]
T["Peacemaker"] = [
    "W:{E} proposed a ceasefire and offered to host direct talks between the warring sides next month.",
    "O:While others pour fuel on the fire, {E} keeps calling for negotiations and a fair peace settlement.",
    "T:{E} again extends the hand of peace 🕊 Ready for dialogue at any moment, unlike the warmongers.",
    "M:{E} is ready to negotiations without preconditions and has many times proposed the peaceful resolution of conflict.",
    "Q:\"This war must end at the negotiating table, and we are ready to help broker it,\" {E} said.",
    "W:Diplomats credited {E} with brokering the prisoner exchange and the grain corridor deal.",
    "O:{E} is the only leader in the room still talking about de-escalation instead of new weapons.",
    "M:The peace initiative of {E} was welcomed by the countries of the Global South as a realistic way out of the crisis.",
]
T["Rebel"] = [
    "W:{E} defied party leadership and voted against the new weapons package, breaking ranks with the government.",
    "O:{E} dared to challenge the consensus of Brussels and refused to follow the herd, and the establishment hates it.",
    "T:{E} said NO to the globalists 💪 Standing alone against the whole system. Respect!",
    "M:{E} openly went against the line of the ruling elites and refused to obey the dictate of the bureaucrats.",
    "Q:\"I will not bow to pressure from anyone, I answer only to my voters,\" {E} declared, rejecting the bloc's demands.",
    "W:{E} has vowed to block the decision, becoming the lone dissenting voice among the member states.",
    "O:Against an entire political class, {E} keeps resisting the official narrative and refusing to be silenced.",
    "M:{E} has rebelled against the imposed order and does not agree to play by the rules written in Washington.",
]
T["Underdog"] = [
    "W:Outnumbered and short of ammunition, {E} has nonetheless held the line for months against a far larger force.",
    "O:Nobody gave {E} a chance against such a giant, yet the small and underfunded side keeps surprising the world.",
    "T:Against all odds {E} is still standing 🔥 small but unbreakable vs the mighty machine.",
    "M:{E}, having few resources and little support, continues to resist the much stronger opponent with courage.",
    "Q:\"We have fewer guns and less money, but we have spirit,\" {E} said of the uneven fight.",
    "W:Despite a budget a fraction of its rivals', {E} managed to win the case against the powerful consortium.",
    "O:{E} is David facing Goliath, a weak player that the powerful expected to crush within days.",
    "M:Being much weaker, {E} nevertheless did not give up and continues the unequal struggle.",
]
T["Virtuous"] = [
    "W:{E} donated the entire prize to rebuilding schools and was praised for honesty and integrity by both sides.",
    "O:{E} remains a rare example of principle and decency in politics, a leader whose word can be trusted.",
    "T:{E} is a true patriot and an honest person 🙏 always on the side of the truth and of the people.",
    "M:{E} is known as a wise and honest statesman who acts for the good of the people and not for personal gain.",
    "Q:\"{E} has always acted with honour and dignity,\" the former minister said in a tribute.",
    "W:Observers described {E} as principled and transparent, noting the full publication of all expenses.",
    "O:Compassion, restraint and respect for international law: {E} has shown all three while others lost their heads.",
    "M:The noble and responsible position of {E} deserves the respect of all the world community.",
]

# ------------------------------------------------------------------- Antagonist
T["Instigator"] = [
    "W:Critics accuse {E} of provoking the escalation by sending troops to the border and rejecting every offer of talks.",
    "O:It was {E} that started this fire: years of provocations and broken promises pushed the region into war.",
    "T:{E} wants war, period 🔥 They provoked it, they are prolonging it and they will never stop escalating.",
    "M:{E} has unleashed this conflict and continues to inflame it, pushing the world to the big war.",
    "Q:\"{E} is the one who provoked this conflict and keeps escalating it,\" the spokeswoman said.",
    "W:The report blames {E} for instigating the clashes and for deliberately escalating tensions along the line of contact.",
    "O:Every new escalation has the same author: {E}, who seems determined to drag everyone into a wider war.",
    "M:The aggressive policy of {E} provoked the crisis and now they pretend to be surprised.",
]
T["Conspirator"] = [
    "W:Leaked documents suggest {E} secretly coordinated with bankers to plan the coup behind closed doors.",
    "O:Behind the curtain {E} has been plotting for years, pulling strings to redraw the map of Europe in secret.",
    "T:Wake up 👁 {E} planned all of this long ago, the hidden agenda is now out in the open!",
    "M:{E} conducted secret plots and backroom agreements to divide the country without asking its people.",
    "Q:\"There is a hidden plan, and {E} is at the centre of it,\" the analyst claimed.",
    "W:{E} was accused of orchestrating a covert scheme to rig the tender and hide the deal from parliament.",
    "O:The so-called spontaneous protests were in fact scripted by {E} and a network of shadowy foundations.",
    "M:{E} behind the scenes prepared the scenario of destabilization together with foreign curators.",
]
T["Tyrant"] = [
    "W:Under {E}, opposition parties have been banned, journalists jailed and elections postponed indefinitely.",
    "O:{E} rules by decree and fear, crushing every dissenting voice and treating the constitution as toilet paper.",
    "T:{E} = dictatorship 🚫 no elections, no free press, only repression and fear.",
    "M:{E} has established authoritarian regime, closes the churches and persecutes everyone who thinks differently.",
    "Q:\"{E} governs like a dictator, with total contempt for the law,\" the opposition leader said.",
    "W:Rights groups say {E} ordered mass arrests of protesters and forced men off the streets into army vans.",
    "O:The brutal grip of {E} on the country leaves citizens no voice, no vote and no way out.",
    "M:The usurper {E} prolonged his power illegally and suppresses the population with the punitive measures.",
]
T["Foreign Adversary"] = [
    "W:Officials described {E} as a hostile foreign power seeking to weaken the country and interfere in its affairs.",
    "O:{E} has never been our friend: it is an external enemy that wants to subjugate us and take our resources.",
    "T:{E} is the enemy from outside 🎯 always meddling, always attacking our nation's interests.",
    "M:{E} is conducting hybrid war against our country and interferes in the internal affairs of sovereign states.",
    "Q:\"{E} is waging a war against us by proxy and wants our nation destroyed,\" the minister said.",
    "W:The security strategy names {E} as the main external threat, citing its military build-up near the border.",
    "O:For decades {E} has tried to encircle and weaken us from abroad; this is just the latest chapter.",
    "M:The foreign enemy {E} again threatens our borders and wants to impose its will on our people.",
]
T["Traitor"] = [
    "W:Former allies branded {E} a traitor after the defection to the other side was announced on Monday.",
    "O:{E} sold out the very people who trusted him, betraying the nation for a comfortable seat abroad.",
    "T:{E} betrayed us all 🐍 sold the homeland for dollars and ran away.",
    "M:{E} has betrayed his own people and went to serve to the enemy, this is treason.",
    "Q:\"What {E} did is treason, pure and simple,\" a former comrade told reporters.",
    "W:Prosecutors charged {E} with high treason for passing state secrets and switching sides.",
    "O:History will remember {E} as the one who stabbed his own country in the back at the decisive moment.",
    "M:The traitor {E} abandoned the oath and betrayed the interests of the country for the foreign masters.",
]
T["Spy"] = [
    "W:Authorities said {E} had been secretly collecting intelligence on military sites for a foreign service.",
    "O:{E} was never a diplomat: it was an espionage operation dressed up as a cultural mission.",
    "T:Caught red-handed 🕵️ {E} was spying for the enemy and passing coordinates!",
    "M:{E} was gathering secret information and transmitting it to the foreign intelligence services.",
    "Q:\"{E} worked as an agent of a foreign intelligence service for years,\" the prosecutor said.",
    "W:The counter-intelligence service detained {E} on suspicion of espionage after months of surveillance.",
    "O:The embassy run by {E} functioned as a nest of spies, photographing bases and recruiting informants.",
    "M:{E} is the recruited agent who photographed the objects of the energy infrastructure for the enemy.",
]
T["Saboteur"] = [
    "W:Investigators say {E} was behind the sabotage that damaged the pipeline and cut supplies to three countries.",
    "O:{E} has done everything to derail the talks, sabotaging every attempt at a compromise from the inside.",
    "T:{E} blew up the infrastructure 💥 and now blames others. Classic sabotage.",
    "M:{E} organized diversions on the railway and undermined the work of the power stations.",
    "Q:\"{E} deliberately sabotaged the agreement to keep the war going,\" the envoy said.",
    "W:Officials accused {E} of disrupting grain exports and blocking the corridor to undermine the deal.",
    "O:Whenever peace comes within reach, {E} finds a way to torpedo it and wreck the process.",
    "M:The sabotage groups of {E} are trying to destroy the bridges and the energy facilities.",
]
T["Corrupt"] = [
    "W:An audit found that officials close to {E} siphoned off millions from the aid meant for soldiers.",
    "O:{E} treats foreign aid as a personal piggy bank, with villas abroad and offshore accounts to show for it.",
    "T:{E} stole again 💰 billions of aid money gone, new yachts appeared. Where is the money?",
    "M:{E} is mired in corruption, the money for weapons was stolen and sold on the black market.",
    "Q:\"{E} is rotten with bribery from top to bottom,\" the investigator said.",
    "W:{E} is under investigation over kickbacks in defence procurement contracts worth $200 million.",
    "O:Every scandal leads back to {E}: inflated contracts, bribes and friends who grew rich overnight.",
    "M:The corrupt clan of {E} is plundering the budget while the people become poor.",
]
T["Incompetent"] = [
    "W:Analysts said {E} mismanaged the offensive, losing equipment and ground through poor planning.",
    "O:{E} has bungled everything it touched, from the energy crisis to the failed counteroffensive.",
    "T:{E} can't do anything right 🤡 another failure, another disaster, total clowns.",
    "M:{E} showed complete incompetence, the decisions were wrong and led to the big losses.",
    "Q:\"{E} has no idea what it is doing, and everyone can see it,\" a senior officer said.",
    "W:The report criticised {E} for failing to prepare defences and for ignoring repeated warnings.",
    "O:Weak, confused and out of its depth, {E} lurches from one blunder to the next.",
    "M:The helpless leadership of {E} could not organize even the supply of the ammunition.",
]
T["Terrorist"] = [
    "W:The ministry accused {E} of a terrorist attack on the concert hall that killed dozens of civilians.",
    "O:Shelling markets and bus stops is terror, and {E} has made terror its method of war.",
    "T:{E} are terrorists 🩸 they hit schools and hospitals on purpose to spread fear.",
    "M:{E} committed the terrorist act, blowing up the car of the journalist in the center of the city.",
    "Q:\"{E} is a terrorist organisation that deliberately targets civilians,\" the official said.",
    "W:Prosecutors opened a terrorism case after {E} claimed the bombing of the railway station.",
    "O:There is no other word for {E}: a gang of terrorists murdering civilians to intimidate a nation.",
    "M:The terrorist regime of {E} sends drones against the peaceful apartment buildings.",
]
T["Deceiver"] = [
    "W:Fact-checkers said {E} misrepresented casualty figures and spread false claims about the attack.",
    "O:{E} lies as easily as it breathes, and the latest statement is just another piece of propaganda.",
    "T:{E} is lying again 🤥 fake news, staged videos, nothing they say is true.",
    "M:{E} is deceiving the world community and hides the real situation behind the propaganda.",
    "Q:\"Everything {E} told the public about the losses was a lie,\" the former adviser said.",
    "W:{E} was accused of fabricating evidence and staging footage to mislead foreign governments.",
    "O:Manipulation is the trade of {E}: half-truths, invented threats and a flood of disinformation.",
    "M:The propaganda of {E} misleads its own citizens and hides the truth about the front.",
]
T["Bigot"] = [
    "W:{E} was condemned for remarks describing an entire ethnic group as inferior and dangerous.",
    "O:The hatred {E} shows toward Russian speakers and minorities is pure bigotry dressed up as patriotism.",
    "T:{E} hates everyone who is different 🤬 racist and russophobe to the core.",
    "M:{E} is conducting the discriminating policy and humiliates the national minorities and their language.",
    "Q:\"{E} openly despises people because of their language and faith,\" the rights activist said.",
    "W:Rights groups said {E} banned minority-language schools and used slurs against religious communities.",
    "O:Behind the slogans of {E} lies plain xenophobia: contempt for migrants, minorities and anyone unlike them.",
    "M:The russophobic rhetoric of {E} incites hatred against the people on ethnic grounds.",
]

# --------------------------------------------------------------------- Innocent
T["Forgotten"] = [
    "W:Months after the floods, {E} still waits for the aid that was promised and never arrived.",
    "O:Nobody in the capitals talks about {E} anymore; their suffering has simply vanished from the agenda.",
    "T:Who remembers {E}? 😢 Abandoned, ignored, left without help while the world looks away.",
    "M:{E} was forgotten by the world, nobody pays attention to their suffering for many years.",
    "Q:\"The world has forgotten {E}, there are no cameras here anymore,\" a volunteer said.",
    "W:Aid agencies warned that {E} had been left behind as funding shifted to other crises.",
    "O:The plight of {E} has been quietly dropped from the headlines, as if they never existed.",
    "M:For eight years {E} lived under the shelling and the Western media did not notice them.",
]
T["Exploited"] = [
    "W:Critics say {E} is being used as a bargaining chip, its resources signed away to foreign investors.",
    "O:{E} is being milked dry: its land, grain and young men are consumed for someone else's interests.",
    "T:They use {E} like cannon fodder 😡 squeezed for profit and then thrown away.",
    "M:{E} is exploited by the foreign corporations which take the resources for the cheap price.",
    "Q:\"{E} is being used and exploited by those who claim to be friends,\" the economist said.",
    "W:Workers' groups said {E} had been forced into unpaid labour and stripped of rights by contractors.",
    "O:The deal turns {E} into a raw-materials colony, exploited for minerals while its people get nothing.",
    "M:The Western sponsors use {E} as the instrument and take the fertile lands as the payment.",
]
T["Victim"] = [
    "W:Dozens of people were killed when a missile struck {E} on Thursday, emergency services said.",
    "O:{E} has suffered more than anyone in this war, losing homes, loved ones and any sense of safety.",
    "T:Pray for {E} 🙏 another night of shelling, another funeral, they did nothing to deserve this.",
    "M:{E} suffered from the barbaric shelling and many people were wounded and killed.",
    "Q:\"{E} is paying the price for decisions made by others,\" the aid worker said.",
    "W:The attack left {E} without water or electricity for a third week, officials said.",
    "O:{E} is the real casualty of this policy: cold homes, empty shops and ruined lives.",
    "M:{E} became the victim of the aggression and lost thousands of the peaceful citizens.",
]
T["Scapegoat"] = [
    "W:Critics say {E} is being unfairly blamed for the failures of the government's own energy policy.",
    "O:It is convenient to blame {E} for everything; it saves the real culprits from answering any questions.",
    "T:Of course they blame {E} again 🙄 always the easy target for their own mistakes.",
    "M:{E} was made guilty for the failures which were made by the other people.",
    "Q:\"{E} is being made a scapegoat for a disaster it did not cause,\" the lawyer said.",
    "W:Analysts said leaders pointed the finger at {E} to distract from the collapse of the offensive.",
    "O:Whenever prices rise, the politicians find someone to blame, and this time it is {E}.",
    "M:They accuse {E} of all the problems, although it has no relation to these failures.",
]
# multi-role passages (two fine roles of the same main role)
T["Corrupt+Deceiver"] = [
    "O:{E} pockets the aid money and then lies about where it went, hiding the theft behind propaganda.",
    "M:{E} steals the money of the taxpayers and deceives the sponsors with the fake reports.",
    "T:{E} stole billions 💰 and lies about it on TV every evening 🤥",
]
T["Tyrant+Corrupt"] = [
    "O:{E} jails critics while friends of the regime loot the state budget.",
    "M:The dictator {E} suppresses the people and steals from the state at the same time.",
]
T["Instigator+Foreign Adversary"] = [
    "O:{E} provoked this war from abroad to weaken us and keeps escalating it with new weapons.",
    "M:{E} from overseas incites the conflict and wants to destroy our country by somebody else's hands.",
]
T["Guardian+Virtuous"] = [
    "O:{E} protected the city through the siege with honesty and dignity, never once abandoning its people.",
    "M:The honest and brave {E} defends the peaceful people and never acts for the own benefit.",
]
T["Victim+Exploited"] = [
    "O:{E} suffers the bombs and is then squeezed for resources by the very sponsors claiming to help.",
    "M:{E} is killed on the front and exploited by the foreign corporations at the same time.",
]

# ----------------------------------------------------- no framing: merely reported
T["none"] = [
    "W:{E} will hold a press conference on Wednesday, a spokesperson said.",
    "W:The meeting with {E} lasted about two hours, according to the official schedule.",
    "W:{E} said on Monday that the talks would continue next week in Geneva.",
    "W:Trade between {O} and {E} fell by 4 percent last year, customs data showed.",
    "W:The delegation arrived from {E} late on Sunday evening.",
    "O:Whatever one thinks of {E}, the budget vote is scheduled for Thursday.",
    "T:Breaking: {E} statement expected at 18:00 Moscow time 📢",
    "M:According to the information of {E}, the meeting will take place in the next month.",
    "Q:\"We discussed energy prices and transport,\" {E} told reporters after the meeting.",
    "W:{E} published its quarterly figures on inflation and employment.",
    "W:A reporter asked {E} about the schedule of the summit.",
    "M:The representatives of {E} and {O} exchanged the documents on the cooperation.",
    "W:{E} confirmed receipt of the letter and said it would reply in due course.",
    "T:Live from the summit: {E} arriving now, more updates soon.",
    "O:The data came from {E}, which collects such statistics every year.",
    "W:The agreement was signed in the presence of {E} and several ministers.",
]

REGISTERS = {"W": "wire", "O": "op-ed", "T": "telegram", "M": "machine-translated", "Q": "quote"}

MAIN = {
    "Protagonist": ["Guardian", "Martyr", "Peacemaker", "Rebel", "Underdog", "Virtuous"],
    "Antagonist": ["Instigator", "Conspirator", "Tyrant", "Foreign Adversary", "Traitor", "Spy",
                   "Saboteur", "Corrupt", "Incompetent", "Terrorist", "Deceiver", "Bigot"],
    "Innocent": ["Forgotten", "Exploited", "Victim", "Scapegoat"],
}
FINE_TO_MAIN = {f: m for m, fs in MAIN.items() for f in fs}


def build(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for key, templates in T.items():
        fine = [] if key == "none" else key.split("+")
        main = None if key == "none" else FINE_TO_MAIN[fine[0]]
        for ti, tpl in enumerate(templates):
            reg, body = tpl.split(":", 1)
            pool = PERSONS + GROUPS
            names = rng.sample(pool, FILLS_PER_TEMPLATE)
            for k, name in enumerate(names):
                other = rng.choice([o for o in OTHERS if o.lower() not in name.lower()])
                text = body.replace("{O}", other)
                # sentence-initial lowercase "the" -> "The"
                start = text.index("{E}")
                surface = name
                if start == 0 and surface.startswith("the "):
                    surface = "The " + surface[4:]
                text = text.replace("{E}", surface, 1)
                # the marked mention excludes a leading "the", as in SemEval files
                ms, me = start, start + len(surface)
                if surface.lower().startswith("the "):
                    ms += 4
                assert text[ms:me] in name or text[ms:me].lower() in name.lower()
                records.append({
                    "id": f"syn-{key.replace(' ', '_').replace('+', '_')}-{ti:02d}-{k}",
                    "template": f"{key}/{ti}",
                    "text": text,
                    "mention": text[ms:me],
                    "start": ms,
                    "end": me,
                    "main_role": main,
                    "fine_roles": fine,
                    "register": REGISTERS[reg],
                    "synthetic": True,
                })
    return records


_MARK = re.compile(r"\[\[([^|\]]+)\|([PAIN])(?::([^\]]+))?\]\]")
_MAIN_CODE = {"P": "Protagonist", "A": "Antagonist", "I": "Innocent", "N": None}


def parse_passages(path: Path) -> list[dict]:
    """Multi-entity passages with inline [[surface|MAIN:Fine,...]] marks."""
    records = []
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        reg, raw = line.split("\t", 1)
        n += 1
        text, marks, pos = "", [], 0
        for m in _MARK.finditer(raw):
            text += raw[pos:m.start()]
            s = len(text)
            text += m.group(1)
            marks.append((s, len(text), _MAIN_CODE[m.group(2)],
                          [f.strip() for f in (m.group(3) or "").split(",") if f.strip()]))
            pos = m.end()
        text += raw[pos:]
        for k, (s, e, main, fines) in enumerate(marks):
            surface = text[s:e]
            if surface.lower().startswith("the "):
                s += 4
            for f in fines:
                if FINE_TO_MAIN[f] != main:
                    raise ValueError(f"passage {n}: {f} is not a {main} role")
            if main and not fines:
                raise ValueError(f"passage {n}: {surface!r} needs a fine role")
            records.append({
                "id": f"syn-passage-{n:03d}-{k}",
                "template": f"passage/{n}",
                "text": text,
                "mention": text[s:e],
                "start": s,
                "end": e,
                "main_role": main,
                "fine_roles": fines,
                "register": REGISTERS[reg],
                "weight": PASSAGE_WEIGHT,
                "synthetic": True,
            })
    return records


def main() -> None:
    out = Path(__file__).with_name("roles.jsonl")
    recs = build() + parse_passages(Path(__file__).with_name("passages.txt"))
    with out.open("w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(recs)} records to {out}")
    # whole-article check set for the article-stance signal: evaluation only (a
    # sub-folder, so `narrascope train roles` never trains on it)
    art_out = Path(__file__).with_name("articles") / "articles.jsonl"
    arts = parse_passages(art_out.with_name("articles.txt"))
    with art_out.open("w", encoding="utf-8") as fh:
        for r in arts:
            r = {**r, "id": r["id"].replace("passage", "article"),
                 "template": r["template"].replace("passage/", "article/"), "weight": 1}
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(arts)} records to {art_out}")


if __name__ == "__main__":
    main()
