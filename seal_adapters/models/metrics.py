"""Multi-label metrics allennlp lacks: example-based F1 and mean average precision."""
from typing import List, Optional

import numpy
import torch
from allennlp.nn.util import dist_reduce_sum
from allennlp.training.metrics import Metric


def fscore(measure: Metric, reset: bool) -> float:
    """The `fscore` of an averaged allennlp FBeta measure; 0.0 before it has seen data
    (allennlp raises then, e.g. when metrics are read before the first labelled batch)."""
    try:
        return measure.get_metric(reset)["fscore"]
    except RuntimeError:
        return 0.0


def label_set(row) -> tuple:
    """The indices of a multi-hot row's labels that are on: a label set, hashable."""
    return tuple(i for i, on in enumerate(row) if on)


class MeanOverCount(Metric):
    """A metric that is a sum over a count (summed over distributed workers), 0.0 before any
    data; subclasses add each batch with `_add`."""

    def _add(self, total, count) -> None:
        self._total += float(dist_reduce_sum(total))
        self._count += int(dist_reduce_sum(count))

    def get_metric(self, reset: bool = False) -> float:
        value = self._total / self._count if self._count else 0.0
        if reset:
            self.reset()
        return value

    def reset(self) -> None:
        self._total = 0.0
        self._count = 0


class ExampleF1(MeanOverCount):
    """Mean over examples of the F1 between the predicted set (probability >= threshold) and
    the gold set; an example with both sets empty counts as 1."""

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.reset()

    def __call__(self, probs: torch.Tensor, gold: torch.Tensor, mask: Optional[torch.Tensor] = None):
        probs, gold = self.detach_tensors(probs, gold)
        predicted = (probs >= self.threshold).float()
        gold = gold.float()
        overlap = (predicted * gold).sum(-1)
        total = predicted.sum(-1) + gold.sum(-1)
        f1 = torch.where(total > 0, 2 * overlap / total.clamp_min(1e-8), torch.ones_like(total))
        self._add(f1.sum(), f1.numel())


class MeanAveragePrecision(Metric):
    """Macro mean over labels of sklearn's average precision (area under the
    precision-recall curve of ranking examples by that label's probability); labels without
    a positive example in the data seen so far are skipped, since AP is undefined for them.
    Under distributed training each worker reports the AP of the examples it saw."""

    def __init__(self) -> None:
        self.reset()

    def __call__(self, probs: torch.Tensor, gold: torch.Tensor, mask: Optional[torch.Tensor] = None):
        probs, gold = self.detach_tensors(probs, gold)
        self._probs.append(probs.float().cpu().numpy())
        self._gold.append(gold.float().cpu().numpy())

    def get_metric(self, reset: bool = False) -> float:
        from sklearn.metrics import average_precision_score

        value = 0.0
        if self._probs:
            probs, gold = numpy.concatenate(self._probs), numpy.concatenate(self._gold)
            scores = [average_precision_score(gold[:, label], probs[:, label])
                      for label in range(gold.shape[1]) if gold[:, label].any()]
            value = float(numpy.mean(scores)) if scores else 0.0
        if reset:
            self.reset()
        return value

    def reset(self) -> None:
        self._probs: List[numpy.ndarray] = []
        self._gold: List[numpy.ndarray] = []


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


class UnseenLabelSetRate(MeanOverCount):
    """A measure of structure for multi-label models: the share of predicted label sets
    (probability >= threshold) that no training example had as its gold set. The training
    sets are those the model saw in training batches (`seen`, kept in the model's state)."""

    def __init__(self, seen: set, threshold: float = 0.5) -> None:
        self.seen = seen
        self.threshold = threshold
        self.reset()

    def __call__(self, probs: torch.Tensor, gold=None, mask: Optional[torch.Tensor] = None):
        (probs,) = self.detach_tensors(probs)
        predicted = (probs >= self.threshold).cpu()
        unseen = sum(1 for row in predicted.tolist() if label_set(row) not in self.seen)
        self._add(unseen, predicted.size(0))


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
