"""Protected personal data: encrypted at rest, found again through a keyed digest.

The keys are `settings.TIANTOU_FIELD_KEYS`, newest first (see
docs/decisions/0004-protected-id-numbers.md). New values are encrypted and digested
with the first key; a value encrypted with any listed key still decrypts, and
`manage.py rotate_field_keys` re-encrypts stored values with the first key. Nothing
falls back to SECRET_KEY: losing every key that encrypted a value loses the value, so
production keeps its keys apart from the code and backs them up with the database.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class Undecryptable(Exception):
    """A stored value that none of the configured keys decrypts."""


def field_keys() -> list[str]:
    """The configured keys, newest first; ImproperlyConfigured when there are none."""
    keys = [k for k in getattr(settings, "TIANTOU_FIELD_KEYS", []) if k]
    if not keys:
        raise ImproperlyConfigured(
            "TIANTOU_FIELD_KEYS is empty: set TIANTOU_FIELD_KEY, the key of protected "
            "personal data (see docs/decisions/0004-protected-id-numbers.md)."
        )
    return keys


def _fernet_for(key: str) -> Fernet:
    # Any text may serve as a key: it is stretched into a Fernet key. The prefix keeps
    # the encryption key apart from the digest key made from the same text.
    derived = hashlib.sha256(b"tiantou-field-encryption:" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def _multi() -> MultiFernet:
    return MultiFernet([_fernet_for(key) for key in field_keys()])


def encrypt(text: str) -> str:
    """Encrypt a short text with the newest key; empty stays empty."""
    return _multi().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    """Decrypt what `encrypt` made with any configured key; `Undecryptable` when none fits."""
    if not token:
        return ""
    try:
        return _multi().decrypt(token.encode()).decode()
    except InvalidToken:
        raise Undecryptable from None


def needs_rotation(token: str) -> bool:
    """Whether a stored value was encrypted with a key other than the newest."""
    if not token:
        return False
    try:
        _fernet_for(field_keys()[0]).decrypt(token.encode())
    except InvalidToken:
        return True
    return False


def rotate(token: str) -> str:
    """The value re-encrypted with the newest key; `Undecryptable` when no key fits."""
    if not token:
        return ""
    try:
        return _multi().rotate(token.encode()).decode()
    except InvalidToken:
        raise Undecryptable from None


def digest(text: str) -> str:
    """A keyed digest (newest key) for finding and de-duplicating a value without decrypting."""
    if not text:
        return ""
    key = hashlib.sha256(b"tiantou-field-digest:" + field_keys()[0].encode()).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
