"""The two kinds of energy: over label vectors and over tag sequences.

Constructed by the model, which knows the number of labels: configs give the energy as
`Lazy` parameters (everything but `num_labels`).
"""
import torch
from allennlp.common import Registrable


class LabelEnergy(torch.nn.Module, Registrable):
    """`forward(y) -> [batch, K]` for label vectors `y` `[batch, K, num_labels]` in [0, 1]
    (one-hot, multi-hot, or relaxed: TaskNN probabilities)."""

    default_implementation = "feedforward"

    def __init__(self, num_labels: int) -> None:
        super().__init__()
        self.num_labels = num_labels

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class TagEnergy(torch.nn.Module, Registrable):
    """`forward(y, mask) -> [batch, K]` for tag sequences `y` `[batch, K, T, num_labels]`
    (one-hot rows, zero rows at padding, or relaxed) and `mask` `[batch, T]`; padded
    positions must add nothing."""

    default_implementation = "linear_chain"

    def __init__(self, num_labels: int) -> None:
        super().__init__()
        self.num_labels = num_labels

    def forward(self, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


def zero_output_layers(*layers: torch.nn.Linear) -> None:
    """An energy (or local term) starts at 0 for every y: a random untrained ScoreNN would
    otherwise push the TaskNN (through its score term) in random directions as strongly as
    the cross-entropy pulls it right, until the ScoreNN has learned something."""
    for layer in layers:
        torch.nn.init.zeros_(layer.weight)
        if layer.bias is not None:
            torch.nn.init.zeros_(layer.bias)
