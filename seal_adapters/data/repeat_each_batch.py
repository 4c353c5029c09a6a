"""`repeat_each_batch`: every batch `times` times in a row, so each SEAL side trains on it.

With one optimizer step per batch, alternating `[["scorenn", 1], ["tasknn", 1]]` gives each
side only every other batch: the TaskNN sees half the data a TaskNN-only baseline sees in
the same epochs. SEAL trains both networks on every batch (the ScoreNN step, then the TaskNN
step, on the same examples). Repeating each batch as many times as one cycle of the schedule
has steps does exactly that with allennlp's own trainer: per epoch, every side trains on
every example once, and the ScoreNN scores the very batch the TaskNN then learns from.

Use it for training only; give `validation_data_loader` a plain loader (repeating changes no
metric there, it only doubles the work).
"""
from typing import Iterable, List, Optional, Sequence

from allennlp.common.checks import ConfigurationError
from allennlp.data.instance import Instance
from allennlp.data.samplers import BatchSampler


@BatchSampler.register("repeat_each_batch")
class RepeatEachBatchSampler(BatchSampler):
    """
    # Parameters

    batch_sampler : `BatchSampler`
        Makes the batches (e.g. `{"type": "bucket", "batch_size": 16}`).
    times : `int`, optional (default = `2`)
        How often each batch comes, in a row: the steps of one cycle of the
        `alternating_adapters` schedule (2 for one scorenn and one tasknn step).
    """

    def __init__(self, batch_sampler: BatchSampler, times: int = 2) -> None:
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ConfigurationError(
                f"repeat_each_batch: times must be a positive integer (the optimizer steps of one "
                f"schedule cycle, e.g. 2), got {times!r}."
            )
        self.batch_sampler = batch_sampler
        self.times = times

    def get_batch_indices(self, instances: Sequence[Instance]) -> Iterable[List[int]]:
        for batch in self.batch_sampler.get_batch_indices(instances):
            for _ in range(self.times):
                yield list(batch)

    def get_num_batches(self, instances: Sequence[Instance]) -> int:
        return self.times * self.batch_sampler.get_num_batches(instances)

    def get_batch_size(self) -> Optional[int]:
        return self.batch_sampler.get_batch_size()
