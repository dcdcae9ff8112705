"""Webhook front doors of providers (Telegram, Bale, Kavenegar, the PBX): thin routes into channels and core."""
