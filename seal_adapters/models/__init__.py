"""models of seal_adapters."""
