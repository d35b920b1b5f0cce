"""User-facing text: one catalogue, Chinese first, English second."""

from __future__ import annotations

import string
from typing import Any

import pytest
from litestar.testing import RequestFactory

from bff.lib import i18n
from bff.lib.i18n import MESSAGES, locale_of, register_template_callables, translate


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_chinese_is_the_default() -> None:
    assert translate("auth.invalid_credentials") == "用户名或密码错误"
    assert translate("auth.invalid_credentials", "en") == "Wrong username or password"


def test_parameters_are_filled_by_name() -> None:
    assert translate("auth.throttled", "zh-CN", seconds=15) == (
        "登录失败次数过多，请 15 秒后再试"
    )
    assert translate("live.too_many_user", "en", limit=4) == "Too many open streams (limit 4)"


def test_without_parameters_placeholders_stay_for_scripts() -> None:
    assert translate("nearby.count", "en") == "{count} cameras"


def test_an_unknown_key_comes_back_as_itself() -> None:
    assert translate("no.such.key", "en") == "no.such.key"


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, texts in MESSAGES.items():
        assert len(texts) == len(i18n.LOCALES), key
        zh, en = texts
        assert zh.strip() and en.strip(), key
        assert _placeholders(zh) == _placeholders(en), key
        assert all(name.isidentifier() for name in _placeholders(zh)), key  # named, never {0}


def test_every_capability_table_is_in_the_catalogue_once() -> None:
    total = sum(len(table) for table in i18n._TABLES)
    assert total == len(MESSAGES)
    with pytest.raises(ValueError, match="defined twice"):
        i18n._merge(({"x.a": ("甲", "A")}, {"x.a": ("乙", "B")}))


@pytest.mark.parametrize("cookie, header, locale", [
    (None, None, "zh-CN"),
    (None, "en-US,en;q=0.9", "en"),
    ("en", "zh-CN", "en"),  # the language switch wins over the browser
    ("zh-CN", "en", "zh-CN"),
    ("fr", "en", "en"),  # an unknown cookie value is no choice
    (None, "en;q=0.9, zh-CN;q=0.8", "en"),
    (None, "zh;q=0, en", "en"),
])
def test_locale_of_a_request(cookie: str | None, header: str | None, locale: str) -> None:
    headers = {"accept-language": header} if header else {}
    cookies = f"lang={cookie}" if cookie else None
    request = RequestFactory().get("/", headers=headers, cookies=cookies)
    assert locale_of(request) == locale


class _Engine:
    def __init__(self) -> None:
        self.callables: dict[str, Any] = {}

    def register_template_callable(self, key: str, template_callable: Any) -> None:
        self.callables[key] = template_callable


def test_template_callables_speak_the_request_language() -> None:
    def perm(code: int, *, locale: str) -> str:  # a capability's text helper
        return translate(f"perm.{code}", locale)

    engine = _Engine()
    register_template_callables(engine, perm=perm)  # type: ignore[arg-type]
    assert set(engine.callables) == {"t", "lang", "perm"}
    context = {"request": RequestFactory().get("/", headers={"accept-language": "en"})}
    assert engine.callables["t"](context, "field.days", days=3) == "3 days"
    assert engine.callables["lang"](context) == "en"
    assert engine.callables["perm"](context, 2) == "Playback"
    chinese = {"request": RequestFactory().get("/")}
    assert engine.callables["t"](chinese, "field.days", days=3) == "3 天"
    assert engine.callables["lang"](chinese) == "zh-CN"
    assert engine.callables["perm"](chinese, 2) == "回放"
