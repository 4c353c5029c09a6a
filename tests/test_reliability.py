"""Faults a run survives: SIGKILL mid-epoch, a kill while saving, a non-finite loss, `--force`.

Why: runs go for days on shared machines; a run that dies must resume exactly, and a kill must
never cost the checkpoints already written. The kills happen inside real `allennlp train`
processes (`seal_adapters.testing.fault_injection`, switched on by SEAL_FAULT). The runs use
dropout 0: allennlp does not checkpoint the RNG state, so with dropout a resumed run draws
other masks (measured: adapter weights then differ by up to ~5e-3 after 2 epochs).
"""
import hashlib
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time

import pytest
import torch
from allennlp.commands import main as allennlp_main
from allennlp.commands.train import TrainModel
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.common.util import prepare_environment
from allennlp.models import archival
from allennlp.models.archival import load_archive
from allennlp.training.checkpointer import Checkpointer
from allennlp.training.trainer import TrainerCheckpoint
from allennlp.training.util import create_serialization_dir

from seal_adapters.embedders import PretrainedTransformerWithAdaptersEmbedder, export_adapters
from seal_adapters.embedders.model_files import DamagedFileError
from seal_adapters.testing import fault_injection
from seal_adapters.testing import synthetic_data as data
from seal_adapters.training import run_directory, run_guards
from seal_adapters.training.atomic_files import DiskFullError
from seal_adapters.training.checkpointer import AtomicCheckpointer, UnreadableCheckpointsError
from seal_adapters.training.finite_loss import NonFiniteLossError
from tests.conftest import REPO, VENV_BIN, run_cli

CONFIG = os.path.join(REPO, "tests", "configs", "two_adapters_classifier.jsonnet")
# 24 examples, batches of 4: 6 steps an epoch; a checkpoint every 3 batches (e0_b3, e0_b6, ...).
OVERRIDES = {
    "trainer.num_epochs": 2, "data_loader.batch_size": 4,
    "random_seed": 1, "numpy_seed": 2, "pytorch_seed": 3,
    "trainer.checkpointer.save_every_num_batches": 3,
    "trainer.callbacks": [{"type": "adapter_schedule", "schedule": [["scorenn", 2], ["tasknn", 3]]}],
    "model.text_field_embedder.token_embedders.tokens.transformer_kwargs": {
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0},
}
VOLATILE = ("duration", "memory", "_MB")  # metrics.json keys that measure the machine


@pytest.fixture(scope="module")
def env(tiny_roberta, tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability_data")
    paths = data.write_jsonl_splits(root, data.sentiment_examples, train=(24, 1), validation=(8, 2))
    return {"SEAL_TRANSFORMER": tiny_roberta, "SEAL_HIDDEN_SIZE": "32",
            "SEAL_TRAIN": paths["train"], "SEAL_VALIDATION": paths["validation"]}


def train(out, env, fault="", extra=(), overrides=None):
    """`allennlp train` with the fault module loaded; it acts only when `fault` is set."""
    args = ["allennlp", "train", CONFIG, "-s", str(out), "--include-package",
            "seal_adapters.testing.fault_injection", "-o", json.dumps(overrides or OVERRIDES), *extra]
    return run_cli(args, {**env, "SEAL_FAULT": fault}, timeout=300)


@pytest.fixture(scope="module")
def reference(env, tmp_path_factory):
    """The uninterrupted run every recovered run must equal."""
    out = tmp_path_factory.mktemp("reference") / "run"
    result = train(out, env)
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result.stdout + result.stderr


def load(path):
    return torch.load(str(path), weights_only=True)


def max_abs_diff(first, second):
    assert first.keys() == second.keys()
    return max((first[k].float() - second[k].float()).abs().max().item() for k in first)


def epoch_summaries(log):
    """The callback's per-epoch line: which adapter trained how many steps."""
    return re.findall(r"epoch (\d+) \| trained: ([^|]+?) \|", log)


def assert_same_result(out, reference_out):
    for name in ("best.th", "model_state_e2_b0.th"):
        assert max_abs_diff(load(out / name), load(reference_out / name)) == 0.0, name
    ours, theirs = load(out / "training_state_e2_b0.th"), load(reference_out / "training_state_e2_b0.th")
    assert ours["callbacks"][0] == theirs["callbacks"][0]  # the schedule's position
    for index, state in theirs["optimizer"]["state"].items():  # Adam's moments, bit for bit
        assert max_abs_diff(ours["optimizer"]["state"][index], state) == 0.0
    metrics = json.loads((out / "metrics.json").read_text())
    expected = json.loads((reference_out / "metrics.json").read_text())
    stable = {k: v for k, v in expected.items() if not any(word in k for word in VOLATILE)}
    assert {k: metrics[k] for k in stable} == stable
    assert "training_loss" in stable and "validation_accuracy" in stable


def checkpoint_files(out):
    return sorted(name for name in os.listdir(out) if name.endswith((".th", ".partial")))


# --- SIGKILL mid-epoch, then --recover ------------------------------------------------------


def test_sigkill_mid_epoch_then_recover_equals_the_uninterrupted_run(reference, env, tmp_path):
    reference_out, reference_log = reference
    out = tmp_path / "run"
    killed = train(out, env, fault="kill_at_batch:5")
    assert killed.returncode == -signal.SIGKILL
    assert checkpoint_files(out) == ["model_state_e0_b3.th", "training_state_e0_b3.th"]
    # scorenn 2 steps, tasknn 1 of its 3: the checkpoint holds the schedule mid-turn.
    assert load(out / "training_state_e0_b3.th")["callbacks"][0] == {
        "position": 1, "steps_in_turn": 1, "step_on_batch": 0,  # plain batches: each comes once
        "steps_this_epoch": {"scorenn": 2, "tasknn": 1}, "without_gradient_this_epoch": {}}

    recovered = train(out, env, extra=["--recover"])
    log = recovered.stdout + recovered.stderr
    assert recovered.returncode == 0, log[-3000:]
    assert "Recovering from prior training" in log
    assert epoch_summaries(log) == epoch_summaries(reference_log) == [
        ("0", "scorenn 3 steps, tasknn 3 steps"), ("1", "scorenn 3 steps, tasknn 3 steps")]
    assert_same_result(out, reference_out)


# --- killed while writing a checkpoint ------------------------------------------------------


def test_kill_while_saving_leaves_the_previous_checkpoint_loadable(env, tmp_path, caplog):
    out = tmp_path / "run"
    killed = train(out, env, fault="kill_in_save:model_state_e0_b6")
    assert killed.returncode == -signal.SIGKILL
    # The half-written file exists only under its hidden temporary name.
    assert checkpoint_files(out) == [".model_state_e0_b6.th.partial", "model_state_e0_b3.th",
                                     "training_state_e0_b3.th"]
    checkpointer = AtomicCheckpointer(str(out))  # what `--recover` builds; it clears the leftover
    assert checkpoint_files(out) == ["model_state_e0_b3.th", "training_state_e0_b3.th"]
    assert "left by a run that died while saving it" in caplog.text
    assert checkpointer.find_latest_checkpoint() == (str(out / "model_state_e0_b3.th"),
                                                     str(out / "training_state_e0_b3.th"))
    state = checkpointer.load_checkpoint()  # what `--recover` loads
    assert state.trainer_state["batches_in_epoch_completed"] == 3
    assert state.trainer_state["callbacks"][0]["steps_this_epoch"] == {"scorenn": 2, "tasknn": 1}


def test_allennlp_default_checkpointer_cannot_recover_from_the_same_kill(env, tmp_path, caplog):
    """Why the `atomic` checkpointer exists (and proof the test above can fail)."""
    out = tmp_path / "run"
    plain = {**OVERRIDES, "trainer.checkpointer.type": "default"}
    killed = train(out, env, fault="kill_in_save:training_state_e0_b6", overrides=plain)
    assert killed.returncode == -signal.SIGKILL
    assert checkpoint_files(out) == ["model_state_e0_b3.th", "model_state_e0_b6.th",
                                     "training_state_e0_b3.th", "training_state_e0_b6.th"]
    # the half-written training state: allennlp's OSError, named as damaged by seal_adapters
    with pytest.raises(DamagedFileError, match=r"model_state_e0_b6.th, .*training_state_e0_b6.th\): it is "
                                               r"damaged, crafted or not a torch checkpoint \(.*Invalid argument"):
        Checkpointer(str(out)).load_checkpoint()  # what --recover calls
    # The atomic checkpointer, on this very directory, skips the damaged pair with a warning.
    state = AtomicCheckpointer(str(out)).load_checkpoint()
    assert state.trainer_state["batches_in_epoch_completed"] == 3
    assert "Cannot read checkpoint" in caplog.text and "model_state_e0_b6.th" in caplog.text


class StubTrainer:
    """Just what a checkpointer asks of a trainer."""

    def __init__(self):
        self.point = (0, 0)
        self.size = 3

    def get_checkpoint_state(self):
        epochs, batches = self.point
        return TrainerCheckpoint({"w": torch.full((self.size,), float(10 * epochs + batches))},
                                 {"epochs_completed": epochs, "batches_in_epoch_completed": batches})


def save_at(checkpointer, trainer, *points):
    for point in points:
        trainer.point = point
        checkpointer.save_checkpoint(trainer)


def test_atomic_checkpointer_keeps_allennlp_naming_and_pruning(tmp_path):
    checkpointer, trainer = AtomicCheckpointer(str(tmp_path), keep_most_recent_by_count=2), StubTrainer()
    save_at(checkpointer, trainer, (0, 2), (0, 4), (1, 0))
    assert checkpoint_files(tmp_path) == ["model_state_e0_b4.th", "model_state_e1_b0.th",
                                          "training_state_e0_b4.th", "training_state_e1_b0.th"]
    assert checkpointer.load_checkpoint().model_state["w"].tolist() == [10.0] * 3


def test_a_failed_save_leaves_no_file_and_the_previous_checkpoint(tmp_path, monkeypatch):
    """Model state first, then training state: a pair without its training state is skipped."""
    checkpointer, trainer = AtomicCheckpointer(str(tmp_path)), StubTrainer()
    save_at(checkpointer, trainer, (0, 2))
    real_save = torch.save

    def disk_full(obj, f, *args, **kwargs):
        name = f if isinstance(f, str) else getattr(f, "name", "")
        if "training_state_e0_b4" in name:
            with open(name, "wb") as handle:
                handle.write(b"PK\x03\x04 half a file")
            raise OSError(28, "No space left on device")
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(DiskFullError, match="No space left on the device while writing .*training_state_e0_b4.th"):
        save_at(checkpointer, trainer, (0, 4))
    monkeypatch.undo()
    assert checkpoint_files(tmp_path) == ["model_state_e0_b2.th", "model_state_e0_b4.th",
                                          "training_state_e0_b2.th"]
    assert checkpointer.find_latest_checkpoint()[1].endswith("training_state_e0_b2.th")


def test_unreadable_checkpoints_fall_back_then_fail_clearly(tmp_path, caplog):
    checkpointer, trainer = AtomicCheckpointer(str(tmp_path), keep_most_recent_by_count=None), StubTrainer()
    save_at(checkpointer, trainer, (0, 2), (0, 4))
    (tmp_path / "model_state_e0_b4.th").write_bytes(b"damaged")
    assert checkpointer.load_checkpoint().trainer_state["batches_in_epoch_completed"] == 2
    assert "Cannot read checkpoint" in caplog.text and "trying the one before" in caplog.text
    (tmp_path / "training_state_e0_b2.th").write_bytes(b"")
    with pytest.raises(UnreadableCheckpointsError, match=r"None of the checkpoints in .* can be "
                                                         r"read .*use --force to delete this one"):
        checkpointer.load_checkpoint()


# --- a non-finite loss ----------------------------------------------------------------------


def in_process_training(env, out, **overrides):
    """`allennlp train`'s TrainModel.run() in this process (faults installed by the caller)."""
    params = Params.from_file(CONFIG, json.dumps({**OVERRIDES, **overrides}), ext_vars=env)
    os.makedirs(out, exist_ok=True)
    prepare_environment(params)  # seeds, as `allennlp train` does
    return TrainModel.from_params(params=params, serialization_dir=str(out), local_rank=0).run()


def saved_tensors(out):
    """Every tensor in every .th file the run wrote."""
    for name in sorted(os.listdir(out)):
        if name.endswith(".th"):
            state = load(out / name)
            if "model_state" in name or name == "best.th":
                yield from ((name, key, value) for key, value in state.items())


NON_FINITE = [
    ("nan_loss_at_batch:9", "Non-finite loss (nan) at step 9 (epoch 1, batch 3) while training "
                            "adapter 'tasknn'."),
    ("inf_loss_at_batch:2", "Non-finite loss (inf) at step 2 (epoch 0, batch 2) while training "
                            "adapter 'scorenn'."),
]


@pytest.mark.parametrize("fault, message", NON_FINITE, ids=["nan", "inf"])
def test_non_finite_loss_stops_naming_step_and_adapter(fault, message, env, tmp_path):
    schedule = [{"type": "adapter_schedule", "schedule": [["scorenn", 2], ["tasknn", 1]]}]
    undo = fault_injection.install(fault)
    try:
        with pytest.raises(NonFiniteLossError) as error:
            in_process_training(env, tmp_path, **{"trainer.callbacks": schedule,
                                                  "trainer.checkpointer.save_every_num_batches": 1})
    finally:
        undo()
    assert str(error.value) == (
        f"{message} Lower the learning rate, enable gradient clipping (trainer.grad_norm) or check "
        "the data; no weights were written for this step.")
    step = int(re.search(r"step (\d+)", message).group(1))
    tensors = list(saved_tensors(tmp_path))
    assert tensors, "checkpoints from before the bad step exist"
    assert all(torch.isfinite(value).all() for _, _, value in tensors)
    # The newest checkpoint is the step before the bad one (6 steps an epoch).
    saved = [int(e) * 6 + int(b) for e, b in re.findall(r"model_state_e(\d+)_b(\d+)\.th",
                                                         " ".join(os.listdir(tmp_path)))]
    assert max(saved) == step - 1


def test_without_the_check_an_inf_loss_writes_nan_weights(env, tmp_path, monkeypatch):
    """allennlp alone: the inf step trains, its NaN weights are checkpointed, and only the
    next step stops with a bare "nan loss encountered" (proof the test above can fail)."""

    class NoCheck:
        def remove(self):
            pass

    monkeypatch.setattr(run_guards, "guard_finite_loss", lambda *args: NoCheck())
    undo = fault_injection.install("inf_loss_at_batch:2")
    try:
        with pytest.raises(ValueError, match="^nan loss encountered$"):
            in_process_training(env, tmp_path, **{"trainer.checkpointer.save_every_num_batches": 1})
    finally:
        undo()
    written = load(tmp_path / "model_state_e0_b2.th")
    assert not all(torch.isfinite(value).all() for value in written.values())


# --- an existing serialization directory ------------------------------------------------------


def digest(directory):
    found = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, directory)] = hashlib.sha256(handle.read()).hexdigest()
    return found


def allennlp_cli(monkeypatch, *args):
    """The `allennlp` command's own code (argument parsing included), in this process."""
    monkeypatch.setattr(sys, "argv", ["allennlp", *args])
    allennlp_main(prog="allennlp")


def test_existing_run_is_kept_without_force(reference, env, monkeypatch):
    reference_out, _ = reference
    before = digest(reference_out)
    assert "model.tar.gz" in before and "best.th" in before
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for extra in ([], ["--dry-run"]):
        with pytest.raises(ConfigurationError, match=r"already exists and is not empty\. Specify "
                                                      r"--recover"):
            allennlp_cli(monkeypatch, "train", CONFIG, "-s", str(reference_out), *extra)
    assert digest(reference_out) == before  # every file, byte for byte


def test_only_force_replaces_a_run(reference, tmp_path):
    """`--force` is allennlp's create_serialization_dir(force=True); nothing else deletes."""
    out = tmp_path / "run"
    shutil.copytree(reference[0], out)
    params = Params({})
    with pytest.raises(ConfigurationError, match="both force and recover are true"):
        create_serialization_dir(params, str(out), recover=True, force=True)
    assert "model.tar.gz" in os.listdir(out)
    create_serialization_dir(params, str(out), recover=False, force=True)
    # emptied and locked for this process; `allennlp train` then writes the new run
    assert os.listdir(out) == [run_directory.LOCK_NAME]
    run_directory.release(str(out))
    assert os.listdir(out) == []


# --- loading never executes pickled code ----------------------------------------------------


class Payload:
    """Unpickling this creates `marker`: code that a checkpoint must never get to run."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def crafted(tmp_path):
    """(write a crafted pickle to a path, the marker it would create); the pickle is live."""
    marker = tmp_path / "code_ran"

    def write(path):
        torch.save(Payload(str(marker)), str(path))

    write(tmp_path / "probe.th")
    torch.load(str(tmp_path / "probe.th"), weights_only=False).close()  # live: it runs code
    assert marker.exists()
    marker.unlink()
    return write, marker


@pytest.mark.parametrize("checkpointer, error, message", [
    # allennlp's default checkpointer, as installed by seal_adapters: named as damaged, without
    # torch's advice to load it with weights_only=False
    (Checkpointer, DamagedFileError, r"--recover cannot read the newest checkpoint \(.*model_state_e2_b0.th, "
     r".*training_state_e2_b0.th\): it is damaged, crafted or not a torch checkpoint \(torch refused to "
     r"unpickle it\). Fix: delete these two files"),
    (AtomicCheckpointer, UnreadableCheckpointsError, "Weights only load failed")], ids=["default", "atomic"])
def test_recover_refuses_a_crafted_training_state(checkpointer, error, message, reference, crafted, tmp_path):
    write, marker = crafted
    out = tmp_path / "run"
    os.makedirs(out)
    shutil.copy(reference[0] / "model_state_e2_b0.th", out)
    write(out / "training_state_e2_b0.th")
    with pytest.raises(error, match=message):
        checkpointer(str(out)).load_checkpoint()  # what --recover calls
    assert not marker.exists()


def test_archive_with_crafted_weights_is_refused(reference, crafted, tmp_path):
    write, marker = crafted
    with tarfile.open(reference[0] / "model.tar.gz") as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    write(tmp_path / "unpacked" / "weights.th")
    with tarfile.open(tmp_path / "crafted.tar.gz", "w:gz") as archive:
        for name in os.listdir(tmp_path / "unpacked"):
            archive.add(tmp_path / "unpacked" / name, arcname=name)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        load_archive(str(tmp_path / "crafted.tar.gz"))  # `allennlp evaluate` / `predict`
    assert not marker.exists()


def test_exported_adapters_load_from_safetensors(tiny_roberta, crafted, tmp_path):
    """The .bin copy (for plain `load_adapter`) is never read when the .safetensors is there."""
    write, marker = crafted
    trained = PretrainedTransformerWithAdaptersEmbedder(tiny_roberta)
    with torch.no_grad():
        for parameter in trained.adapter_parameters("tasknn"):
            parameter.add_(0.5)
    export_adapters(trained, str(tmp_path / "exported"), names=["tasknn"])
    exported = tmp_path / "exported" / "tasknn"
    assert (exported / "adapter.safetensors").exists()
    write(exported / "pytorch_adapter.bin")
    loaded = PretrainedTransformerWithAdaptersEmbedder(
        tiny_roberta, adapters={}, load_adapters={"tasknn": str(exported)})
    for ours, theirs in zip(loaded.adapter_parameters("tasknn"), trained.adapter_parameters("tasknn")):
        assert torch.equal(ours, theirs)
    with pytest.raises(OSError, match="Unable to load weights") as error:  # the .bin, by force
        loaded.transformer_model.model.load_adapter(str(exported), load_as="again",
                                                    use_safetensors=False)
    assert isinstance(error.value.__context__, pickle.UnpicklingError)  # refused by weights_only
    assert not marker.exists()


def test_no_loader_turns_weights_only_off():
    """torch >= 2.6 loads with weights_only=True unless told otherwise; nobody tells it."""
    import adapters
    import allennlp

    import seal_adapters

    offenders = []
    for package in (seal_adapters, allennlp, adapters):
        for root, _, names in os.walk(os.path.dirname(package.__file__)):
            for name in names:
                if name.endswith(".py"):
                    with open(os.path.join(root, name), encoding="utf-8") as handle:
                        if "weights_only=False" in handle.read():
                            offenders.append(os.path.join(root, name))
    assert offenders == []
    assert int(torch.__version__.split(".")[0]) >= 2 and tuple(
        int(p) for p in torch.__version__.split(".")[:2]) >= (2, 6)


# --- one writer per serialization directory ---------------------------------------------------


def wait_for(path, process, limit_s=240):
    deadline = time.monotonic() + limit_s
    while not os.path.exists(path):
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.2)


def test_a_live_run_keeps_its_directory_and_a_finished_run_is_not_recovered(env, tmp_path):
    """A second train (plain, --force, --recover) on a live run's directory is refused naming
    the live process, and changes no file; the live run then finishes normally; --recover on
    the finished run says so and changes no file either."""
    out, control = tmp_path / "run", tmp_path / "control"
    control.mkdir()
    args = ["allennlp", "train", CONFIG, "-s", str(out), "--include-package",
            "seal_adapters.testing.fault_injection", "-o", json.dumps(OVERRIDES)]
    live = subprocess.Popen([os.path.join(VENV_BIN, args[0]), *args[1:]],
                            env={**os.environ, **env, "SEAL_FAULT": f"pause_at_batch:4:{control}"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        wait_for(control / "paused", live)
        before = digest(out)
        assert run_directory.LOCK_NAME in before
        for extra in ([], ["--force"], ["--recover"]):
            second = train(out, env, extra=extra)
            assert second.returncode != 0
            assert (f"Serialization directory {out} is in use by a live run (process {live.pid} "
                    in second.stderr), second.stderr[-2000:]
            assert "neither --force nor --recover takes over" in second.stderr
            assert digest(out) == before, f"{extra}: the live run's files changed"
        (control / "resume").write_text("")
        _, stderr = live.communicate(timeout=300)
        assert live.returncode == 0, stderr[-3000:]
    finally:
        if live.poll() is None:
            live.kill()
    finished = digest(out)
    assert run_directory.LOCK_NAME not in finished and "model.tar.gz" in finished
    again = train(out, env, extra=["--recover"])
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"--recover: the run in {out} is finished (2 epoch(s) trained" in again.stderr
    assert digest(out) == finished
    longer = train(out, env, extra=["--recover"],
                   overrides={**OVERRIDES, "trainer.num_epochs": 5})  # would silently not be used
    assert longer.returncode != 0
    assert (f"--recover: the run in {out} is finished (2 epoch(s) trained), and this config differs "
            "from the one it was trained with in trainer.num_epochs (2 -> 5). Nothing was trained"
            in longer.stderr), longer.stderr[-3000:]
    assert digest(out) == finished


def test_a_killed_runs_lock_does_not_block_recover(env, tmp_path):
    out = tmp_path / "run"
    killed = train(out, env, fault="kill_at_batch:5")
    assert killed.returncode == -signal.SIGKILL
    assert run_directory.LOCK_NAME in os.listdir(out)  # left behind; its flock died with it
    recovered = train(out, env, extra=["--recover"])
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert run_directory.LOCK_NAME not in os.listdir(out)


# --- a full disk -------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs whose size the test sets (needs root and mount; skipped where unavailable)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()

    def mount(size_bytes):
        size_kib = max(64, -(-size_bytes // 4096) * 4)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(mount_point)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        return mount_point

    yield mount
    # Lazy: a log handler of an in-process run may still hold a file on it.
    subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def test_disk_full_while_archiving_keeps_the_previous_archive(reference, small_disk):
    """`model.tar.gz` is written to a partial file and renamed: on a full disk the earlier
    archive stays byte for byte, no partial file is left, and the error says where."""
    run = reference[0]
    names = ["config.json", "best.th", "meta.json", "model.tar.gz"]
    needed = sum(os.path.getsize(run / n) for n in names) + 64 * 1024
    disk = small_disk(needed + os.path.getsize(run / "model.tar.gz") // 3)
    for name in names:
        shutil.copy(run / name, disk / name)
    shutil.copytree(run / "vocabulary", disk / "vocabulary")
    before = digest(disk)
    with pytest.raises(DiskFullError) as error:
        archival.archive_model(str(disk))  # as allennlp train calls it, patched by seal_adapters
    assert str(error.value).startswith(f"No space left on the device while writing {disk}/model.tar.gz (")
    assert "earlier files are unchanged" in str(error.value)
    assert digest(disk) == before
    assert load_archive(str(disk / "model.tar.gz")).model is not None


def test_disk_full_while_checkpointing_keeps_the_previous_checkpoint(small_disk):
    disk = small_disk(256 * 1024)
    checkpointer, trainer = AtomicCheckpointer(str(disk)), StubTrainer()
    save_at(checkpointer, trainer, (0, 2))
    trainer.size = 200_000  # 800 KB: does not fit
    with pytest.raises(DiskFullError, match=f"while writing {disk}/model_state_e0_b4.th"):
        save_at(checkpointer, trainer, (0, 4))
    assert checkpoint_files(disk) == ["model_state_e0_b2.th", "training_state_e0_b2.th"]
    assert not [n for n in os.listdir(disk) if n.endswith(".partial")]
    assert checkpointer.load_checkpoint().model_state["w"].numel() == 3
