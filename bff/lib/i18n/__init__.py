"""User-facing text in zh-CN (first) and English: one catalogue, one lookup.

Every text a user sees has a key in the catalogue with its zh-CN and en wording;
`translate(key, locale, **params)` looks it up and fills `{name}` placeholders by name.
Code passes keys and data-only codes around (flag codes, reason codes, compass points)
and translates at the edge: templates call `t("key")`, errors carry a message key.
This module imports no capability: texts are data here, the codes stay with their owners.

The catalogue is split by capability into data modules of this package (`auth`,
`catalog`, `live` …), each a `MESSAGES` dict of key -> (zh-CN, en). A capability adds
its texts by adding a module here and listing it in `_TABLES`; keys are unique across
all modules.

The locale comes from the `lang` cookie (the language switch), else the Accept-Language
header with its weights, else zh-CN. Users and sessions carry no language preference of
their own: the cookie is it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.template.base import TemplateEngineProtocol

from bff.lib.i18n import (
    alert_inbox,
    alerts,
    auth,
    catalog,
    catalog_import,
    common,
    live,
    playback,
    ptz,
    push,
    sharing,
    validation,
)
from bff.lib.i18n.accept_language import negotiate

Locale = Literal["zh-CN", "en"]
DEFAULT_LOCALE: Locale = "zh-CN"
LOCALES: tuple[Locale, ...] = ("zh-CN", "en")
"""Supported locales, in the order of each catalogue entry's texts."""

_TABLES: tuple[Mapping[str, tuple[str, str]], ...] = (
    common.MESSAGES,
    alerts.MESSAGES,
    alert_inbox.MESSAGES,
    auth.MESSAGES,
    catalog.MESSAGES,
    catalog_import.MESSAGES,
    live.MESSAGES,
    playback.MESSAGES,
    ptz.MESSAGES,
    sharing.MESSAGES,
    push.MESSAGES,
    validation.MESSAGES,
)


def _merge(tables: tuple[Mapping[str, tuple[str, str]], ...]) -> Mapping[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for table in tables:
        repeated = merged.keys() & table.keys()
        if repeated:
            raise ValueError(f"message keys defined twice: {sorted(repeated)}")
        merged.update(table)
    return MappingProxyType(merged)


MESSAGES: Mapping[str, tuple[str, str]] = _merge(_TABLES)
"""The whole catalogue: key -> (zh-CN text, en text)."""


def translate(key: str, locale: str = DEFAULT_LOCALE, **params: object) -> str:
    """Text for `key` in `locale` with `params` filled in by name.

    Unknown keys come back as the key (visible in tests and on the page). Without
    params the text is returned as written, placeholders included, so a script can fill
    them (the map's strings).
    """
    texts = MESSAGES.get(key)
    if texts is None:
        return key
    text = texts[1] if locale == "en" else texts[0]
    return text.format(**params) if params else text


def locale_of(connection: ASGIConnection) -> Locale:
    """The user's locale: the `lang` cookie, then Accept-Language (q-values), then zh-CN."""
    cookie = connection.cookies.get("lang")
    if cookie in LOCALES:
        return cookie  # type: ignore[return-value]
    header = connection.headers.get("accept-language", "")
    return negotiate(header, LOCALES, DEFAULT_LOCALE)  # type: ignore[return-value]


def register_template_callables(engine: TemplateEngineProtocol[Any, Any],
                                **helpers: Callable[..., str]) -> None:
    """Give templates `t(key, **params)` and `lang()` in the locale of the request being
    rendered, and each of `helpers` as `name(*args)`, called with `locale=` that locale.

    Helpers are capabilities' texts computed from data (the catalogue's
    `compass=bff.catalog.nearby.compass_label` for a bearing); this module knows no
    capability, so the app passes them in.
    """

    def t(context: Mapping[str, Any], key: str, **params: Any) -> str:
        return translate(key, locale_of(context["request"]), **params)

    def lang(context: Mapping[str, Any]) -> str:
        return locale_of(context["request"])

    engine.register_template_callable("t", t)
    engine.register_template_callable("lang", lang)
    for name, helper in helpers.items():
        engine.register_template_callable(name, _in_request_locale(helper))


def _in_request_locale(helper: Callable[..., str]) -> Callable[..., str]:
    def call(context: Mapping[str, Any], *args: Any) -> str:
        return helper(*args, locale=locale_of(context["request"]))

    return call
