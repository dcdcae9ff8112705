"""Running `python run.py` as a subprocess on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_py(env: Mapping[str, str], workdir: Path, *args: str) -> str:
    """Run one `python run.py ARGS` command to completion (asserting success); its standard output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "run.py"), *args, cwd=workdir, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode().strip()


class RunningService:
    """`python run.py` in a subprocess; `url` is its base URL."""

    def __init__(self, env: Mapping[str, str], workdir: Path, args: tuple[str, ...] = ()) -> None:
        self.port = int(env.get("PEYK_HTTP_PORT") or free_port())
        self.env = {**os.environ, **env, "PEYK_HTTP_PORT": str(self.port), "PEYK_HTTP_HOST": "127.0.0.1"}
        self.workdir = workdir
        self.args = args
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path = workdir / f"service-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The command line of the service process."""
        return [sys.executable, str(ROOT / "run.py"), *self.args]

    async def start(self, timeout: float = 60) -> None:
        log = self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            *self.command(),
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"service exited early:\n{self.log()}")
                try:
                    async with session.get(self.url + "/healthz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError(f"service did not answer /healthz:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def stop(self) -> int:
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode if self.proc else 0

    async def kill(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
