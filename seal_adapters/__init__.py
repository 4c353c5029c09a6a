"""seal_adapters: SEAL training with two adapters (`scorenn`, `tasknn`) on one frozen transformer.

Importing the package registers its AllenNLP components (token embedders, the
`alternating_adapters` callback, models, losses, readers, predictors).
"""
from seal_adapters import compat  # noqa: F401  (first: makes allennlp importable)
from seal_adapters import data, embedders, losses, models, predictors, training  # noqa: F401

__version__ = "0.1.0"
