"""The plan of a training step: which adapters train in it, and where it falls among the
steps on its batch.

One writer, the `adapter_schedule` callback: it publishes a plan on the model's adapter
backbones before every training step, and sets `requires_grad` from it whenever the side
that trains changes. Its readers do not infer the step back from parameter flags or from the
data: the idle-channel cache (models/idle_channel_reuse.py) reads from the plan which sides
train and whether this batch came in the last step and comes again in the next
(`repeat_each_batch`), so it keeps an idle side's channel only for a step that will use it.

Without the callback no plan is published (`plan_of` is None): nothing alternates, and the
cache computes every channel afresh.
"""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple, Union

import torch

from seal_adapters.embedders.channels import adapter_backbones


@dataclass(frozen=True)
class StepPlan:
    """`training`: the adapters that train in this step. `step_on_batch`: this step's index
    among the consecutive steps on its batch (0: a new batch); `repeats`: how many
    consecutive steps the batch comes in (1 without `repeat_each_batch`)."""

    training: Tuple[str, ...]
    step_on_batch: int = 0
    repeats: int = 1

    def trains(self, adapter: str) -> bool:
        return adapter in self.training

    @property
    def same_batch_as_last_step(self) -> bool:
        return self.step_on_batch > 0

    @property
    def batch_comes_again(self) -> bool:
        return self.step_on_batch < self.repeats - 1


Backbones = Union[torch.nn.Module, Sequence[torch.nn.Module]]


def _backbones(where: Backbones) -> Sequence[torch.nn.Module]:
    """The adapter backbones of a model or embedder, or `where` itself when it is a list of
    them (found once by a caller that asks every step)."""
    return adapter_backbones(where) if isinstance(where, torch.nn.Module) else where


def publish(where: Backbones, plan: Optional[StepPlan]) -> None:
    """Makes `plan` the plan of the next training step of every adapter backbone in `where`."""
    for backbone in _backbones(where):
        backbone.step_plan = plan


def plan_of(where: Backbones) -> Optional[StepPlan]:
    """The published plan of the adapter backbone(s) in `where`, or None."""
    plans = {id(b.step_plan): b.step_plan for b in _backbones(where) if b.step_plan is not None}
    return next(iter(plans.values())) if len(plans) == 1 else None
