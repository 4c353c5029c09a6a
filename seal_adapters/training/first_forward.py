"""One forward pass on one evaluation batch before training: sizes and the validation metric.

Why: a hidden size that does not match the embedder (or an encoder sized from the transformer
under `output: "concat"`) fails as torch's bare `mat1 and mat2 shapes cannot be multiplied`
at the first batch, and a misspelled `validation_metric` fails only after a whole epoch. One
batch in eval mode, without gradients and with every random generator restored afterwards,
finds both before any training step, naming the layer, the two sizes and the option.
"""
import difflib
import inspect
import random
from typing import Iterable, List, Optional, Tuple

import numpy
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.nn import util as nn_util

# Metrics the trainer adds to the model's own (allennlp.training.util.get_metrics).
TRAINER_METRICS = ("loss", "reg_loss")


# The constructor options by which allennlp's encoders declare their size.
SIZE_OPTIONS = ("embedding_dim", "input_dim", "input_size", "hidden_size", "hidden_dim")


def _sized_from(model: torch.nn.Module, size: int) -> List[Tuple[str, torch.nn.Module]]:
    """(config key, module) of the model's allennlp modules whose declared output size is
    `size` (an encoder that a layer after it, or inside it, is built for)."""
    found = []
    for name, module in model.named_modules():
        output_dim = getattr(module, "get_output_dim", None)
        if name and "." not in name and callable(output_dim):
            try:
                if output_dim() == size:
                    found.append((name.lstrip("_"), module))
            except (NotImplementedError, TypeError, AttributeError):
                continue
    return found


def _size_options(module: torch.nn.Module) -> List[str]:
    """The size options `module`'s class really takes (none for e.g. allennlp's bert_pooler,
    which sizes itself from the transformer's config)."""
    try:
        parameters = inspect.signature(type(module).__init__).parameters
    except (TypeError, ValueError):
        return []
    return [option for option in SIZE_OPTIONS if option in parameters]


def _size_check(name: str, model: torch.nn.Module):
    def hook(module: torch.nn.Linear, inputs) -> None:
        given = inputs[0].shape[-1] if inputs and isinstance(inputs[0], torch.Tensor) else None
        if given is not None and given != module.in_features:
            layer = name.lstrip("_")
            sources = [(key, source) for key, source in _sized_from(model, module.in_features)
                       if key != layer]
            if sources:
                key, source = sources[0]
                kind = type(source).__name__
                built = ("is part of" if layer.startswith(key + ".") else "is built from")
                options = _size_options(source)
                option = (f"'{name}' {built} model.{key} ({kind}), which declares size "
                          f"{module.in_features}: set its {' or '.join(options)} to {given}"
                          if options else
                          f"'{name}' {built} model.{key} ({kind}), which sizes itself from the "
                          f"transformer (size {module.in_features}) and has no size option: give "
                          "the embedder one channel (\"output\": \"tasknn\", or a single adapter)")
            else:
                option = (f"Set the option that sizes '{name}' (its input_dim / hidden size in the "
                          f"config) to {given}")
            raise ConfigurationError(
                f"Layer '{name}' takes inputs of size {module.in_features}, but the layer before it "
                f"gives size {given}. {option}, or change the previous module's output size (e.g. the "
                "embedder's 'output': one adapter gives the transformer's hidden size, \"concat\" twice "
                "that)."
            )
    return hook


def first_batch(loaders: Iterable) -> Optional[dict]:
    for loader in loaders:
        if loader is None or getattr(loader, "batches_per_epoch", None) is not None:
            continue  # a loader with batches_per_epoch keeps its place between iterations
        for batch in loader:
            return batch
    return None


def run_first_forward(model: torch.nn.Module, batch: dict, cuda_device) -> List[str]:
    """Runs `model` on `batch` (eval mode, no gradients) and returns its metric names.

    Raises ConfigurationError naming the first linear layer whose input size is wrong."""
    states = (random.getstate(), numpy.random.get_state(), torch.get_rng_state(),
              torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None)
    handles = [module.register_forward_pre_hook(_size_check(name, model))
               for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(**nn_util.move_to_device(batch, cuda_device))
        names = list(model.get_metrics(reset=True))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
        random.setstate(states[0])
        numpy.random.set_state(states[1])
        torch.set_rng_state(states[2])
        if states[3] is not None:
            torch.cuda.set_rng_state_all(states[3])
    return names


def check_validation_metric(tracked: Iterable[str], produced: Iterable[str]) -> None:
    """Raises ConfigurationError for a `validation_metric` the model's metrics lack."""
    available = sorted(set(produced) | set(TRAINER_METRICS))
    for name in tracked:
        if name not in available:
            close = difflib.get_close_matches(name, available, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ConfigurationError(
                f"trainer.validation_metric names '{name}', which the model does not report.{hint} "
                f"The model reports: {', '.join(available)}. Write it with its sign, e.g. \"+{available[0]}\"."
            )
