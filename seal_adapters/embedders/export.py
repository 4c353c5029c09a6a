"""Export trained adapters to directories that plain `adapters` loads (`load_adapter`).

Each adapter's directory is written whole under a temporary name and then swapped in, so
exporting over an earlier export leaves no file of the earlier one in it (a head file the
new model lacks, weights in the other format), and a failed export leaves the earlier
directory as it was.
"""
import os
import shutil
from typing import Callable, Dict, List, Optional, Sequence

import torch
from allennlp.common.checks import ConfigurationError

from seal_adapters.embedders.channels import adapter_backbones


def adapter_names(module: torch.nn.Module) -> List[str]:
    """Every adapter of the module's adapter embedders, in order."""
    return list(dict.fromkeys(name for backbone in adapter_backbones(module) for name in backbone.names))


def replace_directory(staged: str, target: str) -> None:
    """Puts `staged` at `target`; an earlier `target` is removed only once `staged` is there."""
    old = None
    if os.path.lexists(target):
        old = f"{target}.old-{os.getpid()}"
        os.replace(target, old)
    os.replace(staged, target)
    if old is not None:
        shutil.rmtree(old) if os.path.isdir(old) else os.remove(old)


# What an export writes into an adapter's directory (adapters' own files, the CLI's head file);
# an existing directory holding anything else is not replaced, so no user file is deleted.
EXPORT_FILES = {"adapter_config.json", "adapter.safetensors", "pytorch_adapter.bin", "head.safetensors",
                "head_config.json", "pytorch_model_head.bin", "model.safetensors"}


def check_replaceable(directory: str, targets: Sequence[str], replace: bool = False) -> None:
    """`directory` must be a directory (or absent); each existing target an earlier export,
    replaced only when `replace` is set (`export --force`)."""
    if os.path.lexists(directory) and not os.path.isdir(directory):
        raise ConfigurationError(f"{directory} is a file, not a directory: export writes one "
                                 "directory per adapter inside it. Give a directory path.")
    for target in targets:
        if not os.path.lexists(target):
            continue
        if not os.path.isdir(target):
            raise ConfigurationError(f"{target} is a file: export would replace it with the adapter's "
                                     "directory. Move it, or export to another directory.")
        foreign = sorted(os.path.relpath(os.path.join(root, name), target)
                         for root, _, files in os.walk(target) for name in files
                         if name not in EXPORT_FILES or root != target)
        if foreign:
            raise ConfigurationError(
                f"{target} holds files an export does not write ({foreign[:5]}"
                f"{' and more' if len(foreign) > 5 else ''}); export replaces the directory whole, so "
                "they would be deleted. Move them, or export to another directory."
            )
    earlier = [target for target in targets if os.path.isdir(target)]
    if earlier and not replace:
        raise ConfigurationError(
            f"{', '.join(earlier)} already hold{'s' if len(earlier) == 1 else ''} an earlier export; "
            "nothing was written. Fix: export to another directory, or add --force to replace "
            "each of them whole (no file of the earlier export stays)."
        )


def export_adapters(module: torch.nn.Module, directory: str, names: Optional[Sequence[str]] = None,
                    extra: Optional[Callable[[str, str], None]] = None,
                    replace: bool = False) -> Dict[str, str]:
    """Writes `directory/<adapter>/` per adapter: adapter_config.json plus the weights as
    `adapter.safetensors` (loads without executing code) and `pytorch_adapter.bin` (what
    `load_adapter(dir)` reads by default; adapters loads it with `weights_only=True`).
    `extra(name, staged_directory)` may add files before the directory is swapped in.

    `module` is a model or an embedder; `replace`: an earlier export's directories are
    replaced (otherwise refused). Returns adapter name -> directory.
    """
    backbones = adapter_backbones(module)
    if not backbones:
        raise ConfigurationError("No adapter embedder found: nothing to export.")
    available = adapter_names(module)
    unknown = [name for name in dict.fromkeys(names or ()) if name not in available]
    if unknown:
        raise ConfigurationError(
            f"No adapter(s) named {unknown} in this model; it has {available}. Name one of "
            "those with --adapter, or leave --adapter out to export them all."
        )
    chosen = [name for name in available if names is None or name in names]
    check_replaceable(directory, [os.path.join(directory, name) for name in chosen], replace)
    os.makedirs(directory, exist_ok=True)
    written: Dict[str, str] = {}
    for backbone in backbones:
        for name in backbone.names:
            if (names is not None and name not in names) or name in written:
                continue
            target = os.path.join(directory, name)
            staged = os.path.join(directory, f".{name}.partial-{os.getpid()}")
            shutil.rmtree(staged, ignore_errors=True)
            try:
                backbone.model.save_adapter(staged, name, use_safetensors=True)
                backbone.model.save_adapter(staged, name, use_safetensors=False)
                if extra is not None:
                    extra(name, staged)
                replace_directory(staged, target)
            finally:
                shutil.rmtree(staged, ignore_errors=True)
            written[name] = target
    return written
