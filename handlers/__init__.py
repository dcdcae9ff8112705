"""Customer conversation flows, written once and rendered per channel (BOT-1)."""
