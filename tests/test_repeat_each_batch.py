"""`repeat_each_batch`: with one ScoreNN and one TaskNN step per cycle, both sides train on
every batch, in order, once per epoch; a repetition that does not match the schedule is refused."""
from collections import Counter

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Vocabulary
from allennlp.data.data_loaders import MultiProcessDataLoader
from allennlp.data.samplers import BatchSampler, BucketBatchSampler
from allennlp.training import GradientDescentTrainer
from allennlp.training.callbacks import TrainerCallback
from allennlp.training.optimizers import Optimizer

from seal_adapters.data import RepeatEachBatchSampler
from seal_adapters.training import AdapterScheduleCallback
from tests.test_alternating import TwoHeadModel, instances


class ListReader(DatasetReader):
    def __init__(self, data):
        super().__init__()
        self.data = data

    def _read(self, file_path):
        yield from self.data


class Recorder(TrainerCallback):
    """(trained adapter, the batch's token ids as tuples) per training step."""

    def __init__(self, serialization_dir, order):
        super().__init__(serialization_dir)
        self.order, self.steps = order, []

    def on_batch(self, trainer, batch_inputs, batch_outputs, batch_metrics, epoch, batch_number,
                 is_training, **kwargs):
        if is_training:
            ids = batch_inputs[0]["tokens"]["tokens"]["token_ids"]
            self.steps.append((self.order[batch_metrics["trained_adapter"]],
                               tuple(tuple(row.tolist()) for row in ids)))


def trainer_for(model_dir, tmp_path, sampler, schedule, epochs=1, count=12):
    data = instances(model_dir, count=count)
    vocab = Vocabulary.from_instances(data)
    torch.manual_seed(0)
    model = TwoHeadModel(vocab, model_dir)
    loader = MultiProcessDataLoader(ListReader(data), "unused", batch_sampler=sampler)
    loader.index_with(vocab)
    parameters = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = Optimizer.from_params(model_parameters=parameters, params=Params({"type": "adam", "lr": 1e-3}))
    alternating = AdapterScheduleCallback(str(tmp_path), schedule=schedule)
    recorder = Recorder(str(tmp_path), alternating.adapter_order)
    trainer = GradientDescentTrainer(model, optimizer, loader, num_epochs=epochs,
                                     callbacks=[alternating, recorder], serialization_dir=str(tmp_path))
    return trainer, recorder


def test_each_batch_comes_times_in_a_row(tiny_roberta):
    data = instances(tiny_roberta, count=10)
    inner = BucketBatchSampler(batch_size=4, sorting_keys=["tokens"], shuffle=False)
    plain = list(inner.get_batch_indices(data))
    repeated = RepeatEachBatchSampler(inner, times=3)
    assert list(repeated.get_batch_indices(data)) == [batch for batch in plain for _ in range(3)]
    assert repeated.get_num_batches(data) == 3 * len(plain) == 9
    assert repeated.get_batch_size() == 4


def test_from_params_builds_the_wrapped_sampler():
    sampler = BatchSampler.from_params(Params({
        "type": "repeat_each_batch", "times": 4,
        "batch_sampler": {"type": "bucket", "batch_size": 8, "sorting_keys": ["tokens"]}}))
    assert isinstance(sampler, RepeatEachBatchSampler) and sampler.times == 4
    assert isinstance(sampler.batch_sampler, BucketBatchSampler)


def test_both_sides_train_on_every_batch_scorenn_first(tiny_roberta, tmp_path):
    sampler = RepeatEachBatchSampler(BucketBatchSampler(batch_size=3, sorting_keys=["tokens"]), times=2)
    trainer, recorder = trainer_for(tiny_roberta, tmp_path, sampler, [["scorenn", 1], ["tasknn", 1]], epochs=2)
    trainer.train()
    steps = recorder.steps
    assert len(steps) == 2 * 2 * 4  # 2 epochs x 2 sides x 4 batches of 3
    for first, second in zip(steps[0::2], steps[1::2]):
        assert first[0] == "scorenn" and second[0] == "tasknn"
        assert first[1] == second[1]  # the very same sentences
    # Per epoch, each side sees every one of the 12 sentences exactly once.
    for epoch in range(2):
        per_epoch = steps[epoch * 8:(epoch + 1) * 8]
        for side in ("scorenn", "tasknn"):
            rows = Counter(row for name, batch in per_epoch if name == side for row in batch)
            assert sum(rows.values()) == 12


def test_a_repetition_that_does_not_match_the_schedule_is_refused(tiny_roberta, tmp_path):
    sampler = RepeatEachBatchSampler(BucketBatchSampler(batch_size=3, sorting_keys=["tokens"]), times=3)
    trainer, _ = trainer_for(tiny_roberta, tmp_path, sampler, [["scorenn", 1], ["tasknn", 1]])
    with pytest.raises(ConfigurationError, match="repeats each batch 3 times, but one cycle of the "
                       r"schedule .* has 2 steps.*Set repeat_each_batch's times to 2"):
        trainer.train()


@pytest.mark.parametrize("times", [0, -1, 1.5, True])
def test_bad_times(times):
    with pytest.raises(ConfigurationError, match="times must be a positive integer"):
        RepeatEachBatchSampler(BucketBatchSampler(batch_size=2), times=times)


def test_random_batches_of_a_size_each_repeated(tiny_roberta):
    data = instances(tiny_roberta, count=10)
    sampler = RepeatEachBatchSampler(batch_size=4, times=2)
    batches = list(sampler.get_batch_indices(data))
    assert [len(b) for b in batches] == [4, 4, 4, 4, 2, 2]
    assert batches[0::2] == batches[1::2]
    assert sorted(i for b in batches[0::2] for i in b) == list(range(10))
    assert sampler.get_num_batches(data) == 6 and sampler.get_batch_size() == 4
    orders = {tuple(i for b in sampler.get_batch_indices(data) for i in b) for _ in range(5)}
    assert len(orders) > 1  # shuffled every epoch


@pytest.mark.parametrize("kwargs", [{}, {"batch_size": 4, "batch_sampler": BucketBatchSampler(batch_size=2)}])
def test_exactly_one_source_of_batches(kwargs):
    with pytest.raises(ConfigurationError, match="give either batch_sampler .* or batch_size"):
        RepeatEachBatchSampler(**kwargs)


@pytest.mark.parametrize("configured, inner", [
    ({"type": "repeat_each_batch", "times": 3,
      "batch_sampler": {"type": "bucket", "batch_size": 32, "sorting_keys": ["tokens"]}}, "batch_sampler"),
    ({"type": "repeat_each_batch", "times": 3, "batch_size": 32}, "batch_size"),
])
def test_demo_and_compare_keep_the_configs_repetition_and_kind_of_batches(configured, inner):
    from seal_adapters.cli.training_run import bucket_loader, keep_repetition

    loader = keep_repetition({"batch_sampler": configured}, bucket_loader(16, shuffle=True))
    sampler = loader["batch_sampler"]
    assert sampler["type"] == "repeat_each_batch" and sampler["times"] == 3
    assert set(sampler) == {"type", "times", inner}
    size = sampler["batch_size"] if inner == "batch_size" else sampler["batch_sampler"]["batch_size"]
    assert size == 16  # the budget's batch size, not the config's
    assert keep_repetition({"batch_size": 32}, bucket_loader(16, True)) == bucket_loader(16, True)
