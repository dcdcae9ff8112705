"""The README's first two commands are true: the service comes up on 127.0.0.1:8080, and CI runs the test command."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import aiohttp

from tests.support.service import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r"^    (\S.*)$", README, flags=re.M)


def test_the_readme_starts_with_the_install_and_run_command_then_the_test_command() -> None:
    install_and_run, run_tests = COMMANDS[0], COMMANDS[1]
    assert install_and_run.startswith("python3 -m venv .venv && .venv/bin/pip install -e . && ")
    assert install_and_run.endswith(".venv/bin/python run.py")
    assert run_tests.endswith(".venv/bin/python -m pytest")
    assert README.index(install_and_run) < 600  # among the README's first lines


def test_ci_runs_the_readme_test_command_on_sqlite_and_on_postgresql() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in ci.splitlines()]
    assert lines.count(COMMANDS[1]) == 2, "CI must run the README's test command twice"
    pg_export = next(i for i, line in enumerate(lines) if line.startswith("export PEYK_TEST_DATABASE_URL=postgres"))
    assert lines.index(COMMANDS[1]) < pg_export < len(lines) - 1 - lines[::-1].index(COMMANDS[1])


async def test_run_py_with_no_configuration_serves_healthz_on_127_0_0_1_8080(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEYK_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "run.py"), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        status = None
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                try:
                    async with session.get("http://127.0.0.1:8080/healthz") as resp:
                        status = resp.status
                        break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.2)
        assert status == 200
        assert (tmp_path / "data" / "peyk.sqlite3").is_file()  # the default SQLite database, migrated
    finally:
        proc.terminate()
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
