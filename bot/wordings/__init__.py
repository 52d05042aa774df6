"""The 口径 library's wiring: its policy from settings, the 办事指南 snapshot for the callback,
the operations every surface calls, and its ticks (the domain is in review/wordings/)."""
