"""Join codes and generated secrets: short, from an alphabet nobody misreads, typed in any case.

A join code is 8 characters from :data:`ALPHABET` (31 characters: no O/0, I/L/1, no punctuation),
about 8.5e11 codes, shown as ``ABCD-EFGH``; it is accepted in any case, with or without the dash
or spaces. Unknown codes are throttled per client by the web layer, so guessing one is hopeless.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def random_code(length: int = CODE_LENGTH) -> str:
    """A random code of ``length`` characters from :data:`ALPHABET`."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def show_code(code: str) -> str:
    """A join code as printed for people: two groups of four."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


LEGACY_CODE = re.compile(r"^[A-Za-z0-9_-]{11}$")
"""Join codes of sessions created before the short codes (case-sensitive): still accepted as typed."""


def normalize_code(text: str) -> str:
    """A join code as typed in its stored form; '' if it cannot be one."""
    if LEGACY_CODE.match(text.strip()):
        return text.strip()
    code = "".join(ch for ch in text.upper() if ch not in " -")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return ""
    return code
