"""Enumerations shared by the models (stored as their string values)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    AGENT = "agent"
    SALES = "sales"
    TECHNICIAN = "technician"
    WAREHOUSE = "warehouse"
    COLLECTIONS = "collections"


class AccessScope(StrEnum):
    """Record-level access: only own records, the team's, or all."""

    OWN = "own"
    TEAM = "team"
    ALL = "all"


class IdentityKind(StrEnum):
    TELEGRAM = "telegram"
    BALE = "bale"
    PHONE = "phone"
    EMAIL = "email"
    FAX = "fax"


class Channel(StrEnum):
    TELEGRAM = "telegram"
    BALE = "bale"
    SMS = "sms"
    EMAIL = "email"
    FAX = "fax"
    CALL = "call"
    LETTER = "letter"
    WEB = "web"


class ConversationStatus(StrEnum):
    BOT = "bot"
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    RECEIVED = "received"
    NOTE = "note"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    HELD = "held"


class CaseType(StrEnum):
    SERVICE = "service"
    COMPLAINT = "complaint"
    INSTALLATION = "installation"


class CaseStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


class LeadStatus(StrEnum):
    NEW = "new"
    QUALIFIED = "qualified"
    LOST = "lost"


class CallDirection(StrEnum):
    IN = "in"
    OUT = "out"


class CallStatus(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    COMPLETED = "completed"
    MISSED = "missed"


class FileState(StrEnum):
    """Where an attachment's bytes are: stored, still being fetched from the provider, or given up on."""

    STORED = "stored"
    PENDING = "pending"
    FAILED = "failed"
