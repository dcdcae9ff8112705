"""The PTB Application of one Bot API channel: handlers run on updates already stored by the door.

Updates never reach PTB before they are committed: the webhook route or the getUpdates loop stores
them (bots.door), then feeds them to `update_queue`. Handlers therefore only react (greet, answer a
button) and write through core actions; issue 4's dialog engine plugs in here.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bots import copy
from channels.telegram_sender import file_url
from core.actions.outbox import queue_bot_reply
from core.actions.telegram import conversation_of_message
from core.models import Channel

log = logging.getLogger(__name__)

CHANNEL_KEY = "peyk_channel"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet a customer who opened the bot (/start), through the outbox like every reply."""
    message = update.effective_message
    if message is None:
        return
    channel: Channel = context.bot_data[CHANNEL_KEY]
    conversation_id = await conversation_of_message(channel, f"{message.chat_id}:{message.message_id}")
    if conversation_id is None:
        log.warning("/start on %s chat %s has no stored message; not greeting", channel, message.chat_id)
        return
    await queue_bot_reply(conversation_id, copy.GREETING)


async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop the button's loading spinner; the press itself is already stored as a message."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed handler with the update it was handling."""
    shown: Any = update.to_dict() if isinstance(update, Update) else update
    log.error("bot handler failed on update %s", shown, exc_info=context.error)


def build_application(channel: Channel, token: str, api_url: str) -> Application:
    """The Application for `channel` (no Updater: updates come from our door), with every handler."""
    application = (
        Application.builder()
        .token(token)
        .base_url(api_url)
        .base_file_url(file_url(api_url))
        .connect_timeout(5.0)
        .read_timeout(20.0)
        .write_timeout(20.0)
        .updater(None)
        .build()
    )
    application.bot_data[CHANNEL_KEY] = channel
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(button_pressed))
    application.add_error_handler(on_error)
    return application
