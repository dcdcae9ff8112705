"""The work behind run.py's subcommands (each opens and closes the database itself)."""

from __future__ import annotations

from core.config import Settings
from core.db import close_db, init_db
from core.db import migrate as migrate_db
from core.errors import PeykError
from core.models import Role, User


async def migrate(settings: Settings) -> int:
    """Apply migrations and report."""
    await migrate_db(settings.database_url)
    print("migrations applied")
    return 0


async def create_admin(settings: Settings, username: str, password: str) -> int:
    """Create an admin user."""
    from core.actions.staff import create_user

    await init_db(settings.database_url)
    try:
        user = await create_user(username, password, role=Role.ADMIN, full_name=username)
        print(f"admin {user.username} created")
    finally:
        await close_db()
    return 0


async def token(settings: Settings, username: str) -> int:
    """Print a new API token for a user."""
    from core.actions.staff import issue_token

    await init_db(settings.database_url)
    try:
        user = await User.get_or_none(username=username, is_active=True)
        if user is None:
            raise PeykError(f"no active user named {username!r}")
        print(await issue_token(user))
    finally:
        await close_db()
    return 0


async def demo(settings: Settings) -> int:
    """Load the Persian demo company."""
    from core.demo import load_demo

    await init_db(settings.database_url)
    try:
        await load_demo()
    finally:
        await close_db()
    return 0
