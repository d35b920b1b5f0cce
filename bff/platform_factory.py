"""Choose the platform implementation from the settings (BFF_PLATFORM)."""

from __future__ import annotations

from bff.lib.settings import Settings
from bff.platform.base import Platform


def create_platform(settings: Settings) -> Platform:
    """The demo platform, or the WVP adapter when `settings.platform.kind == "wvp"`.

    Nothing connects here: the WVP adapter signs in on its first call."""
    if settings.platform.kind == "wvp":
        from bff.platform.wvp import WvpPlatform

        return WvpPlatform(settings.wvp)
    from bff.demo.platform import DemoPlatform

    return DemoPlatform(settings)
