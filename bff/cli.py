"""The `bff` command line: serve, migrate, seed the demo, create users, import or sync the
camera catalogue, verify the audit chain, send a signed alert event. Settings come from
BFF_* environment variables (see README)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bff.lib.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bff.audit.services import AuditAction, AuditLog
    from bff.catalog.sync import SyncSummary
    from bff.lib.db import Database


@asynccontextmanager
async def _sealed_audit(settings: Settings, database: Database, *,
                        create_key: bool) -> AsyncIterator[AuditLog]:
    """The audit log with the app's own seal (key, anchor file, Redis anchor when set),
    so entries written here chain and anchor exactly like the server's."""
    from redis.asyncio import Redis

    from bff.audit.seal import open_seal
    from bff.audit.services import AuditLog

    redis = Redis.from_url(settings.redis.url) if settings.redis.url else None
    try:
        yield AuditLog(database, open_seal(
            settings.audit, settings.database, redis=redis,
            redis_key=f"{settings.redis.key_prefix}:audit-anchor", create_key=create_key))
    finally:
        if redis is not None:
            await redis.aclose()


async def _audit_cli(settings: Settings, database: Database, action: AuditAction,
                     target: str, detail: dict[str, Any]) -> None:
    """Every command that changes data leaves an entry naming the operating-system
    account that ran it (a CLI has no signed-in user)."""
    async with _sealed_audit(settings, database, create_key=True) as audit:
        await audit.record(action, actor_id=None, actor=f"cli:{_os_user()}"[:64],
                           target=target[:64], detail=detail)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid in some containers
        return f"uid{os.getuid()}"


GRACEFUL_SHUTDOWN_S = 5
"""Seconds a stopping server lets requests in flight finish before cancelling them."""


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from bff.app import create_app

    trusted = settings.server.trusted_proxies
    uvicorn.run(create_app(settings), host=args.host or settings.server.host,
                port=args.port or settings.server.port, log_level=settings.server.log_level,
                lifespan="on", server_header=False,  # no banner (SECURITY.md)
                # uvicorn rewrites the client address from X-Forwarded-For only for these.
                proxy_headers=bool(trusted), forwarded_allow_ips=",".join(trusted) or None,
                # Open pages hold event streams (the live alert channel) that never finish
                # on their own: a stop or restart would otherwise wait for each to time out.
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)
    return 0


async def _migrate(settings: Settings) -> None:
    from bff.lib.db import create_database
    from bff.migrate import upgrade_to_head

    database = create_database(settings.database)
    try:
        await upgrade_to_head(database)
    finally:
        await database.close()


async def _seed_demo(settings: Settings) -> int:
    from bff.auth.departments import seed_departments
    from bff.lib.db import create_database
    from bff.migrate import upgrade_to_head
    from bff.platform.base import SeedsFirstRun
    from bff.platform_factory import create_platform

    database = create_database(settings.database)
    platform = create_platform(settings)
    try:
        if not isinstance(platform, SeedsFirstRun):
            print(f"the {settings.platform.kind} platform brings no demo data", file=sys.stderr)
            return 1
        await upgrade_to_head(database)
        await seed_departments(database)
        seeded = await platform.seed_first_run(database, password=settings.demo.password)
        from bff.audit.services import AuditAction

        await _audit_cli(settings, database, AuditAction.DEMO_SEED, settings.platform.kind,
                         {"seeded": dict(seeded)})
        print("seeded " + " ".join(f"{name}={count}" for name, count in seeded.items()))
        return 0
    finally:
        await platform.close()
        await database.close()


async def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bff.auth.departments import seed_departments
    from bff.auth.models import Role, User
    from bff.auth.passwords import hash_password
    from bff.lib.db import create_database
    from bff.migrate import upgrade_to_head

    if args.role not in {r.value for r in Role}:
        print(f"unknown role {args.role!r}; one of {', '.join(r.value for r in Role)}", file=sys.stderr)
        return 2
    password = args.password or getpass.getpass("password: ")
    if len(password) < 8:
        print("password must have at least 8 characters", file=sys.stderr)
        return 2
    database = create_database(settings.database)
    try:
        await upgrade_to_head(database)
        await seed_departments(database)
        async with database.sessions() as session, session.begin():
            if await session.scalar(select(User.id).where(User.username == args.username)):
                print(f"user {args.username} exists", file=sys.stderr)
                return 1
            session.add(User(username=args.username, display_name=args.display_name,
                             staff_no=args.staff_no, password_hash=hash_password(password),
                             dept_code=args.dept, region_prefix=args.region, role=args.role))
        from bff.audit.services import AuditAction

        await _audit_cli(settings, database, AuditAction.USER_CREATE, args.username,
                         {"dept": args.dept, "region": args.region, "role": args.role,
                          "staff_no": args.staff_no})
        print(f"created {args.username}")
        return 0
    finally:
        await database.close()


async def _unlock_user(settings: Settings, username: str) -> int:
    from bff.audit.services import AuditAction
    from bff.auth.throttle import SignInThrottle
    from bff.lib.db import create_database
    from bff.lib.stores import build_stores

    if not settings.redis.url:
        print("the embedded default keeps sign-in failures in the server's memory: an "
              "administrator unlocks the account in the app (POST /api/admin/users/NAME/unlock)",
              file=sys.stderr)
        return 2
    from bff.migrate import upgrade_to_head

    stores = build_stores(settings.redis)
    database = create_database(settings.database)
    try:
        await upgrade_to_head(database)
        was_locked = await SignInThrottle(settings.auth, stores.by_name["auth"]).unlock(username)
        await _audit_cli(settings, database, AuditAction.ACCOUNT_UNLOCK, username,
                         {"was_locked": was_locked})
    finally:
        await stores.close()
        await database.close()
    print(f"{username}: {'unlocked' if was_locked else 'was not locked'}")
    return 0


async def _verify_audit(settings: Settings) -> int:
    from bff.audit.seal import AuditKeyMissing
    from bff.lib.db import create_database

    database = create_database(settings.database)
    try:
        async with _sealed_audit(settings, database, create_key=False) as audit:
            report = await audit.verify()
    except AuditKeyMissing as exc:
        print(f"cannot verify the audit log: {exc}", file=sys.stderr)
        return 2
    finally:
        await database.close()
    if report.intact:
        print(f"audit chain intact: entries={report.checked}")
        return 0
    print(f"audit chain BROKEN ({report.problem}): {report.explanation} "
          f"(after {report.checked} good entries)")
    return 1


async def _catalog_import(settings: Settings, args: argparse.Namespace) -> int:
    from bff.catalog.importer import import_catalogue
    from bff.lib.db import create_database
    from bff.migrate import upgrade_to_head

    database = create_database(settings.database)
    try:
        await upgrade_to_head(database)
        summary = await import_catalogue(database, args.path, args.report)
        from bff.audit.services import AuditAction

        await _audit_cli(settings, database, AuditAction.CATALOG_IMPORT, Path(args.path).name,
                         {"imported": summary.imported, "flagged": summary.flagged,
                          "refused": summary.refused, "via": "cli"})
    except (OSError, ValueError) as exc:
        print(f"cannot import {args.path}: {exc}", file=sys.stderr)
        return 1
    finally:
        await database.close()
    print(f"imported={summary.imported} flagged={summary.flagged} refused={summary.refused}")
    print(f"report: {summary.report_path}")
    return 0


async def _catalog_sync(settings: Settings) -> int:
    from bff.catalog.sync import sync_catalogue
    from bff.lib.db import create_database
    from bff.migrate import upgrade_to_head
    from bff.platform.base import PlatformError
    from bff.platform_factory import create_platform

    database = create_database(settings.database)
    platform = create_platform(settings)
    try:
        await upgrade_to_head(database)
        summary = await sync_catalogue(database, platform, platform_id=settings.platform.kind)
        from bff.audit.services import AuditAction

        await _audit_cli(settings, database, AuditAction.CATALOG_SYNC, settings.platform.kind,
                         {"summary": summary.line()})
        raised = await _raise_camera_offline(settings, database, summary)
    except PlatformError as exc:
        print(f"cannot sync the catalogue: {exc}", file=sys.stderr)
        return 1
    finally:
        await platform.close()
        await database.close()
    print(f"catalogue sync: {summary.line()}")
    if summary.went_offline:
        print(f"camera_offline alerts: {raised} new of {len(summary.went_offline)} gone offline")
    return 0


async def _raise_camera_offline(settings: Settings, database: Database,
                                summary: SyncSummary) -> int:
    """camera_offline for the cameras the sync saw go offline, through the same pipeline
    as the server's own sync (a running server's delivery workers send them)."""
    if not summary.went_offline:
        return 0
    from bff.alerts.admin import AlertAdminService
    from bff.alerts.offline import raise_camera_offline
    from bff.alerts.services import AlertService
    from bff.alerts.types import AlertTypes
    from bff.audit.services import AuditLog
    from bff.catalog.services import CatalogService
    from bff.lib.ratelimit import RateLimiter

    audit = AuditLog(database)
    catalog = CatalogService(database)
    await catalog.load()
    types = AlertTypes()
    await AlertAdminService(database, types, audit).load_types()
    alerts = AlertService(settings.alerts, database, catalog, audit,
                          RateLimiter(settings.alerts.rate, settings.alerts.rate_window_s),
                          types=types)
    return await raise_camera_offline(alerts, summary.went_offline)


def _alerts_send(settings: Settings, args: argparse.Namespace) -> int:
    import httpx

    from bff.alerts.sender import SendError, choose_source, event_body, send

    try:
        source, secret = choose_source(settings.alerts.sources, args.source)
        body = event_body(args.type, args.device_id, event_id=args.event_id,
                          snapshot=args.snapshot, detail=args.detail,
                          confidence=args.confidence)
        answer = send(args.url, source, secret, body)
    except SendError as exc:
        print(f"cannot send: {exc}", file=sys.stderr)
        return 2
    except httpx.HTTPError as exc:
        print(f"cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
    print(f"{answer.status_code} {answer.text}")
    return 0 if answer.status_code in (200, 202) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bff", description="城市睿眼 Mobile BFF")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server (migrates and seeds the demo first)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("migrate", help="bring the database schema to the newest revision")
    sub.add_parser("seed-demo", help="create demo accounts and the demo catalogue")
    user = sub.add_parser("create-user", help="add a staff account")
    user.add_argument("username")
    user.add_argument("--display-name", required=True)
    user.add_argument("--staff-no", required=True)
    user.add_argument("--dept", required=True, help="department code, 01–32 or 99")
    user.add_argument("--region", required=True, help="civil-code prefix, e.g. 4415 or 441502")
    user.add_argument("--role", default="officer")
    user.add_argument("--password", help="prompted for when omitted")
    unlock = sub.add_parser("unlock-user", help="lift the lock of an account under "
                            "distributed password guessing (Redis deployments)")
    unlock.add_argument("username")
    catalog = sub.add_parser("catalog", help="camera catalogue tools")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    catalog_import = catalog_sub.add_parser(
        "import", help="load an appendix-5 catalogue (.xlsx or .csv) and write a per-row report")
    catalog_import.add_argument("path")
    catalog_import.add_argument("--report", help="report CSV (default: PATH.report.csv beside it)")
    catalog_sub.add_parser(
        "sync", help="merge the platform's live channel fields (online, name, position, type) "
        "into the catalogue; new cameras are added unshared and flagged")
    audit = sub.add_parser("audit", help="audit log tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="verify the hash chain of the audit log")
    alerts = sub.add_parser("alerts", help="alert tools")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", required=True)
    send = alerts_sub.add_parser(
        "send", help="sign an alert event with a source's secret from BFF_ALERT_SOURCES and "
        "post it as the analysis platform would; prints the answer")
    send.add_argument("--type", required=True, help="flooding, kitchen_no_hat, … (README)")
    send.add_argument("--device-id", required=True, help="20-digit code of a catalogued camera")
    send.add_argument("--url", default="http://127.0.0.1:8000", help="the BFF's base URL")
    send.add_argument("--source", help="source name (default: the only one configured)")
    send.add_argument("--event-id", help="default: a fresh random id")
    send.add_argument("--snapshot", type=Path, help="a JPEG file to attach")
    send.add_argument("--detail")
    send.add_argument("--confidence", type=float)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"bad setting: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(settings, args)
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return 0
    if args.command == "seed-demo":
        return asyncio.run(_seed_demo(settings))
    if args.command == "unlock-user":
        return asyncio.run(_unlock_user(settings, args.username))
    if args.command == "create-user":
        return asyncio.run(_create_user(settings, args))
    if args.command == "catalog" and args.catalog_command == "sync":
        return asyncio.run(_catalog_sync(settings))
    if args.command == "catalog":
        return asyncio.run(_catalog_import(settings, args))
    if args.command == "alerts":
        return _alerts_send(settings, args)
    if args.command == "audit":
        return asyncio.run(_verify_audit(settings))
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
