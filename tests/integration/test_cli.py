"""The `bff` command line, run as operators run it: a separate process on a fresh database."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bff(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BFF_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
           "BFF_DEMO_CAMERAS": "200", "BFF_REDIS_URL": "", "BFF_AUDIT_KEY": "",
           "BFF_AUDIT_KEY_FILE": str(tmp_path / "audit.key")}
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


def test_commands_that_change_data_are_audited_and_verify_catches_deletions(
        tmp_path: Path) -> None:
    assert bff(tmp_path, "seed-demo").returncode == 0
    created = bff(tmp_path, "create-user", "duty08", "--display-name", "值班 李四",
                  "--staff-no", "S08", "--dept", "15", "--region", "441502",
                  "--role", "duty_staff", "--password", "Duty@2026-long")
    assert created.returncode == 0, created.stderr
    key = tmp_path / "audit.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600  # made on first use, private
    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        rows = conn.execute("SELECT action, actor, target FROM audit_event ORDER BY seq").fetchall()
    assert [(action, target) for action, _, target in rows] == [
        ("demo.seed", "demo"), ("user.create", "duty08")]
    assert all(actor.startswith("cli:") for _, actor, _ in rows)
    intact = bff(tmp_path, "audit", "verify")
    assert intact.returncode == 0 and "entries=2" in intact.stdout, intact.stdout + intact.stderr

    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        conn.execute("DELETE FROM audit_event WHERE seq = 2")
    truncated = bff(tmp_path, "audit", "verify")
    assert truncated.returncode == 1 and "truncated" in truncated.stdout

    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        conn.execute("DELETE FROM audit_event")
    emptied = bff(tmp_path, "audit", "verify")
    assert emptied.returncode == 1 and "truncated" in emptied.stdout

    key.unlink()  # verify never invents a key
    keyless = bff(tmp_path, "audit", "verify")
    assert keyless.returncode == 2 and "no audit key" in keyless.stderr


def test_unlock_user_needs_the_shared_store(tmp_path: Path) -> None:
    refused = bff(tmp_path, "unlock-user", "admin")
    assert refused.returncode == 2 and "/api/admin/users/NAME/unlock" in refused.stderr
    redis_url = os.environ.get("BFF_TEST_REDIS_URL")
    if not redis_url:
        return
    env_redis = {"BFF_REDIS_URL": redis_url, "BFF_REDIS_PREFIX": f"bffcli-{tmp_path.name}"}
    unlocked = subprocess.run(
        [sys.executable, "-m", "bff.cli", "unlock-user", "admin"], cwd=ROOT, text=True,
        capture_output=True, timeout=120, check=False,
        env={**os.environ, "BFF_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'u.sqlite3'}",
             "BFF_AUDIT_KEY": "", "BFF_AUDIT_KEY_FILE": str(tmp_path / "audit.key"),
             **env_redis})
    assert unlocked.returncode == 0 and "admin: was not locked" in unlocked.stdout, unlocked.stderr
