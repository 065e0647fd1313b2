"""What the claims extractor recognises, in English, Ukrainian and Italian.

Every table is a list of (regular expression, meaning); the extractor matches them case-insensitively
on the folded text (etl.news.text.fold: one kind of space, apostrophe, quote and dash).  The category
nouns are the news' words for the bulletin categories of :mod:`etl.domain.categories` plus the people words
(``people`` troops/soldiers, ``casualties``, ``killed``, ``wounded``, ``killed_wounded``), which the
extractor maps to ``personnel`` for the General Staff and to ``killed`` / ``wounded`` /
``casualties_total`` for other claimants.
"""

from __future__ import annotations

import re

CLAIMANTS = ("ua_general_staff", "ru_defense_ministry", "uk_defence_ministry", "nato", "us_intelligence", "other")
SUBJECTS = ("ru_forces", "ua_forces")
PEOPLE_CATEGORIES = ("killed", "wounded", "casualties_total")
MEASURES = ("cumulative", "daily_increase", "period_increase", "estimate_range")
QUALIFIERS = ("about", "more_than", "up_to")
PEOPLE_KINDS = ("people", "casualties", "killed", "wounded", "killed_wounded")

_A = r"(?:armou?red)"
_DEF = r"(?:defen[cs]e)"

# --------------------------------------------------------------------------- category nouns
# (pattern, kind): kind is a category code, a people kind, "vehicles" (military_vehicles before
# 2022-05-01, vehicles_fuel_tanks after) or "tankers" (fuel_tanks before 2022-05-01, vehicles_fuel_tanks after).
NOUNS: list[tuple[str, str]] = [
    # --- English
    (r"tank losses", "tanks"),
    (r"(?:aircraft|plane|jet) losses", "aircraft"),
    (r"helicopter losses", "helicopters"),
    (r"artillery losses", "artillery"),
    (
        r"(?:(?:automobile|automotive|motor|car|vehicle) (?:tools|gear|equipment|expertise|tools and equipment) |autos |automobiles |cars |vehicles )and (?:gas|gasoline|petrol|fuel) (?:tanks|cisterns|tankers)"
        r"|(?:military |motor )?vehicles (?:and|&) fuel (?:tanks|tankers|tank trucks|trucks)|vehicles (?:and|&) tankers"
        r"|(?:automotive equipment|cars|trucks) and (?:fuel )?(?:tankers|cisterns|tank trucks|tanks)",
        "vehicles_fuel_tanks",
    ),
    (r"vehicles and tanks(?= *$)", "vehicles_fuel_tanks"),
    (
        r"unmanned aerial (?:vehicles?|autos?|automobiles?)|(?:operational[- ]tactical(?: level)? )?(?:drones?|UAVs?)(?: of (?:the )?operational[- ]tactical level)?"
        r"|UAV operational-tactical level",
        "drones",
    ),
    (r"unmanned ground vehicles?|ground robotic (?:systems|complexes)|ground robots?", "ground_robots"),
    (
        rf"{_A} (?:fighting |combat |fight |combating |preventing |battle )?(?:automobiles|autos|cars|machines)|{_A} (?:fighting|combat|personnel) vehicles?|{_A} personnel carriers?|{_A} vehicles?|infantry fighting vehicles?"
        r"|(?:APV|AFV|APC|IFV|ACV)s?",
        "armored_vehicles",
    ),
    (r"(?:main battle )?tanks?", "tanks"),
    (
        r"artillery (?:techniques|methods|items|programs|gadgets|devices|instruments|tools)|(?:field )?artillery (?:systems?|pieces?|guns?(?: and mortars)?|units?)|artillery|guns and mortars|(?:self-propelled )?howitzers?",
        "artillery",
    ),
    (
        r"(?:multiple[- ]|a number of |several )launch rocket (?:systems?|programs|methods|techniques)|multiple rocket systems?|multiple rocket launch(?:ers?| systems?)|MLRS(?: systems?| units?)?"
        r"|MRLs?|rocket launchers?",
        "mlrs",
    ),
    (
        rf"air (?:protection|{_DEF}) (?:methods|techniques|means|programs|items)|air {_DEF} (?:systems?|units?|means|equipment)|anti-aircraft (?:warfare )?(?:systems?|units?)"
        rf"|air {_DEF}",
        "air_defense",
    ),
    (r"cruise missiles?", "cruise_missiles"),
    (
        r"(?:war)?ships?(?:\s*(?:and|or|/|&)\s*boats?)?|boats?(?:\s*(?:and|/|&)\s*(?:cutters?|ships?))?|vessels?",
        "ships_boats",
    ),
    (r"submarines?", "submarines"),
    (r"(?:units of |pieces of )?special (?:military )?equipment|special vehicles", "special_equipment"),
    (r"(?:fixed-wing |combat )?(?:aircraft|airplanes?|aeroplanes?|planes?|warplanes?|(?:fighter )?jets?)", "aircraft"),
    (r"helicopters?|choppers?", "helicopters"),
    (r"prisoners? of war|POWs?", "pow"),
    (r"fuel (?:tanks?|tankers?|trucks?)|tank trucks|tankers", "fuel_tanks"),
    (r"(?:units of )?automotive (?:equipment|vehicles)|(?:military )?(?:vehicles?|trucks)", "vehicles"),
    (
        r"(?:killed|dead) (?:and|or|&) (?:wounded|injured)|(?:wounded|injured) (?:and|or) (?:killed|dead)"
        r"|dead, wounded|killed, wounded",
        "killed_wounded",
    ),
    (r"human casualties|casualties|casualty|military losses|losses", "casualties"),
    (r"killed|dead|deaths|fatalities|KIA|killed in action|death toll", "killed"),
    (r"wounded|injured|wounds|injuries", "wounded"),
    (
        r"troops?|soldiers?|servicem[ae]n|service ?members|service personnel|military personnel|personnel|fighters"
        r"|troopers|servicemembers|men|invaders|occupiers|mercenaries|conscripts|mobilized|enemies",
        "people",
    ),
    # --- Ukrainian
    (
        r"(?:одиниць |од\. )?автомобільн(?:ої|а|их) техні(?:ки|ка)(?: (?:та|і|й) автоцистерн(?:и)?)?"
        r"|автомобілів(?: (?:та|і) автоцистерн)?|автомобіл(?:і|ь) (?:та|і) автоцистерни|автоцистерн",
        "vehicles_fuel_tanks",
    ),
    (r"(?:БпЛА|БПЛА|безпілотник(?:ів|и|а)?|дрон(?:ів|и|а)?)(?: оперативно-тактичного рівня)?", "drones"),
    (r"наземн(?:их|і|ий) робототехнічн(?:их|і|ий) комплекс(?:ів|и)?|НРК", "ground_robots"),
    (
        r"бойов(?:их|і|а|у) броньован(?:их|і|а|у) машин(?:и|у)?|ББМ|броньован(?:их|ої|і) (?:машин|техніки)",
        "armored_vehicles",
    ),
    (r"танк(?:ів|и|а)?", "tanks"),
    (r"артилерійськ(?:их|і|а|у) систем(?:и|у)?|артсистем(?:и|у)?|гармат", "artillery"),
    (r"РСЗВ|реактивн(?:их|і|у|а) систем(?:и|у)? залпового вогню", "mlrs"),
    (
        r"засоб(?:ів|и|у)? ППО|засіб ППО|ППО|зенітн(?:их|і|ий|у)? ракетн(?:их|і|ий|у)? комплекс(?:ів|и|у)?|ЗРК",
        "air_defense",
    ),
    (r"крилат(?:их|і|у|а) ракет(?:и|у)?", "cruise_missiles"),
    (r"корабл(?:ів|і|ь)(?:\s*/\s*катер(?:ів|и))?|кораблі \(катери\)|катер(?:ів|и)?", "ships_boats"),
    (r"підводн(?:их|і|ий) чов(?:нів|ни|ен)", "submarines"),
    (r"(?:одиниць )?спеціальн(?:ої|а|ої) техні(?:ки|ка)|спецтехні(?:ки|ка)", "special_equipment"),
    (r"літак(?:ів|и|а)?", "aircraft"),
    (r"гелікоптер(?:ів|и|а)?|вертоліт(?:ів)?|вертольот(?:ів|и)", "helicopters"),
    (r"полонених", "pow"),
    (r"(?:убитих|вбитих|загиблих) (?:і|та|й) поранених", "killed_wounded"),
    (r"загибл(?:их|і|ими)|вбит(?:их|і|ими)|убит(?:их|і)|загинул(?:и|о)", "killed"),
    (r"поранен(?:их|і|ими)", "wounded"),
    (
        r"особового складу|особовий склад|особовому складі|осіб|військов(?:их|і|ий|ого)|окупант(?:ів|и|а)|солдат(?:ів|и)?"
        r"|військовослужбовц(?:ів|і|я)|росіян|загарбник(?:ів|и)|вояк(?:ів|и)",
        "people",
    ),
    (r"втрат", "casualties"),
    # --- Italian
    (r"autocisterne", "tankers"),  # fuel tankers alone: fuel_tanks before the merge, the merged category after
    (
        r"veicoli e (?:auto)?cisterne(?: di carburante)?|automezzi(?: e autocisterne)?"
        r"|veicoli e serbatoi(?: di carburante)?|automobili(?: e autocisterne)?|(?:fra |tra )?jeep, camion e autocisterne"
        r"|camion e autocisterne",
        "vehicles_fuel_tanks",
    ),
    (r"droni|drone|velivoli senza pilota", "drones"),
    (
        r"(?:veicoli|mezzi) (?:corazzati|blindati)(?: da combattimento)?|blindati"
        r"|veicoli (?:da combattimento|per il trasporto (?:di |delle )?truppe)(?: (?:corazzati|blindati|di fanteria))?",
        "armored_vehicles",
    ),
    (r"carri armati|carro armato|tank", "tanks"),
    (r"(?:sistemi|pezzi) d(?:i |')artiglieria|artiglierie", "artillery"),
    (
        r"sistemi di lancio multiplo(?: di razzi)?|(?:sistemi )?lanciarazzi(?: multipli)?|sistemi (?:di razzi|lanciarazzi|missilistici) a lancio multiplo",
        "mlrs",
    ),
    (
        r"batterie (?:per l'|dell'|di )?antiaere[ae]|sistem[ai] di guerra antiaerea|sistem[ai] (?:di difesa )?(?:aerea|antiaere[ai])|sistem[ai] di difesa antiaerea|sistemi missilistici antiaerei",
        "air_defense",
    ),
    (r"missili da crociera", "cruise_missiles"),
    (r"navi(?: e (?:imbarcazioni|motovedette))?|nave|imbarcazioni|unità navali", "ships_boats"),
    (r"cisterne di carburante|autocisterne di carburante", "fuel_tanks"),
    (r"autoveicoli|automezzi militari|veicoli(?: generici| militari)?", "vehicles"),
    (r"sottomarin[oi]", "submarines"),
    (r"(?:mezzi|equipaggiamenti|attrezzature) speciali", "special_equipment"),
    (r"aerei|aereo", "aircraft"),
    (r"elicotteri|elicottero", "helicopters"),
    (
        r"(?:tra )?morti e feriti|(?:morti|uccisi|caduti) (?:o|e|oppure) feriti|feriti (?:o|e) (?:morti|uccisi)",
        "killed_wounded",
    ),
    (r"morti|uccisi|caduti|nemici uccisi", "killed"),
    (r"feriti", "wounded"),
    (r"soldati|militari|uomini|truppe|effettivi|combattenti|invasori|nemici", "people"),
    (r"perdite|vittime", "casualties"),
]

# Words between a number and its noun that do not break the link ("7,000 Russian soldiers").
MODIFIERS = (
    r"(?:Russian|Ukrainian|enemy|reconnaissance|field|more|other|additional|human|Kremlin|invading|occupying"
    r"|modern|heavy|main|battle|operational-tactical|tactical|North Korean|Wagner|newly|confirmed"
    r"|(?-i:[A-Z][A-Za-z]{0,3}-\d{1,3}[A-Za-z]{0,3})|of (?:its|their|his)|of (?:those|them|these|which)|units? of|pieces? of|items? of|destroyed|lost|Moscow's|(?-i:[A-Z][A-Za-z]*-made)|(?-i:[A-Z]{1,3}\d{1,4}[A-Za-z]?\d*)|(?-i:[A-Z][a-z]{2,})"
    r"|російських|ворожих|окупаційних|одиниць|од\.|українських|всього|рф|i|gli|le|sono|altri|ліквідованих|знищених|втрачених|своїх|ще)"
)
# Subjects a modifier or noun itself names
MODIFIER_SUBJECT = [
    (
        r"Russian|enemy|Kremlin|invading|occupying|Moscow's|російськ\w*|ворож\w*|окупаційн\w*|рф"
        r"|invaders|occupiers|окупант\w*|росіян|загарбник\w*|invasori|nemic\w*",
        "ru_forces",
    ),
    (r"Ukrainian|українськ\w*", "ua_forces"),
]

# Words after a people number that say what happened to them ("1,351 servicemen have died").
VERB_AFTER = [
    (
        r"(?:have |had |has )?(?:been |were |was |are )?(?:dead|killed|died|lost their lives)(?:,| and| or) "
        r"(?:wounded|injured)",
        "killed_wounded",
    ),
    (r"(?:were |are )?(?:dead|killed|wounded|injured), (?:wounded|injured|dead|killed|captured)", "killed_wounded"),
    (r"(?:were |are |have been )?(?:killed|dead) or (?:taken|put|knocked) out of action", "killed_wounded"),
    (
        r"(?:who |that )?(?:have |had |has )?(?:been |were |was |are )?(?:killed|dead|died)\b|(?:who |that )?(?:have |had )?died"
        r"|(?:who |that )?lost their lives",
        "killed",
    ),
    (r"(?:have |had |has )?(?:been |were |was |are )?(?:wounded|injured)", "wounded"),
    (r"(?:загинули|загинуло|вбито|було вбито)", "killed"),
    (r"(?:поранено|були поранені|отримали поранення)", "wounded"),
    (r"(?:(?:may|might|could|would|are likely to|are believed to) (?:have )?(?:died|been killed))", "killed"),
    (
        r"(?:russi |ucraini )?(?:sono |siano |sarebbero |erano )?(?:stati )?(?:morti|uccisi|caduti)(?:,| o| e| oppure)"
        r" (?:sono |siano )?(?:rimasti )?(?:stati )?feriti",
        "killed_wounded",
    ),
    (r"(?:sono |siano |sarebbero |erano )?(?:stati )?(?:morti|uccisi|caduti)", "killed"),
    (r"(?:sono |siano |sarebbero )?(?:rimasti )?(?:stati )?feriti", "wounded"),
]

# --------------------------------------------------------------------------- qualifiers
QUALIFIER_BEFORE = [
    (
        r"(?:about|approximately|approx\.?|roughly|around|some|nearly|almost|close to|an estimated|estimated"
        r"|just under|just over|circa|~|≈|близько|приблизно(?: [ув])?|орієнтовно|майже|біля|circa|quasi|intorno a"
        r"|pressoché|approaching|nearing|likely approaching)",
        "about",
    ),
    (
        r"(?:more than|over|above|at least|in excess of|upwards of|>|понад|більше ніж|більше|більш ніж|щонайменше"
        r"|oltre|più di|più|almeno|(?:likely |probably )?passed|surpassed|exceeded|topped|superato"
        r"|(?:likely |probably )?(?:exceed|exceeds|exceeding|surpass|surpasses|top|tops)|перевищ\w*|supera|superano|superare)",
        "more_than",
    ),
    (r"(?:up to|as many as|at most|no more than|fewer than|less than|до|менше ніж|fino a|fino ad|meno di)", "up_to"),
]
QUALIFIER_AFTER = [(r"or so|or thereabouts|або близько", "about"), (r"or more|-plus|\+(?!\d)", "more_than")]

# --------------------------------------------------------------------------- claimants
# In priority order: an earlier pattern wins over a later one it overlaps.
CLAIMANT_CUES: list[tuple[str, str]] = [
    # Russia's own General Staff / MoD before Ukraine's General Staff
    (
        rf"(?:Russia's|Russian)\s+(?:(?:{_DEF}|ministry(?:'s)?|armed|forces'?|army(?:'s)?|military(?:'s)?|deputy|first"
        r"|head|chief|of|the)\s+){0,7}general staff",
        "ru_defense_ministry",
    ),
    (r"російськ\w+ Генштаб\w*|Генштаб\w* (?:РФ|Росії|рф)|Stato maggiore russo", "ru_defense_ministry"),
    (
        rf"(?:Russia's|Russian|the Russian|Moscow's) (?:{_DEF} ministry|ministry of {_DEF}|{_DEF} minist(?:er|ry)"
        r"(?: Sergei| Andrei)?(?: Shoigu| Belousov)?|MoD)(?:'s)?",
        "ru_defense_ministry",
    ),
    (
        rf"{_DEF} Minister (?:Sergei |Andrei )?(?:Shoigu|Belousov)|(?:Col\. |Gen\. |Colonel |General )*(?:Sergei )?"
        r"(?:Shoigu|Rudskoy|Konashenkov|Belousov|Gerasimov|Peskov)(?:'s)?",
        "ru_defense_ministry",
    ),
    (
        r"(?:Russia|Moscow|the Kremlin|Russian officials|Russian authorities)(?: on \w+day)? (?:has |have )?"
        r"(?:raised|raises|updated|said|says|reported|reports|announced|admitted|admits|acknowledged|claimed|claims"
        r"|confirmed|put|named|declared)|Moscow officially(?: last)? (?:named|declared|said|reported|admitted)"
        r"|(?:Russia's|Moscow's|the Kremlin's) (?:official|own) (?:announcement|figures?|count|toll|tally)",
        "ru_defense_ministry",
    ),
    (
        r"(?:Міноборони|Міністерств\w+ оборони) (?:РФ|рф|Росії|росії)|російськ\w+ (?:Міноборони|міністерств\w+ оборони)"
        r"|Шойгу|Рудськ\w+|Конашенков\w*|Білоусов\w*",
        "ru_defense_ministry",
    ),
    (
        r"(?:secondo|per|stando a) Mosca|(?:il )?ministero della Difesa (?:russo|di Mosca)|(?:Mosca|il Cremlino) (?:ha )?(?:riferito|dichiarato|ammesso"
        r"|comunicato|riconosciuto)",
        "ru_defense_ministry",
    ),
    # Ukraine's General Staff (and Kyiv's military, who publish its figures)
    (
        r"(?:Ukraine's |Ukrainian |the )?General Staff(?: of (?:the )?(?:Armed Forces of Ukraine|Ukraine's Armed Forces"
        r"|Ukrainian Armed Forces|Ukraine(?:'s military)?|the Armed Forces))?(?:'s)?",
        "ua_general_staff",
    ),
    (
        rf"(?:Kyiv|Ukraine)'s (?:military|armed forces|army|tally|count|figures|data|{_DEF} ministry|ministry of {_DEF})"
        rf"|(?:Ukrainian|Ukraine's) (?:military|army|Armed Forces|{_DEF} Ministry|Ministry of {_DEF})"
        r"|Armed Forces of Ukraine|according to (?:Kyiv|Ukraine)\b|by (?:Kyiv|Ukraine)'s (?:count|tally|figures)"
        r"|Kyiv (?:also )?(?:said|says|reported|reports|claims|claimed|estimates)|:\s*Kyiv\s*$|^(?:Kyiv|Kiev):"
        r"|Ukrainian (?:military )?officials|Ukraine (?:also )?(?:said|says|reported|reports)|^Kyiv\b(?=[^.]{0,100}?\b(?:said|says|reported|reports|estimated|estimates)\b)",
        "ua_general_staff",
    ),
    (
        r"(?:Ukrainian |Ukraine's |the )?(?:Common|Normal|Basic|Main|Primary|Frequent|Basic Common) (?:Workers|Employees|Staff)"
        r"(?: of (?:the )?(?:Armed Forces of Ukraine|Ukrainian Armed Forces|AFU|ZSU))?",
        "ua_general_staff",
    ),
    (
        r"Генштаб\w*(?: ЗСУ)?|Генеральн\w+ штаб\w*(?: (?:Збройних [сС]ил України|ЗСУ))?|Збройн\w+ [сС]ил\w* України|ЗСУ"
        r"|Міноборони України|Міністерств\w+ оборони України|Сил(?:и|ами) оборони",
        "ua_general_staff",
    ),
    (
        r"(?:le )?forze di difesa (?:ucraine|dell'Ucraina)|(?:Ukraine's |Ukrainian )?Defen[cs]e Forces(?: of Ukraine)?",
        "ua_general_staff",
    ),
    (
        r"Stato maggiore(?: (?:ucraino|generale|delle forze armate(?: ucraine)?|di Kiev|dell'esercito ucraino))*"
        r"|(?:il )?ministero (?:della Difesa ucraino|ucraino della Difesa|della Difesa di Kiev|della Difesa dell'Ucraina)"
        r"|(?:secondo|per|stando a) (?:il governo di )?Kiev|(?:il )?governo (?:di Kiev|ucraino)|forze armate ucraine|esercito ucraino|Kiev (?:ha )?(?:riferito|comunicato"
        r"|dichiarato|reso noto)",
        "ua_general_staff",
    ),
    # the United Kingdom
    (
        rf"(?:the )?(?:U\.K\.|(?-i:UK)|British|Britain's|United Kingdom's) (?:{_DEF} Ministry|Ministry of {_DEF}|MoD"
        rf"|{_DEF} intelligence|military intelligence|intelligence|government|officials)"
        rf"|(?:UK |British )?Ministry of {_DEF} (?:of the|in) (?:UK|United Kingdom|London)|London said|Defence Intelligence",
        "uk_defence_ministry",
    ),
    (
        r"Міноборони (?:Великої )?Британії|британськ\w+ (?:розвід[кц]\w*|Міноборони|міністерств\w+ оборони)"
        r"|розвід[кц]\w* Великої Британії",
        "uk_defence_ministry",
    ),
    (
        r"(?:il )?ministero della Difesa britannico|intelligence britannica|(?:il )?governo britannico|Londra",
        "uk_defence_ministry",
    ),
    # NATO
    (r"NATO|Nato|НАТО|the (?:military )?alliance|l'Alleanza(?: atlantica)?", "nato"),
    # the United States
    (
        rf"(?:the )?(?:U\.S\.|(?-i:US)|American|United States) (?:{_DEF} Intelligence Agency|intelligence(?: officials| agencies)?"
        rf"|officials?|government|Department of {_DEF}|estimates?|assessments?|military)"
        rf"|Pentagon|{_DEF} Intelligence Agency|\bDIA\b|\bCIA\b|White House",
        "us_intelligence",
    ),
    (
        r"(?:stime|fonti|intelligence) (?:degli |dell')?(?:Usa|USA|Stati Uniti|americane)|(?:generale )?(?:Mark )?Milley",
        "us_intelligence",
    ),
    (
        r"розвід[кц]\w* США|американськ\w+ розвід[кц]\w*|Пентагон\w*|intelligence (?:americana|statunitense|Usa|USA)"
        r"|Pentagono|Casa Bianca",
        "us_intelligence",
    ),
    # others who count: former officials, bloggers, analysts speak for themselves
    (
        r"(?:former|ex-)\s*(?:[\w'-]+\s+){0,3}?(?:prosecutor|minister|MP|lawmaker|deputy|official|general|adviser|advisor"
        r"|commander|officer|president|spokesman)(?:\s+[A-Z][\w'-]+){0,3}"
        r"|колишн\w+ (?:[\w'-]+\s+){0,3}?(?:прокурор\w*|міністр\w*|депутат\w*|генерал\w*|радник\w*)(?:\s+[А-ЯІЇЄҐ][\w'-]+){0,2}"
        r"|ex (?:procuratore|ministro|generale|consigliere)(?:\s+[A-Z][\w'-]+){0,2}",
        "other",
    ),
    (
        r"(?:the )?Wall Street Journal|WSJ|(?:the )?New York Times|(?:the )?Washington Post|Komsomolskaya Pravda"
        r"|Western intelligence(?: agencies)?|Western officials|(?:fonti )?(?:d')?intelligence occidental[ei]",
        "other",
    ),
    (
        r"Mediazona|Meduza|BBC(?: News)? Russian|BBC|Oryx|Zelensk(?:y|yy|iy)|Зеленськ\w+|Медіазон\w+"
        r"|the Economist|Economist|independent (?:Russian )?(?:media|outlets?|journalists)|Zelensky",
        "other",
    ),
    (
        r"(?:the )?Center for Strategic and International Studies|\bCSIS\b|(?:the )?Institute for the Study of War|\bISW\b"
        r"|(?:a|the) (?:new )?(?:study|report|analysis) by",
        "other",
    ),
]

# A claimant cue only counts as an attribution outside these phrases (asking them for comment is not a claim).
NOT_ATTRIBUTION = r"contacted|reached out|for comment|declined to comment|did not respond|has not been able"

# --------------------------------------------------------------------------- subjects
SUBJECT_CUES: list[tuple[str, str]] = [
    (
        r"Soviet(?: Union)?|USSR|Afghanistan|Vietnam|Chechnya|Iraq|Syria|Gaza|Israel|Hamas|World War|Korean War"
        r"|Радянськ\w+|СРСР|Афганістан\w*|Unione Sovietica|sovietic\w+",
        "foreign",
    ),
    (
        r"Russia(?:'s|n)?|Russians|Moscow(?:'s)?|(?:the )?Kremlin(?:'s)?|Putin(?:'s)?|enemy|invaders|occupiers"
        r"|occupying forces|Росі\w*|російськ\w*|росіян\w*|окупант\w*|ворог\w*|противник\w*|загарбник\w*|рф|РФ"
        r"|Mosca|[Rr]uss[aoie]|Cremlino|nemic[oi]|invasori",
        "ru_forces",
    ),
    (
        r"Ukraine(?:'s)?|Ukrainian(?:s)?|Kyiv(?:'s)?|Україн\w*|українськ\w*|українц\w+|Ucraina|ucrain[aoie]|Kiev",
        "ua_forces",
    ),
]
# Mentions of the countries that are places or the war itself, not the side that lost.
SUBJECT_MASKS = (
    r"(?:in|into|on|across|over|against|of|to|from|throughout|inside|invasion of|war in|attack on|aid to)\s+Ukraine\b"
    r"|Ukraine war|Russia-Ukraine|Russian President|Russia's (?:full-scale |all-out )?(?:invasion|war|aggression|attack)"
    r"|Russian (?:invasion|aggression)|(?:в|у|на|проти|по)\s+Україн[іиу]\b|війн\w+ (?:в|у) Україні|in Ucraina"
    r"|dell'Ucraina|all'Ucraina|contro l'Ucraina|invasione russa|l'invasione|(?:in|into) Russia\b"
    r"|(?:by|da|від|provided by|fornite (?:\w+ )?da) (?:Kyiv|Kiev|Києв\w*)\b"
    r"|^(?:title:\s*)?(?:Kyiv|Kiev|Київ|KYIV|KIEV)\s*(?:,|:|\(|-|—)"  # a dateline or headline's place, not the loser
    r"|what (?:Moscow|Russia|the Kremlin|Putin) (?:calls|has called|termed|terms)|quella che (?:Mosca|il Cremlino) chiama"
    r"|(?:conteggio|bollettino|dati|stime|stima|fonti|comando|bilancio) (?:ucrain|russ)\w*"
    r"|(?:Ukrainian|Russian) (?:count|tally|figures|data|estimates?|sources|tallies|bulletin)\b"
    r"|(?:Kyiv|Kiev) (?:Independent|Post)\b"  # an outlet's name names no side
)
# "the Ukrainian army had lost 215 thousand people": people counted as an army's losses are soldiers
MILITARY_LOSER = (
    r"(?:army|armed forces|military|troops|forces|ЗСУ|армі\w*|військ\w*|esercito|forze armate)\b[^.;]{0,40}?"
    r"\b(?:lost|has lost|had lost|have lost|were losing|was losing|losses|exceeded|втратил\w*|втрати"
    r"|ha perso|hanno perso|perdite)\b[^.;]{0,45}$|(?:losses|втрати|perdite) (?:of|di|delle) (?:the )?"
    r"[^.;]{0,25}(?:army|armed forces|military|troops|forces|esercito|forze armate)\b[^.;]{0,60}$"
)
PEOPLE_PLAIN = r"people|persone|людей|осіб"
# A figure of both sides together is nobody's loss claim ("Russia and Ukraine collectively lost ...")
BOTH_SIDES = (
    r"Russia and Ukraine|Ukraine and Russia|both sides|on both sides|collectively"
    r"|обидві сторони|обох сторін|entrambe le parti|Russia e Ucraina|Ucraina e Russia"
)
CIVILIAN = (
    r"civilians?|civilian|people|residents|children|passengers|inhabitants|hostages|цивільн\w+|мирн\w+ жител\w+"
    r"|дітей|civili|persone|bambin[oie]|abitanti|donn[ae]"
)

# --------------------------------------------------------------------------- what makes it a loss report
LOSS_TRIGGERS = (
    r"lost|lose|loses|losing|loss|losses|casualt\w*|killed|dead|died|deaths?|wounded|injured|destroyed|eliminated"
    r"|neutrali[sz]ed|liquidated|tally|toll|sustained|suffered|fatalities|lost their lives|running total"
    r"|total (?:stood|stands) at"
    r"|втрат\w*|ліквід\w*|знищ\w*|загин\w*|загибл\w*|поран\w*|вбит\w*|перемолот\w*"
    r"|vittim\w+|destruction|distruzione|знищення|misplaced|fuori combattimento|pers[oeia]|perdit\w+|uccis\w+|mort[ie]|ferit\w+|distrutt\w+|eliminat\w+|caduti|neutralizzat\w+"
)
NOT_LOSS = r"shot down|intercepted|downed|jammed|збил\w*|intercettat\w+|перехоплен\w*|збит\w*|abbattut\w+"  # the air force's daily tally of shoot-downs

# --------------------------------------------------------------------------- measures
DAILY = (
    r"(?:in|over|during|for) the (?:past|previous|last) (?:day|24 hours|twenty-four hours|24-hour period)"
    r"|in the 24-hour period|in (?:a|one|a single) day|over the (?:past |last )?day|on the (?:past|previous) day"
    r"|past day|the day's|in the past 24 hours|daily (?:losses|toll|increase)|24 hours|from the (?:day|previous day) before"
    r"|from the previous day|on the previous day"
    r"|за (?:минулу |останню )?добу|за минулий день|за день|(?:протягом|упродовж|впродовж) (?:минулої |останньої )?доби"
    r"|nelle ultime (?:24|ventiquattro) ore|nell'ultimo giorno|in un (?:solo )?giorno|nella giornata di ieri"
    r"|nelle ultime ventiquattr'ore|in 24 ore|rispetto al giorno precedente|rispetto a ieri|nell'ultima giornata"
    r"|in the (?:final|closing|remaining) day|in (?:just|only) (?:a|one|a single) day|dell'ultima giornata|delle ultime (?:24|ventiquattro) ore"
    r"|per day|nella stessa giornata|in the same 24 hours|on the same day|the same day|a day earlier|than the day before|than a day earlier|since the previous day|since yesterday"
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
    r"|to date|overall|all told|since February 2022|since Feb(?:ruary|\.)? 24(?:, 2022)?"
    r"|(?:з|від) початку (?:повномасштабного )?(?:вторгнення|війни)|загальні (?:бойові )?втрати|всього|загалом|сумарно"
    r"|dall'inizio (?:dell'invasione|della guerra|del conflitto)(?: su larga scala)?|in totale|complessivamente"
    r"|dal 24 febbraio(?: 2022)?"
)
# What splits a sentence into groups whose numbers share their markers
GROUP_SPLIT = (
    r",?\s+(?:including|meaning|bringing|while|whereas|among them|з них|із них|у тому числі|зокрема|di cui"
    r"|mentre|portando)\b|,\s+(?:of which|of whom|of them|of those)\b|;"
)
BRINGING_TOTAL = (
    r"(?:bringing|brings|bring|brought|pushing|taking|raising)\s+(?:[\w']+\s+){0,6}?(?:total|tally|toll|count)"
    r"|(?:il )?totale (?:è )?(?:salito|arrivato|giunto) a|(?:put|puts|putting) (?:the|its) (?:figure|total|number|toll|tally) at"
    r"\b|the (?:total|tally|toll) (?:now )?(?:stands at|reached|rose to|is|to)"
    r"|загальн\w+ (?:кількість|втрати) (?:сягнула|становить|досягла)|portando il totale a"
)
INHERIT_BEFORE = (
    r"(?:including|together with|along with|of which|of whom|of them|of those|among them|з них|із них|у тому числі|di cui"
    r"|(?:and|а|і|e) (?:загалом|всього|in total|overall|in tutto|complessivamente))\s*[-:,]?\s*$"
)

INHERIT_AFTER = r"\s+(?:of them|of whom|of those|of which|dei quali|delle quali|di questi|з яких|із яких)(?![\w])"

# "inflicted losses of more than 1,300 servicemen on Ukrainian troops": the side after the figure
INFLICTED_ON = r"[^.;]{0,40}?\b(?:on|upon)\s+(?:the\s+)?(Ukrainian|Ukraine|Russian|Russia)"
# Where a number is something else
CURRENCY_BEFORE = r"[$€£₴]\s*$|(?:USD|EUR|UAH|грн|доларів)\s*$"
NOT_COUNT_AFTER = r"^\s*(?:%|percent|per cent|відсот|per cento|km|kilomet|miles|years? old|times|billion|bn\b)"
RANGE_CONNECTOR = r"\s*(?:-|to|and|до|ed? i|ed? il|ed? le|ed|e|a|or|або|fino a)\s*"
RANGE_BEFORE = r"(?:between|from|від|між|tra|fra|da)\s+(?:i |il |le )?(?:about |approximately |roughly |some )?$"
RISE_BEFORE = r"(?:rose|risen|rising|increased|increasing|grew|jumped|climbed|went up|up|raised|raising|raises|зросл\w*|salit\w*)\s+(?:[\w']+\s+){0,4}from\s+$"


def compile_table(table: list[tuple[str, str]], flags: int = re.I) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(r"(?<![\w])(?:" + pattern + r")(?![\w])", flags), meaning) for pattern, meaning in table]


# A label may end in a participle or a note: "Tanks destroyed: 10,872", "Drones (operational-tactical): 38,366"
LABEL_TAIL = (
    r"(?:,\s+(?:killed|dead) (?:and|or) (?:wounded|injured),?)?(?:\s+(?:russ[aoie]|ucrain[aoie]|of (?:the )?(?:Russia|Ukraine|enemy|invaders)|ворога|противника|Росії"
    r"|окупантів))?(?:\s+(?:in Ukraine|in Ucraina|в Україні|nella stessa giornata|nello stesso periodo"
    r"|in the same period|on the same day))?(?:\s+(?:(?:since|from|з|від|dal)\s+|dall'\s*)[^;:()]{3,40}?)?"
    r"(?:\s+(?:destroyed|lost|eliminated|killed|knocked out|знищено|втрачено|ліквідовано|distrutti|persi))?"
    r"(?:\s*\([^()]{1,40}\))?$"
)
# A loss said as an average is not a count of the period ("an average of 1,200 a day")
AVERAGE = r"averag\w*|on average|в середньому|in media|mediamente|media giornaliera|perdita media|середньодобов\w*"
# "up by 1,300 from the day before": a bare increase of the figure before it
INCREASE_BEFORE = (
    r"(?:up|rising|rose|an increase of|increase of|up by|\+|(?:salit|aumentat|cresciut)[aoie] di|зрос\w* на"
    r"|збільшил\w* на)\s*(?:by\s*)?$"
)
# "six tanks and 12 armoured vehicles, bringing the totals respectively to 3,751 and 7,307": figures in order
RESPECTIVELY = r"(?<![\w])(?:respectively|rispettivamente|відповідно)(?![\w])"
# A breakdown of a figure by region is not another total
REGIONAL_AFTER = r"^\s*(?:\w+\s+){0,2}(?:in|near|on|around|over|above|across|у|в|на|над|nel|nella|sopra|sulla)\s+(?:the\s+)?[\w'-]+\s+(?:region|oblast|sector|direction|front|області|напрямку|regione|settore)"
# The side named before a number did the destroying: the figure is the other side's loss
DESTROY_VERBS = (
    r"destroyed|eliminated|neutrali[sz]ed|killed|knocked out|took out|hit|знищ\w+|ліквід\w+|вибил\w+"
    r"|distrutt\w+|eliminat\w+|ucciso|uccisi|neutralizzat\w+"
)
# Died / were killed before the number: "загинули понад 150 тисяч", "were killed some 300"
KILLED_BEFORE = (
    r"(?:загинул\w*|вбито|загинуло|died|were killed|have been killed|sono morti|morti"
    r"|deaths? of|death toll of|names of|identities of)\s*"
    r"(?:понад|близько|більше|майже|more than|about|over|almost|fewer than|less than|oltre|circa|quasi)?\s*$"
)

# A wire dateline: "KYIV, Ukraine (AP) - ", "MOSCOW/KYIV, Dec 19 - ", "ODESA, July 3 (Reuters) -"
DATELINE = r"^(?:\([^)]{1,60}\)\s*-?\s*)?(?:[A-ZА-ЯІЇЄҐ][A-ZА-ЯІЇЄҐ /'.-]{1,40}|[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ]{2,20})(?:,\s*[A-Z][a-z]+)?,\s*"
# A sentence about "the report" without naming who made it dates the report it quotes
REPORT_NOUNS = (
    r"report|update|bulletin|briefing|figures|data|tally|bollettino|aggiornamento|dati|звіт\w*|зведенн\w*"
    r"|дані|даними|повідомленн\w*"
)
