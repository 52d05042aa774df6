"""The service's settings: the file's schema, loading it with every problem at once, the secrets
from the environment, and the Chinese wording of each problem (never a value)."""
