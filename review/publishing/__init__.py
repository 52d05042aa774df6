"""Publishing: from a due publication to a recorded outcome, and what staff do afterwards.

``rules`` decides (pure), ``engine`` drives the tick (claim → call → record) through
``claiming`` and ``recording``, ``reconciliation`` asks the platform after a crash or a pending
answer, ``retraction`` and ``resolution`` are the staff actions. The service (bot/publishing/)
only wires these to settings and the scheduler. Import the modules themselves: this package
re-exports nothing, so importing one rule never loads the engine.
"""
