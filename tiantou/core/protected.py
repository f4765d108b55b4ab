"""Protected personal data: encrypted at rest, found again through a keyed digest.

The key is derived from TIANTOU_FIELD_KEY (or, when unset, SECRET_KEY): losing or
changing it makes stored values unreadable, so production sets TIANTOU_FIELD_KEY
once and backs it up with the database.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


def _key_material() -> bytes:
    return (getattr(settings, "TIANTOU_FIELD_KEY", "") or settings.SECRET_KEY).encode()


def _fernet() -> Fernet:
    key = hashlib.sha256(b"tiantou-field-encryption:" + _key_material()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text: str) -> str:
    """Encrypt a short text; empty stays empty."""
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    """Decrypt what `encrypt` made."""
    return _fernet().decrypt(token.encode()).decode() if token else ""


def digest(text: str) -> str:
    """A keyed digest for finding and de-duplicating a protected value without decrypting."""
    if not text:
        return ""
    key = hashlib.sha256(b"tiantou-field-digest:" + _key_material()).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
