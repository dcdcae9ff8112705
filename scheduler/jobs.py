"""The registry of every periodic job, by name (what `python run.py jobs` lists and runs)."""

from __future__ import annotations

from scheduler import alarms, callbacks, conversations, imports, installments, sla, surveys
from scheduler.job import Job

JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        sla.JOB,
        conversations.JOB,
        callbacks.JOB,
        imports.JOB,
        installments.JOB,
        surveys.JOB,
        alarms.JOB,
    )
}


def get_job(name: str) -> Job | None:
    """The job called `name`, or None."""
    return JOBS.get(name)
