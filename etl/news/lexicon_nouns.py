"""The lexicon's words for what a figure counts: category nouns, the words between a number and its noun,
the verbs after a people figure ("1,351 servicemen have died") and the qualifiers ("about", "more than").

Part of :mod:`etl.news.lexicon`, which re-exports every name; see its docstring for how the tables are read.
"""

from __future__ import annotations

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
        r"(?:(?:automobile|automotive|motor|car|vehicle) (?:tools|gear|equipment|expertise|tools and equipment) "
        r"|autos |automobiles |cars |vehicles )and (?:gas|gasoline|petrol|fuel) (?:tanks|cisterns|tankers)"
        r"|(?:military |motor )?vehicles (?:and|&) fuel (?:tanks|tankers|tank trucks|trucks)|vehicles (?:and|&) tankers"
        r"|(?:automotive equipment|cars|trucks) and (?:fuel )?(?:tankers|cisterns|tank trucks|tanks)",
        "vehicles_fuel_tanks",
    ),
    (r"vehicles and tanks(?= *$)", "vehicles_fuel_tanks"),
    (r"pick-?up trucks?|pickups", "vehicles"),  # Moscow's briefings: "four pickup trucks"
    (
        # any word for "vehicle" ("autos", "automobiles", "cars", "machines") and any for "level" ("degree", "grade")
        r"(?:UAVs?|drones?|unmanned aerial (?:vehicles?|autos?|automobiles?|cars?|machines?))"
        r"(?: (?:of (?:the )?)?operational[- ]tactical (?:level|stage|degree|diploma|grade|tier|stage))?"
        r"|operational[- ]tactical(?: level)? (?:drones?|UAVs?)",
        "drones",
    ),
    (r"unmanned ground vehicles?|ground robotic (?:systems|complexes)|ground robots?", "ground_robots"),
    (
        rf"{_A} (?:fighting |combat |fight |combating |preventing |battle |personnel )?"
        r"(?:automobiles|autos|cars|machines)"
        rf"|{_A} (?:fighting|combat|personnel) vehicles?|{_A} personnel carriers?|{_A} vehicles?"
        rf"|infantry fighting vehicles?|(?:combat|fighting) {_A} vehicles?|fighting vehicles?"
        r"|(?:APV|AFV|APC|IFV|ACV)s?",
        "armored_vehicles",
    ),
    (r"(?:main battle )?tanks?", "tanks"),
    (r"rocket artillery(?: (?:systems?|methods|techniques))?", "mlrs"),  # a spam rewrite of "MLRS"
    (
        r"artillery (?:techniques|methods|items|programs|gadgets|devices|instruments|tools)"
        r"|(?:field )?artillery (?:systems?|pieces?|guns?(?: and mortars)?|units?)|artillery|guns and mortars"
        r"|(?:self-propelled )?howitzers?",
        "artillery",
    ),
    (
        r"(?:multiple[- ]|a number of |several )launch rocket (?:systems?|programs|methods|techniques)"
        r"|multiple rocket systems?|multiple rocket launch(?:ers?| systems?)|MLRS(?: systems?| units?)?"
        r"|MRLs?|rocket launchers?",
        "mlrs",
    ),
    (
        rf"air (?:protection|{_DEF}) (?:methods|techniques|means|programs|items|models)"
        rf"|air {_DEF} (?:systems?|units?|means"
        r"|equipment)|anti-aircraft (?:warfare )?(?:systems?|units?|methods)|anti-aircraft warfare"
        rf"|air {_DEF}",
        "air_defense",
    ),
    (r"cruise (?:missiles?|rockets?)|winged (?:rockets?|missiles?)", "cruise_missiles"),
    (
        r"(?:war)?ships?(?:\s*(?:and|or|/|&)\s*boats?)?|boats?(?:\s*(?:and|/|&)\s*(?:cutters?|ships?))?|vessels?",
        "ships_boats",
    ),
    (r"submarines?", "submarines"),
    (
        r"(?:units of |pieces of )?(?:special|particular) (?:military )?(?:equipment|gear|kit|machinery)"
        r"|special vehicles",
        "special_equipment",
    ),
    (r"(?:fixed-wing |combat )?(?:aircraft|airplanes?|aeroplanes?|planes?|warplanes?|(?:fighter )?jets?)", "aircraft"),
    (r"helicopters?|choppers?|rotorcraft", "helicopters"),
    (r"prisoners? of war|POWs?", "pow"),
    (r"fuel (?:tanks?|tankers?|trucks?)|tank trucks|tankers", "fuel_tanks"),
    (
        r"(?:units of )?automotive (?:equipment|vehicles|technology)|(?:military |motor )?(?:vehicles?|trucks|cars)",
        "vehicles",
    ),
    (
        r"(?:killed|dead) (?:and|or|&) (?:wounded|injured)|(?:wounded|injured) (?:and|or) (?:killed|dead)"
        r"|dead, wounded|killed, wounded",
        "killed_wounded",
    ),
    (r"human casualties|casualties|casualty|military losses|losses", "casualties"),
    (r"killed|dead|deaths|fatalities|KIA|killed in action|death toll", "killed"),
    (r"wounded|injured|wounds|injuries", "wounded"),
    (
        r"troops?|soldiers?|servicem[ae]n|servicepeople|service ?members|service personnel|military personnel"
        r"|personnel|fighters|workforce|manpower"
        r"|troopers|servicemembers|men|invaders|occupiers|mercenaries|conscripts|mobilized|enemies|staff|individuals|people|persons",
        "people",
    ),
    # --- Ukrainian
    (
        r"(?:одиниц[юіья] |од\. )?автомобільн(?:ої|а|их|у) техні(?:ки|ка|ку)(?: (?:та|і|й) (?:авто)?цистерн(?:и)?"
        r"(?: з ПММ)?)?"
        r"|одиниц[юіья] автомобільн(?:ої|их)(?= (?:та|і|й) )"
        r"|автомобілів(?: (?:та|і) автоцистерн)?|автомобіл(?:і|ь) (?:та|і) автоцистерни|автоцистерн"
        r"|автотехні(?:ка|ки|ку|кою)(?: (?:та|і|й) (?:авто)?цистерни)?",
        "vehicles_fuel_tanks",
    ),
    (r"(?:БпЛА|БПЛА|безпілотник(?:ів|и|а)?|дрон(?:ів|и|а)?)(?: оперативно-тактичного рівня)?", "drones"),
    (r"наземн(?:их|і|ий) робототехнічн(?:их|і|ий) комплекс(?:ів|и)?|НРК", "ground_robots"),
    (
        r"бойов(?:их|і|а|у) броньован(?:их|і|а|у) машин(?:и|у)?|ББМ|броньован(?:их|ої|і) (?:машин|техніки)",
        "armored_vehicles",
    ),
    (r"танк(?:ів|и|а)?", "tanks"),
    (r"артилерійськ(?:их|і|а|у) систем(?:и|у)?|артсистем(?:и|у)?|гармат(?:и|у)?", "artillery"),
    (r"РСЗВ|реактивн(?:их|і|у|а) систем(?:и|у)? залпового вогню", "mlrs"),
    (
        r"(?:засоб(?:ів|и|у)?|засіб|систем(?:и|у)?) (?:ППО|протиповітряної оборони)|ППО"
        r"|зенітн(?:их|і|ий|у)? ракетн(?:их|і|ий|у)? комплекс(?:ів|и|у)?|ЗРК",
        "air_defense",
    ),
    (r"крилат(?:их|і|у|а) ракет(?:и|у)?", "cruise_missiles"),
    (
        r"корабл(?:ів|і|ь)(?:\s*/\s*катер(?:ів|и)|\s+(?:і|та|й)\s+катер(?:ів|и))?|кораблі \(катери\)|катер(?:ів|и)?",
        "ships_boats",
    ),
    (r"підводн(?:их|і|ий) чов(?:нів|ни|ен)", "submarines"),
    (r"(?:одиниць )?спеціальн(?:ої|а|ої) техні(?:ки|ка)|спецтехні(?:ки|ка)", "special_equipment"),
    (r"літак(?:ів|и|а)?", "aircraft"),
    (r"гелікоптер(?:ів|и|а)?|вертоліт(?:ів)?|вертольот(?:ів|и)", "helicopters"),
    (r"полонених", "pow"),
    (r"(?:убитих|вбитих|загиблих) (?:і|та|й) поранених|(?:убитими|вбитими) (?:і|та|й) пораненими", "killed_wounded"),
    (r"загибл(?:их|і|ими)|вбит(?:их|і|ими)|убит(?:их|і)|загинул(?:и|о)", "killed"),
    (r"поранен(?:их|і|ими)", "wounded"),
    (
        r"особового складу|особовий склад|особовому складі|осіб|військов(?:их|і|ий|ого)|окупант(?:ів|и|а)|солдат(?:ів"
        r"|и)?"
        r"|військовослужбовц(?:ів|і|я)|росіян|загарбник(?:ів|и)|вояк(?:ів|и)|захисник(?:ів|и)",
        "people",
    ),
    (r"втрат(?:и|ами)?", "casualties"),
    # --- Italian
    (r"autocisterne", "tankers"),  # fuel tankers alone: fuel_tanks before the merge, the merged category after
    (
        r"(?:veicoli|mezzi|automezzi) e (?:le )?(?:auto-?)?cisterne(?: di carburante)?|automezzi e autocisterne"
        r"|veicoli e serbatoi(?: di carburante)?|automobili(?: e autocisterne)?|(?:fra "
        r"|tra )?jeep, camion e autocisterne"
        r"|camion e autocisterne",
        "vehicles_fuel_tanks",
    ),
    (r"automezzi", "vehicles"),  # motor vehicles alone: military_vehicles before the merge
    (r"droni|drone|velivoli senza pilota|UAV(?: di livello operativo[- ]tattico)?", "drones"),
    (
        r"(?:veicoli|mezzi|automobili) (?:corazzati|blindati)(?: da (?:combattimento|lotta))?|blindati"
        r"|veicoli (?:da combattimento|per il trasporto (?:di |delle )?truppe)(?: (?:corazzati|blindati|di fanteria))?",
        "armored_vehicles",
    ),
    (r"carri armati(?: da (?:battaglia|combattimento))?|carro armato|tank", "tanks"),
    (r"(?:sistemi|pezzi) d(?:i |')artiglieria|artiglierie|obici|obices?", "artillery"),
    (
        r"sistemi di lancio multiplo(?: di razzi)?|(?:sistemi )?lanciarazzi(?: multipli)?|sistemi (?:di razzi"
        r"|lanciarazzi|missilistici) (?:a|di) lancio multiplo",
        "mlrs",
    ),
    (
        r"batterie (?:per l'|dell'|di )?antiaere[ae]|sistem[ai] di guerra antiaerea|sistem[ai] (?:di difesa )?(?:aerea"
        r"|antiaere[ai])|sistem[ai] di difesa antiaerea|sistemi missilistici antiaerei"
        r"|(?:equipaggiament[oi]|mezzi) di difesa (?:aerea|antiaerea)|(?:metodi|mezzi|sistemi) di protezione aerea",
        "air_defense",
    ),
    (r"missili da crociera|missili alati|razzi alati", "cruise_missiles"),  # "winged" in machine-translated lists
    (r"navi(?: e (?:imbarcazioni|motovedette)|\s*/\s*barche)?|nave|imbarcazioni|unità navali", "ships_boats"),
    (r"cisterne di carburante|autocisterne di carburante", "fuel_tanks"),
    (r"autoveicoli|automezzi militari|veicoli(?: generici| militari)?", "vehicles"),
    (r"sottomarin[oi]", "submarines"),
    (
        r"(?:mezz[oi]|equipaggiament[oi]|attrezzatur[ae]|strument[oi]) (?:special[ei]|particolar[ei])",
        "special_equipment",
    ),
    (r"aerei|aereo|(?:aerei da )?caccia", "aircraft"),
    (r"elicotteri|elicottero", "helicopters"),
    (
        r"(?:tra )?morti e feriti|(?:morti|uccisi|caduti) (?:o|e|oppure) feriti|feriti (?:o|e) (?:morti|uccisi)",
        "killed_wounded",
    ),
    (r"morti|uccisi|caduti|nemici uccisi", "killed"),
    (r"feriti", "wounded"),
    (r"soldati|militari|uomini|truppe|effettivi|combattenti|invasori|nemici|personale", "people"),
    (r"perdite|vittime", "casualties"),
]

# Labels of a bulletin-style list only ("Label: N", "Label – N"): machine translations of the General Staff's labels,
# words too loose to read as a category in prose ("personal", "serbatoi").
LIST_LABELS: list[tuple[str, str]] = [
    (r"personal", "people"),
    (r"difesa (?:anti)?aerea|contraerea", "air_defense"),  # a list's short label "Difesa aerea: 1.080"
    # Ukrainian Telegram abbreviations: "о/с" (особовий склад), "КР" (крилаті ракети), "авто та цистерни"
    (r"о/с|о\.с\.", "people"),
    (r"КР", "cruise_missiles"),
    (r"авто(?:мобілі)? (?:та|і|й) (?:авто)?цистерни", "vehicles_fuel_tanks"),
    (r"UAVs? (?:of )?operational[- ]tactical (?:degree|diploma|grade)", "drones"),
    (r"particular (?:gear|tools|equipment)", "special_equipment"),
    (r"serbatoi", "tanks"),
    (r"(?:automobili|veicoli) e serbatoi(?: di carburante)?", "vehicles_fuel_tanks"),
    (r"metodi di artiglieria", "artillery"),
    (r"droni (?:di livello )?operativo[- ]tattic[oi]", "drones"),
    (r"mezzi di protezione aerea", "air_defense"),
    (r"personale militare", "people"),
    (r"velivoli", "aircraft"),
    (r"(?:rocket salvo|salvo rocket) (?:installations|systems|launchers)", "mlrs"),
    (rf"air {_DEF} (?:installations|complexes)", "air_defense"),
    (r"rotary-wing (?:craft|aircraft|machines)", "helicopters"),
]

# Words between a number and its noun that do not break the link ("7,000 Russian soldiers").
MODIFIERS = (
    r"(?:Russian|Ukrainian|enemy|reconnaissance|field|more|other|additional|human|Kremlin|invading|occupying|army"
    r"|modern|heavy|main|battle|combat|operational-tactical|tactical|North Korean|Wagner|newly|confirmed"
    r"|(?-i:[A-Z][A-Za-z]{0,3}-\d{1,3}[A-Za-z]{0,3})|of (?:its|their|his)|of (?:those|them|these|which)|units? of"
    r"|pieces? of|items? of|unità di|destroyed|lost|Moscow's"
    r"|(?-i:[A-Z][A-Za-z.]*-(?:made|supplied|built|provided|donated|produced))"
    r"|(?-i:[A-Z]{1,3}\d{1,4}[A-Za-z]?\d*)|(?-i:[A-Z]{3,8})"  # "M777", "HIMARS"
    r"|(?-i:[A-Z][a-z]{2,})"
    r"|російських|ворожих|окупаційних|одиниць|од\.|українських|всього|рф|i|gli|le|sono|altri|ліквідованих|знищених"
    r"|втрачених|своїх|ще|military|il numero (?:dei|degli|di|delle)|il totale (?:dei|degli|di|delle)"
    r"|il (?:bilancio|conto|conteggio) (?:dei|degli|di|delle)"
    r"|di (?:queste|questi)|tra|fra)"  # "15 tra navi e motovedette": a count among a category's kinds
)  # "331 military jets", "Sale a 36.350 il numero dei soldati russi uccisi"
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
        r"(?:who |that )?(?:have |had |has )?(?:been |were |was |are )?(?:killed|dead|died)\b|(?:who |that )?(?:have "
        r"|had )?died"
        r"|(?:who |that )?lost their lives",
        "killed",
    ),
    (r"(?:have |had |has )?(?:been |were |was |are )?(?:wounded|injured)", "wounded"),
    (r"(?:(?:РФ|рф|Росії|ЗСУ),?\s+)?(?:які\s+|що\s+)?(?:загинули|загинуло|вбито|було вбито)", "killed"),
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
        r"(?:about|approximately|approx\.?|roughly|around|some|nearly|almost|close to|closer to|an estimated|estimated"
        r"|just under|just over|round|circa|~|≈|близько|приблизно(?: [ув])?|орієнтовно|майже|біля|circa|quasi|intorno a"
        r"|pressoché|approaching|nearing|likely approaching)",
        "about",
    ),
    (
        r"(?:more than|over|above|at least|in excess of|upwards? of|>|понад|більше ніж|більше|більш ніж|щонайменше"
        r"|oltre|più di|più|almeno|(?:likely |probably )?passed|surpassed|exceeded|topped|superato(?: quota)?"
        r"|(?:(?:likely|probably|expected|set) to |likely |probably )?(?:exceed|exceeds|exceeding|surpass|surpasses|top"
        r"|tops)|перевищ\w*|supera|superano"
        r"|superare)(?: (?:вже|already|già))?",
        "more_than",
    ),
    (
        r"(?:up to|as many as|at most|no more than|fewer than|less than|(?<!кількість )до|менше ніж|fino a|fino ad"
        r"|meno di)",
        "up_to",
    ),
]
QUALIFIER_AFTER = [(r"or so|or thereabouts|або близько", "about"), (r"or more|-plus|\+(?!\d)", "more_than")]
