"""Gradient accumulation with the adapter_schedule callback: accumulation k at batch b
trains both sides exactly as batch k*b without it (alternating and joint, with and without a
gradient scaler), and repeat_each_batch repeats whole accumulation groups."""
import random

import pytest
import torch
from allennlp.commands.train import TrainModel
from allennlp.common import Params
from allennlp.common.util import prepare_environment

from seal_adapters.data.repeat_each_batch import RepeatEachBatchSampler
from tests.test_models_common import config, embedder, one_thread, reader  # noqa: F401

pytestmark = pytest.mark.usefixtures("one_thread")


def seal_config(tiny_roberta, sentiment_data, batch_size, accumulation, mode):
    tokens = embedder(tiny_roberta)
    tokens["token_embedders"]["tokens"]["eval_mode"] = True  # no dropout: runs comparable exactly
    model = {"type": "seal_text_classifier", "text_field_embedder": tokens, "dropout": 0.0,
             "score_loss_weight": 1.0, "scorenn_loss": {"type": "margin"}}  # margin: no sampling
    params = config(reader("text", tiny_roberta), model, sentiment_data["train"], sentiment_data["validation"],
                    lr=1e-2, batch_size=batch_size, schedule=[["scorenn", 1], ["tasknn", 1]])
    params["trainer"]["callbacks"][0]["mode"] = mode
    params["trainer"]["num_gradient_accumulation_steps"] = accumulation
    params["trainer"]["checkpointer"] = {"type": "atomic", "keep_most_recent_by_count": 1}
    if mode == "alternate":
        params["data_loader"] = {"batch_sampler": {"type": "repeat_each_batch", "batch_size": batch_size,
                                                   "times": 2}}
    else:
        params["data_loader"] = {"batch_size": batch_size, "shuffle": False}
    return params


def trained_state(params, directory, scaler):
    params = Params(params)
    prepare_environment(params)
    run = TrainModel.from_params(params=params, serialization_dir=str(directory), local_rank=0)
    if scaler:  # allennlp makes its scaler only for CUDA AMP; the callback's scaled path is the same
        run.trainer._scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 10)
    run.run()
    return {k: v.detach().clone() for k, v in run.trainer.model.state_dict().items()}


@pytest.mark.parametrize("mode, scaler", [("alternate", False), ("joint", False), ("alternate", True)])
def test_accumulation_equals_the_bigger_batch_for_both_sides(tiny_roberta, sentiment_data, tmp_path, mode, scaler):
    """96 training sentences: batches of 8 in groups of 4 against batches of 32."""
    accumulated = trained_state(seal_config(tiny_roberta, sentiment_data, 8, 4, mode), tmp_path / "k4", scaler)
    big = trained_state(seal_config(tiny_roberta, sentiment_data, 32, 1, mode), tmp_path / "k1", scaler)
    trained = [k for k in big if ".adapters.scorenn." in k or ".adapters.tasknn." in k or k.startswith("heads.")]
    assert {k.split("adapters.")[-1].split(".")[0] for k in trained if "adapters." in k} == {"scorenn", "tasknn"}
    assert any(k.startswith("heads.scorenn") for k in trained) and any(k.startswith("heads.tasknn") for k in trained)
    worst = max((accumulated[k] - big[k]).abs().max().item() for k in trained)
    # float32 sums in another order over 6 steps of lr 1e-2: ~2e-6 (joint measured 2.03e-6);
    # without the callback's division by the group size the test fails.
    assert worst < 5e-6, f"accumulated and big-batch weights differ by {worst}"
    initial = initial_state(tiny_roberta, sentiment_data, mode)
    moved = min((big[k] - initial[k]).abs().max().item() for k in trained if k.endswith("weight"))
    assert moved > 1e-4  # every trained weight moved: both sides really trained


def initial_state(tiny_roberta, sentiment_data, mode):
    """The weights before any step (same seed and construction as the runs)."""
    from allennlp.data import DatasetReader, Vocabulary
    from allennlp.models import Model

    params = Params(seal_config(tiny_roberta, sentiment_data, 32, 1, mode))
    prepare_environment(params)
    instances = list(DatasetReader.from_params(params.pop("dataset_reader")).read(sentiment_data["train"]))
    model = Model.from_params(vocab=Vocabulary.from_instances(instances), params=params.pop("model"))
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_repeat_each_batch_repeats_whole_accumulation_groups():
    sampler = RepeatEachBatchSampler(batch_size=1, times=2)
    sampler.group = 2
    instances = list(range(5))
    random.seed(0)
    batches = [b[0] for b in sampler.get_batch_indices(instances)]
    random.seed(0)
    order = [b[0] for b in RepeatEachBatchSampler(batch_size=1, times=1).get_batch_indices(instances)]
    a, b, c, d, e = order
    assert batches == [a, b, a, b, c, d, c, d, e, e, e, e]  # the short last group filled by cycling
    assert sampler.get_num_batches(instances) == len(batches) == 12
