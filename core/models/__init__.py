"""All tortoise models, grouped by domain, tortoise loads this module as app models."""

from core.models.alarms import AlarmDelivery, AlarmRule, StaffLink, StaffLinkCode
from core.models.audit import AuditLog
from core.models.calendar import Holiday
from core.models.calls import Call, Task
from core.models.case_files import CaseAttachment
from core.models.cases import Case, CaseEvent, Lead
from core.models.catalog import Product
from core.models.contacts import Account, Contact, ContactIdentity
from core.models.devices import Device
from core.models.dialog import DialogState, PendingStep
from core.models.enums import (
    CaseStatus,
    CaseType,
    Channel,
    ConversationStatus,
    Direction,
    FileState,
    IdentityKind,
    MessageStatus,
    OutboxStatus,
    Priority,
    Role,
)
from core.models.inbox import Attachment, Conversation, Message
from core.models.orders import Installment, InstallmentStatus, Order, OrderLine, OrderStatus, PaymentMethod
from core.models.outbox import OutboundMessage
from core.models.procurement import ImportStage, PurchaseOrder, PurchaseOrderLink, PurchaseOrderStage
from core.models.sequence import Sequence
from core.models.sessions import SignInCounter, StaffSession
from core.models.sla import SlaPolicy
from core.models.staff import ApiToken, Team, User
from core.models.state import Alarm, InboundReceipt, Setting
from core.models.survey_invites import SurveyInvite
from core.models.surveys import (
    Answer,
    AnswerChoice,
    Option,
    Question,
    QuestionKind,
    QuestionTrigger,
    Response,
    Survey,
    SurveyStatus,
)

__all__ = [
    "Account",
    "Alarm",
    "AlarmDelivery",
    "AlarmRule",
    "Answer",
    "AnswerChoice",
    "ApiToken",
    "Attachment",
    "AuditLog",
    "Call",
    "Case",
    "CaseAttachment",
    "CaseEvent",
    "CaseStatus",
    "CaseType",
    "Channel",
    "Contact",
    "ContactIdentity",
    "Conversation",
    "ConversationStatus",
    "Device",
    "DialogState",
    "Direction",
    "FileState",
    "Holiday",
    "IdentityKind",
    "ImportStage",
    "InboundReceipt",
    "Installment",
    "InstallmentStatus",
    "Lead",
    "Message",
    "MessageStatus",
    "Option",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OutboundMessage",
    "OutboxStatus",
    "PaymentMethod",
    "PendingStep",
    "Priority",
    "Product",
    "PurchaseOrder",
    "PurchaseOrderLink",
    "PurchaseOrderStage",
    "Question",
    "QuestionKind",
    "QuestionTrigger",
    "Response",
    "Role",
    "Sequence",
    "Setting",
    "SignInCounter",
    "SlaPolicy",
    "StaffLink",
    "StaffLinkCode",
    "StaffSession",
    "Survey",
    "SurveyInvite",
    "SurveyStatus",
    "Task",
    "Team",
    "User",
]
