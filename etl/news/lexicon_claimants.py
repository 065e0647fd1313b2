"""The lexicon's words for who claims and whose losses: claimant cues, subject cues and masks, the words
that make a figure both sides', civilians' or an army's.

Part of :mod:`etl.news.lexicon`, which re-exports every name; see its docstring for how the tables are read.
"""

from __future__ import annotations

_DEF = r"(?:defen[cs]e)"  # as in etl.news.lexicon_nouns

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
    # another country's chief of staff before Ukraine's General Staff ("il capo di stato maggiore britannico")
    (
        r"(?:il )?capo di stato maggiore (?:della difesa )?britannico|stato maggiore britannico|(?:the )?(?:British"
        r"|UK's|U\.K\.'s|Britain's) (?:chief of (?:the )?(?:defence|general) staff|armed forces chief|military chief)",
        "uk_defence_ministry",
    ),
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
        r"|(?:Russia's|Moscow's|the Kremlin's) (?:official|own) (?:announcement|figures?|count|toll|tally)"
        # "Moscow has not published its own casualty figures since September 2022, when it said 5,937 ..."
        r"|(?:Russia|Moscow|the Kremlin) (?:has |have |had )?(?:not |never |last )?(?:published|released|updated"
        r"|disclosed)",
        "ru_defense_ministry",
    ),
    (
        r"(?:Міноборони|Міністерств\w+ оборони) (?:РФ|рф|Росії|росії)|російськ\w+ (?:Міноборони|міністерств\w+ оборони)"
        r"|Шойгу|Рудськ\w+|Конашенков\w*|Білоусов\w*"
        r"|Москв\w+ (?:\w+ ){0,3}?(?:називала|назвала|заявляла|заявила|визнала|визнавала|повідомляла|повідомила)",
        "ru_defense_ministry",
    ),
    (
        r"(?:secondo|per|stando a) Mosca|(?:il )?ministero (?:della Difesa )?(?:russo|di Mosca)|(?:Mosca"
        r"|il Cremlino) (?:ha )?(?:riferito|dichiarato|ammesso"
        r"|comunicato|riconosciuto|sostenuto|affermato|annunciato|rivendicato|detto)"
        r"|(?:Mosca|il Cremlino) (?:invece )?(?:sostiene|afferma|rivendica|dice|dichiara|riferisce|annuncia)"
        # a headline's "Mosca: "Eliminati 220 soldati ucraini"": the quote is Moscow's
        r"|^(?:title:\s*)?(?:Mosca|Moscow|Москва):",
        "ru_defense_ministry",
    ),
    # Ukraine's General Staff (and Kyiv's military, who publish its figures)
    (
        r"(?:Ukraine's |Ukrainian |the )?General Staff(?: of (?:the )?(?:Armed Forces of Ukraine|Ukraine's Armed Forces"
        r"|Ukrainian Armed Forces|Ukraine(?:'s military)?|the Armed Forces))?(?:'s)?",
        "ua_general_staff",
    ),
    (
        rf"(?:Kyiv|Ukraine)'s (?:military|armed forces|army|tally|count|figures|data|{_DEF} ministry"
        rf"|ministry of {_DEF})"
        rf"|(?:Ukrainian|Ukraine's) (?:military|army|Armed Forces|{_DEF} Ministry|Ministry of {_DEF})"
        r"(?! (?:dead|deaths|losses|casualties|death toll|killed)\b)"
        r"|Armed Forces of Ukraine|according to (?:Kyiv|Ukraine)\b|by (?:Kyiv|Ukraine)'s (?:count|tally|figures)"
        r"|Kyiv (?:also )?(?:said|says|reported|reports|claims|claimed|estimates)|:\s*Kyiv\s*$|^(?:Kyiv|Kiev):"
        # "Kiev parla invece di 880.000 soldati", "Kyiv cites a figure of", "Київ називає": Kyiv naming its figure
        r"|(?:Kyiv|Kiev)(?= (?:instead |invece |also |anche )?(?:cites|cited|gives|gave|parla|dice|sostiene|afferma"
        r"|riferisce|stima|conta)\b)|Київ(?= (?:же |натомість )?(?:називає|заявляє|повідомляє|стверджує)\b)"
        r"|Ukrainian (?:military )?officials|Ukraine (?:also )?(?:said|says|reported|reports)"
        r"|^Kyiv\b(?=[^.]{0,100}?\b(?:said|says|reported|reports|estimated|estimates)\b)",
        "ua_general_staff",
    ),
    (
        r"(?:Ukrainian |Ukraine's |the )?(?:Common|Normal|Basic|Main|Primary|Frequent|Basic Common) (?:Workers"
        r"|Employees|Staff)"
        r"(?: of (?:the )?(?:Armed Forces of Ukraine|Ukrainian Armed Forces|AFU|ZSU))?",
        "ua_general_staff",
    ),
    (
        r"Генштаб\w*(?: ЗСУ)?|Генеральн\w+ штаб\w*(?: (?:Збройних [сС]ил України|ЗСУ))?|Збройн\w+ [сС]ил\w* України|ЗСУ"
        r"|Міноборони України|Міністерств\w+ оборони України|Сил(?:и|ами) оборони",
        "ua_general_staff",
    ),
    (
        # "Russian air defense forces shot down 152 drones": an air defence, not Ukraine's Defence Forces
        r"(?:le )?forze di difesa (?:ucraine|dell'Ucraina)"
        r"|(?:Ukraine's |Ukrainian )?(?<!air )(?<!Russian )Defen[cs]e Forces(?: of Ukraine)?",
        "ua_general_staff",
    ),
    (
        r"Stato maggiore(?: (?:ucraino|generale|delle forze armate(?: ucraine)?|di Kiev|dell'esercito ucraino))*"
        r"|(?:il )?ministero (?:della Difesa ucraino|ucraino della Difesa|della Difesa di Kiev"
        r"|della Difesa dell'Ucraina)"
        r"|(?:secondo|per|stando a) (?:il governo di )?Kiev|(?:il )?governo (?:di Kiev|ucraino)"
        # the forces that lost ("Le forze armate ucraine hanno perso più di 13mila militari") are no claimant
        r"|forze armate ucraine(?!\W{0,3}(?:hanno|ha|avrebbero|avrebbe)\s+(?:\w+\s+)?perso)"
        r"|esercito ucraino|Kiev (?:ha )?(?:riferito|comunicato"
        r"|dichiarato|reso noto)",
        "ua_general_staff",
    ),
    # the United Kingdom
    (
        rf"(?:the )?(?:U\.K\.|(?-i:UK)|British|Britain's|United Kingdom's) (?:{_DEF} Ministry|Ministry of {_DEF}|MoD"
        rf"|{_DEF} intelligence|military intelligence|intelligence|government|officials|military|armed forces"
        rf"|{_DEF} (?:officials|chiefs|sources))"
        rf"|(?:UK |British )?Ministry of {_DEF} (?:of the|in) (?:UK|United Kingdom|London)|London said"
        r"|Defence Intelligence",
        "uk_defence_ministry",
    ),
    (
        r"Міноборони (?:Великої )?Британії|британськ\w+ (?:(?:оборонн|військов)\w+ )?(?:розвід[кц]\w*|Міноборони"
        r"|міністерств\w+ оборони)"
        r"|розвід[кц]\w* Великої Британії",
        "uk_defence_ministry",
    ),
    (
        r"(?:il )?ministero della Difesa britannico|intelligence britannica|(?:il )?governo britannico|Londra"
        r"|(?:il )?Regno Unito|(?:la )?Gran Bretagna",
        "uk_defence_ministry",
    ),
    # NATO
    (r"NATO|Nato|НАТО|the (?:military )?alliance|l'Alleanza(?: atlantica)?", "nato"),
    # the United States
    (
        rf"(?:the )?(?:U\.S\.|(?-i:US)|American|United States) (?:{_DEF} Intelligence Agency|intelligence(?: officials"
        r"| agencies)?"
        rf"|officials?|government|Department of {_DEF}|estimates?|assessments?|military)"
        rf"|Pentagon|{_DEF} Intelligence Agency|\bDIA\b|\bCIA\b|White House"
        # "The U.S. said in December that ...": the country as the one who said it
        r"|(?:the )?(?:U\.S\.|United States)(?= (?:has |have )?(?:said|says|estimated|estimates)\b)",
        "us_intelligence",
    ),
    (
        r"(?:stime|fonti|intelligence) (?:degli |dell')?(?:Usa|USA|Stati Uniti|americane)"
        r"|(?:generale )?(?:Mark )?Milley",
        "us_intelligence",
    ),
    (
        r"розвід[кц]\w* США|американськ\w+ розвід[кц]\w*|Пентагон\w*|intelligence (?:americana|statunitense|Usa|USA)"
        r"|Pentagono|Casa Bianca",
        "us_intelligence",
    ),
    # others who count: former officials, bloggers, analysts speak for themselves
    (
        r"(?:former|ex-)\s*(?:[\w'-]+\s+){0,3}?(?:prosecutor|minister|MP|lawmaker|deputy|official|general|adviser"
        r"|advisor"
        r"|commander|officer|president|spokesman)(?:\s+[A-Z][\w'-]+){0,3}"
        r"|колишн\w+ (?:[\w'-]+\s+){0,3}?(?:прокурор\w*|міністр\w*|депутат\w*|генерал\w*"
        r"|радник\w*)(?:\s+[А-ЯІЇЄҐ][\w'-]+){0,2}"
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
        r"|the Economist|Economist|independent (?:Russian )?(?:media|outlets?|journalists)|Zelensky"
        r"|(?:Oleksandr )?Syrsk(?:yi|yy|iy|y|ii)|Сирськ\w+"
        r"|(?:Wagner (?:chief|boss|founder|leader) )?(?:Yevgeny )?Prigozhin|Пригожин\w*",
        "other",
    ),
    (
        r"(?:the )?Center for Strategic and International Studies|\bCSIS\b|(?:the )?Institute for the Study of War"
        r"|\bISW\b"
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
    r"|Ukraine war|Russia-Ukraine|Russian President|Russia's (?:full-scale |all-out )?(?:invasion|war|aggression"
    r"|attack)"
    r"|Russian (?:invasion|aggression)|(?:в|у|на|проти|по)\s+Україн[іиу]\b|війн\w+ (?:в|у) Україні|in Ucraina"
    r"|dell'Ucraina|all'Ucraina|contro l'Ucraina|invasione russa|l'invasione|(?:in|into) Russia\b"
    r"|(?:by|da|від|provided by|fornite (?:\w+ )?da) (?:Kyiv|Kiev|Києв\w*)\b"
    r"|^(?:title:\s*)?(?:Kyiv|Kiev|Київ|KYIV|KIEV)\s*(?:,|:|\(|-|—)"  # a dateline or headline's place, not the loser
    # "Kyiv's totals now include 6,757 tanks": the one who counts, not the loser
    r"|(?:Kyiv|Kiev|Ukraine|Ukrainian military)'s\s+(?:[\w-]+\s+){0,2}?(?:totals?|count|tally|figures|update|report)\b"
    r"|what (?:Moscow|Russia|the Kremlin|Putin) (?:calls|has called|termed|terms)|quella che (?:Mosca"
    r"|il Cremlino) chiama"
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
