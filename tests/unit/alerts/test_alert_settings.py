"""Alert sources from BFF_ALERT_SOURCES: short secrets refused at start, never shown."""

from __future__ import annotations

import json

import pytest

from bff.lib.settings import SettingsError, load_settings

GOOD = "k" * 32


def test_sources_load_and_their_secrets_stay_out_of_reprs() -> None:
    settings = load_settings({"BFF_ALERT_SOURCES": json.dumps({"analysis": GOOD}),
                              "BFF_ALERT_RATE": "100"})
    assert settings.alerts.sources == {"analysis": GOOD}
    assert settings.alerts.rate == 100 and settings.alerts.max_clock_skew_s == 300
    assert GOOD not in repr(settings) and "analysis" in repr(settings.alerts)


def test_defaults_accept_nobody() -> None:
    assert load_settings({}).alerts.sources == {}
    assert load_settings({}).alerts.rate == 600


@pytest.mark.parametrize("value", [
    json.dumps({"analysis": "k" * 31}),
    json.dumps({"": GOOD}),
    json.dumps({"analysis": 42}),
    "{not json",
])
def test_bad_sources_refuse_to_start_without_echoing_the_secret(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"BFF_ALERT_SOURCES": value})
    assert "BFF_ALERT_SOURCES" in str(refused.value) or "alerts" in str(refused.value)
    assert "k" * 31 not in str(refused.value)
