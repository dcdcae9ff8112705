"""Routes and menu entries of the work areas: inbox, conversations, contacts, call desk, cases, live events."""

from __future__ import annotations

from aiohttp import web

from admin.web import attachments, calldesk, cases, contacts, conversation, conversation_actions, inbox, live
from admin.web.nav import NavItem, register
from core.areas import Area


def setup_areas(app: web.Application) -> None:
    """Register every page and action of the staff work areas."""
    r = app.router
    r.add_get("/admin/inbox", inbox.inbox, name="inbox")
    r.add_get("/admin/conversations/{id}", conversation.conversation_page, name="conversation")
    r.add_get("/admin/conversations/{id}/messages", conversation.conversation_messages_part)
    a = conversation_actions
    posts = {
        "reply": a.reply,
        "assign": a.assign,
        "assign-me": a.assign_me,
        "status": a.set_status,
        "priority": a.set_priority,
        "labels": a.set_labels,
        "case": a.open_case,
        "lead": a.open_lead,
        "contact": a.link_contact,
    }
    for action, handler in posts.items():
        r.add_post(f"/admin/conversations/{{id}}/{action}", handler)
    r.add_get("/admin/attachments/{id}", attachments.attachment_file)
    r.add_get("/admin/messages/{id}/html", attachments.mail_html)
    contacts.setup(app)
    calldesk.setup(app)
    cases.setup(app)
    live.setup(app)
    register(NavItem("/admin/inbox", "صندوق پیام‌ها", area=Area.INBOX))
    register(NavItem("/admin/contacts", "مخاطبان", area=Area.CONTACTS))
    register(NavItem("/admin/calldesk", "میز تماس", area=Area.CALLS))
    register(NavItem("/admin/cases", "پرونده‌ها", area=Area.CASES))
