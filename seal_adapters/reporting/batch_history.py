"""`batch_history`: one JSON line per optimizer step, so plots can show the alternation.

allennlp keeps only per-epoch metrics, and the per-side losses that SEAL models report
(`tasknn_loss`, `scorenn_loss`) are running means over the epoch. This callback turns them
back into per-step values and records which adapter the `adapter_schedule` callback
trained in that step (put it after that callback in `trainer.callbacks`). At the end it
writes the process's peak resident memory, since allennlp's `peak_worker_0_memory_MB` is
sampled at the start of each epoch and so misses the last epoch.

Files in the serialization directory: `batch_history.jsonl`, `resources.json`.
"""
import json
import logging
import os
import resource
import sys
import time
from typing import Any, Dict, Optional, Tuple

from allennlp.training.callbacks import TrainerCallback

from seal_adapters.training.adapter_schedule import AdapterScheduleCallback

logger = logging.getLogger(__name__)

HISTORY_FILE = "batch_history.jsonl"
RESOURCES_FILE = "resources.json"
# Keys allennlp adds to the batch metrics itself; they are not running means of the model.
NOT_RUNNING_MEANS = ("loss", "batch_loss", "reg_loss", "batch_reg_loss")
SKIPPED = ("trained_adapter",)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def step_value(mean: float, count: int, previous: Optional[Tuple[float, int]]) -> float:
    """This step's value of a running mean that covered `count` forwards (epoch so far)."""
    if previous is None or count <= previous[1]:
        return mean
    prev_mean, prev_count = previous
    return (mean * count - prev_mean * prev_count) / (count - prev_count)


@TrainerCallback.register("batch_history")
class BatchHistoryCallback(TrainerCallback):
    """Appends `{"step", "epoch", "batch", "seconds", "adapter", "batch_loss", <side>_loss...,
    running_<metric>...}` lines: each loss as this step's value, task metrics (accuracy, ...)
    as the epoch's running value. `seconds` counts from about the start of training."""

    def __init__(self, serialization_dir: str) -> None:
        super().__init__(serialization_dir)
        self._previous: Dict[str, Tuple[float, int]] = {}
        self._epoch: Optional[int] = None
        self._start = time.time()

    def _adapter_order(self, trainer):
        for callback in getattr(trainer, "_callbacks", []):
            if isinstance(callback, AdapterScheduleCallback):
                return callback.adapter_order
        return None

    def on_batch(self, trainer, batch_inputs, batch_outputs, batch_metrics: Dict[str, Any],
                 epoch: int, batch_number: int, is_training: bool, is_primary: bool = True,
                 **kwargs) -> None:
        if not is_training or not is_primary:
            return
        if epoch != self._epoch:  # running means restart every epoch
            self._previous, self._epoch = {}, epoch
        count = batch_number * max(1, len(batch_inputs))  # forwards so far this epoch
        row: Dict[str, Any] = {"step": trainer._total_batches_completed, "epoch": epoch,
                               "batch": batch_number,
                               "seconds": round(time.time() - self._start, 3)}
        order = self._adapter_order(trainer)
        index = batch_metrics.get("trained_adapter")
        row["adapter"] = order[int(index)] if order and index is not None else "all"
        if "batch_loss" in batch_metrics:
            row["batch_loss"] = float(batch_metrics["batch_loss"])
        for key, value in batch_metrics.items():
            if not isinstance(value, (int, float)) or key in NOT_RUNNING_MEANS or key in SKIPPED:
                continue
            if key.endswith("loss"):
                row[key] = step_value(float(value), count, self._previous.get(key))
                self._previous[key] = (float(value), count)
            elif not key.startswith("steps_"):  # task metrics: the running value, smooth enough
                row["running_" + key] = float(value)
        with open(os.path.join(self.serialization_dir, HISTORY_FILE), "a") as handle:
            handle.write(json.dumps(row) + "\n")

    def on_epoch(self, trainer, metrics: Dict[str, Any], epoch: int, is_primary: bool = True,
                 **kwargs) -> None:
        """Without `adapter_schedule` (which logs its own), the same one-line summary."""
        if not is_primary or epoch < 0 or self._adapter_order(trainer) is not None:
            return
        numbers = {k: v for k, v in sorted(metrics.items()) if isinstance(v, (int, float))}
        losses = ", ".join(f"{k[len('training_'):]} {v:.4f}" for k, v in numbers.items()
                           if k.startswith("training_") and k.endswith("loss"))
        validation = ", ".join(f"{k[len('validation_'):]} {v:.4f}" for k, v in numbers.items()
                               if k.startswith("validation_") and not k.endswith(("_mb", "_MB", "_secs")))
        steps = getattr(trainer, "_batches_in_epoch_completed", 0)
        logger.info("epoch %d | trained: all trainable parameters, %d steps | losses: %s | "
                    "validation: %s", epoch, steps, losses or "-", validation or "-")

    def on_end(self, trainer, metrics: Dict[str, Any] = None, epoch: int = None,
               is_primary: bool = True, **kwargs) -> None:
        if is_primary:
            with open(os.path.join(self.serialization_dir, RESOURCES_FILE), "w") as handle:
                json.dump({"peak_rss_mb": peak_rss_mb()}, handle)
