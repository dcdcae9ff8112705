"""`python run.py jobs` as an operator runs it: the job list, one sweep as of a given time, two processes at once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from core.models import Alarm
from tests.support.alarms import at, case_opened_at, staffed_team
from tests.support.orm import orm_on
from tests.support.service import ROOT


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PEYK_DATABASE_URL": db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_PUBLIC_URL": "https://peyk.example.ir",
    }


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


async def _breached_case(db_url: str, env: dict[str, str], tmp_path: Path) -> int:
    """Migrate, then a case opened Sunday 1405/09/08 09:00 (normal service: first response 240 minutes)."""
    assert (await asyncio.to_thread(_run, ["migrate"], env, tmp_path)).returncode == 0
    async with orm_on(db_url):
        staff = await staffed_team()
        case = await case_opened_at(at("1405/09/08 09:00"), team=staff.team)
        return case.id


async def test_jobs_run_sla_at_a_given_time_runs_the_sweep_as_of_that_time(tmp_path: Path, fresh_db_url: str) -> None:
    env = _env(fresh_db_url, tmp_path)
    case_id = await _breached_case(fresh_db_url, env, tmp_path)
    # 1405/09/08 is Sunday 29 Nov 2026 (+03:30): at 10:00 only 60 business minutes have passed.
    early = await asyncio.to_thread(_run, ["jobs", "run", "sla", "--at", "2026-11-29T10:00:00+03:30"], env, tmp_path)
    assert early.returncode == 0, early.stderr
    assert early.stdout.strip() == "sla ran as of 2026-11-29T06:30:00+00:00: cases=1 first_responses=0 alarms=0"
    late = await asyncio.to_thread(_run, ["jobs", "run", "sla", "--at", "2026-12-01T10:00:00+03:30"], env, tmp_path)
    assert late.returncode == 0, late.stderr
    assert late.stdout.strip() == "sla ran as of 2026-12-01T06:30:00+00:00: cases=1 first_responses=0 alarms=1"
    async with orm_on(fresh_db_url):
        [alarm] = await Alarm.filter(kind="sla_breach")
    assert alarm.object_id == str(case_id)
    assert "زمان هشدار: ۱۰ آذر ۱۴۰۵، ساعت ۱۰:۰۰" in alarm.text  # 1 Dec 2026 10:00 in Tehran
    assert alarm.text.endswith(f"https://peyk.example.ir/admin/cases/{case_id}")


async def test_two_processes_running_the_same_sweep_at_once_raise_one_alarm(tmp_path: Path, fresh_db_url: str) -> None:
    env = _env(fresh_db_url, tmp_path)
    await _breached_case(fresh_db_url, env, tmp_path)
    args = ["jobs", "run", "sla", "--at", "2026-12-01T10:00:00+03:30"]
    results = await asyncio.gather(*(asyncio.to_thread(_run, args, env, tmp_path) for _ in range(2)))
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    outputs = sorted(r.stdout.strip() for r in results)
    # One raised the alarm; the other found it raised (SQLite), or was skipped by the lock (PostgreSQL).
    assert [o.endswith("alarms=1") for o in outputs].count(True) == 1, outputs
    async with orm_on(fresh_db_url):
        assert await Alarm.filter(kind="sla_breach").count() == 1


async def test_jobs_lists_every_job_with_its_next_run_and_bad_input_is_one_clear_line(
    tmp_path: Path, fresh_db_url: str
) -> None:
    env = _env(fresh_db_url, tmp_path)
    listed = await asyncio.to_thread(_run, ["jobs"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[0] for line in listed.stdout.strip().splitlines()[1:]]
    assert names == [
        *("sla", "conversations", "callbacks", "imports", "installments", "surveys", "alarms", "receipts", "signin")
    ]
    assert "T" in listed.stdout.splitlines()[1].split()[2]  # the next run, an ISO time
    unknown = await asyncio.to_thread(_run, ["jobs", "run", "nope"], env, tmp_path)
    bad_time = await asyncio.to_thread(_run, ["jobs", "run", "sla", "--at", "fardā"], env, tmp_path)
    for result in (unknown, bad_time):
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "unknown job 'nope'" in unknown.stderr and "--at" in bad_time.stderr
