"""The password rule (OWASP ASVS V6): at least 12 characters, not a common or easily guessed
password, and not the person's own email address or name. One function, used wherever a person
chooses a password: the account page and `registry users create --password-stdin`."""

import re

from zxcvbn import zxcvbn

# zxcvbn's score: 3 means about 10^8 guesses or more, safely beyond an online attack and slow
# to crack offline from a scrypt hash; it knows the common-password and dictionary lists.
MINIMUM_SCORE = 3


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def password_problems(password: str, *, email: str | None, name: str | None) -> list[str]:
    """What is wrong with a password someone chose (empty when it is fine). Length is the
    schemas' rule and is checked there."""
    squashed = _squashed(password)
    own = [email or "", (email or "").split("@")[0], name or ""]
    own += [part for part in re.split(r"\s+", name or "") if len(part) >= 4]
    for value in own:
        candidate = _squashed(value)
        if len(candidate) >= 4 and candidate in squashed:
            return ["Do not use your email address or your name in your password."]
    result = zxcvbn(password, user_inputs=[value for value in own if value])
    if result["score"] < MINIMUM_SCORE:
        warning = result["feedback"].get("warning") or "It would be easy to guess."
        return [
            f"Choose a harder password: {warning.rstrip('.')}. A few unrelated words work well."
        ]
    return []
