"""The bot-domain API over real HTTP: products, devices, orders, purchase orders and surveys, with a token."""

from __future__ import annotations

from core.models import Role, Team
from tests.support.api import ApiClient, ApiServer, api
from tests.support.domain import customer

__all__ = ["api"]

DOMAIN_ROUTES = (
    ("GET", "/api/v1/products"),
    ("POST", "/api/v1/products"),
    ("GET", "/api/v1/devices/1"),
    ("POST", "/api/v1/orders"),
    ("POST", "/api/v1/installments/1/payments"),
    ("POST", "/api/v1/purchase-orders/1/stage"),
    ("GET", "/api/v1/surveys/1/responses"),
    ("POST", "/api/v1/surveys/1/responses"),
)


async def _admin(api: ApiServer) -> ApiClient:
    return await api.client_for("admin", role=Role.ADMIN)


async def _product(client: ApiClient, code: str = "AC-24", **kw: object) -> dict:
    body = {"code": code, "name": "کولر گازی ۲۴ هزار", "category": "کولر گازی", "warranty_months": 18} | kw
    response = await client.post("/api/v1/products", {"price": 450_000_000, **body})
    assert response.status == 201, response
    return response.body


async def test_domain_routes_refuse_a_request_without_a_token(api: ApiServer) -> None:
    for method, path in DOMAIN_ROUTES:
        response = await api.client().request(method, path, data=b"{}")
        assert response.status == 401, (method, path, response)
        assert response.body["error"] == "unauthorized"


async def test_products_are_created_read_listed_by_search_and_updated(api: ApiServer) -> None:
    admin = await _admin(api)
    made = await _product(admin, code="ac-۲۴")
    assert (made["code"], made["price"], made["warranty_months"], made["unit"]) == ("AC-24", 450_000_000, 18, "دستگاه")
    assert (await admin.get(f"/api/v1/products/{made['id']}")).body == made
    found = await admin.get("/api/v1/products", q="كولر")
    assert [p["id"] for p in found.body["items"]] == [made["id"]]
    duplicate = await admin.post("/api/v1/products", {"code": "AC-24", "name": "دیگر"})
    assert duplicate.status == 400 and "already in use" in duplicate.body["reason"]
    updated = await admin.post(f"/api/v1/products/{made['id']}", {"price": 470_000_000, "active": False})
    assert (updated.status, updated.body["price"], updated.body["active"]) == (200, 470_000_000, False)
    assert (await admin.get("/api/v1/products/999999")).status == 404


async def test_a_device_is_registered_with_a_jalali_installation_date_and_found_by_serial(api: ApiServer) -> None:
    admin = await _admin(api)
    item = await _product(admin, warranty_months=12)
    owner = await customer()
    body = {"serial": "ac-۲۴ ۰۰۱", "product_id": item["id"], "owner_id": owner.id, "installed_at": "1405/03/15"}
    made = await admin.post("/api/v1/devices", body)
    assert made.status == 201, made
    assert (made.body["serial"], made.body["installed_at"], made.body["warranty_ends_at"]) == (
        "AC24001",
        "2026-06-05",
        "2027-06-05",
    )
    assert made.body["warranty"] in ("active", "ended")
    again = await admin.post("/api/v1/devices", {**body, "serial": "AC24-001"})
    assert again.status == 400 and "already registered" in again.body["reason"]
    listed = await admin.get("/api/v1/devices", serial="AC 24 001")
    assert [d["id"] for d in listed.body["items"]] == [made.body["id"]]
    assert (await admin.get(f"/api/v1/devices/{made.body['id']}")).body == made.body
    bad_date = await admin.post("/api/v1/devices", {**body, "serial": "X2", "installed_at": "1405/13/40"})
    assert bad_date.status == 400 and "installed_at" in bad_date.body["reason"]


async def test_an_order_is_created_with_lines_and_installments_delivered_and_paid(api: ApiServer) -> None:
    admin = await _admin(api)
    item = await _product(admin, price=100_000)
    owner = await customer()
    created = await admin.post(
        "/api/v1/orders",
        {
            "contact_id": owner.id,
            "lines": [{"product_id": item["id"], "qty": 3}],
            "installments": [
                {"amount": 100_000, "due_date": "2026-05-01", "method": "cash"},
                {"amount": 200_000, "due_date": "1405/05/10", "method": "cheque"},
            ],
            "order_date": "2026-04-20",
            "confirm": True,
        },
    )
    assert created.status == 201, created
    order = created.body
    assert (order["status"], order["total"], order["number"][:2]) == ("confirmed", 300_000, "S-")
    assert [i["due_date"] for i in order["installments"]] == ["2026-05-01", "2026-08-01"]
    line = order["lines"][0]
    delivered = await admin.post(
        f"/api/v1/orders/{order['id']}/deliveries", {"lines": [{"line_id": line["id"], "qty": 3}]}
    )
    assert (delivered.status, delivered.body["status"]) == (200, "delivered")
    first = order["installments"][0]
    paid = await admin.post(f"/api/v1/installments/{first['id']}/payments", {"amount": 100_000})
    assert (paid.body["status"], paid.body["outstanding"]) == ("paid", 0)
    read = await admin.get(f"/api/v1/orders/{order['id']}")
    assert read.body["installments"][0]["paid_amount"] == 100_000
    by_number = await admin.get("/api/v1/orders", number=order["number"])
    assert [o["id"] for o in by_number.body["items"]] == [order["id"]]
    wrong_plan = await admin.post(
        "/api/v1/orders",
        {
            "contact_id": owner.id,
            "lines": [{"product_id": item["id"], "qty": 1}],
            "installments": [{"amount": 1, "due_date": "2026-05-01"}],
        },
    )
    assert wrong_plan.status == 400 and "add up to" in wrong_plan.body["reason"]


async def test_a_sales_clerk_cannot_read_or_create_orders_of_a_contact_outside_their_team(api: ApiServer) -> None:
    admin = await _admin(api)
    item = await _product(admin)
    stranger = await customer()
    order = await admin.post(
        "/api/v1/orders", {"contact_id": stranger.id, "lines": [{"product_id": item["id"], "qty": 1}]}
    )
    # A sales role may write orders (core/areas.py), so the 403s below are record access, not area access.
    agent = await api.client_for("agent", role=Role.SALES, team=await Team.create(name="فروش"))
    assert (await agent.get(f"/api/v1/orders/{order.body['id']}")).status == 403
    assert (await agent.get("/api/v1/orders")).body["total"] == 0
    refused = await agent.post(
        "/api/v1/orders", {"contact_id": stranger.id, "lines": [{"product_id": item["id"], "qty": 1}]}
    )
    assert refused.status == 403


async def test_a_purchase_order_is_created_linked_and_moved_through_stages_with_history(api: ApiServer) -> None:
    admin = await _admin(api)
    item = await _product(admin)
    owner = await customer()
    order = (
        await admin.post(
            "/api/v1/orders", {"contact_id": owner.id, "lines": [{"product_id": item["id"], "qty": 1}], "confirm": True}
        )
    ).body
    created = await admin.post(
        "/api/v1/purchase-orders", {"supplier": "Gree", "expected_arrival": "1405/06/20", "order_ids": [order["id"]]}
    )
    assert created.status == 201, created
    po = created.body
    assert (po["stage"], po["order_ids"], po["expected_arrival"], po["number"][:2]) == (
        "proforma_received",
        [order["id"]],
        "2026-09-11",
        "P-",
    )
    forward = await admin.post(
        f"/api/v1/purchase-orders/{po['id']}/stage", {"stage": "customs_clearance", "note": "ورود به گمرک"}
    )
    back = await admin.post(f"/api/v1/purchase-orders/{po['id']}/stage", {"stage": "arrival_notice"})
    assert forward.status == 200 and back.status == 200, back
    assert back.body["stage_name"] == "اعلام ورود کالا به گمرک"
    assert [(h["from_stage"], h["stage"]) for h in back.body["history"]] == [
        (None, "proforma_received"),
        ("proforma_received", "customs_clearance"),
        ("customs_clearance", "arrival_notice"),
    ]
    same = await admin.post(f"/api/v1/purchase-orders/{po['id']}/stage", {"stage": "arrival_notice"})
    assert same.status == 400 and "already in stage" in same.body["reason"]
    bogus = await admin.post(f"/api/v1/purchase-orders/{po['id']}/stage", {"stage": "teleported"})
    assert bogus.status == 400
    later = await admin.post(f"/api/v1/purchase-orders/{po['id']}/arrival", {"expected_arrival": "۱۴۰۵/۰۷/۰۵"})
    assert (later.status, later.body["expected_arrival"]) == (200, "2026-09-27"), later
    cleared = await admin.post(f"/api/v1/purchase-orders/{po['id']}/arrival", {"expected_arrival": None})
    assert (cleared.status, cleared.body["expected_arrival"]) == (200, None), cleared
    garbled = await admin.post(f"/api/v1/purchase-orders/{po['id']}/arrival", {"expected_arrival": "1405/13/40"})
    assert garbled.status == 400, garbled
    supplying = await admin.get("/api/v1/purchase-orders", order=str(order["id"]))
    assert [p["id"] for p in supplying.body["items"]] == [po["id"]]
    assert (await admin.get(f"/api/v1/orders/{order['id']}")).body["purchase_order_ids"] == [po["id"]]


async def test_a_survey_with_a_branch_is_built_published_answered_and_read_back(api: ApiServer) -> None:
    admin = await _admin(api)
    made = await admin.post(
        "/api/v1/surveys",
        {
            "title": "رضایت از خدمات",
            "questions": [
                {"kind": "single", "text": "مشکل برطرف شد؟", "options": ["بله", "خیر"]},
                {"kind": "text", "text": "چه چیزی ماند؟", "triggers": [{"question": 1, "option": 2}]},
                {"kind": "nps", "text": "چقدر ما را توصیه می‌کنید؟"},
            ],
        },
    )
    assert made.status == 201, made
    survey = made.body
    first, second, third = survey["questions"]
    no = first["options"][1]["id"]
    assert second["trigger_option_ids"] == [no] and survey["status"] == "draft"
    early = await admin.post(f"/api/v1/surveys/{survey['id']}/status", {"status": "published"})
    assert early.status == 400 and "in_review" in early.body["reason"]
    for status in ("in_review", "approved", "published"):
        moved = await admin.post(f"/api/v1/surveys/{survey['id']}/status", {"status": status})
        assert moved.status == 200, moved
    owner = await customer()
    answers = [
        {"question_id": first["id"], "option_ids": [first["options"][0]["id"]]},
        {"question_id": third["id"], "number": 9},
    ]
    body = {"contact_id": owner.id, "channel": "web", "identity": "portal:amir", "ip": "10.0.0.7", "answers": answers}
    recorded = await admin.post(f"/api/v1/surveys/{survey['id']}/responses", body)
    assert recorded.status == 201, recorded
    assert recorded.body["completed_at"] and recorded.body["ip"] == "10.0.0.7"
    assert [a["question_id"] for a in recorded.body["answers"]] == [first["id"], third["id"]]
    again = await admin.post(f"/api/v1/surveys/{survey['id']}/responses", body)
    assert again.status == 409
    listed = await admin.get(f"/api/v1/surveys/{survey['id']}/responses")
    assert listed.body["total"] == 1 and listed.body["items"][0]["channel"] == "web"
    other = await customer("لیلا احمدی", "09129876543")
    bad = await admin.post(
        f"/api/v1/surveys/{survey['id']}/responses",
        {"contact_id": other.id, "channel": "sms", "answers": [{"question_id": third["id"], "number": 11}]},
    )
    assert bad.status == 400 and "answers[0]" in bad.body["reason"]
