"""All tortoise models, grouped by domain, tortoise loads this module as app models."""

from core.models.audit import AuditLog
from core.models.calendar import Holiday
from core.models.calls import Call, Task
from core.models.cases import Case, CaseEvent, Lead
from core.models.contacts import Account, Contact, ContactIdentity
from core.models.enums import (
    CaseStatus,
    CaseType,
    Channel,
    ConversationStatus,
    Direction,
    IdentityKind,
    MessageStatus,
    OutboxStatus,
    Priority,
    Role,
)
from core.models.inbox import Attachment, Conversation, Message
from core.models.outbox import OutboundMessage
from core.models.sequence import Sequence
from core.models.staff import ApiToken, Team, User
from core.models.state import Alarm, InboundReceipt, Setting

__all__ = [
    "Account",
    "Alarm",
    "ApiToken",
    "Attachment",
    "AuditLog",
    "Call",
    "Case",
    "CaseEvent",
    "CaseStatus",
    "CaseType",
    "Channel",
    "Contact",
    "ContactIdentity",
    "Conversation",
    "ConversationStatus",
    "Direction",
    "Holiday",
    "IdentityKind",
    "InboundReceipt",
    "Lead",
    "Message",
    "MessageStatus",
    "OutboundMessage",
    "OutboxStatus",
    "Priority",
    "Role",
    "Sequence",
    "Setting",
    "Task",
    "Team",
    "User",
]
