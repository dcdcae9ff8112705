"""Peyk's domain: models, actions (all writes), queries, Persian text, calendar, config."""
