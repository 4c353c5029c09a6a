"""Loading an archive and finding its adapters, shared by the life-cycle commands."""
import os
from typing import Dict, List, Tuple

import torch
from allennlp.models.archival import Archive, load_archive

from seal_adapters.embedders.channels import adapter_backbones
from seal_adapters.training.sides import parameters_by_side


def open_archive(path: str) -> Archive:
    if not os.path.exists(path):
        raise SystemExit(f"error: archive '{path}' does not exist (give a model.tar.gz written by allennlp train)")
    return load_archive(path)


def adapters_and_heads(model: torch.nn.Module) -> Dict[str, Tuple[List[str], List[Tuple[str, torch.nn.Parameter]]]]:
    """Adapter name -> (adapter parameter names, head parameters named after it)."""
    backbones = adapter_backbones(model)
    if not backbones:
        raise SystemExit("error: this archive's model has no adapter embedder")
    names = list(dict.fromkeys(n for b in backbones for n in b.names))
    sides, _ = parameters_by_side(model, names)
    adapter_names = {n for b in backbones for ns in b.parameter_names.values() for n in ns}
    result = {}
    for name in names:
        heads = [(n, p) for n, p in sides[name] if not any(n.endswith("." + a) for a in adapter_names)]
        result[name] = ([n for b in backbones for n in b.parameter_names.get(name, [])], heads)
    return result
