"""Accept-Language with weights (RFC 9110 §12.5.4): which of zh-CN and en the user gets."""

from __future__ import annotations

import pytest

from bff.lib.i18n.accept_language import LanguageRange, negotiate, parse_accept_language

LOCALES = ("zh-CN", "en")


def choose(header: str) -> str:
    return negotiate(header, LOCALES, "zh-CN")


@pytest.mark.parametrize("header, locale", [
    ("", "zh-CN"),
    ("en", "en"),
    ("zh-CN", "zh-CN"),
    # Weights decide, not the order of the list.
    ("en;q=0.9, zh-CN;q=0.8", "en"),
    ("zh-CN;q=0.5, en;q=0.7", "en"),
    ("en;q=0.5, zh-CN", "zh-CN"),
    # Equal weights: the one listed first.
    ("en, zh-CN", "en"),
    ("zh-CN, en", "zh-CN"),
    ("en-US,en;q=0.9,zh-CN;q=0.8,zh;q=0.7", "en"),
    # q=0 is "not acceptable".
    ("zh;q=0, en", "en"),
    ("zh-CN;q=0, en;q=0.1", "en"),
    ("zh;q=0", "en"),  # Chinese refused, English never mentioned: better than refused
    ("en;q=0", "zh-CN"),
    ("zh;q=0, en;q=0", "zh-CN"),  # everything refused: the default regardless
    # Any language.
    ("*", "zh-CN"),
    ("*;q=0.5, en;q=0.4", "zh-CN"),
    ("en;q=0.4, *;q=0.5", "zh-CN"),
    ("*, zh;q=0", "en"),
    ("*;q=0", "zh-CN"),
    ("fr, *;q=0.1", "zh-CN"),
    # Language ranges: any Chinese is answered in zh-CN, any English in en.
    ("zh", "zh-CN"),
    ("zh-Hans", "zh-CN"),
    ("zh-Hans-CN", "zh-CN"),
    ("zh-TW", "zh-CN"),
    ("zh-HK;q=0.9, en;q=0.8", "zh-CN"),
    ("en-US", "en"),
    ("EN-gb", "en"),
    ("fr-FR, en-GB;q=0.5", "en"),
    ("fr-FR, de", "zh-CN"),  # nothing we have: the default
    # The most specific range decides for a locale.
    ("zh-CN;q=0, zh, en;q=0.5", "en"),
    ("zh;q=0.1, zh-CN;q=0.9, en;q=0.5", "zh-CN"),
    ("zh;q=0.2, en;q=0.5, *;q=0.9", "en"),
    # Malformed elements are ignored, the rest still count.
    ("en;q=abc, zh-CN;q=0.5", "zh-CN"),
    ("en;q=2, zh-CN;q=0.5", "zh-CN"),
    ("en;q=0.12345, zh-CN;q=0.5", "zh-CN"),
    ("en;level=1, zh-CN;q=0.5", "zh-CN"),
    ("en;q=0.9;q=0.1, zh-CN;q=0.5", "zh-CN"),
    ("en_US, zh-CN;q=0.5", "zh-CN"),
    ("toolongtag, zh-CN;q=0.5", "zh-CN"),
    (";q=1, en", "en"),
    (",,, en ,", "en"),
    ("en ; q=0.8 , zh-CN ; Q=0.9", "zh-CN"),
    ("q=0.9", "zh-CN"),
    ("\u4e2d\u6587, en", "en"),
])
def test_negotiation(header: str, locale: str) -> None:
    assert choose(header) == locale


def test_parsing_keeps_well_formed_ranges_in_order() -> None:
    assert parse_accept_language("en-US, zh;q=0.5, bad_tag, *;q=0") == [
        LanguageRange("en-us", 1.0, 0),
        LanguageRange("zh", 0.5, 1),
        LanguageRange("*", 0.0, 3),
    ]


def test_qvalues_at_the_bounds() -> None:
    assert [r.quality for r in parse_accept_language("a;q=1.000, b;q=0.001, c;q=1., d;q=0")] == [
        1.0, 0.001, 1.0, 0.0,
    ]  # fmt: skip
    assert parse_accept_language("a;q=1.001, b;q=-0, c;q=.5") == []
