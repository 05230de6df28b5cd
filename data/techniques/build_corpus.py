"""Build the synthetic technique corpus (data/techniques/corpus.jsonl) from templates.

Every sentence here was written for narrascope (no text is copied from any article):
each template is one hand-written sentence with slots ({actor}, {gov}, {policy},
{place}, {group}, {issue}; capitalised forms {Actor} ...) that are filled from
eight topic registers (war, climate, domestic politics, health, economy, EU, US...).
Run:  python data/techniques/build_corpus.py   (deterministic, seed 13)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

REGISTERS = {
    "war": dict(
        actor="the Kremlin",
        gov="the government in Kyiv",
        policy="the new sanctions package",
        place="the eastern front",
        group="ordinary Ukrainians",
        issue="the war",
    ),
    "war2": dict(
        actor="NATO",
        gov="the Kiev authorities",
        policy="the latest arms deliveries",
        place="Donbass",
        group="Russian speakers",
        issue="the conflict",
    ),
    "climate": dict(
        actor="the climate lobby",
        gov="the energy ministry",
        policy="the carbon tax",
        place="the countryside",
        group="farmers",
        issue="climate policy",
    ),
    "politics": dict(
        actor="the opposition leader",
        gov="the ruling coalition",
        policy="the pension reform",
        place="the capital",
        group="pensioners",
        issue="the reform",
    ),
    "health": dict(
        actor="the health minister",
        gov="the health authorities",
        policy="the vaccine mandate",
        place="the hospitals",
        group="nurses",
        issue="the pandemic response",
    ),
    "economy": dict(
        actor="the central bank",
        gov="the finance ministry",
        policy="the budget plan",
        place="the industrial regions",
        group="small businesses",
        issue="inflation",
    ),
    "eu": dict(
        actor="Brussels",
        gov="the European Commission",
        policy="the migration pact",
        place="the border towns",
        group="local residents",
        issue="migration",
    ),
    "us": dict(
        actor="Washington",
        gov="the White House",
        policy="the foreign aid bill",
        place="the Pentagon",
        group="American taxpayers",
        issue="the aid debate",
    ),
}

# technique -> list of templates (one hand-written sentence each; labels beyond the key
# may be added with a leading "+Label|" prefix)
T: dict[str, list[str]] = {
    "Loaded_Language": [
        "The shameful spectacle staged by {gov} this week was nothing short of a disgrace.",
        "{Actor} has unleashed a vicious campaign that is poisoning the lives of {group}.",
        "Once again {gov} is busy peddling its sinister fairy tales about {issue}.",
        "{Policy} is a cynical power grab dressed up as concern for {group}.",
        "The desperate flailing of {gov} over {issue} has become painful to watch.",
        "What a grotesque farce: {actor} parading its failures as triumphs in {place}.",
        "They are bleeding {group} dry while the architects of {policy} toast their own brilliance.",
        "It was a brazen betrayal, and {group} will not forget who stabbed them in the back.",
    ],
    "Name_Calling-Labeling": [
        "The puppets in {gov} will sign whatever their foreign masters put in front of them.",
        "These warmongers in {place} care nothing about {group}.",
        "{Actor}, a gang of clueless bureaucrats, keeps pushing {policy}.",
        "Only a fanatic could still defend {policy} after everything that happened.",
        "The so-called experts, a clique of paid cheerleaders, applauded {policy} again.",
        "Call them what they are: a junta that seized control and now lectures {group}.",
        "The globalist elites behind {policy} are back with another scheme.",
        "This regime of liars and thieves has no right to speak for {group}.",
    ],
    "Doubt": [
        "Can anyone really believe that {gov} has the situation in {place} under control?",
        "Is {actor} telling the whole truth about {issue}, or just the convenient half?",
        "The so-called independent review of {policy} was written by its own authors.",
        "Why would anyone trust figures from {gov} after the last three revisions?",
        "One has to wonder whether {actor} even read the report it keeps quoting.",
        "Their supposed evidence on {issue} has never been shown to anyone.",
        "How convenient that the numbers from {gov} always arrive just before a vote.",
        "Nobody has explained where the money for {policy} actually went, have they?",
    ],
    "Exaggeration-Minimisation": [
        "{Policy} is the worst disaster in the entire history of this country.",
        "The whole of {place} is on the brink of total collapse.",
        "{Actor} sent a mere handful of observers, a drop in the ocean.",
        "Not a single promise made by {gov} about {issue} has ever been kept.",
        "This is the greatest betrayal of {group} the world has ever seen.",
        "The protest was just a few dozen people, hardly worth a mention.",
        "{Policy} will destroy absolutely everything {group} have built over generations.",
        "The damage in {place} is a tiny scratch compared with what the critics claim.",
    ],
    "Repetition": [
        "They lied about {issue}, they lied about {policy}, and they lied about {place}.",
        "Never forget, never forgive, never again let {actor} decide for {group}.",
        "Failure after failure after failure: that is the record of {gov} on {issue}.",
        "{Policy} means more taxes, more taxes and yet more taxes for {group}.",
        "Shame on {gov}, shame on {actor}, shame on everyone who voted for {policy}.",
        "Again and again and again, {group} are told to wait.",
        "No to {policy}, no to lies, no to the people who sold out {group}.",
        "Lies, lies and more lies: that is all {actor} offers on {issue}.",
    ],
    "Appeal_to_Fear-Prejudice": [
        "If {policy} goes ahead, {group} will be left freezing and starving in the dark.",
        "Unless we stop {actor} now, our children will pay for {issue} with their lives.",
        "Make no mistake: {place} is the next target, and nobody will be safe.",
        "{Policy} opens the door to chaos, crime and the end of the life we know.",
        "Every day we delay brings the nuclear abyss a step closer.",
        "Do you want your family to be the next victim of {issue}?",
        "Hordes of outsiders will pour into {place} the moment {policy} is signed.",
        "The threat to our very survival has never been greater than it is today.",
    ],
    "Flag_Waving": [
        "Every true patriot knows that our nation will never bow to {actor}.",
        "Our glorious history demands that we stand up for {group} against {policy}.",
        "As proud citizens we owe it to our fathers to reject {policy}.",
        "Our brave soldiers in {place} are defending the honour of the whole nation.",
        "No one will ever take our national pride away from us, least of all {actor}.",
        "This is about who we are as a people, and we do not surrender.",
        "For the sake of the motherland, {group} must unite behind the flag.",
        "Real patriots do not need foreign permission to defend their homeland.",
    ],
    "Slogans": [
        "No peace without victory!",
        "Stop {policy} now, stop it for good!",
        "Hands off our {place}!",
        "Our land, our rules, our future!",
        "Not one more cent for {issue}!",
        "Freedom is not for sale!",
        "Strength in unity, victory in truth!",
        "Enough is enough: {group} first!",
        "{Group} united will never be defeated!",
        "Say no to {policy}, say yes to {group}!",
        "Not our {issue}, not our problem!",
        "Bring {issue} home, bring our people home!",
    ],
    "Appeal_to_Authority": [
        "Leading scientists agree that {policy} is the only sensible path, so the matter is settled.",
        "A Nobel laureate has confirmed that {actor} is right about {issue}.",
        "Top generals say {gov} has lost, and they know better than anyone.",
        "As the Pope himself has said, {policy} is a moral necessity.",
        "Respected economists unanimously back {policy}, so critics should stay quiet.",
        "The former intelligence chief has stated it plainly: {actor} is behind {issue}.",
        "According to the most senior expert in the field, there is no doubt about {issue}.",
        "Even the president of the academy says that {policy} is correct.",
    ],
    "Appeal_to_Popularity": [
        "Everyone in {place} already knows that {policy} has failed.",
        "Millions of people cannot be wrong about {issue}.",
        "Nobody believes the official story about {issue} any more.",
        "The whole world can see what {actor} is doing, except its own supporters.",
        "Ask anyone on the street and they will tell you {policy} is a mistake.",
        "All sensible people have already turned their backs on {gov}.",
        "The overwhelming majority of {group} support us, so the question is closed.",
        "Join the millions who have already rejected {policy}.",
    ],
    "Appeal_to_Values": [
        "{Policy} goes against everything our faith and our families stand for.",
        "A society that respects freedom cannot accept {policy}.",
        "Tradition and common decency tell us that {actor} is wrong.",
        "Supporting {group} is simply what good Christians do.",
        "Democracy itself is at stake when {gov} behaves like this.",
        "Honour, loyalty and sacrifice: these are the values {policy} betrays.",
        "Any decent person who values human dignity must oppose {policy}.",
        "Our ancestors believed in hard work and fairness, not in {policy}.",
    ],
    "Causal_Oversimplification": [
        "{Issue} exists for one reason only: {actor}.",
        "Prices went up solely because of {policy}, nothing else.",
        "The crisis in {place} is entirely the fault of {gov}.",
        "Had {actor} not interfered, there would be no problems with {issue} at all.",
        "Crime rose the very month {policy} passed, which proves who is to blame.",
        "The real and only cause of the suffering of {group} is {actor}.",
        "All the trouble in {place} began the day {gov} took office.",
        "Behind every problem {group} face today stands {policy}.",
    ],
    "False_Dilemma-No_Choice": [
        "Either we scrap {policy} today or {place} will be lost forever.",
        "There is no alternative: {group} must accept the deal or perish.",
        "You are either with {group} or you are with {actor}.",
        "The only choice left for {gov} is surrender or ruin.",
        "Support {policy} or admit that you want {issue} to get worse.",
        "There are just two options, total victory or total defeat.",
        "If you are not against {policy}, you are part of the problem.",
        "The only way out of {issue} is to do exactly what {actor} says.",
    ],
    "Consequential_Oversimplification": [
        "If we accept {policy} today, tomorrow they will take our homes and then our freedom.",
        "Give {actor} an inch on {issue} and they will soon demand the whole of {place}.",
        "First {policy}, next a ban on cars, and before you know it a ban on meat.",
        "Let {gov} win this vote and democracy itself will be over within a year.",
        "Once the first weapons arrive, troops will follow, and then a world war.",
        "Allowing this exception will inevitably lead to chaos in every town.",
        "Today it is {group}, tomorrow it will be you, and the day after everyone.",
        "A small concession now would open the floodgates to endless demands.",
        "Approve {policy} and within months {group} will lose their jobs, their savings and finally their homes.",
    ],
    "Straw_Man": [
        "Critics of {policy} apparently want {group} to live in caves.",
        "So {actor} thinks we should simply let {place} burn? That is what its plan amounts to.",
        "Those who question {issue} basically say that facts do not matter.",
        "Opponents claim we should never defend ourselves, which is absurd.",
        "{Gov} wants us to believe that any doubt about {policy} is treason.",
        "According to its critics, {policy} would ban everything fun, which is obviously silly.",
        "The other side says {group} deserve nothing, and that is simply heartless.",
        "In other words, {actor} wants to hand {place} over without a fight.",
    ],
    "Red_Herring": [
        "Instead of answering for {policy}, let us talk about how well the football team is doing.",
        "Before discussing {issue}, remember that the minister's critics drive expensive cars.",
        "Why focus on {place} when there are so many nice festivals this summer?",
        "The report on {issue} is less interesting than the scandal over the minister's dog.",
        "Asked about {policy}, the spokesman spoke at length about the weather and the harvest.",
        "Rather than explain the missing funds, {gov} praised its new logo.",
        "Who cares about {issue} when the national team has just won the cup?",
        "The real story is not {policy} but the tone of the journalists asking about it.",
    ],
    "Whataboutism": [
        "And what about the bombs {actor} dropped on civilians for decades?",
        "Where was {actor} when its own allies invaded a sovereign country?",
        "They criticise us for {issue}, but what about their own record?",
        "Before lecturing others on {issue}, {actor} should look at its own prisons.",
        "Nobody said a word when {actor} did exactly the same thing.",
        "Funny how {gov} never mentions its own scandals when it talks about {issue}.",
        "What about the war crimes of those who now lecture us on morality?",
        "They condemn {place}, yet their own cities are full of the same problems.",
    ],
    "Appeal_to_Time": [
        "The time has come to end {policy} once and for all.",
        "It is now or never for {group}: tomorrow will be too late.",
        "Time is running out for {gov} to change course on {issue}.",
        "The clock is ticking, and every hour of delay costs {group} dearly.",
        "There is no time to lose: {place} needs action tonight.",
        "This is the last chance to stop {policy} before it becomes law.",
        "The window is closing fast and history will not wait for {actor}.",
        "We must act today, because next week the damage will be irreversible.",
    ],
    "Conversation_Killer": [
        "{Policy} failed. End of story.",
        "The facts are clear and there is nothing more to discuss.",
        "That is all there is to say about {issue}.",
        "It's as simple as that, and anyone who disagrees is wasting our time.",
        "Case closed: {actor} was wrong, and that's that.",
        "The debate is over, so stop asking questions about {policy}.",
        "Enough said about {gov} and its excuses.",
        "We do not need to hear any more opinions on {issue}. Period.",
    ],
    "Obfuscation-Vagueness-Confusion": [
        "Certain circles are said to be preparing certain steps regarding {issue}.",
        "Some people say things are happening in {place} that cannot yet be revealed.",
        "Questions are being asked, and the answers may surprise many, or may not.",
        "There are forces at work behind {policy} that one should perhaps be aware of.",
        "It is, in a sense, both true and not true that {gov} knew about it.",
        "Sources suggest that something significant may or may not occur soon in {place}.",
        "Those who know will understand what is really going on with {issue}.",
        "Various interested parties have reportedly expressed views of a certain kind.",
    ],
    "Name_Calling-Labeling+": [],
    "Guilt_by_Association": [
        "{Policy} was first proposed by the same people who once praised dictators.",
        "Hitler also loved grand plans like {policy}.",
        "{Actor} now shares a platform with convicted extremists, which tells you everything.",
        "The ideas behind {policy} come straight from the playbook of the Nazis.",
        "Funny that {actor} holds the same view on {issue} as the terrorists do.",
        "Its biggest donors are the same oligarchs who looted the country in the nineties.",
        "Every supporter of {policy} stands in line with the heirs of Bandera.",
        "The communists tried exactly this, and {gov} is following in their footsteps.",
    ],
    "Appeal_to_Hypocrisy": [
        "{Actor} preaches restraint on {issue} while doing the opposite at home.",
        "The same politicians who demand sacrifices from {group} fly private jets.",
        "{Gov} condemned this practice last year and now defends it with a straight face.",
        "They talk about human rights but bomb weddings abroad.",
        "What hypocrisy: {actor} demands transparency but hides its own accounts.",
        "Those lecturing us about {issue} never practise what they preach.",
        "Double standards again: what was a crime yesterday is a virtue for {gov} today.",
        "{Actor} cries about interference while meddling in every election it can.",
    ],
    "Questioning_the_Reputation": [
        "{Actor} has a long record of broken promises and cannot be taken seriously.",
        "This is the same minister who was caught lying to parliament twice.",
        "Nobody should listen to {gov}, whose members have all been involved in scandals.",
        "The notorious author of {policy} has been wrong about everything for twenty years.",
        "A man who cheated on his taxes now wants to lecture {group} about fairness.",
        "{Actor} was discredited long ago, yet the media still quote it on {issue}.",
        "The head of the agency is known for selling favours to the highest bidder.",
        "Its spokesman, a failed businessman with three bankruptcies, defended {policy}.",
    ],
}
T.pop("Name_Calling-Labeling+")


# second batch of templates (written the same day, different wording and registers)
MORE: dict[str, list[str]] = {
    "Loaded_Language": [
        "{Gov} keeps feeding {group} a toxic diet of lies about {issue}.",
        "The ruthless architects of {policy} have trampled on {group} without a second thought.",
        "{Actor} is drowning {place} in a swamp of corruption and arrogance.",
        "It is a monstrous scheme, and {group} are its helpless victims.",
    ],
    "Name_Calling-Labeling": [
        "The clowns running {gov} have once again embarrassed {group}.",
        "{Actor} and its band of crooks want us to swallow {policy}.",
        "These useful idiots keep repeating whatever {actor} tells them about {issue}.",
        "The traitors who wrote {policy} should never be allowed near power again.",
    ],
    "Doubt": [
        "Is it really a coincidence that {actor} profits from {policy}?",
        "The official account of {issue} raises more questions than it answers.",
        "Strange, isn't it, that nobody at {gov} can produce a single document on {policy}?",
        "Do they seriously expect {group} to believe this version of events?",
    ],
    "Exaggeration-Minimisation": [
        "{Policy} has turned {place} into a wasteland overnight.",
        "A few broken windows in {place} hardly count as a crisis, whatever {actor} says.",
        "Every single family in the country will be ruined by {policy}.",
        "The so-called scandal around {issue} is a storm in a teacup.",
    ],
    "Repetition": [
        "Corruption in {gov}, corruption in {place}, corruption everywhere you look.",
        "We said no yesterday, we say no today, and we will say no tomorrow to {policy}.",
        "Stop the lies, stop the waste, stop {policy}.",
        "The same excuses, the same faces, the same failures from {gov}.",
    ],
    "Appeal_to_Fear-Prejudice": [
        "Your savings will vanish overnight if {policy} becomes law.",
        "They will come for your pension next, and then for your home.",
        "Behind {policy} lurks a danger that could wipe out {group} within a decade.",
        "Open the border today and tomorrow {place} will no longer be safe for your children.",
    ],
    "Flag_Waving": [
        "Our people have never been conquered, and {actor} will not be the first to do it.",
        "Stand proud, stand together, and show {actor} what this nation is made of.",
        "The blood of our heroes obliges us to defend every inch of our land.",
        "Loyal sons and daughters of the homeland will never accept {policy}.",
    ],
    "Slogans": [
        "One nation, one voice, one victory!",
        "Peace now, {policy} never!",
        "Truth will win!",
        "Our children, our future, our choice!",
    ],
    "Appeal_to_Authority": [
        "The country's top doctor says {policy} is safe, and that should end all discussion.",
        "If the generals say victory is near, who are we to doubt it?",
        "Scientists at a prestigious university have proven that {actor} is wrong about {issue}.",
        "The most decorated diplomat of our time backs {policy}, which is all we need to know.",
    ],
    "Appeal_to_Popularity": [
        "Ninety percent of {group} are against {policy}, so it must be wrong.",
        "Everybody is talking about it: {gov} has lost the plot on {issue}.",
        "Half the country is already boycotting {policy}; don't be the last one to join.",
        "More and more people are waking up to the truth about {issue}.",
    ],
    "Appeal_to_Values": [
        "Respect for the family is sacred, and {policy} tramples on it.",
        "True justice demands that we stand by {group}.",
        "Our faith teaches mercy, and {policy} has none.",
        "Anyone who cherishes liberty knows that {actor} must be resisted.",
    ],
    "Causal_Oversimplification": [
        "Since {policy} was introduced, everything has gone wrong, so {policy} is the cause.",
        "The empty shelves in {place} have a single explanation: {actor}.",
        "{Group} are poorer today for one reason, and its name is {policy}.",
        "Remove {actor} and the problems of {place} will disappear.",
    ],
    "False_Dilemma-No_Choice": [
        "Either {group} accept the deal tonight or they lose everything.",
        "We can either defend our borders or watch our country disappear.",
        "It is {policy} or chaos; there is nothing in between.",
        "You can support {gov} or you can support the enemy, but not both.",
    ],
    "Consequential_Oversimplification": [
        "Allow {policy} and soon every town will be run from {place}.",
        "If we give in on {issue} now, we will have to give in on everything later.",
        "One exception for {group} today, and tomorrow the whole system will collapse.",
        "Let {actor} set the rules on {issue} and our independence will be gone within a year.",
    ],
    "Straw_Man": [
        "Supporters of {policy} seem to think money grows on trees.",
        "So the critics want {group} to freeze in the dark rather than pay a little more?",
        "{Actor} apparently believes that everyone who disagrees is an enemy of the people.",
        "Their argument boils down to this: nobody should ever be held responsible for {issue}.",
    ],
    "Red_Herring": [
        "Before we talk about {policy}, let us remember the wonderful harvest this year.",
        "The real question is not {issue} but why the journalists wear such expensive suits.",
        "Asked about {issue}, the minister preferred to discuss his new book.",
        "Forget {policy}; the important news is that the capital's new stadium is almost finished.",
    ],
    "Whataboutism": [
        "{Actor} complains about {issue}, yet look at what happens in its own streets.",
        "Before pointing fingers at us, maybe {actor} should explain its own wars.",
        "They shout about {place}, but they were silent when their friends did far worse.",
        "Why is nobody asking about the crimes of those who now demand answers from us?",
    ],
    "Appeal_to_Time": [
        "Tomorrow may be too late to save {group} from {policy}.",
        "History is calling, and {gov} must answer today.",
        "Every day we wait, {place} slips further out of reach.",
        "This is the moment: act now on {issue} or regret it for a generation.",
    ],
    "Conversation_Killer": [
        "{Actor} has spoken, and there is no point in arguing.",
        "Enough with the questions; {policy} stays.",
        "That is the truth about {issue}, full stop.",
        "Some things are not up for debate, and {policy} is one of them.",
    ],
    "Obfuscation-Vagueness-Confusion": [
        "Certain people in certain offices know certain things about {issue}.",
        "Let's just say that not everything about {policy} is what it seems, if you see what I mean.",
        "Something is going on behind the scenes in {place}, and it is not nothing.",
        "Depending on how you look at it, {gov} both did and did not approve {policy}.",
    ],
    "Guilt_by_Association": [
        "{Policy} is cheered by the same radicals who burned cars last summer.",
        "The author of {policy} once shared a stage with a notorious extremist.",
        "Dictators around the world applaud {actor}, which says everything.",
        "Guess who else supported an idea like {policy}? Mussolini.",
    ],
    "Appeal_to_Hypocrisy": [
        "{Actor} demands austerity from {group} while its own officials enjoy lavish dinners.",
        "Yesterday they swore to fight {issue}; today they profit from it.",
        "The minister who preaches green living owns three cars and a private plane.",
        "They lecture us about free speech and then ban every newspaper they dislike.",
    ],
    "Questioning_the_Reputation": [
        "{Actor} has been caught lying so often that nothing it says about {issue} can be trusted.",
        "The head of {gov} built his career on shady deals and broken promises.",
        "This is a party whose leaders have spent more time in court than in parliament.",
        "The so-called expert behind {policy} has never held a real job.",
    ],
}
for _tech, _tpls in MORE.items():
    T[_tech].extend(_tpls)

NEUTRAL = [
    "{Gov} said on Tuesday it would publish the details of {policy} next month.",
    "The committee will meet again in two weeks to review {policy}.",
    "{Actor} declined to comment on the report, a spokesperson said.",
    "Officials said about 200 people attended the meeting in {place}.",
    "The vote on {policy} was postponed after a procedural objection.",
    "Figures released on Monday showed a small rise in unemployment.",
    "The talks in Geneva ended without a joint statement, according to two diplomats.",
    "{Gov} has proposed changes to {policy} that would take effect next year.",
    "A survey of 1,200 adults found 48 percent in favour and 41 percent against {policy}.",
    "The minister is expected to visit {place} later this week.",
    "Analysts said the decision could affect prices in the second half of the year.",
    "The report, which runs to 300 pages, covers the years 2015 to 2023.",
    "Police said two people were slightly injured and one man was detained.",
    "Trading on the exchange closed slightly higher on Friday.",
    "{Actor} said it had received the request and was studying it.",
    "The agreement still has to be ratified by national parliaments.",
    "Heavy rain is forecast for the north of the country over the weekend.",
    "The company said it would cut 300 jobs at its plant in {place}.",
    "Both sides reported fighting near the town overnight; the claims could not be independently verified.",
    "The court adjourned the hearing until March 14.",
    "{Gov} allocated an additional 40 million euros to {issue} in the draft budget.",
    "Delegates from 27 countries attended the two-day conference.",
    "The spokesperson said the minister had spoken with her counterpart by phone.",
    "Inflation eased to 3.1 percent in October from 3.4 percent in September, the statistics office said.",
    "The new rules apply to companies with more than 50 employees.",
    "The mayor of {place} said repairs to the bridge would take about six months.",
    "Lawmakers approved the bill by 312 votes to 140.",
    "The ministry said the shipment included generators and medical supplies.",
    "The talks are scheduled to resume on Thursday, a spokesman said.",
    "Turnout was 61 percent, slightly lower than in the previous election.",
    "The European Central Bank left interest rates unchanged.",
    "The president met the visiting prime minister and discussed trade and energy.",
    "Reuters could not immediately reach the company for comment.",
    "The agency said it was investigating the cause of the fire.",
    "Several flights were cancelled because of fog at the airport.",
    "{Group} in {place} will receive the payments from January, officials said.",
    "The foreign ministry summoned the ambassador over the incident.",
    "The government plans to hold a public consultation on {policy} in the spring.",
    "Data from the weather service showed last month was the warmest September on record.",
    "The United Nations said 4,000 people had been displaced by the floods.",
    "He was appointed to the post in 2021 and previously served as deputy minister.",
    "The statement did not say when the decision would be announced.",
    "Critics of {policy} say it will raise costs for {group}, while supporters say it will reduce emissions.",
    "The defence ministry said air defences shot down 12 drones overnight.",
    "The army said it had withdrawn from the village to better defended positions.",
    "Officials in {place} said power had been restored to most homes by the evening.",
    "The opposition party said it would challenge the result in court.",
    "The summit is due to take place in Brussels at the end of June.",
    "Under the plan, the retirement age would rise gradually to 67 by 2030.",
    "The study was published in a peer-reviewed journal on Wednesday.",
    "Shares in the company fell 4 percent after the announcement.",
    "A spokesman for {gov} said the figures were being checked.",
    "The minister told reporters the negotiations had been constructive.",
    "The ceasefire proposal was discussed at a closed-door meeting of the Security Council.",
    "Russia's foreign ministry said the meeting would take place in Istanbul.",
    "Ukraine's military said it had repelled several attacks near the city.",
    "The aid package includes ammunition and air defence missiles, the Pentagon said.",
    "The Kremlin said no date had been set for a meeting between the two leaders.",
    "Zelensky said he would travel to Washington next week to meet lawmakers.",
    "The EU foreign ministers will discuss the sanctions at their next meeting.",
    "Temperatures are expected to return to normal by the middle of next week.",
    "The museum will reopen to visitors on Saturday after renovation work.",
    "The report said wages grew faster than prices for the first time in two years.",
    "Negotiators from both sides met for four hours, according to a statement.",
    "The new hospital wing will add 120 beds, the regional health authority said.",
    "He told the hearing that the contract had been awarded in line with procurement rules.",
    "The sanctions regime was extended for another six months, the council said.",
    'She called the proposal "unrealistic" but said her party would study it.',
    "\u201cWe are ready to talk,\u201d the foreign minister told reporters in Ankara.",
    "The central bank raised its key rate by a quarter of a percentage point.",
    "Farmers in {place} have asked {gov} for more time to apply the new rules.",
    "{Actor} published its annual report on {issue} on Thursday.",
    "The proposal on {policy} will be debated in parliament on Wednesday, officials said.",
    "A spokeswoman for {actor} said the meeting had been arranged weeks ago.",
    "Energy prices fell for the third consecutive month, the agency said.",
    "The prime minister is due to present the budget on October 15.",
    "The strike disrupted rail services across the region for most of the day.",
    "The two countries signed a memorandum on grain exports.",
    "Firefighters brought the blaze under control after several hours.",
    "Did the measure work? The auditors said the answer would take another year to establish.",
    "The election commission said final results would be published on Monday.",
    "The investigation is continuing, prosecutors said in a statement.",
    "About 1,500 soldiers took part in the exercise, the alliance said.",
    "Kyiv and Moscow exchanged 95 prisoners each, officials on both sides said.",
    "The IMF approved the next tranche of the loan after a review.",
    "The talks focused on energy security and the reconstruction of damaged infrastructure.",
    "The governor said shelling had damaged a school and two residential buildings.",
    "Washington announced a new package of military aid worth 250 million dollars.",
    "The minister resigned on Friday, citing health reasons.",
    "The pilot scheme will run in three regions until the end of next year.",
    "Opinion polls suggest the two main parties are running neck and neck.",
    "The nuclear plant has been operating on backup power since the line was cut, the IAEA said.",
    "The company reported a net profit of 1.2 billion euros for the quarter.",
    "Schools in {place} will reopen on Monday after the holiday.",
    "The bill would require {group} to register with the local authorities.",
    "The embassy said consular services would resume next week.",
    "Ministers agreed to review {policy} again at the end of the year.",
    "Residents said the water supply had been restored on Sunday morning.",
    "The report found that emissions fell by 2 percent last year.",
    "According to the ministry, 18 people were evacuated from the damaged building.",
    "The Kremlin spokesman said Moscow was open to talks but gave no details.",
    "Local officials said the road would remain closed until repairs are finished.",
    "NATO defence ministers will meet in Brussels next month.",
    "The opposition called for an inquiry into the contract, which the government rejected.",
    "The agreement covers fishing rights in the disputed waters.",
]
NEUTRAL_PER_TEMPLATE = 5
PER_TEMPLATE = 5
SEED = 13


def fill(template: str, reg: dict[str, str]) -> str:
    slots = dict(reg)
    for k, v in reg.items():
        slots[k.capitalize()] = v[0].upper() + v[1:]
    return template.format(**slots)


def build() -> list[dict]:
    rng = random.Random(SEED)
    names = sorted(REGISTERS)
    records: list[dict] = []
    groups = [(tech, tpls) for tech, tpls in T.items()] + [("NONE", NEUTRAL)]
    for tech, tpls in groups:
        for ti, tpl in enumerate(tpls):
            n = NEUTRAL_PER_TEMPLATE if tech == "NONE" else PER_TEMPLATE
            regs = rng.sample(names, n) if "{" in tpl else names[:1]
            seen: set[str] = set()
            for reg in regs:
                text = fill(tpl, REGISTERS[reg])
                if text in seen:
                    continue
                seen.add(text)
                records.append(
                    {
                        "id": f"{tech}-{ti:02d}-{reg}",
                        "text": text,
                        "labels": [] if tech == "NONE" else [tech],
                        "template": f"{tech}-{ti:02d}",
                        "register": reg,
                        "synthetic": True,
                    }
                )
    return records


if __name__ == "__main__":
    out = Path(__file__).with_name("corpus.jsonl")
    recs = build()
    with out.open("w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(recs)} records to {out}")
