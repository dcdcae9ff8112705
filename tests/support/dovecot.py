"""A private Dovecot IMAP server on a free loopback port, for tests of the IMAP poller.

Its own config, passwd file, maildir and log live in a fresh directory under /tmp (the mail
user is `nobody`, which cannot enter pytest's 0700 tmp dirs); `dovecot -F` runs in the
foreground as a subprocess and is stopped with SIGTERM. Mail goes in with IMAP APPEND.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import tempfile
import time
from pathlib import Path

from aioimaplib import IMAP4

from tests.support.service import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "peyk"
PASSWORD = "imap-test-password"
MAILBOX = "INBOX"

CONFIG = """\
instance_name = peyk-test-{port}
base_dir = {root}/run
state_dir = {root}/state
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
login_trusted_networks = 127.0.0.0/8
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 50
}}
"""


def _user(preferred: str, fallback: str = "nobody") -> str:
    try:
        pwd.getpwnam(preferred)
        return preferred
    except KeyError:
        return fallback


class Dovecot:
    """`start()` a private dovecot; `url` is the PEYK_IMAP_URL for its INBOX; `stop()` ends it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="peyk-dovecot-"))
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{MAILBOX}"

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _write_config(self) -> Path:
        mail_user = pwd.getpwnam("nobody")
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(exist_ok=True)
        for sub in ("mail", "home"):
            os.chown(self.root / sub, mail_user.pw_uid, mail_user.pw_gid)
        self.root.chmod(0o755)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                uid=mail_user.pw_uid,
                gid=mail_user.pw_gid,
                internal_user=_user("dovecot"),
                internal_group=_user("dovecot") if _user("dovecot") == "dovecot" else "nogroup",
                login_user=_user("dovenull"),
            )
        )
        return config

    async def start(self, timeout: float = 20) -> None:
        config = self.root / "dovecot.conf" if (self.root / "dovecot.conf").exists() else self._write_config()
        with (self.root / "stdout.log").open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(DOVECOT, "-F", "-c", str(config), stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.returncode is not None:
                raise RuntimeError(f"dovecot exited ({self.proc.returncode}):\n{self._all_logs()}")
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                try:
                    if (await asyncio.wait_for(reader.readline(), 5)).startswith(b"* OK"):
                        return
                finally:
                    writer.close()
            except OSError:
                pass
            await asyncio.sleep(0.1)
        raise TimeoutError(f"dovecot did not answer on port {self.port}:\n{self._all_logs()}")

    def _all_logs(self) -> str:
        out = self.root / "stdout.log"
        return self.log() + (out.read_text(errors="replace") if out.exists() else "")

    async def kick(self) -> None:
        """Drop every open IMAP session (`doveadm kick`), as a server crash or restart would."""
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        proc = await asyncio.create_subprocess_exec(
            doveadm, "-c", str(self.root / "dovecot.conf"), "kick", USER, stdout=asyncio.subprocess.DEVNULL
        )
        await proc.wait()

    async def restart(self) -> None:
        """An outage: sessions dropped, the server down for a moment, then up on the same port and mailbox."""
        await self.kick()
        await self._terminate()
        await self.start()

    async def stop(self) -> None:
        await self._terminate()
        shutil.rmtree(self.root, ignore_errors=True)

    async def _terminate(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    async def client(self) -> IMAP4:
        """A logged-in aioimaplib client (the caller logs out)."""
        imap = IMAP4("127.0.0.1", self.port, timeout=10)
        await imap.wait_hello_from_server()
        response = await imap.login(USER, PASSWORD)
        if response.result != "OK":
            raise RuntimeError(f"dovecot login failed: {response}\n{self.log()}")
        return imap

    async def append(self, *mails: bytes, mailbox: str = MAILBOX) -> None:
        """Put mails into the mailbox with IMAP APPEND, as a mail server delivering them would."""
        imap = await self.client()
        try:
            for raw in mails:
                data = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                response = await imap.append(data, mailbox=mailbox)
                if response.result != "OK":
                    raise RuntimeError(f"APPEND failed: {response}")
        finally:
            await imap.logout()
