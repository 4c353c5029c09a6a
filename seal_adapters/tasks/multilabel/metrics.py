"""Multi-label metrics allennlp lacks: example-based F1, mean average precision, and the
measure of structure `unseen_label_set_rate`."""
from typing import List, Optional

import numpy
import torch
from allennlp.training.metrics import Metric

from seal_adapters.models.metrics import MeanOverCount, label_set


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
