"""2-process CPU distributed training (gloo) through the real `allennlp train` CLI.

One config (written below, no imports) trains allennlp's `basic_classifier` on the tiny
RoBERTa with two `seq_bn` adapters and the `adapter_schedule` callback. The runs:

* 2 processes (`cuda_devices: [-1, -1]`, gloo), batch size B per process, with
  `evaluate_on_test: true`: the full path fix 4 of the compat layer is for;
* 1 process, batch size 2B: the reference the 2-process adapters must match;
* the 2-process run with each half of fix 4 switched off (`SEAL_ADAPTERS_NO_COMPAT=<patch>`),
  which must fail with the original errors.

A tiny test-only plugin (`seal_test_snapshot`, written to tmp_path and put on PYTHONPATH)
saves the model's weights at the start of training (`initial.th`), so "each adapter changed"
and "the runs started from the same weights" are checked against the real initial weights.
"""
import json
import os
import subprocess
import textwrap

import pytest
import torch
import torch.distributed as dist
from transformers import AutoModel

from tests.conftest import REPO, VENV_BIN

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()), reason="needs torch.distributed with gloo"
)

BATCH = 8  # per process; the 1-process reference uses 2 * BATCH
ADAPTERS = ("scorenn", "tasknn")
BACKBONE = "_text_field_embedder.token_embedder_tokens.transformer_model.model."
# Largest |2-process - 1-process| allowed on any trained weight (adapters and classifier).
# The two runs see the same instances in every optimizer step with the same averaged
# gradient (see test_two_process_adapters_match_one_process_run), so only float rounding
# differs: padding to different lengths and summing the batch in another order (DDP's
# all-reduce averages two half-batch means instead of one mean over 2B). Measured: 2.2e-8
# after 6 AdamW steps of lr 1e-2, while the weights themselves move by ~3e-2 (a move
# > 100 * TOLERANCE is asserted, so the bound is not vacuous).
TOLERANCE = 1e-4

CONFIG = """
local model = std.extVar('SEAL_TRANSFORMER');
local hidden = std.parseInt(std.extVar('SEAL_HIDDEN_SIZE'));
{
  dataset_reader: {
    type: 'text_classification_json',
    tokenizer: { type: 'pretrained_transformer', model_name: model },
    token_indexers: { tokens: { type: 'pretrained_transformer', model_name: model } },
  },
  train_data_path: std.extVar('SEAL_TRAIN'),
  validation_data_path: std.extVar('SEAL_VALIDATION'),
  test_data_path: std.extVar('SEAL_TEST'),
  evaluate_on_test: true,
  model: {
    type: 'basic_classifier',
    namespace: 'tags',
    text_field_embedder: { token_embedders: { tokens: {
      type: 'pretrained_transformer_with_adapters',
      model_name: model,
      adapters: { scorenn: 'seq_bn', tasknn: 'seq_bn' },
      // no dropout anywhere: the 1- and 2-process runs must compute the same function
      transformer_kwargs: { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 },
    } } },
    seq2vec_encoder: { type: 'cls_pooler', embedding_dim: 2 * hidden },
  },
  // shuffle false: with allennlp's distributed sharding (rank r reads instances r, r+2, ...)
  // step k of the 2-process run sees exactly the instances of step k of the 1-process run
  data_loader: { batch_size: std.parseInt(std.extVar('SEAL_BATCH_SIZE')), shuffle: false },
  trainer: {
    num_epochs: 1,
    cuda_device: -1,
    optimizer: { type: 'adamw', lr: 1e-2 },
    callbacks: [
      { type: 'save_initial_weights' },
      { type: 'adapter_schedule', schedule: [['scorenn', 1], ['tasknn', 1]] },
    ],
  },
}
"""

SNAPSHOT_PLUGIN = '''
import os

import torch
from allennlp.training.callbacks import TrainerCallback


@TrainerCallback.register("save_initial_weights")
class SaveInitialWeights(TrainerCallback):
    """Saves the (primary's) model weights before the first step as initial.th."""

    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        if is_primary:
            state = {k: v.detach().clone() for k, v in trainer.model.state_dict().items()}
            torch.save(state, os.path.join(self.serialization_dir, "initial.th"))
'''

TWO_PROCESSES = json.dumps({"distributed": {"cuda_devices": [-1, -1]}})


@pytest.fixture(scope="module")
def setup_dir(tmp_path_factory, tiny_roberta, sentiment_data):
    root = tmp_path_factory.mktemp("distributed")
    (root / "config.jsonnet").write_text(CONFIG)
    (root / "seal_test_snapshot.py").write_text(textwrap.dedent(SNAPSHOT_PLUGIN))
    env = {
        "SEAL_TRANSFORMER": tiny_roberta,
        "SEAL_HIDDEN_SIZE": "32",
        "SEAL_TRAIN": sentiment_data["train"],
        "SEAL_VALIDATION": sentiment_data["validation"],
        "SEAL_TEST": sentiment_data["test"],
        "PYTHONPATH": str(root),
    }
    return root, env


def train(setup_dir, *runs):
    """Runs `allennlp train` for each (name, batch_size, overrides, no_compat), all at once.

    Two runs side by side take little more wall time than one: much of a run is
    single-process start-up (imports, vocabulary) before the workers spawn.
    Returns [(CompletedProcess, serialization_dir)] in order.
    """
    root, base_env = setup_dir
    started = []
    for name, batch_size, overrides, no_compat in runs:
        env = dict(os.environ, **base_env, SEAL_BATCH_SIZE=str(batch_size))
        env.pop("SEAL_ADAPTERS_NO_COMPAT", None)
        if no_compat is not None:
            env["SEAL_ADAPTERS_NO_COMPAT"] = no_compat
        directory = root / name
        args = [os.path.join(VENV_BIN, "allennlp"), "train", str(root / "config.jsonnet"),
                "-s", str(directory), "--include-package", "seal_adapters",
                "--include-package", "seal_test_snapshot"]
        if overrides:
            args += ["-o", overrides]
        process = subprocess.Popen(args, env=env, cwd=REPO, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append((process, directory))
    finished = []
    for process, directory in started:
        try:
            stdout, stderr = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            process.kill()  # only our own child (allennlp's workers die with their parent)
            stdout, stderr = process.communicate()
        finished.append((subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr),
                         directory))
    return finished


def load(path):
    return torch.load(str(path), map_location="cpu")


def adapter_keys(state, name):
    return sorted(k for k in state if f".adapters.{name}." in k)


def trained_keys(state):
    """Everything the run may change: both adapters and the classifier head."""
    keys = [k for name in ADAPTERS for k in adapter_keys(state, name)]
    return keys + sorted(k for k in state if not k.startswith(BACKBONE))


@pytest.fixture(scope="module")
def good_runs(setup_dir):
    """The 2-process run (batch B per process) and the 1-process reference (batch 2B)."""
    runs = train(setup_dir, ("two_processes", BATCH, TWO_PROCESSES, None),
                 ("one_process", 2 * BATCH, None, None))
    for result, _ in runs:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    return [directory for _, directory in runs]


@pytest.fixture(scope="module")
def two_process_run(good_runs):
    return good_runs[0]


@pytest.fixture(scope="module")
def one_process_run(good_runs):
    return good_runs[1]


@pytest.fixture(scope="module")
def broken_runs(setup_dir):
    """The 2-process run with either half of compat fix 4 switched off."""
    runs = train(setup_dir, ("no_ddp_evaluate", BATCH, TWO_PROCESSES, "ddp_evaluate"),
                 ("no_ddp_unused", BATCH, TWO_PROCESSES, "ddp_unused"))
    return dict(zip(("ddp_evaluate", "ddp_unused"), runs))


def test_two_process_training_evaluates_on_test_and_keeps_backbone_frozen(two_process_run, tiny_roberta):
    metrics = json.loads((two_process_run / "metrics.json").read_text())
    # two workers really trained (allennlp reports each worker's memory)
    assert "peak_worker_0_memory_MB" in metrics and "peak_worker_1_memory_MB" in metrics
    assert 0.0 <= metrics["test_accuracy"] <= 1.0
    assert metrics["test_loss"] > 0.0

    best = load(two_process_run / "best.th")
    initial = load(two_process_run / "initial.th")
    original = AutoModel.from_pretrained(tiny_roberta).state_dict()
    assert original
    for key, tensor in original.items():
        assert torch.equal(best[BACKBONE + key], tensor), f"frozen weight {key} changed"
    # the rest of the backbone's non-adapter entries: `adapters`' prompt-tuning reference
    # to the word embeddings, which must be frozen too
    extra = {k[len(BACKBONE):] for k in best if k.startswith(BACKBONE) and ".adapters." not in k}
    extra -= set(original)
    assert extra == {"prompt_tuning.base_model_embeddings.weight"}
    assert torch.equal(best[BACKBONE + "prompt_tuning.base_model_embeddings.weight"],
                       original["embeddings.word_embeddings.weight"])

    for name in ADAPTERS:
        keys = adapter_keys(best, name)
        assert keys, f"no weights for adapter {name}"
        assert len(keys) == 8  # 2 layers x down/up x weight/bias
        moved = {k: (best[k] - initial[k]).abs().max().item() for k in keys}
        # Trained by gradient (weight decay alone moves a weight by ~1e-5 here): every tensor
        # of the first layer, and the up-projection bias of both. In the last layer the
        # tiny seq_bn (ReLU over 32 / 16 = 2 units) is dead at <s>, the only position the
        # cls_pooler reads, so its other last-layer tensors get no gradient.
        learned = [k for k in keys if ".layer.0." in k or k.endswith("adapter_up.bias")]
        assert len(learned) == 5
        slow = {k: moved[k] for k in learned if moved[k] < 1e-3}
        assert not slow, f"{name}: barely trained {slow}"


def test_two_process_adapters_match_one_process_run(two_process_run, one_process_run):
    """2 processes x batch B == 1 process x batch 2B, weight for weight.

    allennlp shards a reader with `manual_distributed_sharding` (text_classification_json)
    by position: rank r reads instances r, r+2, r+4, ... With shuffle false, batch k of rank 0
    is instances 2Bk, 2Bk+2, ..., of rank 1 2Bk+1, 2Bk+3, ...: together exactly batch k of
    the 1-process run with batch size 2B. The loss is a batch mean and DDP averages the two
    ranks' gradients, so each optimizer step applies the same gradient; dropout is 0 and
    both runs start from the same seeded weights (checked). Both runs take the same number of
    steps, so the alternation schedule lines up too. What remains is float rounding (padding
    lengths and summation order), hence TOLERANCE rather than bit equality.
    """
    initial_two = load(two_process_run / "initial.th")
    initial_one = load(one_process_run / "initial.th")
    assert initial_two.keys() == initial_one.keys()
    for key in initial_one:
        assert torch.equal(initial_two[key], initial_one[key]), f"runs start apart at {key}"

    two = load(two_process_run / "best.th")
    one = load(one_process_run / "best.th")
    keys = trained_keys(one)
    assert any("_classification_layer" in k for k in keys)
    diffs = {k: (two[k] - one[k]).abs().max().item() for k in keys}
    moved = {k: (one[k] - initial_one[k]).abs().max().item() for k in keys}
    max_diff = max(diffs.values())
    print(f"max |2-process - 1-process| = {max_diff:.3e} (largest move {max(moved.values()):.3e})")
    assert max_diff < TOLERANCE, sorted(diffs.items(), key=lambda kv: -kv[1])[:5]
    for name in ADAPTERS:
        assert max(moved[k] for k in adapter_keys(one, name)) > 100 * TOLERANCE


def test_two_process_test_metrics_cover_the_whole_test_set(two_process_run, one_process_run):
    """The primary evaluates alone, on all test instances, not just the shard it trained with.

    Its test loader was filled while the process group was up, i.e. with every other
    instance; the compat patch reloads it unsharded. The 1-process run (same weights up to
    ~1e-8, see above) evaluated all of them, so the numbers must agree.
    """
    metrics_two = json.loads((two_process_run / "metrics.json").read_text())
    metrics_one = json.loads((one_process_run / "metrics.json").read_text())
    assert metrics_two["test_accuracy"] == metrics_one["test_accuracy"]
    assert metrics_two["test_loss"] == pytest.approx(metrics_one["test_loss"], abs=1e-4)
    assert metrics_two["validation_loss"] == pytest.approx(metrics_one["validation_loss"], abs=1e-4)


def test_without_the_evaluate_on_test_patch_the_run_fails_at_the_end(broken_runs):
    result, directory = broken_runs["ddp_evaluate"]
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # training itself finished (its best weights are written); evaluation then breaks
    assert (directory / "best.th").is_file()
    assert not (directory / "metrics.json").exists()
    assert "Connection closed by peer" in output or "Connection reset by peer" in output, output[-4000:]


def test_without_find_unused_parameters_alternating_training_fails(broken_runs):
    result, directory = broken_runs["ddp_unused"]
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Expected to have finished reduction in the prior iteration" in output, output[-4000:]
    assert not (directory / "best.th").exists()


def test_without_any_compat_the_cli_cannot_start(setup_dir):
    [(result, directory)] = train(setup_dir, ("no_compat", BATCH, TWO_PROCESSES, "1"))
    assert result.returncode != 0
    assert "ModuleNotFoundError: No module named 'torchvision'" in result.stderr
    assert not directory.exists()
