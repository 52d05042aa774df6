"""The domain: drafts → gate → review → publications; the citizen reply queue; audit."""
