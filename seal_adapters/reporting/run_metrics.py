"""What a finished allennlp run directory says: final metrics, per-epoch metrics, per-step
history and peak memory, read once here for `demo`, `compare` and the plots."""
import glob
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from seal_adapters.reporting.batch_history import HISTORY_FILE, RESOURCES_FILE


@dataclass
class RunMetrics:
    directory: str
    final: Dict[str, Any]
    epochs: List[Dict[str, Any]] = field(default_factory=list)  # metrics_epoch_N.json, in order
    steps: List[Dict[str, Any]] = field(default_factory=list)  # batch_history.jsonl rows
    resources: Dict[str, Any] = field(default_factory=dict)

    @property
    def test_accuracy(self) -> Optional[float]:
        return self.final.get("test_accuracy")

    @property
    def training_seconds(self) -> Optional[float]:
        return duration_seconds(self.final.get("training_duration"))

    @property
    def peak_memory_mb(self) -> Optional[float]:
        """Peak RSS of the training process: the callback's end-of-training reading, else
        allennlp's (sampled at the start of each epoch, so it can be lower)."""
        values = [self.resources.get("peak_rss_mb"), self.final.get("peak_worker_0_memory_MB")]
        values = [v for v in values if isinstance(v, (int, float))]
        return max(values) if values else None


def duration_seconds(text: Optional[str]) -> Optional[float]:
    """allennlp's `training_duration` ("0:03:12.5", "1 day, 2:00:00") in seconds."""
    if not text:
        return None
    match = re.fullmatch(r"(?:(\d+) days?, )?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", str(text).strip())
    if not match:
        return None
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _read_json(path: str) -> Dict[str, Any]:
    with open(path) as handle:
        return json.load(handle)


def read_run(directory: str) -> RunMetrics:
    """Reads `directory`; raises FileNotFoundError naming the missing metrics.json."""
    final_path = os.path.join(directory, "metrics.json")
    if not os.path.isfile(final_path):
        raise FileNotFoundError(f"{final_path} not found: the run has not finished")
    epoch_files = glob.glob(os.path.join(directory, "metrics_epoch_*.json"))
    epoch_files.sort(key=lambda p: int(re.search(r"metrics_epoch_(\d+)\.json$", p).group(1)))
    steps = []
    history = os.path.join(directory, HISTORY_FILE)
    if os.path.isfile(history):
        with open(history) as handle:
            steps = [json.loads(line) for line in handle if line.strip()]
    resources_path = os.path.join(directory, RESOURCES_FILE)
    resources = _read_json(resources_path) if os.path.isfile(resources_path) else {}
    return RunMetrics(directory, _read_json(final_path), [_read_json(p) for p in epoch_files],
                      steps, resources)
