"""The embedders' `compile` option: same results as eager, a few cached graphs under
alternation (no recompilation every step), and errors rather than a silent eager fallback."""
import pytest
import torch
from allennlp.common.checks import ConfigurationError
from torch._dynamo.utils import counters

from seal_adapters.embedders import PretrainedTransformerWithAdaptersEmbedder
from seal_adapters.embedders.compilation import compile_settings

# aot_eager traces forward and backward like inductor does, without generating C++ (seconds,
# not a minute per graph); one test below uses the real inductor.
AOT = {"backend": "aot_eager"}
WIDE = {"architecture": "seq_bn", "reduction_factor": 2}


@pytest.fixture(autouse=True)
def fresh_dynamo():
    torch._dynamo.reset()
    counters.clear()
    yield
    torch._dynamo.reset()


def embedder(model_dir, compile=False, execution="auto"):
    torch.manual_seed(0)
    return PretrainedTransformerWithAdaptersEmbedder(
        model_dir, adapters={"scorenn": WIDE, "tasknn": WIDE}, execution=execution, compile=compile)


def batch(length, seed):
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, 200, (3, length), generator=generator)
    mask = torch.ones_like(ids, dtype=torch.bool)
    mask[0, length - 2:] = False
    return ids, mask


def train_side(module, side):
    for name in module.adapter_names:
        for parameter in module.adapter_parameters(name):
            parameter.requires_grad_(name == side)


def step(module, side, ids, mask):
    """One alternating step: forward both channels, backward; the trained side's gradients."""
    train_side(module, side)
    module.zero_grad(set_to_none=True)
    output = module(ids, mask)
    (output ** 2).mean().backward()
    return output.detach(), {n: p.grad.clone() for n, p in module.named_parameters() if p.grad is not None}


def graphs() -> int:
    return counters["stats"]["unique_graphs"]


@pytest.mark.parametrize("execution", ["parallel", "sequential"])
def test_compiled_equals_eager_and_alternation_reuses_graphs(tiny_roberta, execution):
    eager = embedder(tiny_roberta, execution=execution)
    compiled = embedder(tiny_roberta, compile=AOT, execution=execution)
    compiled.load_state_dict(eager.state_dict())
    counts = []
    for number in range(8):
        side = ("scorenn", "tasknn")[number % 2]
        ids, mask = batch(length=(9, 12, 7, 15)[number % 4], seed=number)  # shapes vary too
        expected, expected_grads = step(eager, side, ids, mask)
        got, got_grads = step(compiled, side, ids, mask)
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
        assert sorted(got_grads) == sorted(expected_grads)
        assert got_grads and all(side in name for name in got_grads)
        for name, grad in expected_grads.items():
            torch.testing.assert_close(got_grads[name], grad, rtol=1e-4, atol=1e-6)
        counts.append(graphs())
    # One graph per side (sequential: per side and idle-channel) in the first cycle, then reuse.
    assert counts[1] >= 2
    assert counts[-1] == counts[1], f"graphs compiled after each step: {counts}"
    assert not counters["recompiles"] and not counters["graph_break"]


def test_eval_mode_adds_graphs_once(tiny_roberta):
    module = embedder(tiny_roberta, compile=AOT)
    module.eval()
    ids, mask = batch(10, 0)
    with torch.no_grad():
        first = module(ids, mask)
        after_first = graphs()
        second = module(*batch(13, 1))
    assert after_first >= 1 and graphs() == after_first
    assert first.shape == (3, 10, 2 * module.hidden_size) and second.shape[1] == 13


def test_inductor_matches_eager(tiny_roberta):
    """The default backend, generating real C++ kernels, in inference (a forward graph only:
    a backward graph would add a minute on 2 cores; aot_eager above traces the backward the
    way inductor does)."""
    eager = embedder(tiny_roberta, execution="parallel").eval()
    compiled = embedder(tiny_roberta, compile=True, execution="parallel").eval()
    compiled.load_state_dict(eager.state_dict())
    ids, mask = batch(11, 3)
    with torch.no_grad():
        expected, got = eager(ids, mask), compiled(ids, mask)
    assert graphs() >= 1  # it really compiled
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


def test_state_dict_keys_do_not_change(tiny_roberta):
    assert list(embedder(tiny_roberta, compile=AOT).state_dict()) == list(embedder(tiny_roberta).state_dict())


def test_auto_compiles_only_gpu_inputs(tiny_roberta):
    module = embedder(tiny_roberta, compile="auto")
    module(*batch(8, 0))
    assert graphs() == 0  # CPU inputs run eagerly
    assert module.transformer_model.compiled.applies_to("cuda")
    assert not module.transformer_model.compiled.applies_to("cpu")


def test_a_failing_compiler_raises_instead_of_running_eagerly(tiny_roberta):
    def broken_backend(graph, example_inputs):
        raise RuntimeError("backend exploded")

    module = embedder(tiny_roberta, compile={"backend": broken_backend})
    with pytest.raises(Exception, match="backend exploded"):
        module(*batch(8, 0))
    assert torch._dynamo.config.fail_on_recompile_limit_hit


@pytest.mark.parametrize("spec, message", [
    ({"backend": "no_such_backend"}, "backend 'no_such_backend' is unknown"),
    ({"backend": "aot_eager", "fullgrap": True}, r"unknown key\(s\) \['fullgrap'\]"),
    ("always", "compile must be false, true, \"auto\" or a dict"),
    ({"devices": "cuda"}, "devices must be a list"),
])
def test_bad_compile_settings(spec, message):
    with pytest.raises(ConfigurationError, match=message):
        compile_settings(spec)


def test_torch_compile_argument_errors_name_the_setting(tiny_roberta):
    with pytest.raises(ConfigurationError, match="torch.compile rejected"):
        embedder(tiny_roberta, compile={"mode": "max-autotune", "options": {"trace.enabled": True}})


def test_compile_with_gradient_checkpointing_is_refused(tiny_roberta):
    with pytest.raises(ConfigurationError, match="gradient_checkpointing and compile cannot be combined"):
        PretrainedTransformerWithAdaptersEmbedder(tiny_roberta, compile=AOT, gradient_checkpointing=True)


def test_seal_training_through_allennlp_compiled_matches_eager(tiny_roberta, sentiment_data, tmp_path):
    """The whole stack (trainer, alternating callback, SEAL model) with a compiled embedder:
    the same validation loss as eager, and a handful of graphs for 12 alternating steps over
    batches of varying length (no recompilation per step)."""
    from tests.test_models_common import config, reader, train

    def run(compile, directory):
        tokens = {"type": "pretrained_transformer_with_adapters", "model_name": tiny_roberta,
                  "adapters": {"scorenn": WIDE, "tasknn": WIDE}, "compile": compile,
                  "transformer_kwargs": {"hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}}
        model = {"type": "seal_text_classifier", "dropout": 0.0,
                 "text_field_embedder": {"token_embedders": {"tokens": tokens}}}
        params = config(reader("text", tiny_roberta), model, sentiment_data["train"],
                        sentiment_data["validation"], epochs=2, schedule=[["scorenn", 1], ["tasknn", 1]])
        return train(params, directory)[1]

    eager = run(False, tmp_path / "eager")
    assert graphs() == 0
    compiled = run(AOT, tmp_path / "compiled")
    assert compiled["epoch"] == eager["epoch"] == 1
    assert abs(compiled["best_validation_loss"] - eager["best_validation_loss"]) < 1e-4
    assert abs(compiled["training_scorenn_loss"] - eager["training_scorenn_loss"]) < 1e-4
    # 2 sides x (trained channel, idle channel without autograd) + 1 for evaluation, + 1 for
    # the pre-training check's forward (run_guards.py: eval mode on the first validation batch,
    # compiled for that batch's static shape before evaluation makes the length dynamic).
    assert graphs() == 6, f"{graphs()} graphs for 12 training steps and 2 validations"
