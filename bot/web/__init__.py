"""The editors' web console and the JSON API. Each route module exposes ``setup(app)`` and imports
only the shared helpers (``api_common``, ``auth``), never another route module.
"""
