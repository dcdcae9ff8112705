"""The PTB Application of one Bot API channel: handlers run on updates already stored by the door.

Updates never reach PTB before they are committed: the webhook route or the getUpdates loop stores
them (bots.door), offers the stored message to the dialog engine (handlers/), then feeds button presses to
`update_queue`. PTB handlers therefore only react to what the engine does not: the button spinner.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from channels.telegram_sender import file_url
from core.models import Channel
from handlers.engine import Engine

log = logging.getLogger(__name__)

CHANNEL_KEY = "peyk_channel"
ENGINE_KEY = "peyk_dialog_engine"


async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop the button's loading spinner; the press itself is already stored as a message."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed handler with the update it was handling."""
    shown: Any = update.to_dict() if isinstance(update, Update) else update
    log.error("bot handler failed on update %s", shown, exc_info=context.error)


def build_application(channel: Channel, token: str, api_url: str, engine: Engine | None = None) -> Application:
    """The Application for `channel` (no Updater: updates come from our door), with every handler.

    `engine` answers customers (the door gives it every stored message); /start is one of its words.
    """
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
    application.bot_data[ENGINE_KEY] = engine
    application.add_handler(CallbackQueryHandler(button_pressed))
    application.add_error_handler(on_error)
    return application
