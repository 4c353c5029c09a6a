"""One frozen copy of each pretrained transformer per process.

Every embedder gets its own module tree (its own adapters), but the pretrained tensors
themselves are shared with the cached original: loading the same model for two embedders,
or for the training model and a predictor, costs the backbone's memory once. The cache key
holds everything that changes the pretrained weights (name, `transformer_kwargs`,
`load_weights` and the override weights file with its prefix). A backbone that trains
(`private=True`, allennlp's `train_parameters`) gets tensors of its own instead.
"""
import copy
import logging
from typing import Any, Dict, Optional, Tuple

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.common.util import hash_object
from transformers import AutoConfig, AutoModel, PreTrainedModel

logger = logging.getLogger(__name__)

_cache: Dict[Tuple[str, str], PreTrainedModel] = {}


def _load(model_name: str, transformer_kwargs: Dict[str, Any], load_weights: bool = True,
          override_weights_file: Optional[str] = None,
          override_weights_strip_prefix: Optional[str] = None) -> PreTrainedModel:
    try:
        if load_weights:
            model = AutoModel.from_pretrained(model_name, **transformer_kwargs)
        else:  # allennlp's load_weights false: the architecture with freshly initialised weights
            config = AutoConfig.from_pretrained(model_name, **transformer_kwargs)
            model = AutoModel.from_config(config)
    except OSError as error:
        raise ConfigurationError(
            f"Could not load transformer '{model_name}': {error}. Without hub access, use a local "
            "model directory written by `save_pretrained`, or the bundled model (model_name null)."
        ) from error
    except RuntimeError as error:
        if "size mismatch" not in str(error):
            raise
        raise ConfigurationError(weights_do_not_fit(model_name, str(error))) from error
    if override_weights_file is not None:
        load_override_weights(model, override_weights_file, override_weights_strip_prefix)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


def weights_do_not_fit(model_name: str, message: str) -> str:
    """What to say when the weights' shapes differ from what the model's config.json builds."""
    first = next((line.strip() for line in message.splitlines() if "size mismatch" in line), message)
    first = first.split("size mismatch for", 1)[-1].strip()
    return (f"The weights of transformer '{model_name}' do not fit its config.json (size mismatch "
            f"for {first}): the config.json and the weights file come from different models or the "
            "config.json was edited. Restore the config.json saved with the weights "
            "(`save_pretrained` writes both), or point model_name at a directory whose files belong "
            "together.")


def load_override_weights(model: PreTrainedModel, path: str, prefix: Optional[str]) -> None:
    """allennlp's `override_weights_file` / `override_weights_strip_prefix`: a state dict
    (torch or safetensors file) replaces the pretrained weights; keys outside `prefix` are
    ignored and the prefix is cut off the others."""
    from allennlp.common.file_utils import cached_path

    from seal_adapters.embedders.model_files import check_safetensors, check_torch_file

    fix = "give override_weights_file a complete state dict saved with torch.save or safetensors"
    path = cached_path(path)
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file

        check_safetensors(path, fix)
        weights = load_file(path)
    else:
        check_torch_file(path, fix)
        weights = torch.load(path, map_location="cpu", weights_only=True)
    if prefix is not None:
        weights = {key[len(prefix):]: value for key, value in weights.items() if key.startswith(prefix)}
        if not weights:
            raise ConfigurationError(f"override_weights_strip_prefix '{prefix}' matches no tensor of "
                                     f"{path}: no weights would be loaded. Fix the prefix.")
    expected = model.state_dict()
    unexpected = sorted(set(weights) - set(expected))
    wrong_shape = sorted(k for k in set(weights) & set(expected) if weights[k].shape != expected[k].shape)
    if unexpected or wrong_shape:
        raise ConfigurationError(
            f"override_weights_file {path} does not fit the model: {len(unexpected)} tensor(s) it "
            f"lacks (e.g. {unexpected[:3]}), {len(wrong_shape)} of another shape (e.g. "
            f"{wrong_shape[:3]}). Set override_weights_strip_prefix to the prefix of the "
            f"model's keys in that file (its keys begin {sorted(weights)[:2]}; the model's "
            f"{sorted(expected)[:2]})."
        )
    missing = sorted(set(expected) - set(weights))
    if missing:
        logger.warning("override_weights_file %s has no value for %d of the model's tensors (e.g. %s): "
                       "they keep their pretrained values.", path, len(missing), missing[:3])
    model.load_state_dict(weights, strict=False)


def frozen_backbone(model_name: str, transformer_kwargs: Optional[Dict[str, Any]] = None, *,
                    load_weights: bool = True, override_weights_file: Optional[str] = None,
                    override_weights_strip_prefix: Optional[str] = None,
                    private: bool = False) -> PreTrainedModel:
    """A private module tree whose pretrained parameters and buffers are shared and frozen
    (with `private`, copies of them, which the caller may train)."""
    kwargs = dict(transformer_kwargs or {})
    weights = (load_weights, override_weights_file, override_weights_strip_prefix)
    key = (model_name, hash_object([kwargs, weights]))
    original = _cache.get(key)
    if original is None:
        original = _cache[key] = _load(model_name, kwargs, *weights)
        logger.info("Loaded transformer %s (cached for reuse)", model_name)
    if private:
        return copy.deepcopy(original)
    shared = {id(tensor): tensor for tensor in original.parameters()}
    shared.update({id(tensor): tensor for tensor in original.buffers()})
    return copy.deepcopy(original, memo=shared)


def clear_cache() -> None:
    _cache.clear()


def shares_weights(first: torch.nn.Module, second: torch.nn.Module) -> bool:
    """Whether two backbones hold the same pretrained tensors (same storage)."""
    ours = {p.data_ptr() for p in first.parameters() if not p.requires_grad}
    return bool(ours) and ours <= {p.data_ptr() for p in second.parameters()}
