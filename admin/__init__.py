"""The aiohttp web application: staff admin (/admin), JSON API (/api/v1), webhooks (/hooks)."""
