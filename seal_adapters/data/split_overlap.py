"""`warn_if_split_is_training_data`: validation or test data that is the training data.

Why: pointing `validation_data_path` (or `test_data_path`) at the training file, or at a copy
of it, trains normally and reports metrics that measure memorisation, with nothing in the
output to say so; model selection by `validation_metric` then picks the most overfit epoch.
It can be deliberate (an overfitting sanity check), so it is a loud warning, not a refusal.
"""
import logging
import os
from typing import Iterable, List

from allennlp.data import Instance

logger = logging.getLogger(__name__)


def instance_texts(instance: Instance) -> tuple:
    """The instance's text fields' tokens: what the model reads, labels aside."""
    return tuple(tuple(str(token) for token in field.tokens)
                 for _, field in sorted(instance.fields.items()) if hasattr(field, "tokens"))


def _same_file(first: object, second: object) -> bool:
    paths = [str(p) for p in (first, second)]
    if not all(os.path.isfile(p) for p in paths):
        return paths[0] == paths[1]
    return os.path.samefile(*paths)


def warn_if_split_is_training_data(training: List[Instance], evaluated: Iterable[Instance], split: str,
                                   path: object, train_path: object) -> bool:
    """Warns (and returns True) when the `split` data is the training file or every one of its
    instances' texts also occurs in the training data."""
    if _same_file(path, train_path):
        logger.warning("The %s data is the training file itself (%s): its metrics measure how well "
                       "the model memorised its training data. Give a held-out file as %s_data_path.",
                       split, path, split)
        return True
    seen = {instance_texts(instance) for instance in training}
    evaluated = [instance_texts(instance) for instance in evaluated]
    if evaluated and seen and all(texts in seen for texts in evaluated):
        logger.warning("Every one of the %d %s instances (%s) also occurs in the training data (%s): "
                       "its metrics measure memorisation. Give a held-out file as %s_data_path.",
                       len(evaluated), split, path, train_path, split)
        return True
    return False
