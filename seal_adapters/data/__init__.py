"""data of seal_adapters."""
