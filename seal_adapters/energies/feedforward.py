"""`feedforward`: a feed-forward network over the label vector (SEAL's multi-label energy).

`E(y) = v^T g(W_n ... g(W_1 y))`: with one hidden layer of a few hundred units and softplus
(SEAL's released configs use 200-600), it learns which labels go together and how many
labels an example has, which independent sigmoids cannot.
"""
from typing import List, Union

import torch
from allennlp.nn import Activation

from seal_adapters.energies.base import LabelEnergy, zero_output_layers


@LabelEnergy.register("feedforward")
class FeedForwardEnergy(LabelEnergy):
    """
    # Parameters

    hidden_dims : `int` or `List[int]`, optional (default = `200`)
        Width of each hidden layer; a list gives one layer per entry (depth).
    activation : `str`, optional (default = `"softplus"`)
        An allennlp `Activation` name ("softplus", "relu", "tanh", "gelu", ...).
    dropout : `float`, optional (default = `0.0`)
    """

    def __init__(self, num_labels: int, hidden_dims: Union[int, List[int]] = 200,
                 activation: str = "softplus", dropout: float = 0.0) -> None:
        super().__init__(num_labels)
        dims = [hidden_dims] if isinstance(hidden_dims, int) else list(hidden_dims)
        if not dims or any(d < 1 for d in dims):
            raise ValueError(f"feedforward energy: hidden_dims must be positive, got {hidden_dims}")
        layers: List[torch.nn.Module] = []
        for d_in, d_out in zip([num_labels] + dims[:-1], dims):
            layers += [torch.nn.Linear(d_in, d_out), Activation.by_name(activation)(),
                       torch.nn.Dropout(dropout)]
        self.hidden = torch.nn.Sequential(*layers)
        self.output = torch.nn.Linear(dims[-1], 1, bias=False)
        zero_output_layers(self.output)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return self.output(self.hidden(y)).squeeze(-1)
