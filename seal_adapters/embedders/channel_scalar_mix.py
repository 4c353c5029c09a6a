"""`last_layer_only: false` with adapters: one allennlp `ScalarMix` per adapter channel.

allennlp's embedder mixes the transformer's layers with one `ScalarMix`. Here the layers hold
every requested adapter's channel side by side, and a single mix would be a parameter of no
side, trained by the ScoreNN's and the TaskNN's losses alike; so each adapter gets its own mix
(`..._scalar_mix.mixes.<adapter>.scalar_parameters.N`), on that adapter's side like its
weights, and each channel is mixed by its own.
"""
from typing import Callable, Sequence, Tuple

import torch
from allennlp.modules.scalar_mix import ScalarMix


class ChannelScalarMix(torch.nn.Module):
    def __init__(self, names: Sequence[str], num_layers: int, hidden_size: int,
                 requested: Callable[[], Tuple[str, ...]]) -> None:
        super().__init__()
        self.mixes = torch.nn.ModuleDict({name: ScalarMix(num_layers) for name in names})
        self.hidden_size = hidden_size
        self._requested = requested  # the channels in this forward, in order

    def forward(self, hidden_states: Sequence[torch.Tensor]) -> torch.Tensor:
        layers = [torch.split(layer, self.hidden_size, dim=-1) for layer in hidden_states]
        mixed = [self.mixes[name]([layer[index] for layer in layers])
                 for index, name in enumerate(self._requested())]
        return torch.cat(mixed, dim=-1)
