"""The claim record the extractor produces, and the date and period records its stages share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from etl.news import dates as dates_mod

# What a claim states: who, about what, which figure (exact or a range).  The first keys of every
# claim row: the JSON output, the stored columns, the scorer's fields.
FIGURE_KEYS = (
    "claimant",
    "subject",
    "category",
    "measure",
    "value",
    "low",
    "high",
)
# When the claim is for, as the text dates it (after the figure keys and the period/qualifier).
DATE_KEYS = ("as_of", "as_of_precision", "date_method", "date_reference", "date_text")
# Where it stands and how it was read and compared: the last keys of every claim row.
EVIDENCE_KEYS = ("evidence", "number_text", "status", "problem", "bulletin_value", "comparison")


@dataclass
class DateSpec:
    """The day a report is given for, as the text states it; shared by the claims of that report."""

    mention: dates_mod.DateMention | None = None
    vague: bool = False
    resolved: date | None = None
    precision: str | None = None
    method: str = "unresolved"
    reference: str | None = None

    @property
    def text(self) -> str | None:
        return self.mention.text if self.mention else None


@dataclass
class PeriodSpec:
    kind: str  # mention, month_mention, year, month, same, unknown
    mention: dates_mod.DateMention | None = None


@dataclass
class Claim:
    claimant: str
    subject: str
    category: str
    measure: str
    value: int | None
    low: int | None
    high: int | None
    qualifier: str | None
    period_start: date | None
    as_of: date | None
    as_of_precision: str | None
    date_method: str
    date_reference: str | None
    date_text: str | None
    span: tuple[int, int]
    evidence: str
    number_text: str
    status: str = "ok"  # ok | unparseable
    problem: str | None = None
    bulletin_value: int | None = None  # set by etl.news.compare
    comparison: str | None = None  # match, mismatch, consistent, no_series, not_compared
    # extractor internals
    kind: str = field(default="", repr=False)
    sentence: int = field(default=0, repr=False)
    date_spec: DateSpec | None = field(default=None, repr=False)
    period_spec: PeriodSpec | None = field(default=None, repr=False)
    own_date: bool = field(default=False, repr=False)
    rounded: bool = field(default=False, repr=False)
    measure_marked: bool = field(default=True, repr=False)
    entity: str = field(default="", repr=False)
    headline: bool = field(default=False, repr=False)

    KEYS = (*FIGURE_KEYS, "period_start", "qualifier", *DATE_KEYS, "span", *EVIDENCE_KEYS)

    def to_json(self) -> dict:
        out = {}
        for key in self.KEYS:
            v = getattr(self, key)
            if isinstance(v, date):
                v = v.isoformat()
            elif isinstance(v, tuple):
                v = list(v)
            out[key] = v
        return out

    def key(self) -> tuple:
        return (
            self.claimant,
            self.subject,
            self.category,
            self.measure,
            self.value,
            self.low,
            self.high,
            self.period_start,
            self.as_of,
        )


# --------------------------------------------------------------------------- one claim per figure

_PEOPLE_FAMILY = {"personnel", "killed", "casualties_total"}


def _compatible(a: Claim, b: Claim) -> bool:
    if (a.claimant, a.subject) != (b.claimant, b.subject):
        return False
    if a.as_of and b.as_of and a.as_of != b.as_of:
        return False
    if a.period_start and b.period_start and a.period_start != b.period_start:
        return False
    return True


def _info(c: Claim) -> tuple:
    return (not c.headline, c.own_date, c.period_start is not None, c.qualifier is None, c.status == "ok", -c.sentence)


def _close(a: Claim, b: Claim) -> bool:
    """``a`` is ``b`` rounded ("more than 20,000" for 20,180) or qualified ("roughly 20,180" for 20,180)."""
    if a.value is None or b.value is None:
        return False
    round_a = a.value >= 100 and a.value % 100 == 0
    return abs(a.value - b.value) <= (0.1 if round_a else 0.01) * b.value


def _zeros(value: int | None) -> int:
    n = 0
    while value and value % 10 == 0:
        value, n = value // 10, n + 1
    return n


def _restates(a: Claim, b: Claim) -> bool:
    """Whether ``a`` (ok, same family as ``b``) only restates ``b``: rounded, or a bound of its range."""
    same_measure = a.measure == b.measure or (not a.measure_marked and b.measure != "estimate_range")
    # "over 8,000 troops" for "more than 8,300": a rounder figure with the same qualifier (or none on ``b``)
    rounder = not b.rounded or (b.qualifier in (None, a.qualifier) and _zeros(a.value) > _zeros(b.value))
    if a.rounded and rounder and same_measure and _close(a, b):
        return True  # "more than 20,000" for 20,180, "more than half a million" for 515,000
    return a.value is not None and b.low is not None and a.value in (b.low, b.high) and b.measure == "estimate_range"


def _headline_repeated(a: Claim, claims: list[Claim]) -> bool:
    """A headline figure the body repeats ("Kyiv Reports 1,140 More Casualties"): the body says how it counts."""
    if not a.headline or a.status != "ok" or a.value is None:
        return False
    family = _PEOPLE_FAMILY if a.category in _PEOPLE_FAMILY else {a.category}
    return any(
        not b.headline
        and b.category in family
        and (
            b.claimant == a.claimant
            and (b.value == a.value or a.rounded and _close(a, b))
            or b.value == a.value >= 1000  # whoever the headline seems to name ("Wsj: 40mila soldati")
        )
        for b in claims
    )


def _one_side(claims: list[Claim]) -> None:
    """A large figure said twice by one claimant with two sides ("Russia's War Ukraine: 907,220 Troops Lost" and
    "Russia has lost 907,220 troops") is one figure: the side the claimant's other claims name most."""
    for a in claims:
        for b in claims:
            if (
                a is not b
                and a.subject != b.subject
                and (a.claimant, a.category, a.measure, a.value) == (b.claimant, b.category, b.measure, b.value)
                and a.value is not None
                and a.value >= 1000
            ):
                sides = [c.subject for c in claims if c.claimant == a.claimant]
                a.subject = b.subject = max((a.subject, b.subject), key=sides.count)


def dedup(claims: list[Claim]) -> list[Claim]:
    """Stage: one claim per figure (the same figure twice, a rounded restatement, a bound said again)."""
    _one_side(claims)
    drop: set[int] = {i for i, a in enumerate(claims) if _headline_repeated(a, claims)}
    for i, a in enumerate(claims):
        for j, b in enumerate(claims):
            if i == j or i in drop or j in drop or not _compatible(a, b):
                continue
            if (
                a.category == b.category
                and a.measure == b.measure
                and (a.value, a.low, a.high) == (b.value, b.low, b.high)
                and a.status == b.status == "ok"
            ):
                drop.add(j if _info(a) >= _info(b) else i)
                continue
            if a.status != "ok" or b.status != "ok":
                continue
            family = a.category == b.category or (a.category in _PEOPLE_FAMILY and b.category in _PEOPLE_FAMILY)
            if family and _restates(a, b):
                drop.add(i)
    drop |= {i for i, a in enumerate(claims) if i not in drop and _rounds_a_total(a, claims)}
    return [c for k, c in enumerate(claims) if k not in drop]


def _rounds_a_total(a: Claim, claims: list[Claim]) -> bool:
    """A qualified round figure ("more than 834,000", "понад 243 тис.", "oltre 60.600") within 1 % of a precise
    figure of the same family the text gives, by the same claimant or in the headline (whoever the headline's
    clause seems to name): a restatement of it."""
    if a.status != "ok" or a.value is None or a.qualifier not in ("more_than", "about") or a.value < 1000:
        return False
    family = _PEOPLE_FAMILY if a.category in _PEOPLE_FAMILY else {a.category}
    for b in claims:
        if (
            b is a
            or b.status != "ok"
            or b.value is None
            or b.category not in family
            or b.subject != a.subject
            or not (a.headline or a.claimant == b.claimant)
        ):
            continue
        below = b.value >= a.value if a.qualifier == "more_than" else True
        if below and _zeros(a.value) > _zeros(b.value) and abs(b.value - a.value) <= 0.01 * b.value:
            return True
    return False
