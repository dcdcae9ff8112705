"""python-telegram-bot Applications: Telegram/Bale updates wired to channels.telegram and the core."""
