"""The bot-domain API (products, devices, orders, purchase orders, surveys): one call adds its routes and schemas."""

from __future__ import annotations

from admin.api.domain_schemas import COMPONENTS as DOMAIN_COMPONENTS
from admin.api.schemas import COMPONENTS


def register() -> None:
    """Add the domain routes to the route table and their schemas to the OpenAPI components (idempotent)."""
    # Importing the modules runs their @api decorators, which fill the shared route table once.
    from admin.api import catalog, orders, purchase_orders, surveys  # noqa: F401

    COMPONENTS.update(DOMAIN_COMPONENTS)
