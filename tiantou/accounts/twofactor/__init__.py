"""Two-factor authentication: TOTP authenticator apps and one-time recovery codes.

Required for system and county administrators when `TIANTOU_2FA_REQUIRED` is on,
optional for everyone else. Reads in `selectors`, writes in `services`, the gate that
holds a logged-in session until its second factor is checked in `middleware`.
"""
