"""Report kinds: each module builds a document from the data for a scope and period. Later
capabilities register their kinds here too."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise

from tiantou.core.periods import Period
from tiantou.indicators.engine import Scope

from ..document import Document


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: its name, where and for which periods it is written, and how."""

    key: str
    name: str | Promise
    build: Callable[..., Document]
    # Region levels (1 province … 5 village) a report of this kind may be written for.
    levels: frozenset[int] = frozenset({1, 2, 3})
    # Period kinds it is written for (Period.kind values).
    periods: frozenset[str] = frozenset({"year", "half"})
    description: str | Promise = ""

    def make(self, *, scope: Scope, period: Period, today=None) -> Document:
        """The document, in Chinese whatever language the page is shown in (the names of
        indicators, units and targets come through the catalogue)."""
        with translation.override("zh-hans"):
            return self.build(scope=scope, period=period, today=today)


KINDS: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    if kind.key in KINDS:
        raise ValueError(f"report kind {kind.key!r} is declared twice")
    KINDS[kind.key] = kind
    return kind


def get(key: str) -> ReportKind:
    _load()
    return KINDS[key]


def all_kinds() -> list[ReportKind]:
    _load()
    return list(KINDS.values())


def _load() -> None:
    """Import the kind modules (each registers itself) on first use."""
    # Imported here: each kind module imports `register` from this package.
    from . import allocation, county_work, programme_work, sci_assoc, spot_check  # noqa: F401
