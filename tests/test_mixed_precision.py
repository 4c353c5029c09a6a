"""Mixed precision with two adapters, on the CPU: allennlp's `use_amp` is CUDA-only, so these
tests take its two halves apart. Autocast: the Parallel pass runs in bfloat16 and stays close
to float32. Gradient scaling: with a GradScaler in the trainer, the callback's backward goes
through the scaler and the idle side still stays bit for bit unchanged."""
import pytest
import torch

from seal_adapters.embedders import PretrainedTransformerWithAdaptersEmbedder
from tests.test_alternating import OPTIMIZERS, WIDE, assert_only_the_trained_side_moved, train


@pytest.mark.parametrize("execution", ["parallel", "sequential"])
def test_bfloat16_autocast_pass_is_close_to_float32(tiny_roberta, execution):
    torch.manual_seed(0)
    embedder = PretrainedTransformerWithAdaptersEmbedder(
        tiny_roberta, adapters={"scorenn": WIDE, "tasknn": WIDE}, execution=execution)
    embedder.eval()
    ids = torch.randint(5, 200, (4, 12), generator=torch.Generator().manual_seed(1))
    mask = torch.ones_like(ids, dtype=torch.bool)
    for parameter in embedder.adapter_parameters("scorenn"):
        parameter.requires_grad_(False)
    full = embedder(ids, mask)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        half = embedder(ids, mask)
    # The last op is a LayerNorm, which autocast runs in float32; the matmuls before it ran
    # in bfloat16, so the values differ from the float32 pass, by little.
    assert half.shape == full.shape == (4, 12, 2 * embedder.hidden_size)
    assert torch.isfinite(half.float()).all() and not torch.equal(half.float(), full)
    # bfloat16 keeps 8 bits of mantissa: agreement to a few percent of the activations' scale.
    assert (half.float() - full).abs().max() < 0.05 * full.abs().max()
    half.float().pow(2).mean().backward()
    trained = [p.grad for p in embedder.adapter_parameters("tasknn")]
    assert all(g is not None and torch.isfinite(g).all() for g in trained)
    assert any(g.abs().sum() > 0 for g in trained)
    assert all(p.grad is None for p in embedder.adapter_parameters("scorenn"))


def test_gradient_scaler_path_keeps_the_idle_side_bit_for_bit(tiny_roberta, tmp_path):
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 12)
    scaled = []
    unscaled_scale = scaler.scale
    scaler.scale = lambda loss: scaled.append(loss) or unscaled_scale(loss)
    model, steps, _ = train(tiny_roberta, tmp_path, OPTIMIZERS["adamw"], [["scorenn", 1], ["tasknn", 2]],
                        steps=6, scaler=scaler)
    assert_only_the_trained_side_moved(model, steps, ["scorenn", "tasknn", "tasknn"] * 2)
    assert len(scaled) == 6  # every backward went through the scaler
    assert scaler.get_scale() == 2.0 ** 12  # no inf/nan step was skipped (it would halve the scale)
