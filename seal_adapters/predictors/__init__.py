"""predictors of seal_adapters."""
