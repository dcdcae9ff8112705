"""Read-side queries for lists, search and timelines (access filters applied by the caller's user)."""

from core.queries.contacts import search_contacts
from core.queries.conversations import conversation_messages, list_conversations
from core.queries.timeline import TimelineItem, contact_timeline

__all__ = [
    "TimelineItem",
    "contact_timeline",
    "conversation_messages",
    "list_conversations",
    "search_contacts",
]
