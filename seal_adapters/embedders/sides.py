"""Which adapter's side each model parameter is on, read from the model's structure.

A parameter is on adapter `X`'s side when the adapter backbone recorded it as `X`'s (its
adapter weights, `AdapterBackbone.parameter_names`) or when it sits under the entry `X` of a
`ModuleDict` keyed by adapter names: the models' `heads` (TaskNN and ScoreNN heads), the
per-adapter layer mixes, and `adapters`' own per-layer dicts. Names are not parsed, so an
adapter may be called like any module (`linear`, `heads`, `classifier`) without capturing
parameters that are not its own. Config regexes (`parameter_groups`) still see the names.
"""
from typing import Dict, Iterable, List, Tuple

import torch

from seal_adapters.embedders.channels import adapter_backbones

NamedParameters = List[Tuple[str, torch.nn.Parameter]]


def _owners(model: torch.nn.Module, names: List[str]) -> Dict[int, str]:
    """id(parameter) -> adapter name, for every parameter on a side."""
    owners: Dict[int, str] = {}

    def claim(parameter, name):
        other = owners.setdefault(id(parameter), name)
        if other != name:
            raise ValueError(f"A parameter is on two adapters' sides: '{other}' and '{name}'.")

    for backbone in adapter_backbones(model):
        for name in names:
            if name in backbone.names:
                for parameter in backbone.adapter_parameters(name):
                    claim(parameter, name)
    for module in model.modules():
        if isinstance(module, torch.nn.ModuleDict) and len(module) and set(module.keys()) <= set(names):
            for name, child in module.items():
                for parameter in child.parameters():
                    claim(parameter, name)
    return owners


def sides_by_name(model: torch.nn.Module, adapter_names: Iterable[str]) -> Dict[str, str]:
    """Parameter name -> adapter name, for the parameters on a side."""
    owners = _owners(model, list(adapter_names))
    return {n: owners[id(p)] for n, p in model.named_parameters() if id(p) in owners}


def parameters_by_side(
    model: torch.nn.Module, adapter_names: Iterable[str]
) -> Tuple[Dict[str, NamedParameters], NamedParameters]:
    """(adapter -> its named parameters, trainable parameters of no side).

    Frozen pretrained weights are not listed: they are not on any side and never train.
    """
    names = list(adapter_names)
    owners = _owners(model, names)
    sides: Dict[str, NamedParameters] = {name: [] for name in names}
    shared: NamedParameters = []
    for parameter_name, parameter in model.named_parameters():
        owner = owners.get(id(parameter))
        if owner is not None:
            sides[owner].append((parameter_name, parameter))
        elif parameter.requires_grad:
            shared.append((parameter_name, parameter))
    return sides, shared
