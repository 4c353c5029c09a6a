"""Sentence vectors from token vectors.

Default is the masked mean: the adapters sit on a frozen backbone whose [CLS] vector was
never trained for these tasks (and sentence-transformers models such as MiniLM are trained
with mean pooling), so averaging every token is the robust choice; "cls" takes the first.
"""
import torch
from allennlp.common.checks import ConfigurationError

POOLERS = ("mean", "cls")


def check_pooler(pooler: str, owner: str) -> str:
    if pooler not in POOLERS:
        raise ConfigurationError(f"{owner}: unknown pooler '{pooler}'; use one of {list(POOLERS)}.")
    return pooler


def pool(hidden: torch.Tensor, mask: torch.Tensor, pooler: str) -> torch.Tensor:
    """`[batch, tokens, dim]` -> `[batch, dim]`."""
    if pooler == "cls":
        return hidden[:, 0]
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp_min(1.0)
