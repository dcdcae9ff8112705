"""`python run.py jobs` (list the jobs and their next run) and `python run.py jobs run NAME [--at TIME]`."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.config import Settings
from core.db import close_db, init_db
from core.errors import ValidationError
from scheduler.jobs import JOBS
from scheduler.runner import configure, last_runs, next_run, run_job


def parse_at(text: str | None, timezone: str) -> datetime | None:
    """An ISO 8601 time such as 2026-12-01T10:00:00+03:30; without an offset it is in the business time zone."""
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"--at: {text!r} is not an ISO time such as 2026-12-01T10:00:00+03:30") from None
    return (at if at.tzinfo else at.replace(tzinfo=ZoneInfo(timezone))).astimezone(UTC)


def _when(iso: object) -> str:
    try:
        return datetime.fromisoformat(str(iso)).isoformat(timespec="seconds")
    except ValueError:
        return "-"


def _counts(result: dict[str, object] | None) -> str:
    return " ".join(f"{k}={v}" for k, v in (result or {}).items()) or "-"


async def list_jobs(settings: Settings) -> int:
    """Print every job: its interval, next run and last run."""
    now = datetime.now(UTC)
    await init_db(settings.database_url)
    try:
        runs = await last_runs()
    finally:
        await close_db()
    print(f"{'job':<14} {'every':>7}  {'next run (UTC)':<25}  {'last run (UTC)':<25}  result")
    for job in JOBS.values():
        last = runs.get(job.name, {})
        every = f"{int(job.every.total_seconds() // 60)}m"
        print(
            f"{job.name:<14} {every:>7}  {next_run(job, now).isoformat(timespec='seconds'):<25}  "
            f"{_when(last.get('ran_at')):<25}  {_counts(last.get('result'))}"
        )
    return 0


async def run_one(settings: Settings, name: str, at: str | None) -> int:
    """Run one job now, as of `--at` if given; prints what it did."""
    if name not in JOBS:
        raise ValidationError(f"unknown job {name!r}; jobs: {', '.join(JOBS)}")
    now = parse_at(at, settings.timezone)
    configure(settings)
    await init_db(settings.database_url)
    try:
        outcome = await run_job(name, settings, now)
    finally:
        await close_db()
    when = outcome.now.isoformat(timespec="seconds")
    if not outcome.ran:
        print(f"{name}: skipped, another process is running it")
        return 0
    print(f"{name} ran as of {when}: {_counts(outcome.result)}")
    return 0
