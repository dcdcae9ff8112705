"""Running the jobs: APScheduler inside the service, `run_job` for one sweep now, and the `jobs` command.

Fire times are aligned to fixed multiples of each job's interval, so every process fires at the same
moments and the advisory lock lets one of them run the sweep; `python run.py jobs` can therefore show
the next run of a job without asking the running service.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from tortoise.exceptions import IntegrityError

from core import alarm_text
from core.config import Settings
from core.errors import ValidationError
from core.models import Setting
from core.sweeps.lock import run_exclusive
from scheduler.job import Job
from scheduler.jobs import JOBS
from scheduler.reactions import install

log = logging.getLogger("peyk.scheduler")

ALIGN = datetime(2020, 1, 1, tzinfo=UTC)  # the fire times of every job are ALIGN + k × its interval
LAST_RUN = "scheduler.last_run."


@dataclass(frozen=True)
class JobRun:
    """The outcome of one run: whether this process ran it (or another held the lock) and its counts."""

    name: str
    now: datetime
    ran: bool
    result: dict[str, Any] | None


def trigger(job: Job) -> IntervalTrigger:
    """The job's aligned interval trigger."""
    return IntervalTrigger(seconds=int(job.every.total_seconds()), start_date=ALIGN, timezone=UTC)


def next_run(job: Job, now: datetime) -> datetime:
    """When the job fires next after `now`."""
    fire = trigger(job).get_next_fire_time(None, now)
    assert fire is not None
    return fire


def configure(settings: Settings) -> None:
    """Tell the alarm texts where the admin is and which time zone and currency to show."""
    alarm_text.configure(settings.public_url, tz=settings.timezone, currency=settings.currency)


async def run_job(name: str, settings: Settings, now: datetime | None = None) -> JobRun:
    """Run one job as of `now` (default: the current time) unless another process is running it."""
    job = JOBS.get(name)
    if job is None:
        raise ValidationError(f"unknown job {name!r} (jobs: {', '.join(JOBS)})")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    ran, result = await run_exclusive(name, lambda at: job.run(at, settings), now)
    if ran:
        value = {"at": now.isoformat(), "ran_at": datetime.now(UTC).isoformat(), "result": result}
        try:
            await Setting.update_or_create(key=LAST_RUN + name, defaults={"value": value})
        except IntegrityError:  # another process recorded its run of the job at the same moment
            pass
    return JobRun(name, now, ran, result)


async def last_runs() -> dict[str, dict[str, Any]]:
    """The last recorded run of each job (as of when, when it ran, its counts)."""
    rows = await Setting.filter(key__startswith=LAST_RUN)
    return {row.key.removeprefix(LAST_RUN): dict(row.value) for row in rows}


async def _tick(name: str, settings: Settings) -> None:
    try:
        outcome = await run_job(name, settings)
        if outcome.ran and any(outcome.result.values() if outcome.result else ()):
            log.info("job %s: %s", name, outcome.result)
    except Exception:  # a failing sweep must not stop the scheduler; the next round tries again
        log.exception("job %s failed", name)


async def start_scheduler(settings: Settings) -> Callable[[], Awaitable[None]]:
    """Start every job in this process (after the ORM is initialised); returns the async stop for shutdown."""
    configure(settings)
    # APScheduler logs every run at INFO; our own line says what a sweep did when it did something.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    uninstall = install()
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job in JOBS.values():
        scheduler.add_job(
            _tick,
            trigger(job),
            args=[job.name, settings],
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(job.every.total_seconds()),
        )
    scheduler.start()
    log.info("scheduler started: %s", ", ".join(JOBS))

    async def stop() -> None:
        uninstall()
        scheduler.shutdown(wait=False)

    return stop
