"""Column specs: one declaration writes the template, reads the file and writes exports."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .parsers import text


@dataclass(frozen=True)
class Column:
    """One column of an import/export sheet: header label, key, parser and help."""

    key: str
    label: Any  # a lazy translation: the header users see
    parser: Callable[[Any], Any] = field(default_factory=text)
    required: bool = False
    help: Any = ""
    example: Any = ""
    # obj → cell value for exports; by default the attribute named `key`.
    export: Callable[[Any], Any] | None = None
    empty: Any = ""  # value of a blank optional cell
    width: int = 16
    number_format: str = "@"  # text, so that codes keep their digits

    def value_of(self, obj: Any) -> Any:
        """The value of this column for one object, as written to an export."""
        if self.export is not None:
            return self.export(obj)
        return getattr(obj, self.key)


def normalise_header(value: Any) -> str:
    """A header cell without the marks and spaces people add (* for required, blanks)."""
    return str(value).replace("*", "").replace("＊", "").replace(" ", "").replace("\u3000", "")
