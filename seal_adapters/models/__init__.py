"""The SEAL model base and what every task's model shares (heads, pooling, metrics' base,
the idle-channel cache, SEAL-static). The models themselves live in their task folders."""
from seal_adapters.models.seal_model import SealModel  # noqa: F401
