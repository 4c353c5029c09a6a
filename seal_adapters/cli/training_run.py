"""One training run of `demo` / `compare`: a config of this repository, pointed at the
sentence polarity data and a budget, trained by the real `allennlp train` in a subprocess.

Why a subprocess: each run gets its own process, so its peak memory is its own, and the
user sees AllenNLP's own progress bars. Why rewrite the config: every run of a comparison
must read the same data with the same budget, whatever its config says about data; so
the reader becomes `rt_polarity`, the data paths `DIR#train|#validation|#test`, and the
loader, epochs and (optional) training subset come from the budget.
"""
import copy
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from seal_adapters.cli.train_output import run_filtered

READER_KEYS = ("tokenizer", "token_indexers", "model_name", "max_tokens")
CALLBACK = {"type": "batch_history"}


@dataclass
class Budget:
    """The same for every run of a comparison."""
    # the first N training sentences (balanced: the reader interleaves neg/pos); None = all 8,530
    train_size: Optional[int]
    epochs: int
    batch_size: int

    def describe(self) -> str:
        size = "all 8,530" if self.train_size is None else f"the first {self.train_size:,}"
        return f"{size} training sentences, {self.epochs} epoch(s), batch {self.batch_size}"


def model_label(model_name: str) -> str:
    """A short name for titles: the bundled model by its hub name, else the directory name."""
    from seal_adapters.embedders.model_source import bundled_model_dir

    bundled = bundled_model_dir()
    if bundled and os.path.abspath(model_name) == os.path.abspath(bundled):
        return "all-MiniLM-L6-v2 (bundled)"
    return os.path.basename(model_name.rstrip("/")) or model_name


def hidden_size(model_name: str) -> int:
    from transformers import AutoConfig

    return int(AutoConfig.from_pretrained(model_name).hidden_size)


def _set_model_name(node: Any, model_name: str) -> None:
    """Every `model_name` in the config (reader tokenizer, indexers, embedders) -> `model_name`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "model_name" and (value is None or isinstance(value, str)):
                node[key] = model_name
            else:
                _set_model_name(value, model_name)
    elif isinstance(node, list):
        for item in node:
            _set_model_name(item, model_name)


def rt_reader(configured: Dict[str, Any], max_instances: Optional[int]) -> Dict[str, Any]:
    reader = {"type": "rt_polarity"}
    reader.update({k: copy.deepcopy(v) for k, v in configured.items() if k in READER_KEYS})
    if max_instances is not None:
        reader["max_instances"] = max_instances
    return reader


def bucket_loader(batch_size: int, shuffle: bool) -> Dict[str, Any]:
    """Batches of similar length: far less padding, so faster on CPU."""
    return {"batch_sampler": {"type": "bucket", "batch_size": batch_size,
                              "sorting_keys": ["tokens"], "shuffle": shuffle}}


def keep_repetition(configured: Dict[str, Any], loader: Dict[str, Any]) -> Dict[str, Any]:
    """`loader`, still wrapped in the config's `repeat_each_batch` sampler if it had one (it
    is how SEAL configs let each side train on every batch, not a budget choice), and with
    the config's kind of batches: random ones of the budget's size where the config asked
    for random batches (`batch_size`), else `loader`'s."""
    sampler = configured.get("batch_sampler")
    if not (isinstance(sampler, dict) and sampler.get("type") == "repeat_each_batch"):
        return loader
    repeated: Dict[str, Any] = {"type": "repeat_each_batch", "times": sampler.get("times", 2)}
    if "batch_size" in sampler:
        repeated["batch_size"] = loader["batch_sampler"]["batch_size"]
    else:
        repeated["batch_sampler"] = loader["batch_sampler"]
    return {"batch_sampler": repeated}


def build_config(config_path: str, model_name: str, data_dir: str, budget: Budget) -> Dict[str, Any]:
    """The resolved config (a dict) `allennlp train` gets for this run."""
    from allennlp.common import Params

    if not os.path.isfile(config_path):
        raise SystemExit(f"error: training config {config_path} not found: run from the repository "
                         "root (the configs live in its training_configs/) or pass --config")
    ext_vars = {
        "SEAL_TRANSFORMER": model_name, "SEAL_HIDDEN_SIZE": str(hidden_size(model_name)),
        "SEAL_DATA_DIR": data_dir, "SEAL_TRAIN": f"{data_dir}#train",
        "SEAL_VALIDATION": f"{data_dir}#validation", "SEAL_TEST": f"{data_dir}#test",
    }
    config = Params.from_file(config_path, ext_vars=ext_vars).as_dict(quiet=True)
    _set_model_name(config, model_name)
    configured_reader = config.get("dataset_reader", {})
    config["dataset_reader"] = rt_reader(configured_reader, budget.train_size)
    config["validation_dataset_reader"] = rt_reader(configured_reader, None)
    config["train_data_path"] = f"{data_dir}#train"
    config["validation_data_path"] = f"{data_dir}#validation"
    config["test_data_path"] = f"{data_dir}#test"
    config["evaluate_on_test"] = True
    config["data_loader"] = keep_repetition(config.get("data_loader", {}),
                                            bucket_loader(budget.batch_size, shuffle=True))
    config["validation_data_loader"] = bucket_loader(2 * budget.batch_size, shuffle=False)
    trainer = config.setdefault("trainer", {})
    trainer["num_epochs"] = budget.epochs
    callbacks: List[Dict[str, Any]] = [c for c in trainer.get("callbacks", []) if c != CALLBACK]
    trainer["callbacks"] = callbacks + [CALLBACK]  # after adapter_schedule: it reads its turn
    return config


def training_env() -> Dict[str, str]:
    """The environment of the training process. OpenMP threads that spin while they wait
    for each other (the default) make a 2-core machine several times slower as soon as any
    other process wants a core (measured: 7.6 s vs 1.1 s per SEAL step at batch 16 with a
    second job running); passive waiting costs little when the machine is idle."""
    env = dict(os.environ)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


def train(config: Dict[str, Any], serialization_dir: str, recover: bool = False,
          force: bool = False) -> int:
    """Runs `allennlp train` on `config`; returns its exit status."""
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "config.json")
        with open(path, "w") as handle:
            json.dump(config, handle, indent=2)
        command = [sys.executable, "-m", "allennlp", "train", path, "-s", serialization_dir,
                   "--include-package", "seal_adapters",
                   "--include-package", "seal_adapters.reporting.batch_history"]
        command += ["--recover"] if recover else []
        command += ["--force"] if force else []
        command += [] if sys.stderr.isatty() else ["--file-friendly-logging"]
        return run_filtered(command, training_env())


def run_state(serialization_dir: str) -> str:
    """"finished" (model.tar.gz and metrics.json), "unfinished" (anything else in it) or
    "absent" (missing or empty), so callers can reuse, resume or start a run."""
    if not os.path.isdir(serialization_dir) or not os.listdir(serialization_dir):
        return "absent"
    done = all(os.path.isfile(os.path.join(serialization_dir, f)) for f in ("model.tar.gz", "metrics.json"))
    return "finished" if done else "unfinished"


def prepare(serialization_dir: str, retrain: bool, recover: bool) -> str:
    """What to do with `serialization_dir`: "reuse", "train", "recover" or "retrain"
    (allennlp's --force: it deletes the directory). Refuses, with a SystemExit saying how
    to proceed, to touch an unfinished run without a flag."""
    state = run_state(serialization_dir)
    if retrain:
        return "retrain" if state != "absent" else "train"
    if state == "finished":
        return "reuse"
    if state == "unfinished":
        if recover:
            return "recover"
        raise SystemExit(
            f"error: {serialization_dir} holds an unfinished run: pass --recover to resume it, or "
            "--retrain to delete it and start over")
    return "train"
