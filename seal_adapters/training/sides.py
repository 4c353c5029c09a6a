"""Which adapter's side each model parameter is on, read from its name.

A parameter belongs to adapter `X` when `X` is one component of its dotted name: the
adapter's own weights (`...adapters.tasknn.adapter_down...`, `...loras.tasknn...`) and any
head a model keeps under a submodule named after it (`tasknn.classifier.weight`). Names
are the whole tagging mechanism, so the same regexes work in `parameter_groups`.
"""
from typing import Dict, Iterable, List, Optional, Tuple

import torch


def side_of(parameter_name: str, adapter_names: Iterable[str]) -> Optional[str]:
    parts = set(parameter_name.split("."))
    owners = [name for name in adapter_names if name in parts]
    if len(owners) > 1:
        raise ValueError(f"Parameter '{parameter_name}' names more than one adapter: {owners}.")
    return owners[0] if owners else None


def parameters_by_side(
    model: torch.nn.Module, adapter_names: Iterable[str]
) -> Tuple[Dict[str, List[Tuple[str, torch.nn.Parameter]]], List[Tuple[str, torch.nn.Parameter]]]:
    """(adapter -> its named parameters, parameters of no side) for the model's trainables.

    Frozen pretrained weights are not listed: they are not on any side and never train.
    """
    names = list(adapter_names)
    sides: Dict[str, List[Tuple[str, torch.nn.Parameter]]] = {name: [] for name in names}
    shared: List[Tuple[str, torch.nn.Parameter]] = []
    for parameter_name, parameter in model.named_parameters():
        owner = side_of(parameter_name, names)
        if owner is not None:
            sides[owner].append((parameter_name, parameter))
        elif parameter.requires_grad:
            shared.append((parameter_name, parameter))
    return sides, shared
