"""Peyk's command line: `python run.py` serves everything; see `python run.py --help`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from core.config import load_settings
from core.errors import ConfigError, PeykError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run.py", description="Peyk (پیک) omnichannel CRM")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve web admin, API, webhooks, bots and jobs (default)")
    sub.add_parser("migrate", help="apply database migrations")
    admin = sub.add_parser("createadmin", help="create an admin user")
    admin.add_argument("username")
    token = sub.add_parser("token", help="print a new API token for a user")
    token.add_argument("username")
    sub.add_parser("demo", help="load a Persian demo company")
    jobs = sub.add_parser("jobs", help="list the scheduled jobs, or run one: jobs run NAME [--at ISO-TIME]")
    jobs_sub = jobs.add_subparsers(dest="jobs_command")
    run_job = jobs_sub.add_parser("run", help="run one job now (as of --at, for operators and tests)")
    run_job.add_argument("name")
    run_job.add_argument("--at", help="the time to run it as of, e.g. 2026-12-01T10:00:00+03:30")
    return parser


async def _dispatch(args: argparse.Namespace) -> int:
    settings = load_settings()
    from core.logs import setup_logging

    setup_logging(settings)
    command = args.command or "serve"
    if command == "serve":
        from bootstrap import serve_forever

        await serve_forever(settings)
        return 0
    from core import commands

    if command == "migrate":
        return await commands.migrate(settings)
    if command == "createadmin":
        password = os.environ.get("PEYK_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        return await commands.create_admin(settings, args.username, password)
    if command == "token":
        return await commands.token(settings, args.username)
    if command == "demo":
        return await commands.demo(settings)
    if command == "jobs":
        from scheduler import cli

        if args.jobs_command == "run":
            return await cli.run_one(settings, args.name, args.at)
        return await cli.list_jobs(settings)
    raise AssertionError(command)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; errors are one clear line."""
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(_dispatch(args))
    except ConfigError as exc:
        print(f"peyk: configuration error: {exc}", file=sys.stderr)
        return 2
    except PeykError as exc:
        print(f"peyk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
