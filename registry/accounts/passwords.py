"""The password rule (OWASP ASVS V6): at least 12 characters, not a common or easily guessed
password, not the person's own email address or name, and not built from the words every
attacker of a city tries first (its name, the year, a season, "password", "welcome").
One function, used wherever a person chooses a password: the account page and
`registry users create --password-stdin`."""

import re

from flask import current_app, has_app_context
from zxcvbn import zxcvbn

from registry.db import utctoday

# zxcvbn's score: 3 means about 10^8 guesses or more, safely beyond an online attack and slow
# to crack offline from a scrypt hash; it knows the common-password and dictionary lists.
MINIMUM_SCORE = 3


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


# What a guesser targeting a city's staff puts together first, besides the city's own name.
PREDICTABLE = (
    "password",
    "passw0rd",
    "welcome",
    "letmein",
    "admin",
    "city",
    "county",
    "town",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "friday",
    "qwerty",
)
# What is left of a password once those words, years, digits and symbols are taken out must be
# at least this long: "Riverton2026!" leaves nothing.
MINIMUM_REST = 6


def predictable_words() -> list[str]:
    """The city's name in its words (CITY_NAME, "City of Riverton"), and the usual words."""
    city = current_app.config.get("CITY_NAME", "") if has_app_context() else ""
    words = [_squashed(part) for part in re.split(r"\W+", city)]
    return [word for word in [*words, _squashed(city), *PREDICTABLE] if len(word) >= 3]


def _built_from_predictable_parts(squashed: str, words: list[str]) -> bool:
    rest = squashed
    for word in sorted(set(words), key=len, reverse=True):
        rest = rest.replace(word, "")
    year = utctoday().year
    for number in range(year - 60, year + 3):
        rest = rest.replace(str(number), "")
    rest = re.sub(r"[0-9]", "", rest)
    return len(rest) < MINIMUM_REST


def password_problems(password: str, *, email: str | None, name: str | None) -> list[str]:
    """What is wrong with a password someone chose (empty when it is fine). Length is the
    schemas' rule and is checked there."""
    squashed = _squashed(password)
    words = predictable_words()
    if _built_from_predictable_parts(squashed, words):
        return [
            "Do not build your password from the city's name, a year, a season or a common "
            "word: they are the first guesses. A few unrelated words work well."
        ]
    own = [email or "", (email or "").split("@")[0], name or ""]
    own += [part for part in re.split(r"\s+", name or "") if len(part) >= 4]
    for value in own:
        candidate = _squashed(value)
        if len(candidate) >= 4 and candidate in squashed:
            return ["Do not use your email address or your name in your password."]
    result = zxcvbn(password, user_inputs=[value for value in [*own, *words] if value])
    if result["score"] < MINIMUM_SCORE:
        warning = result["feedback"].get("warning") or "It would be easy to guess."
        return [
            f"Choose a harder password: {warning.rstrip('.')}. A few unrelated words work well."
        ]
    return []
