"""One frozen copy of each pretrained transformer per process.

Every embedder gets its own module tree (its own adapters), but the pretrained tensors
themselves are shared with the cached original: loading the same model for two embedders,
or for the training model and a predictor, costs the backbone's memory once. The cache key
holds everything that changes the pretrained weights (name and `transformer_kwargs`).
"""
import copy
import logging
from typing import Any, Dict, Optional, Tuple

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.common.util import hash_object
from transformers import AutoModel, PreTrainedModel

logger = logging.getLogger(__name__)

_cache: Dict[Tuple[str, str], PreTrainedModel] = {}


def _load(model_name: str, transformer_kwargs: Dict[str, Any]) -> PreTrainedModel:
    try:
        model = AutoModel.from_pretrained(model_name, **transformer_kwargs)
    except OSError as error:
        raise ConfigurationError(
            f"Could not load transformer '{model_name}': {error}. Without hub access, use a local "
            "model directory written by `save_pretrained`, or the bundled model (model_name null)."
        ) from error
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


def frozen_backbone(model_name: str, transformer_kwargs: Optional[Dict[str, Any]] = None) -> PreTrainedModel:
    """A private module tree whose pretrained parameters and buffers are shared and frozen."""
    kwargs = dict(transformer_kwargs or {})
    key = (model_name, hash_object(kwargs))
    original = _cache.get(key)
    if original is None:
        original = _cache[key] = _load(model_name, kwargs)
        logger.info("Loaded transformer %s (cached for reuse)", model_name)
    shared = {id(tensor): tensor for tensor in original.parameters()}
    shared.update({id(tensor): tensor for tensor in original.buffers()})
    return copy.deepcopy(original, memo=shared)


def clear_cache() -> None:
    _cache.clear()


def shares_weights(first: torch.nn.Module, second: torch.nn.Module) -> bool:
    """Whether two backbones hold the same pretrained tensors (same storage)."""
    ours = {p.data_ptr() for p in first.parameters() if not p.requires_grad}
    return bool(ours) and ours <= {p.data_ptr() for p in second.parameters()}
