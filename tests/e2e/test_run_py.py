"""The service as a user starts it: `python run.py` on a fresh directory."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.support.service import ROOT, RunningService


async def test_run_py_serves_healthz_on_a_fresh_directory(tmp_path: Path, fresh_db_url: str) -> None:
    service = RunningService({"PEYK_DATABASE_URL": fresh_db_url, "PEYK_DATA_DIR": str(tmp_path / "data")}, tmp_path)
    await service.start()
    try:
        async with aiohttp.ClientSession() as session, session.get(service.url + "/healthz") as resp:
            assert resp.status == 200
            assert await resp.json() == {"status": "ok"}
    finally:
        assert await service.stop() == 0
    assert (tmp_path / "data" / "secret_key").is_file()


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


async def test_malformed_database_url_stops_with_one_clear_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PEYK_DATABASE_URL": "mysql//nope", "PEYK_DATA_DIR": str(tmp_path)}
    result = await asyncio.to_thread(_run, [], env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PEYK_DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


async def test_port_out_of_range_names_the_variable(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PEYK_HTTP_PORT": "70000", "PEYK_DATA_DIR": str(tmp_path)}
    result = await asyncio.to_thread(_run, ["migrate"], env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "peyk: configuration error: PEYK_HTTP_PORT: '70000' is not a port number (1-65535)"
    ]


async def test_createadmin_then_token_prints_a_token(tmp_path: Path, fresh_db_url: str) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path),
        "PEYK_ADMIN_PASSWORD": "a-long-password",
    }
    created = await asyncio.to_thread(_run, ["createadmin", "maryam"], env, tmp_path)
    assert created.returncode == 0, created.stderr
    token = await asyncio.to_thread(_run, ["token", "maryam"], env, tmp_path)
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("pk_")
    missing = await asyncio.to_thread(_run, ["token", "nobody"], env, tmp_path)
    assert missing.returncode == 1
    assert "nobody" in missing.stderr
