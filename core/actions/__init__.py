"""Core actions: the only code that writes to the database (one transaction each)."""
