"""`check_labels_seen_in_training`: every label of the evaluation data must occur in training.

Why: allennlp builds the vocabulary from every dataset by default, so a label found only in
the validation or test file (a typo, `1` in train but `"pos"` in dev, a class the training
split lacks) silently becomes a class the model never trains on, and its metrics quietly
count it as always wrong. Refusing names the label, its place and the file before training.
"""
import json
import re
from collections import OrderedDict
from typing import Dict, Iterable, List, Optional, Set

from allennlp.data import Instance

from seal_adapters.data.errors import DataError
from seal_adapters.data.label_check import MAX_PLACES, _labels_with_places


def labels_by_namespace(instances: Iterable[Instance]) -> Dict[str, "OrderedDict[object, List[Optional[str]]]"]:
    """namespace -> label -> the places it occurs (None where the reader records none)."""
    found: Dict[str, "OrderedDict[object, List[Optional[str]]]"] = {}
    for instance in instances:
        for field in instance.fields.values():
            namespace = getattr(field, "_label_namespace", None)
            if namespace is None or getattr(field, "_skip_indexing", False):
                continue
            labels = found.setdefault(namespace, OrderedDict())
            for label, place in _labels_with_places(field):
                labels.setdefault(label, []).append(place)
    return found


def check_labels_seen_in_training(training: Dict[str, Set[object]], instances: Iterable[Instance],
                                  split: str, path: object, train_path: object) -> None:
    """Raises `DataError` for labels of `instances` (the `split` data read from `path`) that
    no training instance has, in any label namespace the training data uses."""
    unseen_lines = []
    for namespace, labels in labels_by_namespace(instances).items():
        known = training.get(namespace)
        if known is None:
            continue
        for label, places in labels.items():
            if label in known:
                continue
            shown = "; ".join(p for p in places[:MAX_PLACES] if p) or str(path)
            more = f" and {len(places) - MAX_PLACES} more" if len(places) > MAX_PLACES else ""
            unseen_lines.append(f"  {label!r} ({type(label).__name__}, namespace '{namespace}', "
                                f"{len(places)}x): {shown}{more}")
    if unseen_lines:
        known_text = "; ".join(f"'{ns}': " + ", ".join(repr(k) for k in sorted(v, key=str)[:20])
                               for ns, v in training.items())
        raise DataError(
            f"{len(unseen_lines)} label(s) of the {split} data ({path}) never occur in the training "
            f"data ({train_path}); the model would get classes it never trains on:\n"
            + "\n".join(unseen_lines)
            + f"\nTraining labels: {known_text}.\nFix: correct these labels (same spelling and type "
            "as in training), or add training examples that have them."
        )


def _numeric(label: object) -> bool:
    text = str(label).strip()
    return text.lstrip("-").isdigit()


def check_label_kinds(found: Dict[str, "OrderedDict[object, List[Optional[str]]]"], path: object) -> None:
    """Raises `DataError` when one label namespace of the training data mixes numbers and words
    (`1` on some lines, `"pos"` / `"neg"` on others): readers turn every label into a string,
    so `1` silently becomes a class of its own next to the ones it was meant to be."""
    for namespace, labels in found.items():
        numbers = [label for label in labels if _numeric(label)]
        words = [label for label in labels if not _numeric(label)]
        if numbers and words:
            shown = "; ".join(f"{label!r} at {', '.join(p for p in labels[label][:MAX_PLACES] if p) or path}"
                              for label in numbers[:5])
            raise DataError(
                f"The training data ({path}) mixes numeric and word labels in namespace "
                f"'{namespace}': {shown}; words: {[str(w) for w in words[:10]]}. Each would be a class "
                "of its own. Fix: write every label the same way (e.g. all 'pos'/'neg', or all "
                "numbers)."
            )
        check_near_duplicate_labels(namespace, labels, path)
        check_joined_labels(namespace, labels, path)


def check_joined_labels(namespace: str, labels: "OrderedDict[object, List[Optional[str]]]",
                        path: object) -> None:
    """Raises `DataError` for a label that is other labels joined by commas or semicolons
    (`["drama, comedy"]` where "drama" and "comedy" are labels too): a class of its own, where
    a label list with two items was meant."""
    names = {label for label in labels if isinstance(label, str)}
    for label in names:
        parts = [part.strip() for part in re.split(r"[,;]", label)]
        if len(parts) > 1 and all(part in names for part in parts):
            place = next((p for p in labels[label] if p), str(path))
            raise DataError(
                f"The training data ({path}) has the label {label!r} in namespace '{namespace}' "
                f"({len(labels[label])}x, e.g. {place}), but {parts} are labels of their own: it "
                "would be one more class. Fix: write them as separate items of the label list, "
                f"e.g. {json.dumps(parts)}.")


def check_near_duplicate_labels(namespace: str, labels: "OrderedDict[object, List[Optional[str]]]",
                                path: object) -> None:
    """Raises `DataError` for labels that differ only in case or surrounding whitespace
    (`"pos"`, `"pos "`, `"Pos"`): each would silently be a class of its own."""
    groups: Dict[str, List[object]] = {}
    for label in labels:
        if isinstance(label, str):
            groups.setdefault(label.strip().casefold(), []).append(label)
    clashes = [variants for variants in groups.values() if len(variants) > 1]
    if not clashes:
        return
    shown = []
    for variants in clashes[:5]:
        shown.append(", ".join(f"{label!r} ({len(labels[label])}x, e.g. "
                               f"{next((p for p in labels[label] if p), str(path))})" for label in variants))
    raise DataError(
        f"The training data ({path}) has labels in namespace '{namespace}' that differ only in case "
        "or surrounding spaces; each would be a class of its own:\n  " + "\n  ".join(shown)
        + "\nFix: write each label one way everywhere (a typo? a trailing space?).")
