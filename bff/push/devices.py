"""A short name for a device from its browser's User-Agent, so a user can tell their
subscribed devices apart in the list (华为手机 · Chrome …)."""

from __future__ import annotations

import re

_SYSTEMS: tuple[tuple[str, str], ...] = (
    (r"iPhone", "iPhone"), (r"iPad", "iPad"), (r"HarmonyOS|OpenHarmony", "HarmonyOS"),
    (r"Android", "Android"), (r"Windows", "Windows"), (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"), (r"Linux", "Linux"),
)
_BROWSERS: tuple[tuple[str, str], ...] = (
    (r"MicroMessenger", "WeChat"), (r"HuaweiBrowser", "Huawei Browser"),
    (r"EdgA?/", "Edge"), (r"Firefox/|FxiOS/", "Firefox"), (r"SamsungBrowser/", "Samsung Internet"),
    (r"CriOS/|Chrome/|Chromium/", "Chrome"), (r"Safari/", "Safari"),
)


def device_label(user_agent: str | None) -> str:
    """`Chrome · Android`, `Safari · iPhone` …; `?` parts when the agent says nothing."""
    agent = user_agent or ""
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, agent)), "?")
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, agent)), "?")
    return f"{browser} · {system}"
