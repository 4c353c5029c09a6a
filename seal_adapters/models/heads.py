"""The small networks on top of each adapter's channel.

Each model keeps one TaskNN head and (with a score loss) one ScoreNN head in a ModuleDict
keyed by adapter name, so parameter names (`heads.tasknn.linear.weight`) tell the
alternation and `parameter_groups` which side they are on.
"""
from typing import Optional

import torch

from seal_adapters.models.pooling import pool


def zero_output_layers(*layers: torch.nn.Linear) -> None:
    """A ScoreNN starts at score 0 for every y: a random untrained ScoreNN would otherwise
    push the TaskNN (through its score term) in random directions as strongly as the
    cross-entropy pulls it right, until the ScoreNN has learned something."""
    for layer in layers:
        torch.nn.init.zeros_(layer.weight)
        if layer.bias is not None:
            torch.nn.init.zeros_(layer.bias)


class ClassifierHead(torch.nn.Module):
    """TaskNN: (pooled, unless `pooler` is None) channel -> label logits."""

    def __init__(self, input_dim: int, num_labels: int, pooler: Optional[str],
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.pooler = pooler
        self.dropout = torch.nn.Dropout(dropout)
        self.linear = torch.nn.Linear(input_dim, num_labels)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.pooler is not None:
            hidden = pool(hidden, mask, self.pooler)
        return self.linear(self.dropout(hidden))


class LabelScoreHead(torch.nn.Module):
    """ScoreNN for label vectors y in [0, 1]^L (one-hot or multi-hot):
    `score(x, y) = sum_l y_l <W_l, h(x)> + v^T softplus(U y)`, a local term from label
    embeddings W plus a global feed-forward term over y that can learn label interactions."""

    def __init__(self, input_dim: int, num_labels: int, pooler: str, global_hidden: int = 16,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.pooler = pooler
        self.dropout = torch.nn.Dropout(dropout)
        self.label_embeddings = torch.nn.Linear(input_dim, num_labels)
        self.global_in = torch.nn.Linear(num_labels, global_hidden)
        self.global_out = torch.nn.Linear(global_hidden, 1, bias=False)
        zero_output_layers(self.label_embeddings, self.global_out)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """`y`: `[batch, K, L]` -> scores `[batch, K]`."""
        local = self.label_embeddings(self.dropout(pool(hidden, mask, self.pooler)))  # [B, L]
        global_ = self.global_out(torch.nn.functional.softplus(self.global_in(y))).squeeze(-1)
        return (y * local.unsqueeze(1)).sum(-1) + global_


class TagScoreHead(torch.nn.Module):
    """ScoreNN for tag sequences y `[T, L]`: a local term per token plus a linear chain of
    tag-pair compatibilities, `sum_t y_t^T A y_{t+1}`, which learns e.g. that I-ORG
    follows B-ORG. Padded tokens (zero rows of y, mask 0) add nothing."""

    def __init__(self, input_dim: int, num_tags: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.dropout = torch.nn.Dropout(dropout)
        self.tag_embeddings = torch.nn.Linear(input_dim, num_tags)
        self.transitions = torch.nn.Parameter(torch.zeros(num_tags, num_tags))
        zero_output_layers(self.tag_embeddings)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """`y`: `[batch, K, T, L]` -> scores `[batch, K]`."""
        mask = mask.to(y.dtype)
        local = self.tag_embeddings(self.dropout(hidden))  # [B, T, L]
        local_score = ((y * local.unsqueeze(1)).sum(-1) * mask.unsqueeze(1)).sum(-1)
        pairs = torch.einsum("bktl,lm,bktm->bkt", y[:, :, :-1], self.transitions, y[:, :, 1:])
        pair_score = (pairs * (mask[:, :-1] * mask[:, 1:]).unsqueeze(1)).sum(-1)
        return local_score + pair_score
