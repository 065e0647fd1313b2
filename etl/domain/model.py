"""What parsers yield and loaders take: one cumulative count of one category on one day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etl.errors import InputError

# The bulletin sources, in priority order (core.source.priority): every module takes them from here.
SOURCES = ("mod", "minfin", "russianwarship")


@dataclass(frozen=True)
class Observation:
    as_of: date
    category: str  # a code of etl.domain.categories
    cumulative: int
    increase: int | None  # the "(+N)" the source printed; None when it printed none
    qualifier: str | None  # 'about', 'more_than' or None
    source: str  # 'minfin', 'mod', 'russianwarship'
    document_id: int | None = None  # raw.document.id when parsed from the archive
    # Why a figure is kept although it breaks the category contract (core.observation.note), e.g. a
    # category printed outside its official validity; None for an ordinary observation.
    note: str | None = None

    def to_json(self) -> dict:
        """The JSON-lines form `attrition parse` prints."""
        out = {
            "as_of": self.as_of.isoformat(),
            "category": self.category,
            "cumulative": self.cumulative,
            "increase": self.increase,
            "qualifier": self.qualifier,
            "source": self.source,
        }
        if self.note:
            out["note"] = self.note
        return out


class ParseError(InputError):
    """A document that cannot be read: names the source, the URL and the field at fault."""

    def __init__(self, source: str, url: str, field: str, problem: str):
        super().__init__(f"{source}: {url}: {field}: {problem}")
        self.source, self.url, self.field, self.problem = source, url, field, problem
