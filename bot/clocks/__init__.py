"""The seed's clocks in the service: 谁起草、谁解读 reminders and the weekly digest (ticks.py),
and the settings they read as plain values (policy.py)."""
