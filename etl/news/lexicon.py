"""What the claims extractor recognises, in English, Ukrainian and Italian.

The tables live in :mod:`etl.news.lexicon_nouns` (what a figure counts) and :mod:`etl.news.lexicon_claimants`
(who claims whose losses); this module holds the rest (loss words, measures, the words around a number) and
re-exports every name, so ``from etl.news import lexicon as lx`` reads them all.

Every table is a list of (regular expression, meaning); the extractor matches them case-insensitively
on the folded text (etl.news.text.fold: one kind of space, apostrophe, quote and dash).  The category
nouns are the news' words for the bulletin categories of :mod:`etl.domain.categories` plus the people words
(``people`` troops/soldiers, ``casualties``, ``killed``, ``wounded``, ``killed_wounded``), which the
extractor maps to ``personnel`` for the General Staff and to ``killed`` / ``wounded`` /
``casualties_total`` for other claimants.
"""

from __future__ import annotations

import re

from etl.news.lexicon_claimants import (
    BOTH_SIDES as BOTH_SIDES,
)
from etl.news.lexicon_claimants import (
    CIVILIAN as CIVILIAN,
)

# The tables of what a figure counts and of who claims whose losses live in their own modules; every name
# stays importable from here (``from etl.news import lexicon as lx``).
from etl.news.lexicon_claimants import (
    CLAIMANT_CUES as CLAIMANT_CUES,
)
from etl.news.lexicon_claimants import (
    MILITARY_LOSER as MILITARY_LOSER,
)
from etl.news.lexicon_claimants import (
    NOT_ATTRIBUTION as NOT_ATTRIBUTION,
)
from etl.news.lexicon_claimants import (
    PEOPLE_PLAIN as PEOPLE_PLAIN,
)
from etl.news.lexicon_claimants import (
    SUBJECT_CUES as SUBJECT_CUES,
)
from etl.news.lexicon_claimants import (
    SUBJECT_MASKS as SUBJECT_MASKS,
)
from etl.news.lexicon_nouns import (
    LIST_LABELS as LIST_LABELS,
)
from etl.news.lexicon_nouns import (
    MODIFIER_SUBJECT as MODIFIER_SUBJECT,
)
from etl.news.lexicon_nouns import (
    MODIFIERS as MODIFIERS,
)
from etl.news.lexicon_nouns import (
    NOUNS as NOUNS,
)
from etl.news.lexicon_nouns import (
    QUALIFIER_AFTER as QUALIFIER_AFTER,
)
from etl.news.lexicon_nouns import (
    QUALIFIER_BEFORE as QUALIFIER_BEFORE,
)
from etl.news.lexicon_nouns import (
    VERB_AFTER as VERB_AFTER,
)

CLAIMANTS = ("ua_general_staff", "ru_defense_ministry", "uk_defence_ministry", "nato", "us_intelligence", "other")
SUBJECTS = ("ru_forces", "ua_forces")
PEOPLE_CATEGORIES = ("killed", "wounded", "casualties_total")
MEASURES = ("cumulative", "daily_increase", "period_increase", "estimate_range")
QUALIFIERS = ("about", "more_than", "up_to")
PEOPLE_KINDS = ("people", "casualties", "killed", "wounded", "killed_wounded")


# --------------------------------------------------------------------------- what makes it a loss report
LOSS_TRIGGERS = (
    r"lost|lose|loses|losing|loss|losses|casualt\w*|killed|dead|died|deaths?|wounded|injured|destroyed|eliminated"
    r"|neutrali[sz]ed|liquidated|eradicated|tally|toll|sustained|suffered|fatalities|lost their lives|running total"
    r"|out of action"  # "200 soldiers put out of action over the past day"
    r"|(?:вивели|виведено|вивела|вивів) з (?:ладу|строю)"  # "вивели з ладу 1080 окупантів": put out of action
    r"|total (?:stood|stands) at|puts? the (?:figure|number|count|tally|toll|total) at"
    r"|(?:has |have |had )?(?:now )?cost (?:Russia|Moscow|the Kremlin|Russian forces)"
    r"|count(?= (?:also |further )?(?:includes?|lists?|stands|puts|now|counts))"
    r"|(?:added|adds|adding)\b[^.;]{0,60}\bto (?:its|their|the|Kyiv's|Ukraine's) (?:count|total|figures)"
    # a claimant naming its figure: "Kiev parla invece di 880.000 soldati", "Генштаб називає цифру 880 тисяч"
    r"|parla(?:no)? (?:invece |anche )?di|(?:cites?|cited|gives?|gave) (?:a|the) (?:figure|number|toll|count) of"
    r"|назива\w* (?:цифру|число|кількість)|наводить (?:цифру|дані)|(?:fornisce|indica) (?:la cifra|un bilancio) di"
    r"|втрат\w*|втрачен\w*|ліквід\w*|знищ\w*|знешкод\w*|загин\w*|загибл\w*|поран\w*|вбит\w*|перемолот\w*"
    r"|vittim\w+|destruction|distruzione|знищення|misplaced|fuori combattimento|pers[oeia]|perdit\w+|uccis\w+|mort[ie]"
    r"|ferit\w+|distrutt\w+|eliminat\w+|caduti|neutralizzat\w+|perdut[oiae]"
    # "на рахунку ЗСУ 211 засобів ППО", "Ukraine's forces are credited with 281 aircraft", "al loro attivo 281 aerei"
    r"|на (?:своєму |їхньому |їх )?рахунку|(?:are|is|were|was|been)(?: also)? credited with|to (?:its|their) credit"
    r"|(?:al|all')(?: loro| suo)? ?attivo"
)
# the air force's daily tally of shoot-downs
NOT_LOSS = r"shot down|intercepted|downed|jammed|збил\w*|intercettat\w+|перехоплен\w*|збит\w*|abbattut\w+"

# --------------------------------------------------------------------------- measures
DAILY = (
    r"(?:in|over|during|for) the (?:past|previous|last) (?:day|24 hours|twenty-four hours|24-hour period)"
    r"|in the 24-hour period|in (?:a|one|a single) day|over the (?:past |last )?day|on the (?:past|previous) day"
    r"|past day|the day's|in the past 24 hours|daily (?:losses|toll|increase)|24 hours|from the (?:day"
    r"|previous day) before"
    r"|from the previous day|on the previous day"
    r"|за (?:минулу |останню )?добу|за минулий день|за день|(?:протягом|упродовж|впродовж) (?:минулої |останньої )?доби"
    r"|nelle ultime (?:24|ventiquattro) ore|nell'ultimo giorno|nel ultimo giorno|in un (?:solo )?giorno"
    r"|nella giornata di ieri|nella giornata(?= di (?:oggi|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica))"
    r"|nelle ultime ventiquattr'ore|in 24 ore|rispetto al giorno precedente|rispetto a ieri|nell'ultima giornata"
    r"|in the (?:final|closing|remaining) day|in (?:just|only) (?:a|one|a single) day|dell'ultima giornata"
    r"|delle ultime (?:24|ventiquattro) ore"
    r"|per day|overnight|nella stessa giornata|in the same 24 hours|on the same day|the same day|a day earlier"
    r"|than the day before|than a day earlier|since the previous day|since yesterday"
)
# "over the same period" / "nella stessa giornata": the day of the figure before
SAME_DAY = (
    r"(?:during|in|over|for) the same (?:time )?(?:period|day|24 hours)|on the same day|the same day"
    r"|nella stessa giornata|nello stesso periodo|lo stesso giorno|nelle stesse (?:24|ventiquattro) ore"
    r"|того ж дня|за той самий період|за цей же період|за ту саму добу|за цю ж добу"
)
PERIOD_SAME = (
    r"during the same (?:time )?period|in the same period|over the same period|same time period"
    r"|за той самий період|за цей же період|nello stesso periodo"
    r"|(?:during|over|in|for) (?:the|that) (?:same )?month|the same month|за (?:цей|той) (?:же |самий )?місяць"
    r"|nel corso del mese|in quel mese|nello stesso mese"
    r"|(?:during|over|in|for) (?:the|that) (?:same )?week|the same week|за (?:цей|той) (?:же |самий )?тиждень"
    r"|nella stessa settimana"
    # "Over the same seven days, Ukraine's forces destroyed 22 tanks": the days counted before
    r"|(?:during|over|in|for) the same (?:\w+|\d+) days|negli stessi (?:\w+|\d+) giorni|за ті самі (?:\w+|\d+) дн\w+"
)
PERIOD_YEAR = (
    r"since the (?:start|beginning) of (?:the|this) year|so far this year|this year alone|year-to-date"
    r"|з початку (?:цього )?року|dall'inizio dell'anno"
)
PERIOD_MONTH = (
    r"(?:since|at) the (?:start|beginning) of (?:the|this) month|so far this month|this month alone"
    r"|month-to-date|з початку (?:цього )?місяця|dall'inizio del mese"
)
PERIOD_VAGUE = (
    r"(?:in|during|throughout|over) the (?:past|last) (?:week|seven days|month|\d+ days|few days)"
    r"|in less than a week|this week|in (?:a|one) week|за (?:минулий |останній )?(?:тиждень|місяць)"
    r"|за (?:сім|7) днів|nell'ultima settimana|in una settimana|nell'ultimo mese|negli ultimi \d+ giorni"
    r"|in the past month|over the past month"
)
CUMULATIVE = (
    r"since the (?:start|beginning|outset) of (?:the|its|Russia's|Moscow's|this) (?:full-scale |all-out |large-scale )?"
    r"(?:invasion|war|aggression)|since the (?:full-scale )?invasion|since the war (?:began|started)"
    r"|since (?:[\w'.-]+ ){0,6}?(?:launched|began|started|invaded|crossed)\b|in total|a total of|totals? of"
    r"|during the course of the war|in the course of the war|over the course of the war|so far in the war"
    r"|to date|overall|all told|in all(?=\s*[.,;]|\s*$)|since February 2022|since Feb(?:ruary|\.)? 24(?:, 2022)?"
    r"|(?:з|від) початку (?:повномасштабного )?(?:вторгнення|війни)|загальні (?:бойові )?втрати|всього|загалом|сумарно"
    r"|dall'inizio (?:dell'invasione|della guerra|del conflitto)(?: su larga scala)?|in totale|complessivamente"
    r"|dal 24 febbraio(?: 2022)?"
)
# What splits a sentence into groups whose numbers share their markers
GROUP_SPLIT = (
    r",?\s+(?:including|meaning|bringing|while|whereas|among them|з них|із них|у тому числі|зокрема|di cui"
    r"|mentre|portando)\b|,\s+(?:of which|of whom|of them|of those|and that|with|con|che|e che|secondo cui"
    r"|precisando che|aggiungendo che)\b|;"
    # "456.339 droni, 1.767 dei quali nell'ultimo giorno": the part's marker is not the figure before's
    r"|,(?=\s+\d[\d.,\s]*\s+(?:dei quali|delle quali|of them|of which|of whom|з яких|із яких)(?![\w]))"
)
BRINGING_TOTAL = (
    r"(?:bringing|brings|bring|brought|pushing|taking|raising)\s+(?:[\w']+\s+){0,6}?(?:total|tally|toll|count"
    r"|losses(?= to))"  # "taking Moscow's reported losses to 753,370"
    # a total said after the day's figures: "and said total Russian personnel losses had risen to 392,380"
    r"|total (?:[\w']+ ){0,3}losses (?:had |have |has )?(?:risen|rose|climbed|grown|increased) to"
    r"|losses (?:now )?(?:totals?|stand at|stands at)\b"  # "..., so Russia's personnel losses now total 753,370"
    r"|(?:le )?perdite totali (?:di [\w']+ )?(?:ammontano|sono salite|salgono) a"
    r"|(?:il )?totale (?:è )?(?:salito|arrivato|giunto) a|(?:put|puts|putting) (?:the|its) (?:figure|total|number|toll"
    r"|tally) at"
    r"\b|the (?:total|tally|toll) (?:now )?(?:stands at|reached|rose to|is|to)"
    r"|загальн\w+ (?:кількість|втрати) (?:сягнула|становить|досягла)|portando il totale a"
)
INHERIT_BEFORE = (
    r"(?:including|together with|along with|of which|of whom|of them|of those|among them|з них|із них|у тому числі"
    # "Of that number, 890 were lost over the previous 24 hours"
    r"|di cui|of (?:that|this|the) (?:number|figure|total)"
    # "lo Stato maggiore ..., che ne conta 1.360 soltanto nell'ultima giornata": a part of the figure before
    r"|\bne (?:conta|contano|indica|indicano|segnala|segnalano|riporta|riportano|aggiunge)"
    r"|(?:and|а|і|e) (?:загалом|всього|in total|overall|in tutto|complessivamente))\s*[-:,]?\s*$"
)

# a sentence that opens with "in total" and names no category: "Загалом від початку вторгнення – 1 276 760."
TOTAL_LEAD = (
    r"\W*(?:Загалом|Всього|Усього|In total|Overall|Altogether|In totale|In tutto|Complessivamente)(?![\w])"
    r"[^.;:\d]{0,80}?[-–—:,]\s*(?:близько|понад|about|over|more than|circa|oltre)?\s*"
)

INHERIT_AFTER = (
    r"\s+(?:of them|of whom|of those|of which|dei quali|delle quali|di questi|з яких|із яких)(?![\w])"
    # "... at about 1,243,840 personnel, with 770 lost in the previous day": the day's part of the figure before
    r"|\s+(?:(?:were|was|have been|had been)\s+)?(?:more\s+)?(?:lost|killed|eliminated|destroyed|added|more)"
    r"\s+(?:in|over|during|on|since)\s+the"
    r"\s+(?:past|previous|last)\b"  # "reach 1,243,840, with 770 more over the past day"
)

# "inflicted losses of more than 1,300 servicemen on Ukrainian troops": the side after the figure
INFLICTED_ON = r"[^.;]{0,90}?\b(?:on|upon)\s+(?:the\s+)?(Ukrainian|Ukraine|Russian|Russia)"
# Where a number is something else
CURRENCY_BEFORE = r"[$€£₴]\s*$|(?:USD|EUR|UAH|грн|доларів)\s*$"
NOT_COUNT_AFTER = r"^\s*(?:%|percent|per cent|відсот|per cento|km|kilomet|miles|years? old|times|billion|bn\b)"
# "between seven- and 15-thousand": the first number's hyphen is the second's multiplier, left hanging
RANGE_CONNECTOR = r"-?\s*(?:-|to|and|до|ed? i|ed? il|ed? le|ed|e|a|or|або|fino a)\s*"
RANGE_BEFORE = r"(?:between|from|від|між|tra|fra|da)\s+(?:i |il |le )?(?:about |approximately |roughly |some )?$"
RISE_BEFORE = (
    r"(?:rose|risen|rising|increased|increasing|grew|jumped|climbed|went up|up|raised|raising|raises|зросл\w*"
    r"|salit\w*)\s+(?:[\w']+\s+){0,4}from\s+$"
)


def compile_table(table: list[tuple[str, str]], flags: int = re.I) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(r"(?<![\w])(?:" + pattern + r")(?![\w])", flags), meaning) for pattern, meaning in table]


# A label may end in a participle or a note: "Tanks destroyed: 10,872", "Drones (operational-tactical): 38,366"
LABEL_TAIL = (
    r"(?:,\s+(?:killed|dead) (?:and|or) (?:wounded|injured),?)?(?:\s+(?:russ[aoie]|ucrain[aoie]|of (?:the )?(?:Russia"
    r"|Ukraine|enemy|invaders)|ворога|противника|Росії"
    r"|окупантів))?(?:\s+(?:complessiv[eio]|totali))?(?:,?\s+(?:tra|fra) morti e feriti,?)?"
    r"(?:\s+(?:in Ukraine|in Ucraina|в Україні|nella stessa giornata|nello stesso periodo"
    r"|in the same period|on the same day))?(?:\s+(?:(?:since|from|з|від|dal)\s+|dall'\s*)[^;:()]{3,40}?)?"
    r"(?:\s+(?:destroyed|lost|eliminated|killed|knocked out|downed|shot down|знищено|втрачено|ліквідовано"
    r"|distrutti|persi"
    r"|messi fuori combattimento|eliminati|abbattuti)"
    # "i droni russi distrutti dall'inizio del conflitto sono 130.711": the start after the participle
    r"(?:\s+(?:(?:since|from|з|від|dal)\s+|dall'\s*)[^;:(),]{3,40}?)?)?"
    r"(?:\s+(?:(?:in|over|during) the (?:last|past|previous) (?:24 hours|day)|nell'ultimo giorno"
    r"|nelle ultime 24 ore))?(?:\s*\([^()]{1,40}\))?$"
)
# A loss said as an average is not a count of the period ("an average of 1,200 a day")
AVERAGE = r"averag\w*|on average|в середньому|in media|mediamente|media giornaliera|perdita media|середньодобов\w*"
# "up by 1,300 from the day before": a bare increase of the figure before it
INCREASE_BEFORE = (
    r"(?:up|rising|rose|grew|increased|climbed|jumped|an increase of|increase of|up by|adding|\+"
    r"|(?:salit|aumentat|cresciut)[aoie] di|зрос\w* на"
    r"|збільши\w* (?:ще )?на)\s*(?:by\s*)?$"
)
# a sentence about a strike: its killed and wounded are civilians unless an army lost them
STRIKE_WORDS = (
    r"strikes?|struck|hits?|shelling|shelled|bombing|bombed|airstrikes?|удар\w*|обстріл\w*|attacc\w*|bombardament\w*"
    r"|raid"
)
# "launched 180 drones, of which 152 were downed": weapons shot down, not losses
DOWNED_AFTER = (
    r"\s+(?:were|was|have been|had been|had|have)\s+(?:(?:shot|brought) down|downed|intercepted|jammed"
    r"|destroyed in the air)(?![\w])"
)
# "Втрати бойових броньованих машин зросли на 3", "the count of Russian cruise missiles destroyed grew by 20"
RISEN_OF = (
    r"(?:втрати|losses of|perdite di|(?:count|tally|number|total) of(?: Russian)?)\s+(\S.{2,60}?)\s+"
    r"(?:(?:destroyed|downed|lost)\s+)?"
)
# "Russia's personnel losses grew by 1,770", "tank losses rose by 5": the category named before "losses"
LOSSES_RISEN = r"(?<![\w'])(\w[\w-]*)\s+(?:losses|casualties|count|tally|toll)\s+" + INCREASE_BEFORE
# "six tanks and 12 armoured vehicles, bringing the totals respectively to 3,751 and 7,307": figures in order
RESPECTIVELY = r"(?<![\w])(?:respectively|rispettivamente|відповідно)(?![\w])"
# qualifiers that are verbs: between a label and its figure, the separator ("втрати окупантів перевищили 600 тисяч")
QUALIFIER_VERBS = (
    r"(?:have |has |had )?(?:exceeded|surpassed|topped|passed)|перевищил[иа]|перевищив"
    r"|(?:hanno |ha )?superato(?: quota)?"
)
# A breakdown of a figure by region is not another total
REGIONAL_AFTER = (
    r"^\s*(?:\w+\s+){0,2}(?:in|near|on|around|over|above|across|у|в|на|над|nel|nella|sopra|sulla)\s+(?:the\s+)?"
    r"[\w'-]+\s+(?:region|oblast|sector|direction|front|області|напрямку|regione|settore)"
    # "Of them, more than 140 were lost in the area of responsibility of Battlegroup South"
    r"|^\s*(?:\w+\s+){0,3}(?:in|within)\s+(?:the\s+)?(?:area|zone) of (?:responsibility|operations?)\b"
)
# The side named before a number did the destroying: the figure is the other side's loss
_DESTROY_EN_UK = (
    r"destroyed|eliminated|eradicated|neutrali[sz]ed|killed|knocked out|took out|hit|знищ\w+|ліквід\w+|знешкод\w+"
    r"|вибил\w+|credited with"  # "Ukraine's forces are credited with 281 aircraft"
)
_DESTROY_IT = r"distrutt\w+|eliminat\w+|ucciso|uccisi|neutralizzat\w+"
DESTROY_VERBS = _DESTROY_EN_UK + "|" + _DESTROY_IT
# the side that did the destroying: an Italian participle only with its auxiliary ("le forze ucraine hanno
# distrutto"); after a noun it is passive ("i militari russi uccisi" are the Russians killed)
AGENT_VERBS = _DESTROY_EN_UK + r"|(?:ha|hanno|avrebbero|aveva|avevano)\s+(?:\w+\s+)?(?:" + _DESTROY_IT + r")"
# Died / were killed before the number: "загинули понад 150 тисяч", "were killed some 300"
# Wounded before the number: "поранень зазнали близько 380 тисяч"
WOUNDED_BEFORE = (
    r"(?:поранень зазнали|зазнали поранень|поранено|було поранено|were wounded|were injured|sono (?:rimasti )?feriti)"
    r"\s*(?:понад|близько|більше|майже|more than|about|over|almost|oltre|circa|quasi)?\s*$"
)
KILLED_BEFORE = (
    r"(?:загинул\w*|вбито|загинуло|died|(?:were |have been |had |have |has )?killed|sono morti|morti"
    r"|deaths? of|death toll of|names of|identities of)\s*"
    r"(?:понад|близько|більше|майже|до|щонайменше|принаймні|more than|about|over|almost|up to|at least|fewer than"
    r"|less than|some|around|roughly|nearly|approximately|an estimated|oltre|circa|quasi|fino a|almeno)?\s*$"
)

# A wire dateline: "KYIV, Ukraine (AP) - ", "MOSCOW/KYIV, Dec 19 - ", "ODESA, July 3 (Reuters) -"
_CITY = r"(?:[A-ZА-ЯІЇЄҐ][A-ZА-ЯІЇЄҐ /'.-]{1,40}|[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ]{2,20})(?:,\s*[A-Z][a-z]+)?,\s*"
# ... and "(Di mercoledì 2 novembre 2022), 2 nov. (Adnkronos) -": after a bracket, the city may be missing
DATELINE = r"^(?:\([^)]{1,60}\),?\s*-?\s*(?:" + _CITY + r")?|" + _CITY + r")"
# "MOSCOW (UrduPoint News / Sputnik - 23rd March, 2023) Ukraine has lost ...": the day inside the agency's bracket
DATELINE_IN_BRACKET = r"^[A-ZА-ЯІЇЄҐ][A-ZА-ЯІЇЄҐ/'.-]{2,30}\s*\([^)]{2,60}?[-–,]\s*"
# A sentence about "the report" without naming who made it dates the report it quotes
REPORT_NOUNS = (
    r"report|update|bulletin|briefing|figures|data|tally|bollettino|aggiornamento|dati|звіт\w*|зведенн\w*"
    r"|дані|даними|повідомленн\w*"
)
# A sentence telling who reported the figures ("This was reported by ... on September 15", "Про це в четвер
# повідомив Генштаб"): its date is a report date even without a word of losses
SAID_VERBS = r"said|says|reported|reports|stated|announced"  # English, in the forms every report pattern knows
REPORT_VERBS = (
    SAID_VERBS + r"|according to|повідом\w*|заяви\w*|йдеться|за даними"
    r"|riferit\w*|riferisc\w*|riporta\w*|dett[oi]|detto|reso not[oi]|affermat\w*|afferma\w*|comunicat\w*|secondo"
    r"|diffus[oi]"
)

# The words before a total that a figure just before brings ("bringing the total to", "porta il totale a",
# "довівши їхню загальну кількість до")
BRINGING_BEFORE = (
    r"(?:bring\w*|brought|push\w*|rais\w*|tak\w+|putting|put|lift\w*)\s+(?:[\w']+\s+){0,5}(?:total|tally|toll|count"
    r"|losses|casualties|figure|number)\b"
    r"[^.;]{0,90}?\b(?:to|at)\s*$|(?:total|tally|toll|count)\s+(?:now\s+)?(?:stands at|stood at|reached"
    r"|rose to|climbed to|is|was|(?:has|had|have) (?:now )?(?:reached|risen to|climbed to|grown to))\s*$"
    r"|portand\w* (?:il totale|le perdite)[^.;]{0,120}?\ba\s*$"
    # "il totale dall'inizio del conflitto sale a 1.230.810"
    r"|(?:il )?totale (?:[^.;,\d]{0,40}? )?(?:è )?(?:salito|arrivato|giunto|sale|arriva)(?: così| quindi| ora| dunque)?"
    r" a\s*$"
    r"|загальн\w+ (?:кількість|число)\s+[^.;]{0,60}?(?:сягнула|сягнуло|досягла|становить)\s*$"
    r"|\bport[ao](?: così| quindi)? (?:il totale )?a\s*$|\bfor a (?:total|tally) of\s*$"
    r"|дові\w+\s+(?:[\w']+\s+){0,2}кількість(?:\s+до)?\s*$|(?:\d|осіб|од\.?)\s+(?:і|та)\s+склал\w*\s*$"
    # "Russia's personnel losses grew by 1,770 to 714,380": the total after the increase
    r"|(?:grew|grown|rose|risen|increased|climbed|jumped|went up)\s+by\s+\d[\d.,]*(?:\s\d{3})*\s+to\s*$"
    r"|(?:salit|aumentat|cresciut)[aoie] di \d[\d.,]*(?:\s\d{3})*\s+a\s*$|зрос\w* на \d[\d.,]*(?:\s\d{3})*\s+до\s*$"
)
