"""Choosing a locale from an Accept-Language header (RFC 9110 §12.5.4).

The header lists language ranges, each with an optional weight `q` from 0 to 1 (default
1; 0 means "not acceptable"). A locale takes the weight of the most specific range that
covers it: the locale's own tag, then any range of the same language, then `*`. "Same
language" is deliberately loose: the app has one Chinese (zh-CN) and one English, so
`zh-TW` or `zh-Hans` is answered in zh-CN and `en-GB` in en. Ranges that do not parse
are ignored, as RFC 9110 lets a recipient do, rather than failing the request.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

_RANGE = re.compile(r"\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*")
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")

# How well a range covers a locale; a more specific range overrides a broader one.
_EXACT, _SAME_LANGUAGE, _ANY = 3, 2, 1


class LanguageRange(NamedTuple):
    """One well-formed element of an Accept-Language header."""

    tag: str
    """Lower-cased language range, or "*"."""
    quality: float
    position: int
    """Order in the header: among equal weights the user listed this one earlier."""


def parse_accept_language(header: str) -> list[LanguageRange]:
    """The well-formed ranges of `header`, in header order; malformed elements are dropped."""
    ranges: list[LanguageRange] = []
    for position, element in enumerate(header.split(",")):
        tag, *params = (piece.strip() for piece in element.split(";"))
        tag = tag.lower()
        if not _RANGE.fullmatch(tag) or len(params) > 1:
            continue
        quality = 1.0
        if params:
            name, equals, value = params[0].partition("=")
            if name.strip().lower() != "q" or not equals or not _QVALUE.fullmatch(value.strip()):
                continue
            quality = float(value)
        ranges.append(LanguageRange(tag, quality, position))
    return ranges


def _coverage(tag: str, locale: str) -> int:
    if tag == "*":
        return _ANY
    if tag == locale.lower():
        return _EXACT
    if tag.split("-", 1)[0] == locale.split("-", 1)[0].lower():
        return _SAME_LANGUAGE
    return 0


@lru_cache(maxsize=256)  # browsers send a handful of distinct headers; templates ask often
def negotiate(header: str, supported: Sequence[str], default: str) -> str:
    """The supported locale the user prefers according to `header`.

    Highest weight wins; equal weights go to the range listed first, then to the order of
    `supported`. When nothing supported is acceptable the default answers, unless the
    user refused it (`zh;q=0`): then the first supported locale not refused does.
    """
    ranges = parse_accept_language(header)
    choices: list[tuple[float, int, int, str]] = []
    refused: set[str] = set()
    for rank, locale in enumerate(supported):
        covering = [(cover, r) for r in ranges if (cover := _coverage(r.tag, locale))]
        if not covering:
            continue
        best = max(cover for cover, _ in covering)
        quality, position = max(
            (r.quality, -r.position) for cover, r in covering if cover == best
        )
        if quality > 0:
            choices.append((quality, position, -rank, locale))
        else:
            refused.add(locale)
    if choices:
        return max(choices)[3]
    if default not in refused:
        return default
    return next((locale for locale in supported if locale not in refused), default)
