"""The `bff` command line, run as operators run it: a separate process on a fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bff(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BFF_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
           "BFF_DEMO_CAMERAS": "200", "BFF_REDIS_URL": ""}
    return subprocess.run([sys.executable, "-m", "bff.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_create_user_on_a_fresh_database(tmp_path: Path) -> None:
    account = ["create-user", "duty07", "--display-name", "值班 张三", "--staff-no", "S07",
               "--dept", "15", "--region", "441502", "--role", "duty_staff",
               "--password", "Duty@2026-long"]
    created = bff(tmp_path, *account)
    assert created.returncode == 0, created.stderr
    assert "created duty07" in created.stdout
    again = bff(tmp_path, *account)
    assert again.returncode == 1 and "exists" in again.stderr
    bad_role = bff(tmp_path, *account[:-4], "--role", "king", "--password", "Duty@2026-long")
    assert bad_role.returncode == 2 and "unknown role" in bad_role.stderr


def test_seed_demo_reports_what_it_created(tmp_path: Path) -> None:
    first = bff(tmp_path, "seed-demo")
    assert first.returncode == 0, first.stderr
    assert "seeded users=8 cameras=200" in first.stdout
    second = bff(tmp_path, "seed-demo")  # idempotent
    assert "seeded users=0 cameras=0" in second.stdout
