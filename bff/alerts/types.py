"""The kinds of alert the app knows (预警类型): the built-in ones and those an admin adds.

Each type carries what delivery needs besides its name: the Web Push urgency (RFC 8030 §5.3)
and how long a push service may hold the notification for an unreachable phone (TTL). A
flood or a fire is urgent and stale after an hour; a kitchen violation can wait for the
phone to come back. Labels of built-in types live in the i18n catalogue
(`alerts.type.<code>`); an admin-added type brings its own Chinese and English label.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import msgspec

from bff.lib.i18n import translate


class Urgency(StrEnum):
    """Web Push `Urgency` header values."""

    VERY_LOW = "very-low"
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class AlertTypeInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One alert type: its code (as posted in `type`), labels, urgency and push TTL."""

    code: str
    urgency: Urgency = Urgency.NORMAL
    ttl_s: int = 3600
    label_zh: str | None = None  # None for built-ins: the i18n catalogue has their labels
    label_en: str | None = None
    builtin: bool = False


BUILTIN_TYPES: tuple[AlertTypeInfo, ...] = (
    AlertTypeInfo(code="flooding", urgency=Urgency.HIGH, ttl_s=3600, builtin=True),
    AlertTypeInfo(code="kitchen_no_hat", urgency=Urgency.NORMAL, ttl_s=8 * 3600, builtin=True),
    AlertTypeInfo(code="kitchen_rodent", urgency=Urgency.NORMAL, ttl_s=8 * 3600, builtin=True),
    AlertTypeInfo(code="kitchen_garbage", urgency=Urgency.NORMAL, ttl_s=8 * 3600,
                  builtin=True),
    AlertTypeInfo(code="forest_fire", urgency=Urgency.HIGH, ttl_s=3600, builtin=True),
    AlertTypeInfo(code="smuggling_intrusion", urgency=Urgency.HIGH, ttl_s=1800, builtin=True),
    AlertTypeInfo(code="camera_offline", urgency=Urgency.LOW, ttl_s=4 * 3600, builtin=True),
)


class AlertTypes:
    """The registry of known types: the built-ins plus the admin-added ones (replaced as a
    whole whenever they are loaded from the database)."""

    def __init__(self, added: Iterable[AlertTypeInfo] = ()) -> None:
        self._by_code: dict[str, AlertTypeInfo] = {}
        self.replace_added(added)

    def replace_added(self, added: Iterable[AlertTypeInfo]) -> None:
        """Swap the admin-added types for `added` (built-ins always stay)."""
        by_code = {info.code: info for info in BUILTIN_TYPES}
        for info in added:
            if info.code not in by_code:  # a built-in cannot be redefined
                by_code[info.code] = info
        self._by_code = by_code

    def get(self, code: str) -> AlertTypeInfo | None:
        return self._by_code.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def all(self) -> list[AlertTypeInfo]:
        """Built-ins first in their fixed order, then added types by code."""
        builtins = [info for info in self._by_code.values() if info.builtin]
        added = sorted((info for info in self._by_code.values() if not info.builtin),
                       key=lambda info: info.code)
        return builtins + added

    def label(self, code: str, locale: str = "zh") -> str:
        """The type's name for people; an unknown code shows as itself."""
        info = self._by_code.get(code)
        if info is None:
            return code
        if info.builtin:
            return translate(f"alerts.type.{code}", locale)
        text = info.label_en if locale == "en" else info.label_zh
        return text or info.label_zh or code
