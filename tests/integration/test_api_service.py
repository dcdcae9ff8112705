"""The API of `python run.py` on a real port, with a token printed by `python run.py token`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.support.service import ROOT, RunningService


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


async def test_a_token_from_the_command_line_opens_the_api_of_the_running_service(
    tmp_path: Path, fresh_db_url: str
) -> None:
    env = {
        **os.environ,
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_ADMIN_PASSWORD": "a-long-password",
    }
    await asyncio.to_thread(_run, ["createadmin", "maryam"], env, tmp_path)
    token = await asyncio.to_thread(_run, ["token", "maryam"], env, tmp_path)
    service = RunningService(env, tmp_path)
    await service.start()
    try:
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bearer {token}"}
            async with session.post(
                service.url + "/api/v1/contacts",
                json={"display_name": "علی", "identities": [{"kind": "phone", "value": "۰۹۱۲۱۲۳۴۵۶۷"}]},
                headers=headers,
            ) as resp:
                assert resp.status == 201, await resp.text()
            async with session.get(service.url + "/api/v1/contacts?q=علي", headers=headers) as resp:
                assert resp.status == 200
                body = await resp.json()
                assert [c["display_name"] for c in body["items"]] == ["علی"]
            async with session.get(service.url + "/api/v1/contacts") as resp:
                assert resp.status == 401
                assert (await resp.json())["error"] == "unauthorized"
            async with session.get(service.url + "/api/v1/openapi.json") as resp:
                assert resp.status == 200
                assert "/api/v1/calls" in (await resp.json())["paths"]
    finally:
        assert await service.stop() == 0
