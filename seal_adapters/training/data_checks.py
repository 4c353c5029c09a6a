"""Pre-training data checks that task folders contribute.

A task's folder registers a check with `@data_check`; every `allennlp train` run calls every
registered check once, on the training, validation and test data, before the first step
(run_guards.py). A check decides from the model and the data whether it applies (the tag
scheme checks of `tasks/tagging/data_checks.py` look for span-F1 metrics, so they guard
allennlp-models' taggers too) and raises `DataError` naming the problem and the fix.

A check is `check(model, data)`, where `data` holds:
* `places`: label -> where it occurs (`"file:line"` strings), over every split;
* `sources`: `(path, instances)` of each split read, training first.
"""
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Tuple


@dataclass(frozen=True)
class CheckedData:
    places: Dict[object, List[Optional[str]]]
    sources: List[Tuple[object, Iterable]]


DataCheck = Callable[[object, CheckedData], None]
_CHECKS: List[DataCheck] = []


def data_check(check: DataCheck) -> DataCheck:
    """Registers `check` (a decorator); registering the same function twice keeps one."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def registered_checks() -> List[DataCheck]:
    return list(_CHECKS)


def run_data_checks(model, data: CheckedData) -> None:
    for check in _CHECKS:
        check(model, data)
