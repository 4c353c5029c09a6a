"""`warn_conflicting_labels`: one training text given different labels.

Why: the same sentence labelled `neg` on one line and `pos` on another (a merge of two
annotators' files, a copy-paste slip) trains without a word, and the model learns noise on it.
It can be genuine (ambiguous sentences), so it is a loud warning naming the text and the
places, not a refusal.
"""
import logging
from typing import Dict, Iterable, List, Tuple

from allennlp.data import Instance
from allennlp.data.fields import LabelField

from seal_adapters.data.split_overlap import instance_texts

logger = logging.getLogger(__name__)

SHOWN = 5


def conflicting_labels(instances: Iterable[Instance]) -> Dict[tuple, List[Tuple[object, str]]]:
    """text -> [(label, place)] for every text with more than one distinct single label."""
    seen: Dict[tuple, List[Tuple[object, str]]] = {}
    for number, instance in enumerate(instances, start=1):
        for field in instance.fields.values():
            if isinstance(field, LabelField):
                place = getattr(field, "source", None) or f"instance {number}"
                seen.setdefault(instance_texts(instance), []).append((field.label, place))
    return {text: found for text, found in seen.items() if len({label for label, _ in found}) > 1}


def warn_conflicting_labels(instances: Iterable[Instance], path: object) -> int:
    """Warns (once, listing up to five texts) and returns how many texts have conflicting labels."""
    conflicts = conflicting_labels(instances)
    if conflicts:
        shown = "\n".join("  one text: " + ", ".join(f"{label!r} ({place})" for label, place in found[:4])
                           for found in list(conflicts.values())[:SHOWN])
        logger.warning("The training data (%s) gives %d text(s) different labels; the model is taught "
                       "both for each:\n%s\nCheck these lines (a merge or copy slip?) and keep one label "
                       "per text, unless the disagreement is intended.", path, len(conflicts), shown)
    return len(conflicts)
