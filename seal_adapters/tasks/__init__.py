"""The tasks, one folder each: what a task is (reader, model, metrics, predictor, data checks,
configs' registration) lives in its folder; the SEAL method they share (embedders, heads,
losses, energies, the training callback) lives outside `tasks/` and knows no task.

Importing this package imports every task folder found here: there is no list to extend.
"""
import importlib
import pkgutil

from seal_adapters.tasks.registry import Task, all_tasks, register_task

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _module.ispkg:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Task", "all_tasks", "register_task"]
