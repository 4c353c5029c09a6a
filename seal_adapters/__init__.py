"""seal_adapters: SEAL training with two adapters (`scorenn`, `tasknn`) on one frozen transformer.

Importing the package registers all its AllenNLP components (token embedders, the
`adapter_schedule` and `batch_history` callbacks, models, losses, readers, predictors) and
every task folder under `seal_adapters/tasks/` (docs/architecture.md).
"""
from seal_adapters import (  # noqa: F401
    compat,  # noqa: F401  (first: makes allennlp importable)
    data,
    embedders,
    losses,
    models,
    predictors,
    tasks,  # noqa: F401,E402  (last: tasks build on the rest)
    training,
)
from seal_adapters.reporting import batch_history  # noqa: F401,E402  (registers the callback)

__version__ = "0.1.0"
