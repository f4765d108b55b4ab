"""Fingerprints of an uploaded file, to recognise the same data uploaded again.

Two fingerprints: the file's bytes, and its rows taken in any order (the same rows saved
again from Excel, or sorted differently, give another file but the same rows). A sheet
without record ids would otherwise create every row a second time.
"""

import hashlib
import json
from typing import IO, TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder

if TYPE_CHECKING:
    from .results import ImportResult

CHUNK = 1024 * 1024


def file_sha256(file: IO[bytes]) -> str:
    """The SHA-256 of a file's bytes; the file is rewound before and after."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(CHUNK), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def rows_sha256(result: "ImportResult") -> str:
    """The SHA-256 of the parsed rows' values, independent of the rows' order."""
    row_digests = sorted(_row_digest(row.values) for row in result.rows)
    digest = hashlib.sha256()
    for row_digest in row_digests:
        digest.update(row_digest)
    return digest.hexdigest()


def _row_digest(values: dict[str, Any]) -> bytes:
    text = json.dumps(
        values, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode()).digest()
