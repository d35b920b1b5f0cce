"""User-facing text: Chinese first, English second."""

from __future__ import annotations

from bff.lib.i18n import MESSAGES, translate


def test_chinese_is_the_default() -> None:
    assert translate("auth.invalid_credentials") == "用户名或密码错误"
    assert translate("auth.invalid_credentials", "en") == "Wrong username or password"


def test_parameters_are_filled() -> None:
    assert "15" in translate("auth.locked", "zh-CN", minutes=15)
    assert "4" in translate("live.too_many_user", "en", limit=4)


def test_every_message_has_both_languages_with_the_same_parameters() -> None:
    import string

    for key, (zh, en) in MESSAGES.items():
        assert zh and en, key
        fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
        assert fields(zh) == fields(en), key
