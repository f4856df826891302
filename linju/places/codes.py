"""Invite codes staff print for households (and as QR codes) so residents can bind quickly."""

import secrets

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def new_invite_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_invite_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())
