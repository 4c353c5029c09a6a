"""The small networks on top of each adapter's channel.

Each model keeps one TaskNN head and (with a score loss) one ScoreNN head in a ModuleDict
keyed by adapter name, so parameter names (`heads.tasknn.linear.weight`) tell the
alternation and `parameter_groups` which side they are on.
"""
from typing import Optional

import torch

from seal_adapters.energies.base import LabelEnergy, TagEnergy, zero_output_layers
from seal_adapters.models.pooling import pool


class ClassifierHead(torch.nn.Module):
    """TaskNN: (pooled, unless `pooler` is None) channel -> label logits; linear, or with
    `hidden_dim` > 0 one hidden GELU layer first."""

    def __init__(self, input_dim: int, num_labels: int, pooler: Optional[str],
                 dropout: float = 0.0, hidden_dim: int = 0) -> None:
        super().__init__()
        self.pooler = pooler
        self.dropout = torch.nn.Dropout(dropout)
        self.hidden = None
        if hidden_dim:
            self.hidden = torch.nn.Sequential(torch.nn.Linear(input_dim, hidden_dim),
                                              torch.nn.GELU(), torch.nn.Dropout(dropout))
            input_dim = hidden_dim
        self.linear = torch.nn.Linear(input_dim, num_labels)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.pooler is not None:
            hidden = pool(hidden, mask, self.pooler)
        hidden = self.dropout(hidden)
        if self.hidden is not None:
            hidden = self.hidden(hidden)
        return self.linear(hidden)


class LabelScoreHead(torch.nn.Module):
    """ScoreNN for label vectors y in [0, 1]^L (one-hot or multi-hot):
    `score(x, y) = sum_l y_l <W_l, h(x)> + E(y)`, a local term from label embeddings W plus
    a structured energy E over y (a `LabelEnergy`, e.g. `feedforward`) that can learn label
    interactions."""

    def __init__(self, input_dim: int, num_labels: int, pooler: str, energy: LabelEnergy,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.pooler = pooler
        self.dropout = torch.nn.Dropout(dropout)
        self.label_embeddings = torch.nn.Linear(input_dim, num_labels)
        self.energy = energy
        zero_output_layers(self.label_embeddings)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """`y`: `[batch, K, L]` -> scores `[batch, K]`."""
        local = self.label_embeddings(self.dropout(pool(hidden, mask, self.pooler)))  # [B, L]
        return (y * local.unsqueeze(1)).sum(-1) + self.energy(y)


class TagScoreHead(torch.nn.Module):
    """ScoreNN for tag sequences y `[T, L]`: a local term per token plus a structured energy
    over the tag sequence (a `TagEnergy`: `linear_chain`, `cnn`, `self_attention`), which
    learns e.g. that I-ORG follows B-ORG. Padded tokens (zero rows of y, mask 0) add nothing."""

    def __init__(self, input_dim: int, num_tags: int, energy: TagEnergy,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.dropout = torch.nn.Dropout(dropout)
        self.tag_embeddings = torch.nn.Linear(input_dim, num_tags)
        self.energy = energy
        zero_output_layers(self.tag_embeddings)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """`y`: `[batch, K, T, L]` -> scores `[batch, K]`."""
        local = self.tag_embeddings(self.dropout(hidden))  # [B, T, L]
        local_score = ((y * local.unsqueeze(1)).sum(-1) * mask.to(y.dtype).unsqueeze(1)).sum(-1)
        return local_score + self.energy(y, mask)
