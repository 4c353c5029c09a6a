"""Stop training at the first non-finite training loss, saying when and which adapter trained.

Why: allennlp 2.10 checks the loss for NaN only (an infinite loss trains on and writes NaN
weights), with the bare message "nan loss encountered", and its check runs before any
callback's `on_backward`. So the check is a forward hook on the model: it sees each training
loss as the model returns it, before allennlp's check, the backward pass and the optimizer
step, so no weights are changed by the bad step and every checkpoint written so far is finite.
Every `allennlp train` run gets it (run_guards.py); the `adapter_schedule` callback says
which adapter trains (`training_description`).
"""
from typing import Optional

import torch
from torch.utils.hooks import RemovableHandle

ADVICE = ("Lower the learning rate, enable gradient clipping (trainer.grad_norm) or check the "
          "data; no weights were written for this step.")


class NonFiniteLossError(ValueError):
    """The training loss is NaN or infinite."""


def describe_non_finite(loss: torch.Tensor) -> Optional[str]:
    """None for a finite loss, else "nan", "inf" or "-inf"."""
    if bool(torch.isfinite(loss).all()):
        return None
    if bool(torch.isnan(loss).any()):
        return "nan"
    return "inf" if bool((loss > 0).any()) else "-inf"


def training_position(trainer) -> str:
    """`"step 9 (epoch 1, batch 3)"` for the step in progress: steps and batches count from 1,
    epochs from 0 as in allennlp's "Epoch 1/2" log lines."""
    step = getattr(trainer, "_total_batches_completed", 0) + 1
    epoch = getattr(trainer, "_epochs_completed", 0)
    batch = getattr(trainer, "_batches_in_epoch_completed", 0) + 1
    return f"step {step} (epoch {epoch}, batch {batch})"


def check_finite_loss(loss: Optional[torch.Tensor], where: str, training: str) -> None:
    """Raises `NonFiniteLossError` naming `where` and what was `training` if `loss` is not finite."""
    if loss is None or not isinstance(loss, torch.Tensor):
        return
    kind = describe_non_finite(loss.detach())
    if kind is not None:
        raise NonFiniteLossError(
            f"Non-finite loss ({kind}) at {where} while training {training}. {ADVICE}"
        )


def training_description(trainer) -> str:
    """`"adapter 'tasknn'"` while the alternation callback trains one adapter, else what trains."""
    for callback in getattr(trainer, "_callbacks", None) or []:
        describe = getattr(callback, "training_description", None)
        if callable(describe):
            return describe()
    return "the model's trainable parameters"


def guard_finite_loss(trainer) -> RemovableHandle:
    """Checks every training forward of `trainer.model`; remove the returned handle to stop."""

    def hook(module: torch.nn.Module, args, output) -> None:
        if not module.training or not torch.is_grad_enabled() or not isinstance(output, dict):
            return
        check_finite_loss(output.get("loss"), training_position(trainer), training_description(trainer))

    return trainer.model.register_forward_hook(hook)
