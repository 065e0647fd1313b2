"""What parsers yield and loaders take: one cumulative count of one category on one day; and
:func:`field_dict`, the dict form the project's records give of themselves."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from etl.errors import InputError


def field_dict(record, skip: tuple[str, ...] = (), **values) -> dict:
    """A dataclass record's fields as a dict, in their order, without those in ``skip``; ``values``
    replace the fields of the same name (in their place) and follow them in the order given."""
    out = {f.name: getattr(record, f.name) for f in fields(record) if f.name not in skip}
    out.update(values)
    return out


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
        out = field_dict(self, skip=("document_id", "note"), as_of=self.as_of.isoformat())
        if self.note:
            out["note"] = self.note
        return out


class Parsed(list):
    """One document's observations as :func:`etl.losses.parsers.parse_document` returns them (a list), and
    ``new_keys``: the keys it printed that its parser does not know, read by the same parse
    (:mod:`etl.losses.source_keys`; only the russianwarship API has keyed fields), so the loader need not
    parse the document again to find them."""

    __slots__ = ("new_keys",)

    def __init__(self, observations=(), new_keys=()):
        super().__init__(observations)
        self.new_keys = list(new_keys)


class ParseError(InputError):
    """A document that cannot be read: names the source, the URL and the field at fault."""

    def __init__(self, source: str, url: str, field: str, problem: str):
        super().__init__(f"{source}: {url}: {field}: {problem}")
        self.source, self.url, self.field, self.problem = source, url, field, problem
