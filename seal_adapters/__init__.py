"""seal_adapters: SEAL training with two adapters (`scorenn`, `tasknn`) on one frozen transformer.

Importing the package registers its AllenNLP components (token embedders, the
`alternating_adapters` callback, models, losses, readers, predictors).
"""
from seal_adapters import (  # noqa: F401
    compat,  # noqa: F401  (first: makes allennlp importable)
    data,
    embedders,
    losses,
    models,
    predictors,
    training,
)

__version__ = "0.1.0"
