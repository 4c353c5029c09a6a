"""losses of seal_adapters."""
