"""`reuse_idle_channel`: alternating SEAL computes each channel once per batch, exactly.

Alternating SEAL with `repeat_each_batch` takes two steps on each batch. Computed afresh,
the ScoreNN's step runs the ScoreNN channel with autograd and the TaskNN channel without (for
its probabilities), then the TaskNN's step runs the TaskNN channel with autograd and the
ScoreNN channel again without (for the score term): four transformer forwards per batch.

With `reuse_idle_channel` (the default) a step computes the idle side's channel *with* its
autograd graph, although that side is frozen in the step, hands the model a detached view
(so the step's loss and backward never touch that graph) and keeps the channel. The next
step on the same batch that trains that side backpropagates through the kept channel instead
of computing it again; a step that leaves the side frozen reads it detached. Reuse is exact:
a kept channel is used only while no parameter it depends on has changed since it was
computed (the parameters' version counters, which every in-place update bumps), so its
values and gradients are those of a fresh forward; the one difference is dropout, whose mask
is the one drawn when the channel was computed. A channel whose parameters changed (the side
that just trained) is computed again. Three transformer forwards per batch instead of four.

Which sides train, and whether the batch came in the last step and comes again in the next,
the cache reads from the step's plan (embedders/step_plan.py), which the `adapter_schedule`
callback publishes; it does not infer them from parameter flags or from the data. Graphs are
kept only in a step whose batch comes again, so a loader without `repeat_each_batch` costs
nothing (each batch comes once: its idle channel runs without autograd, as without reuse).
A kept channel is read only in a step on the same batch; its inputs are checked to be that
batch's (a guard: a plan that were wrong would cost a recomputation, never a wrong channel).
Without a published plan (no callback) every channel is computed afresh. A step that keeps
a graph holds two channels' graphs, as a joint step does. Under distributed training no
graph is kept (each backward must come from its own step's forward there). `reuse_idle_channel: false` computes
every channel afresh. Joint mode, where no side is idle, and evaluation reuse nothing.
"""
import contextlib
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

from seal_adapters.embedders.channels import adapter_backbones
from seal_adapters.embedders.sides import sides_by_name
from seal_adapters.embedders.step_plan import plan_of

Embed = Callable[[object, Tuple[str, ...]], Dict[str, torch.Tensor]]


def _tensors(tokens) -> Tuple[torch.Tensor, ...]:
    """Every tensor of a TextFieldTensors, in a fixed order."""
    return tuple(tokens[field][key] for field in sorted(tokens) for key in sorted(tokens[field]))


def _distributed() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized() \
        and torch.distributed.get_world_size() > 1


def _versions(parameters: Sequence[torch.nn.Parameter]) -> Tuple[int, ...]:
    return tuple(parameter._version for parameter in parameters)


@contextlib.contextmanager
def _trainable(parameters: Sequence[torch.nn.Parameter]):
    """The parameters require gradients inside the block (so a frozen side's channel is
    computed with its graph), and are as before after it."""
    switched = [p for p in parameters if not p.requires_grad]
    for parameter in switched:
        parameter.requires_grad_(True)
    try:
        yield
    finally:
        for parameter in switched:
            parameter.requires_grad_(False)


class IdleChannelCache:
    """The kept channels of one model; see the module docstring."""

    def __init__(self) -> None:
        self._inputs: Optional[Tuple[torch.Tensor, ...]] = None
        self._channels: Dict[str, torch.Tensor] = {}  # frozen sides' channels, with their graphs
        self._versions: Dict[str, Tuple[int, ...]] = {}  # their dependencies' versions then
        self._own: Dict[str, List[torch.nn.Parameter]] = {}  # adapter -> its embedder parameters
        self._depends: Dict[str, List[torch.nn.Parameter]] = {}  # ... and those of no side
        self._backbones: Optional[List[torch.nn.Module]] = None  # where the step plan is read

    def _find_parameters(self, embedder: torch.nn.Module, adapters: Sequence[str]) -> None:
        owners = sides_by_name(embedder, adapters)
        named = list(embedder.named_parameters())
        self._own = {a: [p for n, p in named if owners.get(n) == a] for a in adapters}
        self._depends = {a: [p for n, p in named if owners.get(n) in (None, a)] for a in adapters}

    def channels(self, embedder: torch.nn.Module, adapters: Sequence[str], tokens,
                 names: Tuple[str, ...], embed: Embed) -> Dict[str, torch.Tensor]:
        """The channels of `names` for this training step. `embedder` is the text field
        embedder, `adapters` all of its adapters, `embed(tokens, names)` computes channels
        afresh in one embedder pass."""
        if self._backbones is None:
            self._backbones = adapter_backbones(embedder)
        plan = plan_of(self._backbones)
        if plan is None:  # no adapter_schedule callback: nothing alternates
            self.clear()
            return embed(tokens, names)
        if not self._own:
            self._find_parameters(embedder, adapters)
        inputs = _tensors(tokens)
        if not (plan.same_batch_as_last_step and self._same_inputs(inputs)):
            self.clear()
        self._inputs = inputs
        trains = {name: plan.trains(name) for name in names}
        found: Dict[str, torch.Tensor] = {}
        for name in names:
            kept = self._channels.get(name)
            if kept is None:
                continue
            current = self._versions[name] == _versions(self._depends[name])
            if current and not trains[name]:
                found[name] = kept.detach()
                continue
            if current and kept.requires_grad:
                found[name] = kept  # this step's backward consumes the graph
            del self._channels[name], self._versions[name]  # used up, or out of date
        # this batch comes again: keep graphs (not under distributed training, where
        # DistributedDataParallel expects each backward to come from its own step's forward)
        keep = plan.batch_comes_again and not _distributed()
        missing = [name for name in names if name not in found]
        together = tuple(name for name in missing if trains[name] or not keep)
        if together:  # one embedder pass, as without reuse (a frozen channel without autograd)
            versions = {name: _versions(self._depends[name]) for name in together if not trains[name]}
            with torch.no_grad() if not any(trains[name] for name in together) else contextlib.nullcontext():
                computed = embed(tokens, together)
            for name, channel in computed.items():
                found[name] = channel if trains[name] else self._keep(name, channel.detach(), versions[name])
        for name in missing:
            if name in found:
                continue
            versions = _versions(self._depends[name])
            with _trainable(self._own[name]):  # its own pass, so its graph is its own
                found[name] = self._keep(name, embed(tokens, (name,))[name], versions)
        return {name: found[name] for name in names}

    def _keep(self, name: str, channel: torch.Tensor, versions: Tuple[int, ...]) -> torch.Tensor:
        """Keeps a frozen side's channel (with its graph, if it has one) and returns the
        detached view this step reads."""
        self._channels[name], self._versions[name] = channel, versions
        return channel.detach()

    def _same_inputs(self, inputs: Tuple[torch.Tensor, ...]) -> bool:
        kept = self._inputs
        return (kept is not None and len(inputs) == len(kept)
                and all(a.shape == b.shape and torch.equal(a, b) for a, b in zip(inputs, kept)))

    def clear(self) -> None:
        """Drops the kept channels."""
        self._inputs, self._channels, self._versions = None, {}, {}
