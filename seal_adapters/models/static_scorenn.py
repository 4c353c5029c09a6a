"""SEAL-static: a ScoreNN trained in an earlier run, loaded frozen into a TaskNN run.

Stage 1 is any SEAL run (its ScoreNN learns to rank gold above the TaskNN's outputs); stage 2
names that run in the model's `static_scorenn`: every parameter on the ScoreNN's side (its
adapter, its head, its layer mix, any other entry keyed by its adapter name) is read from the
run's weights and frozen, and only the TaskNN trains, by cross-entropy plus the frozen
ScoreNN's score term. The two runs must build the same ScoreNN (same backbone, adapter kind,
head and energy); a missing or differently shaped parameter is refused, naming it.
"""
import os
import tarfile
import tempfile
from typing import Dict

import torch
from allennlp.common.checks import ConfigurationError

from seal_adapters.embedders.sides import sides_by_name
from seal_adapters.training.checkpointer import load_weights_only

WEIGHTS_IN_ARCHIVE = "weights.th"


def run_weights(path: str) -> Dict[str, torch.Tensor]:
    """The weights of a finished run: `DIR/best.th`, or `weights.th` inside `model.tar.gz`."""
    if os.path.isdir(path):
        for name in ("best.th", "model.tar.gz"):
            if os.path.isfile(os.path.join(path, name)):
                return run_weights(os.path.join(path, name))
        raise ConfigurationError(
            f"static_scorenn: {path} holds neither best.th nor model.tar.gz: give the directory of a "
            "finished SEAL run (stage 1) or its model.tar.gz.")
    if not os.path.isfile(path):
        raise ConfigurationError(f"static_scorenn: {path} does not exist: give the directory of a "
                                 "finished SEAL run (stage 1) or its model.tar.gz.")
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as archive, tempfile.TemporaryDirectory() as scratch:
            try:
                member = archive.getmember(WEIGHTS_IN_ARCHIVE)
            except KeyError:
                raise ConfigurationError(f"static_scorenn: {path} is an archive without "
                                         f"{WEIGHTS_IN_ARCHIVE}: not an allennlp model archive.") from None
            archive.extract(member, scratch, filter="data")
            return load_weights_only(os.path.join(scratch, WEIGHTS_IN_ARCHIVE))
    return load_weights_only(path)


def load_static_scorenn(model: torch.nn.Module, path: str, tasknn: str, scorenn: str) -> int:
    """Copies the ScoreNN side's parameters from the run at `path` into `model` and freezes
    them; returns how many tensors were loaded."""
    weights = run_weights(path)
    names = [name for name, side in sides_by_name(model, [tasknn, scorenn]).items() if side == scorenn]
    if not names:
        raise ConfigurationError("static_scorenn: this model has no ScoreNN parameters to load "
                                 "(score_loss_weight must be above 0).")
    missing = [name for name in names if name not in weights]
    if missing:
        raise ConfigurationError(
            f"static_scorenn: {path} lacks {len(missing)} ScoreNN parameter(s) of this model, e.g. "
            f"{missing[:3]}: stage 1 must build the same ScoreNN (same backbone, '{scorenn}' adapter "
            "kind, head and energy) as this config.")
    parameters = dict(model.named_parameters())
    with torch.no_grad():
        for name in names:
            target, source = parameters[name], weights[name]
            if target.shape != source.shape:
                raise ConfigurationError(
                    f"static_scorenn: parameter {name} has shape {tuple(source.shape)} in {path} but "
                    f"{tuple(target.shape)} here: stage 1 must build the same ScoreNN as this config.")
            target.copy_(source)
            target.requires_grad_(False)
    return len(names)
