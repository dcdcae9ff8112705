"""`python run.py demo`: a Persian demo company, loaded only through the core actions.

Staff and teams, companies, ~200 contacts with phones in every common spelling, then the
inbox: conversations on every channel (through ingest_message, as real traffic arrives), staff
replies and notes, cases, leads, calls logged by hand and reported by the PBX, scanned letters.
Loads into an empty database only; a second run says so and changes nothing.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core import demo_data as d
from core.actions.accounts import create_account
from core.actions.calendar import ensure_fixed_holidays
from core.actions.contacts import create_contact, update_contact
from core.actions.staff import create_user, issue_token
from core.actions.teams import create_team, set_phone_line
from core.config import Settings, load_settings
from core.errors import PeykError
from core.models import Account, Contact, IdentityKind, Role, Team, User
from core.text import to_persian_digits

ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})
PERSIAN_DIGITS_IN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_DIGITS_IN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
ROLE_NAMES = {
    Role.ADMIN: "مدیر سیستم",
    Role.MANAGER: "مدیر خدمات",
    Role.AGENT: "کارشناس",
    Role.SALES: "کارشناس فروش",
    Role.TECHNICIAN: "تکنسین",
}
# Channel of a contact's first conversation, weighted the way an Iranian distributor's traffic is.
CHANNEL_WEIGHTS = {"telegram": 30, "bale": 10, "sms": 25, "email": 20, "fax": 5, "call": 10}


@dataclass
class Person:
    """A demo contact and the ways it can be reached (raw spellings as a clerk typed them)."""

    contact: Contact
    city: str
    channel: str
    phone: str
    email: str | None = None
    telegram: str | None = None
    bale: str | None = None
    fax: str | None = None
    account: Account | None = None


@dataclass
class Demo:
    """Everything the loader made so far, plus its random source and progress bar."""

    rng: random.Random
    data_dir: Path
    bar: Any
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    accounts: list[tuple[Account, tuple[str, ...]]] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    seq: int = 0

    def next_id(self) -> int:
        self.seq += 1
        return self.seq

    def staff(self, *roles: Role, team: str | None = None) -> User:
        pool = [
            u for u in self.users.values() if u.role in roles and (team is None or u.team_id == self.teams[team].id)
        ]
        return self.rng.choice(pool)

    def fill(self, text: str, person: Person | None = None) -> str:
        rng = self.rng
        return text.format(
            product=rng.choice(d.PRODUCTS),
            part=rng.choice(d.PARTS),
            city=person.city if person else rng.choice(d.CITIES),
            serial=f"GR{rng.randint(10, 99)}-{rng.randint(1000, 9999)}-{rng.choice('ABCDE')}",
            order=to_persian_digits(f"1405-{rng.randint(100, 999):04d}"),
        )


def mobile_spelling(rng: random.Random, digits: str) -> str:
    """One Iranian mobile number (9121234567) written the many ways people write it."""
    national = "0" + digits
    forms = (
        national,
        f"{national[:4]} {national[4:7]} {national[7:]}",
        f"+98 {digits[:3]} {digits[3:6]} {digits[6:]}",
        f"0098{digits}",
        f"{digits[:3]}-{digits[3:6]}-{digits[6:]}",
        national.translate(PERSIAN_DIGITS_IN),
        f"{national[:4]} {national[4:]}".translate(PERSIAN_DIGITS_IN),
        national.translate(ARABIC_DIGITS_IN),
        f"+98{digits}",
    )
    return rng.choice(forms)


async def _already_loaded() -> bool:
    if await User.exists(username=d.STAFF[0][0]):
        return True
    if await Contact.exists():
        raise PeykError("the database already holds contacts; load the demo into an empty database")
    return False


async def _staff(demo: Demo) -> None:
    for key, name, segment in d.TEAMS:
        demo.teams[key] = await create_team(name, segment=segment)
    admin: User | None = None
    for username, full_name, role, team_key, extension, mobile in d.STAFF:
        team = demo.teams[team_key] if team_key else None
        user = await create_user(username, d.DEMO_PASSWORD, role=role, full_name=full_name, team=team, by=admin)
        demo.users[username] = await set_phone_line(user.id, phone=mobile, extension=extension, by=admin)
        admin = admin or user


async def _accounts(demo: Demo) -> None:
    admin = demo.users[d.STAFF[0][0]]
    for name, segment, city, phone, domain in d.ACCOUNTS:
        account = await create_account(name, segment=segment, phone=phone, address=city, by=admin)
        demo.accounts.append((account, (city, phone, domain or "")))


def _name(rng: random.Random) -> str:
    first = rng.choice(d.MALE if rng.random() < 0.6 else d.FEMALE)
    name = f"{first} {rng.choice(d.LAST)}"
    if rng.random() < 0.15:
        name = f"{rng.choice(d.TITLES)} {name}"
    # Some clerks type on an Arabic keyboard: ي and ك must still match ی and ک in search.
    return name.translate(ARABIC_LETTERS) if rng.random() < 0.12 else name


async def _person(demo: Demo, used: set[str]) -> Person:
    rng = demo.rng
    while (digits := rng.choice(d.MOBILE_PREFIXES) + f"{rng.randint(0, 9999999):07d}") in used:
        pass
    used.add(digits)
    name = _name(rng)
    channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
    account = rng.choice(demo.accounts) if rng.random() < 0.35 or channel == "fax" else None
    city = account[1][0] if account else rng.choice(d.CITIES)
    person = Person(contact=None, city=city, channel=channel, phone=mobile_spelling(rng, digits))  # type: ignore[arg-type]
    identities: list[tuple[IdentityKind, str]] = [(IdentityKind.PHONE, person.phone)]
    if channel == "email" or rng.random() < 0.3:
        first = d.LATIN.get(name.split()[-2] if len(name.split()) > 1 else "", "user")
        domain = account[1][2] if account and account[1][2] else rng.choice(d.EMAIL_DOMAINS)
        person.email = f"{first}.{digits[1:]}@{domain}"  # digits are unique, so is the address
        identities.append((IdentityKind.EMAIL, person.email))
    if channel == "telegram" or rng.random() < 0.2:
        person.telegram = str(100_000_000 + int(digits) % 7_000_000_000)  # unique like the phone
        identities.append((IdentityKind.TELEGRAM, person.telegram))
    if channel == "bale":
        person.bale = str(1_000_000_000 + int(digits[1:]))
        identities.append((IdentityKind.BALE, person.bale))
    if channel == "fax" and account is not None:
        person.fax = account[1][1]
        if not any(p.fax == person.fax for p in demo.people):
            identities.append((IdentityKind.FAX, person.fax))
    admin = demo.users[d.STAFF[0][0]]
    person.contact = await create_contact(name, identities=identities, by=admin)
    if account is not None:
        person.account = account[0]
        person.contact = await update_contact(
            person.contact.id, by=admin, account_id=account[0].id, segment=account[0].segment
        )
    return person


async def _contacts(demo: Demo, count: int) -> None:
    used: set[str] = set()
    for _ in range(count):
        demo.people.append(await _person(demo, used))
        demo.bar.update(1)


def _summary_lines(demo: Demo, counts: dict[str, int], token: str) -> list[str]:
    fa = to_persian_digits
    channels = "، ".join(f"{name} {fa(n)}" for name, n in counts.items() if name.startswith("«"))
    lines = [
        f"شرکت نمایشی «{d.COMPANY}» بارگذاری شد.",
        f"{fa(counts['contacts'])} مخاطب، {fa(counts['conversations'])} گفت‌وگو ({channels})،",
        f"{fa(counts['cases'])} پرونده، {fa(counts['leads'])} سرنخ، {fa(counts['calls'])} تماس.",
        "",
        f"کاربران نمایشی (گذرواژه‌ی همه: {d.DEMO_PASSWORD}):",
    ]
    for username, full_name, role, *_ in d.STAFF:
        lines.append(f"  {username:<12} {ROLE_NAMES[role]:<14} {full_name}")
    lines += ["", f"توکن API کاربر {d.STAFF[0][0]} (برای /api/v1): {token}"]
    return lines


async def load_demo(settings: Settings | None = None, *, contacts: int = 200, seed: int = 1405) -> bool:
    """Load the demo company into an empty database; False (and a polite note) when it is already there."""
    from core.demo_inbox import counts, fill_inbox

    settings = settings or load_settings()
    if await _already_loaded():
        print(f"داده‌های نمایشی «{d.COMPANY}» پیش‌تر بارگذاری شده است؛ چیزی دوباره افزوده نشد.")
        return False
    total = contacts + int(contacts * 1.1) + 42  # contacts, conversations, unknown senders, calls, letters
    with tqdm(total=total, desc="داده‌ی نمایشی", unit=" مورد", file=sys.stderr, mininterval=0.5) as bar:
        demo = Demo(rng=random.Random(seed), data_dir=settings.data_dir, bar=bar)
        await ensure_fixed_holidays(tz=settings.timezone)  # call-back tasks fall due in business time
        await _staff(demo)
        await _accounts(demo)
        await _contacts(demo, contacts)
        await fill_inbox(demo)
        bar.total = bar.n  # the estimate was close; end the bar at what was really loaded
        bar.refresh()
    token = await issue_token(demo.users[d.STAFF[0][0]], name="demo")
    print("\n".join(_summary_lines(demo, await counts(), token)))
    return True
