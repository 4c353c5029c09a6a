"""Loading an archive and finding its adapters, shared by the life-cycle commands."""
import os
from typing import Dict, List, Tuple

import torch
from allennlp.models.archival import Archive, load_archive

from seal_adapters.embedders.channels import adapter_backbones
from seal_adapters.embedders.sides import parameters_by_side


def open_archive(path: str) -> Archive:
    if not os.path.exists(path):
        raise SystemExit(f"error: archive '{path}' does not exist (give a model.tar.gz written by allennlp train)")
    if os.path.isdir(path):
        check_run_directory(path)
    return load_archive(path)


def check_run_directory(path: str) -> None:
    """allennlp also loads a run's directory (config.json and best.th); say what else one is."""
    if os.path.isfile(os.path.join(path, "adapter_config.json")):
        raise SystemExit(f"error: {path} is an exported adapter directory, not a model archive: give the "
                         "model.tar.gz it was exported from (its own settings are in adapter_config.json; "
                         "adapters loads it with load_adapter)")
    missing = [name for name in ("config.json", "best.th") if not os.path.isfile(os.path.join(path, name))]
    if missing:
        raise SystemExit(f"error: {path} is a directory without {' and '.join(missing)}, so it holds no "
                         "trained model (a run that stopped before its first epoch ended, or no run at "
                         "all): give a finished run's model.tar.gz or its directory")


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
