"""Adapters the model's loss never uses are frozen, with a warning, after the first step.

Why: with `output` naming one adapter and a model that asks for no other channel (allennlp's
own models), the other adapters stay trainable, get no gradient, fail allennlp's gradient
check (`ModelTestCase`) and keep optimizer state for nothing. Which adapters a model uses is
only known from a real step, so every `allennlp train` run without the `adapter_schedule`
callback (which reports it in its epoch summary instead) gets this check on its first
training batch.
"""
import logging
from typing import Dict, Iterable, List

import torch
from allennlp.training.callbacks import TrainerCallback

from seal_adapters.embedders.channels import adapter_backbones

logger = logging.getLogger(__name__)


def received_gradient(parameters: Iterable[torch.nn.Parameter]) -> bool:
    """Whether any parameter has a nonzero gradient (one device sync at most)."""
    grads = [p.grad for p in parameters if p.grad is not None]
    return bool(grads) and bool(torch.stack([g.ne(0).any() for g in grads]).any())


def adapter_parameters(model: torch.nn.Module) -> Dict[str, List[torch.nn.Parameter]]:
    found: Dict[str, List[torch.nn.Parameter]] = {}
    for backbone in adapter_backbones(model):
        for name in backbone.names:
            found.setdefault(name, []).extend(backbone.adapter_parameters(name))
    return found


class UnusedAdapterGuard(TrainerCallback):
    """Not registered: `run_guards` adds it to runs without `adapter_schedule`."""

    def on_batch(self, trainer, batch_inputs, batch_outputs, batch_metrics, epoch: int,
                 batch_number: int, is_training: bool, is_primary: bool = True, **kwargs) -> None:
        if not is_training or getattr(self, "_done", False):
            return
        self._done = True
        for name, parameters in adapter_parameters(trainer.model).items():
            trainable = [p for p in parameters if p.requires_grad]
            if trainable and not received_gradient(trainable):
                for parameter in trainable:
                    parameter.requires_grad_(False)
                logger.warning(
                    "Adapter '%s' received no gradient in the first training step: the model's "
                    "loss does not use its channel (the embedder's output is %r). It is frozen "
                    "for the rest of the run. Remove it from the embedder's 'adapters', or use "
                    "output \"concat\" or a SEAL model to train it.", name,
                    _outputs(trainer.model))


def _outputs(model) -> str:
    outputs = {getattr(m, "output", None) for m in model.modules() if hasattr(m, "channels")}
    return ", ".join(sorted(str(o) for o in outputs if o is not None)) or "unknown"
