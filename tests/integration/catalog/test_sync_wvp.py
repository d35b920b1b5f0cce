"""`bff catalog sync` against the WVP test double: the CLI signs in, walks WVP's
catalogue into the database, and says why when WVP is unreachable or not configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wvp_double import ChannelSpec, WvpDouble

NEW_LOCATED = "44150200001320990001"
NEW_UNLOCATED = "44158100001320990002"


def test_cli_catalog_sync_against_wvp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from bff.cli import main

    monkeypatch.setenv("BFF_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("BFF_PLATFORM", "wvp")
    monkeypatch.setenv("BFF_WVP_PASSWORD", "Wvp#Secret-2026")
    with WvpDouble() as double:
        double.add_channel(ChannelSpec(code=NEW_LOCATED, name="平台新增", parent=NEW_LOCATED,
                                       longitude=115.37, latitude=22.79))
        double.add_channel(ChannelSpec(code=NEW_UNLOCATED, name="无坐标", parent=NEW_LOCATED))
        monkeypatch.setenv("BFF_WVP_URL", double.url)
        assert main(["catalog", "sync"]) == 0
        assert main(["catalog", "sync"]) == 0
    out = [line for line in capsys.readouterr().out.splitlines() if "sync" in line]
    assert out == [
        "catalogue sync: listed=2 updated=0 inserted=2 unchanged=0 missing_from_platform=0",
        "catalogue sync: listed=2 updated=0 inserted=0 unchanged=2 missing_from_platform=0"]

    monkeypatch.setenv("BFF_WVP_URL", double.url)  # the double has stopped: refused
    assert main(["catalog", "sync"]) == 1
    assert "cannot sync the catalogue" in capsys.readouterr().err
    monkeypatch.delenv("BFF_WVP_URL")
    assert main(["catalog", "sync"]) == 2
    assert "BFF_WVP_URL" in capsys.readouterr().err
