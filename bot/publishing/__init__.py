"""The service side of publishing: settings → engine wiring, the ticks, the staff actions and the
standalone worker. The engine and its rules live in the domain (review/publishing/)."""
