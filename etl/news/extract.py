"""The claims extractor: article text in, loss claims out (English, Ukrainian, Italian).

    claims = extract(text, published=date(2024, 7, 28), series=series)
    [c.to_json() for c in claims]

A claim is one figure one claimant put on one side's losses: who claims it (``claimant``), whose losses
(``subject``), what (``category``: a bulletin category code, or ``killed`` / ``wounded`` /
``casualties_total``), how it counts (``measure``: ``cumulative``, ``daily_increase``,
``period_increase`` from ``period_start``, or ``estimate_range`` with ``low``/``high``), its
``qualifier`` (``about``, ``more_than``, ``up_to``), the day it is reported for (``as_of``, with
``as_of_precision`` and ``date_method``: ``explicit``, ``weekday``, ``relative``, ``series_match`` or
``unresolved``), and the evidence ``span`` (character offsets into the text given).

The pipeline, one small named stage each (docs/news.md has the long form):

1. **normalise** (:func:`etl.news.text.fold`): one kind of space, quote, apostrophe and dash, same length;
2. **sentences and clauses** (:func:`etl.news.text.sentences`, :mod:`etl.news.clauses`): a line, a list
   item or a prose sentence, cut into clauses; its claimant and subject cues, measure markers, dates;
3. **number mentions** (:func:`etl.news.numbers.scan`, dates' digits left out) with spans;
4. **categories** (:mod:`etl.news.mentions`): figures bound to the lexicon through list syntax;
5. **binding** (:mod:`etl.news.bind`): exclusions, claimant, subject, measure, report date per figure;
6. **dates** (:mod:`etl.news.dating`): explicit or dateline, then weekday, then series match;
7. **one claim per figure** (:func:`etl.news.claim.dedup`).

A figure that cannot be read (",000", "57469O") is still a claim, with ``status`` ``unparseable``, no
value and the ``problem``: it is reported, never guessed.
"""

from __future__ import annotations

import re
from datetime import date

from etl.news import dates as dates_mod
from etl.news import numbers as numbers_mod
from etl.news.bind import State, bind_sentence
from etl.news.claim import Claim, DateSpec, PeriodSpec, dedup
from etl.news.clauses import SentenceInfo, analyse
from etl.news.dating import dateline, day_figures, fill_undated, headline_date, lede_date, resolve_dates
from etl.news.mentions import Candidate, candidates
from etl.news.text import fold, sentences

EXTRACTOR_VERSION = "news-claims/2"
_HEADER = re.compile(r"^[A-Za-z_-]{2,20}:\s*\S")
# the General Staff's bulletin formula: "Загальні бойові втрати противника", "the total combat losses of the enemy"
_BULLETIN = re.compile(
    r"(?:загальні )?бойові втрати (?:противника|ворога|російських (?:військ|окупантів|загарбників))"
    r"|(?:the )?total combat losses of the (?:enemy|Russian (?:forces|troops|army))"
    r"|(?:le )?perdite (?:complessive |totali )?in combattimento del nemico",
    re.I,
)

__all__ = ["EXTRACTOR_VERSION", "Claim", "DateSpec", "PeriodSpec", "extract", "read_sentences"]


def read_sentences(norm: str) -> tuple[list[SentenceInfo], list[list[Candidate]], list[dates_mod.DateMention]]:
    """Stages 2-4: each sentence's analysis and candidate figures, and the text's date mentions."""
    all_dates = dates_mod.scan(norm)
    digit_date_spans = [(d.start, d.end) for d in all_dates if d.kind in ("date", "month", "year")]
    all_nums = numbers_mod.scan(norm, skip=digit_date_spans)
    prepared, cands_by_sentence = [], []
    for s in sentences(norm):
        nums = [n for n in all_nums if s.start <= n.start and n.end <= s.end]
        cands = candidates(norm, s, nums)
        brackets = [c.bracket_span for c in cands if c.bracket_span]
        prepared.append(analyse(norm, s, all_dates, cands[0].start if cands else None, brackets))
        cands_by_sentence.append(cands)
    return prepared, cands_by_sentence, all_dates


def extract(text: str, *, published: date | None = None, series=None) -> list[Claim]:
    """The claims of ``text``; ``published`` is the article's publication day (Kyiv), ``series`` an
    :class:`etl.news.series.BulletinSeries` for dating undated General Staff figures."""
    norm = fold(text)
    prepared, cands_by_sentence, all_dates = read_sentences(norm)
    st = State(norm, text)
    st.heads = heads = headlines(norm, prepared)
    st.said_after = said_after(norm, prepared)
    first = next((c for p in prepared for c in p.cues), None)
    if first is not None:
        st.first_cue, st.first_entity = first.claimant, first.entity
    elif any(c.label_first and c.bracket is not None for cands in cands_by_sentence for c in cands) or _BULLETIN.search(
        norm
    ):
        # a bulletin list ("танків - 11 230 (+2) од") or the bulletin's own formula ("Загальні бойові втрати
        # російських військ ... становлять") that names no one is the General Staff's text
        st.first_cue = st.first_entity = "ua_general_staff"
    claims: list[Claim] = []
    for p, cands in zip(prepared, cands_by_sentence, strict=False):
        claims.extend(bind_sentence(st, p, cands))
    line = dateline(st, prepared, all_dates)
    fill_undated(st, claims, line, lede_date(st, prepared) or headline_date(st, prepared, all_dates))
    years = [d.year for d in all_dates if d.year and d.kind in ("date", "month")]
    resolve_dates(claims, published, series, line, date(max(years), 12, 31) if years else None)
    day_figures(claims, series, published)
    for cl in claims:
        cl.headline = cl.sentence in heads
    return dedup(claims)


# "Lo hanno detto fonti della Nato", "Lo riferisce lo Stato maggiore", "Про це повідомив Генштаб": the sentence
# after a figure that names no one says whose it is
_SAID_SO = re.compile(
    r"\s*(?:Lo (?:ha |hanno )?(?:detto|dett[io]|riferit[oi]|riferisce|riferiscono|riporta|riportano|afferma|affermano"
    r"|dichiarat[oi]|reso noto|resi noti|comunicat[oi])|This was (?:reported|said|stated)|Про це (?:повідомил\w*"
    # "È il dato diffuso giovedì dallo Stato maggiore ucraino", "Sono i dati forniti da ..."
    r"|(?:È|E'|Questo è) (?:il dato|quanto) (?:diffus|riferit|comunicat|fornit|emers)\w*|(?:Sono|Questi sono) i dati"
    r" (?:diffus|fornit|comunicat|riferit)\w*"
    r"|повідомляє|повідомляють|заявил\w*|йдеться))\b",
    re.I,
)


def said_after(norm: str, prepared: list[SentenceInfo]) -> dict[int, object]:
    out = {}
    for before, p in zip(prepared, prepared[1:], strict=False):
        if p.cues and _SAID_SO.match(norm, p.s.start) and before.s.paragraph == p.s.paragraph:
            out[before.s.index] = p.cues[0]
    return out


def headlines(norm: str, prepared: list[SentenceInfo]) -> set[int]:
    """The sentences that are the headline: the first, a "title:" header line, or (after a header of
    "key: value" lines without a title) the first line of the body."""
    heads = {0}
    header = [p for p in prepared if p.s.paragraph == 0]
    texts = [norm[p.s.start : p.s.end] for p in header]
    heads |= {p.s.index for p, t in zip(header, texts, strict=False) if t.lower().startswith("title:")}
    if texts and all(_HEADER.match(t) for t in texts) and not any(t.lower().startswith("title:") for t in texts):
        body = [p for p in prepared if p.s.paragraph == 1]
        first = norm[body[0].s.start : body[0].s.end].rstrip() if body else ""
        # a headline is short and ends without a full stop; a first paragraph of prose is no headline
        heads |= {body[0].s.index} if body and not (len(first) > 150 and first.endswith(".")) else set()
    return heads
