"""The 口径 library: approved answer wordings and the 办事指南 auto-answers, versioned and
reviewed (policy, library, decisions, lookup, guide, clock)."""
