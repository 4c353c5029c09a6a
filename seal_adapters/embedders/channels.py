"""How a model gets each adapter's channel out of an allennlp `TextFieldEmbedder`."""
from typing import Dict, List, Sequence

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.modules import TextFieldEmbedder

from seal_adapters.embedders.adapter_backbone import AdapterBackbone


def adapter_backbones(module: torch.nn.Module) -> List[AdapterBackbone]:
    """Every adapter-equipped transformer inside `module` (a model or an embedder)."""
    return [m for m in module.modules() if isinstance(m, AdapterBackbone)]


def adapter_embedders(text_field_embedder: TextFieldEmbedder) -> List[torch.nn.Module]:
    """The adapter token embedders of a text field embedder (outermost ones only)."""
    found = []
    for module in text_field_embedder.children():
        if hasattr(module, "channels") and hasattr(module, "adapter_names"):
            found.append(module)
        elif not isinstance(module, AdapterBackbone):
            found.extend(adapter_embedders(module))
    return found


def single_adapter_embedder(text_field_embedder: TextFieldEmbedder, owner: str) -> torch.nn.Module:
    """The one adapter embedder that a SEAL model reads its channels from."""
    embedders = adapter_embedders(text_field_embedder)
    token_embedders = getattr(text_field_embedder, "_token_embedders", None)
    if len(embedders) != 1 or (token_embedders is not None and len(token_embedders) != 1):
        raise ConfigurationError(
            f"{owner} needs a text_field_embedder with exactly one token embedder of type "
            "'pretrained_transformer_with_adapters' or "
            "'pretrained_transformer_mismatched_with_adapters'; found "
            f"{len(embedders)} adapter embedder(s)."
        )
    return embedders[0]


def embed_channels(
    text_field_embedder: TextFieldEmbedder, embedder: torch.nn.Module, tokens, names: Sequence[str], **kwargs
) -> Dict[str, torch.Tensor]:
    """Runs the embedder once for `names` and returns each adapter's `[batch, tokens, hidden]`."""
    with embedder.channels(names):
        joined = text_field_embedder(tokens, **kwargs)
    pieces = torch.split(joined, embedder.hidden_size, dim=-1)
    return dict(zip(names, pieces))
