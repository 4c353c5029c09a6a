"""Parameter counts and on-disk sizes of a trained archive, for the comparison table.

Trainable parameters are the model's `requires_grad` parameters after loading (adapters
plus heads for adapter models, everything for full fine-tuning). The saved size of an
adapter model is what `python -m seal_adapters export` writes per adapter
(`adapter.safetensors` plus `head.safetensors`); the full model size is the run's
`best.th`, the whole state dict, i.e. what one would ship without adapters.
"""
import os
import tempfile
from typing import Any, Dict

from safetensors.torch import save_file


def parameter_counts(model) -> Dict[str, int]:
    parameters = list(model.parameters())
    return {"trainable_parameters": sum(p.numel() for p in parameters if p.requires_grad),
            "total_parameters": sum(p.numel() for p in parameters)}


def exported_bytes(model) -> Dict[str, int]:
    """Adapter name -> bytes of its exported adapter.safetensors + head.safetensors."""
    from seal_adapters.cli.archive_utils import adapters_and_heads
    from seal_adapters.embedders.export import export_adapters

    sizes = {}
    heads = adapters_and_heads(model)
    with tempfile.TemporaryDirectory() as directory:
        for name, path in export_adapters(model, directory).items():
            head = {n: p.detach().contiguous() for n, p in heads[name][1]}
            if head:
                save_file(head, os.path.join(path, "head.safetensors"))
            sizes[name] = sum(os.path.getsize(os.path.join(path, f))
                              for f in ("adapter.safetensors", "head.safetensors")
                              if os.path.isfile(os.path.join(path, f)))
    return sizes


def model_stats(run_directory: str) -> Dict[str, Any]:
    """Counts and sizes for the archive in `run_directory` (model.tar.gz, best.th)."""
    from allennlp.models.archival import load_archive

    from seal_adapters.embedders.channels import adapter_backbones

    model = load_archive(os.path.join(run_directory, "model.tar.gz")).model
    stats: Dict[str, Any] = parameter_counts(model)
    best = os.path.join(run_directory, "best.th")
    stats["full_model_bytes"] = os.path.getsize(best) if os.path.isfile(best) else None
    if adapter_backbones(model):
        stats["adapter_bytes"] = exported_bytes(model)
        stats["saved_bytes"] = sum(stats["adapter_bytes"].values())
    else:
        stats["adapter_bytes"] = {}
        stats["saved_bytes"] = stats["full_model_bytes"]
    return stats
