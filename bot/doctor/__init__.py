"""``newmedia doctor``: an installation checked and every problem named with its fix.

``facts`` holds what was observed (plain data), ``gather`` observes it (settings, database,
platforms: the only I/O), ``rules`` and ``network_rules`` turn facts into findings (pure, so
each finding and its fix text is tested without a network or a database).
"""
