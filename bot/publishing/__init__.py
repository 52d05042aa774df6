"""Publishing as the service runs it: wiring (settings → the domain engine's config), the tick, the
staff actions retract and correct, and the standalone worker. The engine itself is
``review.publishing``.
"""
