"""Every customer flow, one module each; `all_flows()` is what the engine runs.

To add a flow: write handlers/flows/<name>.py with a `FLOW = Flow(name, steps, first=...)`, list
it below, and (for a menu entry) add its name and label to `ENTRIES` in handlers/flows/menu.py.
"""

from __future__ import annotations

from handlers.flow import Flow
from handlers.flows import cases, identity, imports, menu, orders, price_inquiry, service_request, survey


def all_flows() -> dict[str, Flow]:
    """The flows by name."""
    flows = (
        menu.FLOW,
        identity.FLOW,
        service_request.FLOW,
        orders.FLOW,
        imports.FLOW,
        cases.FLOW,
        survey.FLOW,
        price_inquiry.FLOW,
    )
    return {flow.name: flow for flow in flows}
