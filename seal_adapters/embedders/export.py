"""Export trained adapters to directories that plain `adapters` loads (`load_adapter`)."""
import os
from typing import Dict, Optional, Sequence

import torch

from seal_adapters.embedders.channels import adapter_backbones


def export_adapters(module: torch.nn.Module, directory: str,
                    names: Optional[Sequence[str]] = None) -> Dict[str, str]:
    """Writes `directory/<adapter>/` per adapter: adapter_config.json plus the weights as
    `adapter.safetensors` (loads without executing code) and `pytorch_adapter.bin` (what
    `load_adapter(dir)` reads by default; adapters loads it with `weights_only=True`).

    `module` is a model or an embedder. Returns adapter name -> directory.
    """
    backbones = adapter_backbones(module)
    if not backbones:
        raise ValueError("No adapter embedder found: nothing to export.")
    os.makedirs(directory, exist_ok=True)
    written: Dict[str, str] = {}
    for backbone in backbones:
        for name in backbone.names:
            if (names is not None and name not in names) or name in written:
                continue
            target = os.path.join(directory, name)
            backbone.model.save_adapter(target, name, use_safetensors=True)
            backbone.model.save_adapter(target, name, use_safetensors=False)
            written[name] = target
    missing = sorted(set(names or ()) - set(written))
    if missing:
        raise ValueError(f"No adapter(s) named {missing}; the model has {sorted(written)}.")
    return written
