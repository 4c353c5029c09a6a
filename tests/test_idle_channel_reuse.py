"""`reuse_idle_channel`: alternating SEAL computes each frozen channel once per batch."""
import pytest
import torch

from seal_adapters.training.alternating_adapters import AlternatingAdaptersCallback
from tests.test_models_common import build, count_adapter_calls, embedder, one_thread, reader  # noqa: F401

pytestmark = pytest.mark.usefixtures("one_thread")


def alternate_on_one_batch(model, batch, schedule, steps):
    """`steps` optimizer steps on the same batch, as repeat_each_batch gives them."""
    callback = AlternatingAdaptersCallback("", schedule=schedule)
    callback.attach(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        output = model(**batch)
        output["loss"].backward()
        for parameter in callback.frozen_parameters():
            parameter.grad = None
        optimizer.step()
        losses.append(output)
        callback.on_batch(None, batch, output, {}, 0, 0, is_training=True)
    return losses


@pytest.mark.parametrize("reuse", [False, True])
def test_a_frozen_channel_is_computed_once_per_batch(tiny_roberta, sentiment_data, reuse):
    torch.manual_seed(0)
    model, batch, _ = build(reader("text", tiny_roberta),
                            {"type": "seal_text_classifier", "reuse_idle_channel": reuse,
                             "scorenn_loss": {"type": "margin"}, "text_field_embedder": embedder(tiny_roberta)},
                            sentiment_data["validation"])
    scorenn, tasknn = count_adapter_calls(model, "scorenn"), count_adapter_calls(model, "tasknn")
    model.eval()
    model(**batch)  # evaluation: the TaskNN channel alone, to learn a channel's adapter layer calls
    per_channel = len(tasknn)
    assert per_channel > 0 and not scorenn
    tasknn.clear()
    # [scorenn 2, tasknn 1] on one batch: without reuse each step runs both channels (3 each);
    # with reuse, step 2 reuses the TaskNN channel (unchanged: exact) and step 3 the ScoreNN's.
    outputs = alternate_on_one_batch(model, batch, [["scorenn", 2], ["tasknn", 1]], 3)
    assert (len(scorenn) // per_channel, len(tasknn) // per_channel) == ((3, 3) if not reuse else (2, 2))
    assert all(torch.isfinite(o["loss"]) for o in outputs)
    # a new batch: nothing is reused
    scorenn.clear(), tasknn.clear()
    other = {**batch, "label": 1 - batch["label"]}
    other["tokens"] = {"tokens": {k: v.flip(0) for k, v in batch["tokens"]["tokens"].items()}}
    model(**other)
    assert (len(scorenn), len(tasknn)) == (per_channel, per_channel)


def test_reuse_changes_nothing_where_the_reused_side_did_not_train(tiny_roberta, sentiment_data):
    """Two ScoreNN steps on one batch: the second reuses the TaskNN channel, which is exact
    (the TaskNN did not change), so both runs give the same losses and weights (no dropout)."""
    results = []
    for reuse in (False, True):
        torch.manual_seed(0)
        tokens = embedder(tiny_roberta)
        tokens["token_embedders"]["tokens"]["eval_mode"] = True
        model, batch, _ = build(reader("text", tiny_roberta),
                                {"type": "seal_text_classifier", "reuse_idle_channel": reuse, "dropout": 0.0,
                                 "scorenn_loss": {"type": "margin"}, "text_field_embedder": tokens},
                                sentiment_data["validation"])
        outputs = alternate_on_one_batch(model, batch, [["scorenn", 2], ["tasknn", 1]], 2)
        results.append(([o["loss"].item() for o in outputs], model.state_dict()))
    (plain_losses, plain_state), (reused_losses, reused_state) = results
    assert plain_losses == reused_losses
    assert all(torch.equal(plain_state[k], reused_state[k]) for k in plain_state)
