"""The registry of every periodic job, by name (what `python run.py jobs` lists and runs)."""

from __future__ import annotations

from scheduler import alarms, callbacks, conversations, imports, installments, receipts, signin, sla, surveys
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
        receipts.JOB,
        signin.JOB,
    )
}
