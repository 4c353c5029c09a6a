"""`check_labels_in_vocab`: find every label a vocabulary lacks before training or evaluating.

Why: indexing stops at the first unseen label (see `fields.py`); this check reads the whole
data first and lists all of them with their places, so one run tells the user everything.
"""
from collections import OrderedDict
from typing import Iterable, List, Optional, Tuple

from allennlp.data import Instance
from allennlp.data.fields import LabelField, MultiLabelField, SequenceLabelField
from allennlp.data.vocabulary import Vocabulary

from seal_adapters.data.errors import DataError, where
from seal_adapters.data.fields import known_labels

MAX_PLACES = 3


def _labels_with_places(field) -> List[Tuple[object, Optional[str]]]:
    if isinstance(field, LabelField):
        return [(field.label, getattr(field, "source", None))]
    if isinstance(field, MultiLabelField):
        return [(label, getattr(field, "source", None)) for label in field.labels]
    if isinstance(field, SequenceLabelField):
        path, first = getattr(field, "source_path", None), getattr(field, "first_line", None)
        return [(label, where(path, first + i) if first is not None else path)
                for i, label in enumerate(field.labels)]
    return []


def check_labels_in_vocab(instances: Iterable[Instance], vocab: Vocabulary,
                          namespace: str = "labels") -> int:
    """Raises `DataError` naming each label (of label fields in `namespace`) that `vocab`
    lacks, with up to three places per label; returns how many labels were checked."""
    known = set(known_labels(vocab, namespace))
    unseen: "OrderedDict[object, List[Optional[str]]]" = OrderedDict()
    checked = 0
    for instance in instances:
        for field in instance.fields.values():
            if getattr(field, "_label_namespace", None) != namespace:
                continue
            if getattr(field, "_skip_indexing", False):
                continue
            for label, place in _labels_with_places(field):
                if isinstance(label, int):  # allennlp allows ints only with skip_indexing
                    continue
                checked += 1
                if label not in known:
                    unseen.setdefault(label, []).append(place)
    if unseen:
        lines = []
        for label, places in unseen.items():
            shown = "; ".join(p for p in places[:MAX_PLACES] if p) or "place unknown"
            more = f" and {len(places) - MAX_PLACES} more" if len(places) > MAX_PLACES else ""
            lines.append(f"  {label!r} ({len(places)}x): {shown}{more}")
        raise DataError(
            f"{len(unseen)} label(s) are not in the vocabulary namespace '{namespace}' "
            f"(known: {', '.join(repr(k) for k in sorted(known, key=str)) or 'none'}):\n"
            + "\n".join(lines)
            + "\nFix: correct these labels, or build the vocabulary from data that contains them."
        )
    return checked
