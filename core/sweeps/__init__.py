"""Periodic sweeps: each is one function taking `now`, safe to run twice or in two processes at once."""
