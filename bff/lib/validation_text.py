"""msgspec's validation errors in the user's language.

msgspec explains a rejected value in English ("Expected `int` <= 100 - at `$.speed`");
Litestar passes that text on with the field's name. Field workers read Chinese, so the
known shapes of those messages become catalogue texts (`validation.*` in bff.lib.i18n);
an unknown shape keeps msgspec's words (still naming the field) rather than hiding what
was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bff.lib.i18n import MESSAGES, Locale, translate

_LOCATED = re.compile(r"^(?P<message>.*?) - at `\$(?P<path>[^`]*)`$", re.S)
_KEYED = re.compile(r"^(?P<key>[\w.\[\]$]+): (?P<message>.+)$", re.S)


def _type(name: str, locale: str) -> str:
    key = f"validation.type.{name}"
    return translate(key, locale) if key in MESSAGES else name  # a type msgspec added later


def _clean_number(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


# msgspec's message shapes -> the catalogue key saying the same, and its parameters.
_Params = Callable[[re.Match[str], str], dict[str, str]]
_RULES: tuple[tuple[re.Pattern[str], str, _Params], ...] = (
    (re.compile(r"^Expected `(\w+)`, got `(\w+)`$"), "validation.expected_type",
     lambda m, locale: {"expected": _type(m[1], locale), "got": _type(m[2], locale)}),
    (re.compile(r"^Expected `(\w+)` (>=|<=|>|<) (\S+)$"), "validation.bounded",
     lambda m, locale: {"type": _type(m[1], locale), "limit": _clean_number(m[3]),
                        "bound": translate(f"validation.bound.{m[2]}", locale)}),
    (re.compile(r"^Expected `(\w+)` of length (>=|<=) (\d+)$"), "validation.length",
     lambda m, locale: {"limit": m[3], "bound": translate(f"validation.bound.{m[2]}", locale)}),
    (re.compile(r"^Expected `str` matching regex .*$"), "validation.pattern",
     lambda m, locale: {}),
    (re.compile(r"^Invalid enum value (.+)$"), "validation.enum",
     lambda m, locale: {"value": m[1]}),
    (re.compile(r"^Object missing required field `([^`]+)`$"), "validation.missing_field",
     lambda m, locale: {"name": m[1]}),
    (re.compile(r"^Object contains unknown field `([^`]+)`$"), "validation.unknown_field",
     lambda m, locale: {"name": m[1]}),
    (re.compile(r"^Invalid RFC3339 encoded (\w+)$"), "validation.rfc3339",
     lambda m, locale: {"type": _type(m[1], locale)}),
    (re.compile(r"^Expected `datetime` with a timezone component$"), "validation.timezone",
     lambda m, locale: {}),
    (re.compile(r"^Invalid base64 encoded string$"), "validation.base64",
     lambda m, locale: {}),
    (re.compile(r"^(JSON is malformed|Input data was truncated).*$"), "validation.malformed_json",
     lambda m, locale: {}),
)


def describe_validation_error(raw: str, locale: Locale) -> str:
    """`raw` ("field: msgspec message" or "message - at `$.path`") in `locale`."""
    field, message = "", raw.strip()
    located = _LOCATED.match(message)
    if located:
        field, message = located["path"].lstrip("."), located["message"]
    else:
        keyed = _KEYED.match(message)
        if keyed:
            field, message = keyed["key"], keyed["message"]
            located = _LOCATED.match(message)  # Litestar may keep msgspec's location too
            if located:
                message = located["message"]
                field = located["path"].lstrip(".") or field
    if field in {"data", "body", "$"}:
        field = ""  # the body as a whole
    for pattern, key, params in _RULES:
        matched = pattern.match(message)
        if matched:
            message = translate(key, locale, **params(matched, locale))
            break
    if not field:
        return message
    return translate("validation.in_field", locale, field=field, message=message)
