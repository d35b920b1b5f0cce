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


def test_escalation_alarm_mapping_and_demo_alerts_defaults() -> None:
    settings = load_settings({})
    assert settings.alerts.escalate_minutes == 10
    assert settings.alerts.alarm_types == {"6": "smuggling_intrusion"}
    assert settings.alerts.types_refresh_s == 30
    assert settings.demo.alerts_interval_s == 120


def test_escalation_alarm_mapping_and_demo_alerts_from_the_environment() -> None:
    settings = load_settings({
        "BFF_ALERT_ESCALATE_MINUTES": "0", "BFF_DEMO_ALERTS_SECONDS": "0",
        "BFF_ALERT_ALARM_TYPES": json.dumps({"1": "camera_offline", "6": "smuggling_intrusion"}),
        "BFF_ALERT_TYPES_REFRESH_SECONDS": "5"})
    assert settings.alerts.escalate_minutes == 0 and settings.demo.alerts_interval_s == 0
    assert settings.alerts.alarm_types == {"1": "camera_offline", "6": "smuggling_intrusion"}
    assert settings.alerts.types_refresh_s == 5
    assert load_settings({"BFF_ALERT_ALARM_TYPES": "{}"}).alerts.alarm_types == {}


@pytest.mark.parametrize(("name", "value"), [
    ("BFF_ALERT_ALARM_TYPES", '["6"]'),
    ("BFF_ALERT_ALARM_TYPES", json.dumps({"6": ""})),
    ("BFF_ALERT_ALARM_TYPES", json.dumps({"6": 7})),
    ("BFF_ALERT_ESCALATE_MINUTES", "-1"),
    ("BFF_DEMO_ALERTS_SECONDS", "soon"),
])
def test_bad_alert_settings_refuse_to_start(name: str, value: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({name: value})
