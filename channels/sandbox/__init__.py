"""Fake platforms and client-side simulators (follower, reviewer phone) for the demo and tests."""
