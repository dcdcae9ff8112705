"""Access per area (PLT-4): which roles may read and which may write each business area, in one table.

Record-level access (own / team / all) stays in core/access.py; this module answers the coarser question
"may a sales clerk change prices at all?". Every core action that takes the acting staff user calls
`require_write(by, Area.X)` first, and staff-facing queries call `require_read`, so the admin, the API,
the bots and the jobs obey the same table. System actions (bots, jobs, webhooks) pass `None` and always
pass; an inactive user may do nothing. A new area adds one `Area` member and one row of `TABLE`.

The choices, for a trading company that imports, sells, installs and services devices on installments:
- Desk work (inbox, contacts, calls, cases) is everyone's: every role talks to customers.
- Leads: agents capture them from conversations, sales works them; technicians, warehouse and collections
  have no use for the pipeline.
- Catalog and prices: every desk role reads them (customers ask prices anywhere); only admin, manager and
  sales create products or change prices.
- Orders: every desk role reads them ("where is my order?", installations, deliveries, payments); only admin,
  manager and sales create, confirm or cancel. Recording a delivery is stock work (warehouse); recording an
  installment payment is collections work (collections).
- Devices: registered at sale, shipment or installation: admin, manager, sales, technician, warehouse.
- Surveys: everyone reads the questions; only admin and manager design, approve and publish them. Answers
  taken on the phone or a web form (survey answers) are recorded by agents and sales; only admin and
  manager browse the results.
- Procurement (purchase orders, imports): everyone reads the import pipeline; admin, manager and warehouse
  create purchase orders, move their stages and link customer orders.
- Staff (users, teams): admin changes, manager looks. Settings (SLA, business calendar, alarm rules) and the
  alarm log: admin and manager. Audit log: admin only. Own account (my alarms, linked chats): everyone.
- Later areas: sales documents — sales, read also by collections; stock — warehouse, read also by sales and
  technicians; collections — collections, read also by sales; service and work packages — technicians;
  campaigns — manager, read also by sales; automation rules — admin, read also by manager; dashboards —
  everyone reads, admin and manager configure.
Admin is in every row: the table is read as written, with no hidden bypass.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import Forbidden
from core.models.enums import Role
from core.models.staff import User


class Area(StrEnum):
    INBOX = "inbox"
    CONTACTS = "contacts"
    CALLS = "calls"
    CASES = "cases"
    LEADS = "leads"
    CATALOG = "catalog"
    ORDERS = "orders"
    DEVICES = "devices"
    SURVEYS = "surveys"
    SURVEY_ANSWERS = "survey_answers"
    PROCUREMENT = "procurement"
    STAFF = "staff"
    SETTINGS = "settings"
    ALARMS = "alarms"
    AUDIT = "audit"
    ACCOUNT = "account"
    SALES = "sales"
    STOCK = "stock"
    COLLECTIONS = "collections"
    SERVICE = "service"
    WORK_PACKAGES = "work_packages"
    CAMPAIGNS = "campaigns"
    AUTOMATION = "automation"
    DASHBOARDS = "dashboards"


@dataclass(frozen=True)
class Rule:
    """Who may read and who may write one area, and its Persian name for refusals."""

    name: str
    read: frozenset[Role]
    write: frozenset[Role]


A, M, AG, S, T, W, C = (
    Role.ADMIN,
    Role.MANAGER,
    Role.AGENT,
    Role.SALES,
    Role.TECHNICIAN,
    Role.WAREHOUSE,
    Role.COLLECTIONS,
)
EVERYONE = frozenset(Role)


def _r(name: str, read: frozenset[Role] | set[Role], write: frozenset[Role] | set[Role]) -> Rule:
    return Rule(name, frozenset(read), frozenset(write))


TABLE: dict[Area, Rule] = {
    Area.INBOX: _r("صندوق پیام‌ها", EVERYONE, EVERYONE),
    Area.CONTACTS: _r("مخاطبان", EVERYONE, EVERYONE),
    Area.CALLS: _r("تماس‌ها", EVERYONE, EVERYONE),
    Area.CASES: _r("پرونده‌ها", EVERYONE, EVERYONE),
    Area.LEADS: _r("سرنخ‌های فروش", {A, M, AG, S}, {A, M, AG, S}),
    Area.CATALOG: _r("کالاها و قیمت‌ها", EVERYONE, {A, M, S}),
    Area.ORDERS: _r("سفارش‌ها", EVERYONE, {A, M, S}),
    Area.DEVICES: _r("دستگاه‌ها", EVERYONE, {A, M, S, T, W}),
    Area.SURVEYS: _r("نظرسنجی‌ها", EVERYONE, {A, M}),
    Area.SURVEY_ANSWERS: _r("پاسخ‌های نظرسنجی", {A, M}, {A, M, AG, S}),
    Area.PROCUREMENT: _r("خرید و واردات", EVERYONE, {A, M, W}),
    Area.STAFF: _r("کاربران و تیم‌ها", {A, M}, {A}),
    Area.SETTINGS: _r("تنظیمات", {A, M}, {A, M}),
    Area.ALARMS: _r("گزارش هشدارها", {A, M}, {A, M}),
    Area.AUDIT: _r("گزارش تغییرات", {A}, {A}),
    Area.ACCOUNT: _r("حساب کاربری", EVERYONE, EVERYONE),
    Area.SALES: _r("اسناد فروش", {A, M, S, C}, {A, M, S}),
    Area.STOCK: _r("انبار", {A, M, S, T, W}, {A, M, W}),
    Area.COLLECTIONS: _r("وصول مطالبات", {A, M, S, C}, {A, M, C}),
    Area.SERVICE: _r("خدمات پس از فروش", {A, M, AG, T}, {A, M, T}),
    Area.WORK_PACKAGES: _r("بسته‌های کار", {A, M, S, T, W}, {A, M, T}),
    Area.CAMPAIGNS: _r("کارزارها", {A, M, S}, {A, M}),
    Area.AUTOMATION: _r("خودکارسازی", {A, M}, {A}),
    Area.DASHBOARDS: _r("داشبوردها", EVERYONE, {A, M}),
}


def readers(area: Area) -> frozenset[Role]:
    """The roles that may read `area`."""
    return TABLE[area].read


def writers(area: Area) -> frozenset[Role]:
    """The roles that may write `area`."""
    return TABLE[area].write


def may_read(user: User | None, area: Area) -> bool:
    """True when `user` may see `area` (system actions, `None`, always may; inactive users never)."""
    return user is None or (user.is_active and user.role in TABLE[area].read)


def may_write(user: User | None, area: Area) -> bool:
    """True when `user` may change records of `area` (system actions, `None`, always may)."""
    return user is None or (user.is_active and user.role in TABLE[area].write)


def may(user: User | None, area: Area, *, write: bool) -> bool:
    """may_write when `write`, else may_read."""
    return may_write(user, area) if write else may_read(user, area)


def require_read(user: User | None, area: Area) -> None:
    """Raise Forbidden, naming the area in Persian, unless `user` may read `area`."""
    if not may_read(user, area):
        raise Forbidden(f"نقش شما اجازهٔ دیدن بخش «{TABLE[area].name}» را ندارد.")


def require_write(user: User | None, area: Area) -> None:
    """Raise Forbidden, naming the area in Persian, unless `user` may change records of `area`."""
    if not may_write(user, area):
        raise Forbidden(f"نقش شما اجازهٔ تغییر در بخش «{TABLE[area].name}» را ندارد.")


def require(user: User | None, area: Area, *, write: bool) -> None:
    """require_write when `write`, else require_read."""
    if write:
        require_write(user, area)
    else:
        require_read(user, area)
