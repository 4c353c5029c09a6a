"""Label fields that remember where their label was read, to explain an unseen label.

Why: allennlp turns a label into an id in `Field.index()` via `Vocabulary.get_token_index`,
which raises a bare `KeyError("'x' not found in vocab namespace 'labels' ...")` for a label
the vocabulary never saw (label namespaces have no OOV token), deep inside the data loader
and without saying which file or line holds it. These subclasses catch that `KeyError` and
raise a `DataError` naming the label, its file and line, and the labels the vocabulary knows.
Everything else (counting, tensors, padding) is allennlp's.
"""
from typing import List, Optional, Sequence

from allennlp.data.fields import LabelField, MultiLabelField, SequenceLabelField
from allennlp.data.vocabulary import Vocabulary

from seal_adapters.data.errors import DataError, where

MAX_LISTED = 40


def known_labels(vocab: Vocabulary, namespace: str) -> List[str]:
    return list(vocab.get_token_to_index_vocabulary(namespace))


def unseen_label_error(label, namespace: str, vocab: Vocabulary,
                       source: Optional[str]) -> DataError:
    """The message for a label missing from `vocab`'s `namespace`."""
    known = known_labels(vocab, namespace)
    listed = ", ".join(repr(k) for k in known[:MAX_LISTED])
    if len(known) > MAX_LISTED:
        listed += f", ... ({len(known)} in all)"
    place = f"{source}: " if source else ""
    return DataError(
        f"{place}label {label!r} is not in the vocabulary (namespace '{namespace}', which "
        f"knows {len(known)} label(s): {listed or 'none'}). Fix: correct the label, or build the "
        "vocabulary from data that contains it (a model trained without this label cannot "
        "predict it; retrain with it in the training or vocabulary data)."
    )


class SourcedLabelField(LabelField):
    """A `LabelField` with `source` ("file, line N") for error messages."""

    __slots__ = ["source"]

    def __init__(self, label, label_namespace: str = "labels", skip_indexing: bool = False,
                 source: Optional[str] = None) -> None:
        super().__init__(label, label_namespace, skip_indexing)
        self.source = source

    def index(self, vocab: Vocabulary):
        try:
            super().index(vocab)
        except KeyError:
            raise unseen_label_error(self.label, self._label_namespace, vocab,
                                     self.source) from None


class SourcedMultiLabelField(MultiLabelField):
    """A `MultiLabelField` with `source` for error messages."""

    __slots__ = ["source"]

    def __init__(self, labels: Sequence, label_namespace: str = "labels",
                 skip_indexing: bool = False, num_labels: Optional[int] = None,
                 source: Optional[str] = None) -> None:
        super().__init__(labels, label_namespace, skip_indexing, num_labels)
        self.source = source

    def index(self, vocab: Vocabulary):
        known = vocab.get_token_to_index_vocabulary(self._label_namespace)
        try:
            super().index(vocab)
        except KeyError:
            missing = next(label for label in self.labels if label not in known)
            raise unseen_label_error(missing, self._label_namespace, vocab,
                                     self.source) from None


class SourcedSequenceLabelField(SequenceLabelField):
    """A `SequenceLabelField` (tags) that knows its file and the line of its first tag.

    A sentence's tags are on consecutive lines, so tag `i` is on line `first_line + i`.
    """

    __slots__ = ["source_path", "first_line"]

    def __init__(self, labels: Sequence, sequence_field, label_namespace: str = "labels",
                 source_path: Optional[str] = None, first_line: Optional[int] = None) -> None:
        super().__init__(labels, sequence_field, label_namespace)
        self.source_path = source_path
        self.first_line = first_line

    def index(self, vocab: Vocabulary):
        known = vocab.get_token_to_index_vocabulary(self._label_namespace)
        try:
            super().index(vocab)
        except KeyError:
            position = next(i for i, label in enumerate(self.labels) if label not in known)
            line = None if self.first_line is None else self.first_line + position
            source = where(self.source_path, line) if self.source_path or line else None
            raise unseen_label_error(self.labels[position], self._label_namespace, vocab,
                                     source) from None
