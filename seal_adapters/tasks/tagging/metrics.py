"""Tagging metrics allennlp lacks: the measure of structure `invalid_transition_rate`, and
per-tag precision, recall and F1 for tag sets without a span scheme (POS)."""
from typing import List, Optional

import torch
from allennlp.training.metrics import Metric

from seal_adapters.models.metrics import MeanOverCount


class InvalidTransitionRate(MeanOverCount):
    """A measure of structure for taggers: the share of sentences whose decoded (argmax)
    tag sequence holds a transition the tag scheme forbids, e.g. under BIO an `I-X` that does
    not follow `B-X` or `I-X` (sentence start and end included), before any constrained
    decoding. The allowed transitions are allennlp's (`allowed_transitions`, as its CRF uses).
    """

    def __init__(self, labels: List[str], label_encoding: str) -> None:
        from allennlp.modules.conditional_random_field import allowed_transitions

        size = len(labels)
        allowed = torch.zeros(size + 2, size + 2, dtype=torch.bool)  # + start, end
        for source, target in allowed_transitions(label_encoding, dict(enumerate(labels))):
            allowed[source, target] = True
        self._allowed = allowed
        self._start, self._end = size, size + 1
        self.reset()

    def __call__(self, predictions: torch.Tensor, gold=None, mask: Optional[torch.Tensor] = None):
        predictions, mask = self.detach_tensors(predictions, mask)
        tags = predictions.long().cpu()
        lengths = (mask.long().sum(-1) if mask is not None
                   else torch.full((tags.size(0),), tags.size(1))).cpu().tolist()
        invalid = counted = 0
        for row, length in zip(tags.tolist(), lengths):
            if length == 0:  # an empty sentence has no tags to judge
                continue
            counted += 1
            path = [self._start] + row[:length] + [self._end]
            if not bool(self._allowed[path[:-1], path[1:]].all()):
                invalid += 1
        self._add(invalid, counted)


def per_tag_scores(measure: Metric, labels: List[str], reset: bool) -> dict:
    """`precision-<tag>`, `recall-<tag>`, `f1-<tag>` of an allennlp FBetaMeasure(average=None),
    so a POS tagger's metrics.json shows which tags fail; empty before it has seen data."""
    try:
        scores = measure.get_metric(reset)
    except RuntimeError:
        return {}
    out = {}
    for name, key in (("precision", "precision"), ("recall", "recall"), ("f1", "fscore")):
        for label, value in zip(labels, scores[key]):
            out[f"{name}-{label}"] = value
    return out
