"""`reuse_idle_channel`: alternating SEAL computes each channel once per batch, exactly."""
import pytest
import torch

from seal_adapters.training.adapter_schedule import AdapterScheduleCallback
from tests.test_models_common import build, count_adapter_calls, embedder, one_thread, reader  # noqa: F401

pytestmark = pytest.mark.usefixtures("one_thread")


def alternate_on_one_batch(model, batch, schedule, steps, optimizer=None):
    """`steps` optimizer steps on the same batch, as repeat_each_batch gives them."""
    return alternate(model, [batch] * steps, schedule, optimizer, repeats=steps)


def schedule_callback(model, schedule, repeats=1):
    """The callback attached to `model`, told (as on_start tells it from repeat_each_batch's
    `times`) that each batch comes in `repeats` consecutive steps."""
    callback = AdapterScheduleCallback("", schedule=schedule)
    callback.batch_repeats = repeats
    callback.attach(model)
    return callback


def alternate(model, batches, schedule, optimizer=None, repeats=1):
    """One optimizer step per batch of `batches` (each batch `repeats` times in a row), with
    the callback's backward (the loss, then the frozen side's gradients dropped)."""
    callback = schedule_callback(model, schedule, repeats)
    optimizer = optimizer or torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    outputs = []
    for batch in batches:
        optimizer.zero_grad()
        output = model(**batch)
        output["loss"].backward()
        for parameter in callback.frozen_parameters():
            parameter.grad = None
        optimizer.step()
        outputs.append({key: value.detach() for key, value in output.items()})
        callback.on_batch(None, batch, output, {}, 0, 0, is_training=True)
    return outputs


MODELS = {"text": "seal_text_classifier", "multilabel": "seal_multilabel_classifier", "tagging": "seal_tagger"}


def seal(model_dir, data, reuse, kind="text", last_layer_only=True, **model):
    tokens = embedder(model_dir, mismatched=kind == "tagging")
    if not last_layer_only:  # a per-adapter scalar mix: side parameters inside the embedder
        tokens["token_embedders"]["tokens"]["last_layer_only"] = False
    if model.pop("no_dropout", False):
        tokens["token_embedders"]["tokens"]["eval_mode"] = True  # the transformer's dropout off
        model["dropout"] = 0.0
    return build(reader(kind, model_dir),
                 {"type": MODELS[kind], "reuse_idle_channel": reuse,
                  "scorenn_loss": {"type": "margin"}, "text_field_embedder": tokens, **model},
                 data["validation"])


def other_batch(batch):
    """The batch's examples in reverse order: another batch of the same shapes."""
    if isinstance(batch, dict):
        return {key: other_batch(value) for key, value in batch.items()}
    return batch.flip(0) if torch.is_tensor(batch) else batch[::-1]


@pytest.mark.parametrize("reuse", [False, True])
@pytest.mark.parametrize("schedule", [[["scorenn", 1], ["tasknn", 1]], [["scorenn", 2], ["tasknn", 1]]])
def test_each_channel_is_computed_once_per_batch(tiny_roberta, sentiment_data, reuse, schedule):
    torch.manual_seed(0)
    model, batch, _ = seal(tiny_roberta, sentiment_data, reuse)
    scorenn, tasknn = count_adapter_calls(model, "scorenn"), count_adapter_calls(model, "tasknn")
    model.eval()
    model(**batch)  # evaluation: the TaskNN channel alone, to learn a channel's adapter layer calls
    per_channel = len(tasknn)
    assert per_channel > 0 and not scorenn
    # The schedule on one batch, then on the next (repeat_each_batch as long as a cycle). On
    # each, the step plan says the batch comes again: the ScoreNN's steps keep the TaskNN
    # channel with its graph and the TaskNN's step trains through it instead of computing it
    # again. The ScoreNN channel changes in each of its steps, so it is computed in every step.
    cycle = sum(steps for _, steps in schedule)
    alternate_on_one_batch(model, batch, schedule, cycle)
    scorenn.clear(), tasknn.clear()
    outputs = alternate_on_one_batch(model, other_batch(batch), schedule, cycle)
    assert len(scorenn) // per_channel == cycle
    assert len(tasknn) // per_channel == (cycle if not reuse else 1)
    assert all(torch.isfinite(o["loss"]) for o in outputs)
    # a new batch: nothing is reused
    scorenn.clear(), tasknn.clear()
    model(**batch)
    assert (len(scorenn), len(tasknn)) == (per_channel, per_channel)


def test_no_graph_is_kept_when_batches_do_not_repeat(tiny_roberta, sentiment_data):
    """Without repeat_each_batch a kept graph would never be used: the idle channel runs
    without autograd, as without reuse."""
    torch.manual_seed(0)
    model, batch, _ = seal(tiny_roberta, sentiment_data, True)
    callback = schedule_callback(model, [["scorenn", 1], ["tasknn", 1]])
    model.train()
    for step in range(4):
        model(**(batch if step % 2 else other_batch(batch)))["loss"].backward()
        kept = model._idle_channels._channels
        assert kept and not any(channel.requires_grad for channel in kept.values())
        callback.on_batch(None, batch, {}, {}, 0, 0, is_training=True)


@pytest.mark.parametrize("kind, schedule, last_layer_only", [
    ("text", [["scorenn", 1], ["tasknn", 1]], True),
    ("text", [["tasknn", 1], ["scorenn", 1]], True),
    ("text", [["scorenn", 2], ["tasknn", 1]], True),
    ("text", [["scorenn", 1], ["tasknn", 1]], False),
    ("multilabel", [["scorenn", 1], ["tasknn", 1]], True),
    ("tagging", [["scorenn", 1], ["tasknn", 1]], True),
])
def test_reuse_is_exact(request, kind, schedule, last_layer_only):
    """Without dropout, alternating with reuse gives the losses and the weights of computing
    every channel afresh, bit for bit, step after step (AdamW: every step moves the trained
    side), for each model, and with the per-adapter layer mix inside the embedder."""
    model_dir = request.getfixturevalue("tiny_roberta" if kind == "text" else "tiny_bert")
    data = request.getfixturevalue({"text": "sentiment_data", "multilabel": "multilabel_data",
                                    "tagging": "tagging_data"}[kind])
    cycle = sum(steps for _, steps in schedule)
    results, forwards = [], []
    for reuse in (False, True):
        torch.manual_seed(0)
        model, batch, _ = seal(model_dir, data, reuse, kind, last_layer_only, no_dropout=True)
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
        calls = count_adapter_calls(model, "tasknn"), count_adapter_calls(model, "scorenn")
        # repeat_each_batch: each of 3 batches (the first one twice) for one schedule cycle
        stream = [step_batch for step_batch in (batch, other_batch(batch), batch) for _ in range(cycle)]
        outputs = alternate(model, stream, schedule, optimizer, repeats=cycle)
        results.append(([(o["tasknn_loss"], o["scorenn_loss"]) for o in outputs], model.state_dict()))
        forwards.append(sum(map(len, calls)))
    assert forwards[1] < forwards[0]  # channels were reused
    (plain_losses, plain_state), (reused_losses, reused_state) = results
    for (plain_t, plain_s), (reused_t, reused_s) in zip(plain_losses, reused_losses):
        assert torch.equal(reused_t, plain_t)
        assert torch.equal(reused_s, plain_s)
    for key in plain_state:
        assert torch.equal(reused_state[key], plain_state[key]), key
    assert len(plain_losses) == 3 * cycle and plain_losses[0][0] != plain_losses[-1][0]  # it trained


def test_a_changed_channel_is_computed_again(tiny_roberta, sentiment_data):
    """A kept channel whose side changed since (here: its parameters edited in place by
    hand, as a checkpoint restore or another optimizer would) is not reused."""
    torch.manual_seed(0)
    model, batch, _ = seal(tiny_roberta, sentiment_data, True)
    tasknn = count_adapter_calls(model, "tasknn")
    alternate_on_one_batch(model, batch, [["scorenn", 1], ["tasknn", 1]], 2)  # batches repeat
    batch = other_batch(batch)
    tasknn.clear()
    callback = schedule_callback(model, [["scorenn", 1], ["tasknn", 1]], repeats=2)
    model.train()
    model(**batch)["loss"].backward()  # ScoreNN step: the TaskNN channel is kept
    computed = len(tasknn)
    callback.on_batch(None, batch, {}, {}, 0, 0, is_training=True)  # now the TaskNN trains
    with torch.no_grad():
        next(p for n, p in model.named_parameters() if "tasknn" in n and "adapters" in n).add_(1e-3)
    output = model(**batch)
    output["loss"].backward()  # a fresh graph: backward works, and the channel was computed again
    assert len(tasknn) == 2 * computed


def test_the_kept_graph_is_left_alone_by_the_steps_backward(tiny_roberta, sentiment_data):
    """In the ScoreNN step the TaskNN's kept channel gets no gradient (its loss reads it
    detached), and the TaskNN's parameters none either."""
    torch.manual_seed(0)
    model, batch, _ = seal(tiny_roberta, sentiment_data, True)
    alternate_on_one_batch(model, batch, [["scorenn", 1], ["tasknn", 1]], 2)  # batches repeat
    batch = other_batch(batch)
    schedule_callback(model, [["scorenn", 1], ["tasknn", 1]], repeats=2)
    model.train()
    model.zero_grad(set_to_none=True)
    output = model(**batch)
    output["loss"].backward()
    kept = model._idle_channels._channels["tasknn"]
    assert kept.requires_grad and kept.grad_fn is not None
    tasknn = [p for n, p in model.named_parameters() if "tasknn" in n]
    assert tasknn and all(p.grad is None and not p.requires_grad for p in tasknn)
    scorenn = [p for n, p in model.named_parameters() if "scorenn" in n]
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in scorenn)


def test_the_cache_follows_the_step_plan_and_guards_against_a_wrong_one(tiny_roberta, sentiment_data):
    """The first batch already reuses (the plan says it comes again; nothing is learnt from
    the data). A plan claiming the same batch when another one comes costs a recomputation,
    not a wrong channel. Without a plan (no callback) nothing is kept."""
    from seal_adapters.embedders.step_plan import StepPlan, plan_of, publish

    torch.manual_seed(0)
    model, batch, _ = seal(tiny_roberta, sentiment_data, True)
    tasknn = count_adapter_calls(model, "tasknn")
    model.eval()
    model(**batch)
    per_channel = len(tasknn)
    tasknn.clear()
    callback = schedule_callback(model, [["scorenn", 1], ["tasknn", 1]], repeats=2)
    assert plan_of(model) == StepPlan(("scorenn",), step_on_batch=0, repeats=2)
    model.train()
    model(**batch)["loss"].backward()  # ScoreNN step: the TaskNN channel is kept, with its graph
    assert model._idle_channels._channels["tasknn"].requires_grad
    callback.on_batch(None, batch, {}, {}, 0, 0, is_training=True)
    assert plan_of(model) == StepPlan(("tasknn",), step_on_batch=1, repeats=2)
    model(**other_batch(batch))["loss"].backward()  # the plan is wrong: another batch comes
    assert len(tasknn) == 2 * per_channel  # so the TaskNN channel was computed again
    publish(model, None)
    model(**batch)["loss"].backward()
    assert not model._idle_channels._channels


@pytest.mark.parametrize("accumulation, expected", [(1, 2), (2, 1)])
def test_the_callback_learns_the_repeats_from_repeat_each_batch(tiny_roberta, sentiment_data,
                                                                accumulation, expected):
    """on_start reads repeat_each_batch's `times` into the plan (steps on one batch in a
    row); under gradient accumulation a group's batches alternate, so none comes twice in a
    row."""
    from types import SimpleNamespace

    from seal_adapters.data.repeat_each_batch import RepeatEachBatchSampler
    from seal_adapters.embedders.step_plan import plan_of

    model, _, _ = seal(tiny_roberta, sentiment_data, True)
    loader = SimpleNamespace(batch_sampler=RepeatEachBatchSampler(batch_size=4, times=2))
    trainer = SimpleNamespace(model=model, data_loader=loader, _num_gradient_accumulation_steps=accumulation)
    callback = AdapterScheduleCallback("", schedule=[["scorenn", 1], ["tasknn", 1]])
    callback.on_start(trainer)
    assert callback.batch_repeats == expected
    assert plan_of(model).repeats == expected and plan_of(model).batch_comes_again == (expected == 2)
