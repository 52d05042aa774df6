"""The platform channels built from settings (one per account, sandbox accounts on the loopback
sandbox) and the limits each adapter declares, handed to the review gate.
"""
