"""PTZ settings come from BFF_PTZ_* environment variables."""

from __future__ import annotations

import pytest

from bff.lib.settings import SettingsError, load_settings


def test_defaults() -> None:
    ptz = load_settings({}).ptz
    assert (ptz.rate, ptz.rate_window_s, ptz.watchdog_s, ptz.command_timeout_s) == (
        10, 1.0, 3.0, 5.0)


def test_environment_overrides() -> None:
    ptz = load_settings({"BFF_PTZ_RATE": "4", "BFF_PTZ_RATE_WINDOW": "2.5",
                         "BFF_PTZ_WATCHDOG_SECONDS": "1.5", "BFF_PTZ_TIMEOUT_SECONDS": "8"}).ptz
    assert (ptz.rate, ptz.rate_window_s, ptz.watchdog_s, ptz.command_timeout_s) == (
        4, 2.5, 1.5, 8.0)


@pytest.mark.parametrize("name", ["BFF_PTZ_RATE", "BFF_PTZ_WATCHDOG_SECONDS"])
def test_bad_values_are_reported(name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: "often"})


@pytest.mark.parametrize("name,value", [("BFF_PTZ_RATE", "0"), ("BFF_PTZ_RATE_WINDOW", "0"),
                                        ("BFF_PTZ_WATCHDOG_SECONDS", "-1")])
def test_limits_must_be_positive(name: str, value: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({name: value})
