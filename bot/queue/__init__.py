"""The review queue's clock: expired claims return to their department, holders are warned first."""
