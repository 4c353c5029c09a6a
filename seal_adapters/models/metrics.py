"""What the tasks' metrics share: a sum-over-count base, the F-score of an FBeta measure,
the label set of a multi-hot row. Each task's own metrics live in its folder
(`tasks/multilabel/metrics.py`, `tasks/tagging/metrics.py`)."""
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
