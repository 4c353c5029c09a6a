"""`reuse_idle_channel`: in alternating SEAL, an idle side's channel is not computed twice.

Alternating SEAL with `repeat_each_batch` takes two steps on each batch: the ScoreNN's step
runs the ScoreNN channel with autograd and the TaskNN channel without (for its
probabilities), then the TaskNN's step runs the TaskNN channel with autograd and the ScoreNN
channel again without (for the score term). That last forward is one transformer pass per
batch out of four (docs/benchmarks.md, the profile). With `reuse_idle_channel` the model keeps
each step's channel outputs (detached) and, when the next training step is on the same batch
and a channel's adapter is frozen in it, uses the kept output instead of recomputing it.

The price is exactness: the reused channel is one update of its own side old (the ScoreNN's
features in the TaskNN step are from before the ScoreNN's step on that batch; its head's
parameters are current). Off by default; joint mode and evaluation never reuse anything.
"""
from typing import Dict, Optional, Sequence, Tuple

import torch

from seal_adapters.embedders.channels import adapter_backbones


def _tensors(tokens) -> Tuple[torch.Tensor, ...]:
    """Every tensor of a TextFieldTensors, in a fixed order."""
    return tuple(tokens[field][key] for field in sorted(tokens) for key in sorted(tokens[field]))


class IdleChannelCache:
    def __init__(self) -> None:
        self._inputs: Optional[Tuple[torch.Tensor, ...]] = None
        self._channels: Dict[str, torch.Tensor] = {}
        self._backbones: Optional[list] = None  # the model's adapter backbones, found once

    def reusable(self, model: torch.nn.Module, tokens, names: Sequence[str]) -> Dict[str, torch.Tensor]:
        """The kept channels of `names` whose adapters are frozen now, if `tokens` is the batch
        they were computed from."""
        inputs = _tensors(tokens)
        same = (self._inputs is not None and len(inputs) == len(self._inputs)
                and all(a.shape == b.shape and torch.equal(a, b) for a, b in zip(inputs, self._inputs)))
        if not same:
            return {}
        if self._backbones is None:
            self._backbones = adapter_backbones(model)
        backbones = self._backbones
        frozen = {name for name in names if backbones and all(b.is_frozen(name) for b in backbones)}
        return {name: self._channels[name] for name in names if name in frozen and name in self._channels}

    def keep(self, tokens, channels: Dict[str, torch.Tensor]) -> None:
        self._inputs = _tensors(tokens)
        self._channels = {name: channel.detach() for name, channel in channels.items()}

    def clear(self) -> None:
        self._inputs, self._channels = None, {}
