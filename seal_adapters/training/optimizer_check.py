"""`trainer.optimizer` options are tried on one throw-away parameter before anything is built.

Why: allennlp passes the options straight to torch, which checks some of them only when the
optimizer is constructed deep inside `TrainModel.from_partial_objects` (`betas: [0.9]` is an
`IndexError: tuple index out of range`) and others only at the first step. Building the
configured optimizer on a single scalar parameter and taking one step costs milliseconds and
turns either failure into a ConfigurationError that names the option block. Each parameter
group's overrides are tried the same way, since they are options of the same optimizer.
"""
import copy
import logging
from typing import Any, Dict, List

import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.training.optimizers import Optimizer


def _try_optimizer(options: Dict[str, Any]) -> None:
    parameter = torch.nn.Parameter(torch.ones(1))
    quiet = logging.getLogger("allennlp.training.optimizers")  # its parameter counts would mislead
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        optimizer = Optimizer.from_params(model_parameters=[("check", parameter)],
                                          params=Params(copy.deepcopy(options)))
    finally:
        quiet.setLevel(level)
    parameter.grad = torch.ones(1)
    optimizer.step()


def check_optimizer_options(options: Dict[str, Any]) -> None:
    """Raises a ConfigurationError when the `trainer.optimizer` block cannot build a working
    optimizer. allennlp's own complaints about the synthetic trial (an unknown `type`, a
    missing key) are left to allennlp's real construction, which names them itself; allennlp's
    `multi` optimizer is checked through each of its `optimizers`."""
    if options.get("type") == "multi":
        subs = options.get("optimizers")
        trials = [(f"trainer.optimizer.optimizers.{name}", sub) for name, sub in
                  (subs.items() if isinstance(subs, dict) else ()) if isinstance(sub, dict)]
    else:
        groups: List = options.get("parameter_groups") or []
        base = {key: value for key, value in options.items() if key != "parameter_groups"}
        trials = [("trainer.optimizer", base)]
        for index, group in enumerate(groups):
            overrides = group[1] if isinstance(group, (list, tuple)) and len(group) == 2 else None
            if isinstance(overrides, dict):
                trials.append((f"trainer.optimizer.parameter_groups[{index}]", {**base, **overrides}))
    for where, trial in trials:
        try:
            _try_optimizer(trial)
        except ConfigurationError:
            return  # allennlp says it better when it builds the real optimizer
        except (TypeError, ValueError, IndexError, KeyError, RuntimeError) as error:
            shown = {key: value for key, value in trial.items() if key != "type"}
            raise ConfigurationError(
                f"{where}: the '{trial.get('type', 'default')}' optimizer cannot be built or "
                f"stepped with {shown}: {type(error).__name__}: {error}. Fix the option that "
                "torch names (for Adam-style optimizers, betas is a pair such as [0.9, 0.999]; "
                "lr, eps and weight_decay are numbers >= 0)."
            ) from None
