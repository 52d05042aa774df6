"""Reports computed from what the service records: the annual figures and their charts."""
