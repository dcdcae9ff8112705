"""APScheduler jobs: each a thin call into one core sweep (SLA, alarms, reminders, surveys, imports)."""
