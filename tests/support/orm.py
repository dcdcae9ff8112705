"""The ORM on another database (a subprocess's), in a tortoise context of its own.

The session's shared database (the `db` fixture) stays initialised and untouched meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise import Tortoise
from tortoise.context import TortoiseContext

from core.db import tortoise_config


@asynccontextmanager
async def orm_on(url: str) -> AsyncIterator[None]:
    """`async with orm_on(url):` — models read and write `url` inside the block."""
    async with TortoiseContext():
        await Tortoise.init(config=tortoise_config(url))
        yield
