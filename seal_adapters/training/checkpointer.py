"""`atomic` checkpointer: allennlp's checkpointer, but a checkpoint file is complete or absent.

Why: allennlp 2.10 `torch.save`s straight to `model_state_e*_b*.th` and
`training_state_e*_b*.th`, and `--recover` loads the newest `model_state` file it finds. A run
killed while writing (OOM killer, pre-emption, SIGKILL) leaves a truncated file under the real
name, and `--recover` then fails on it instead of resuming from the checkpoint before.

Here each file is written to a hidden temporary name in the same directory
(`.model_state_e1_b0.th.partial`), flushed to disk and renamed into place with `os.replace`
(atomic), model state first: a training-state file therefore implies a complete model state.
Recovery takes the newest checkpoint whose two files both exist; should one still not load
(damaged on disk, truncated by allennlp's own checkpointer, or refused as below) it warns and
falls back to the one before, and fails with a clear message if none loads. Files are always
read with `torch.load(..., weights_only=True)`: a file that would need arbitrary pickled code
is refused, never executed.
"""
import glob
import logging
import os
import pickle
import sys
from typing import Any, Iterator, List, Optional, Tuple

import torch
from allennlp.nn import util as nn_util
from allennlp.training.checkpointer import Checkpointer
from allennlp.training.trainer import TrainerCheckpoint

from seal_adapters.training.atomic_files import PARTIAL_SUFFIX, write_atomically

logger = logging.getLogger(__name__)


class UnreadableCheckpointsError(RuntimeError):
    """Checkpoints exist but none of them can be read."""


def save_atomically(state: Any, path: str) -> None:
    """`torch.save(state, path)` such that `path` never holds a partly written file."""
    def write(temporary: str) -> None:
        with open(temporary, "wb") as handle:  # Python's file object reports ENOSPC as OSError
            torch.save(state, handle)
            handle.flush()

    write_atomically(path, write)


def load_weights_only(path: str) -> Any:
    """Reads a checkpoint file onto the CPU; pickled code is refused (`weights_only=True`)."""
    return torch.load(path, map_location=nn_util.device_mapping(-1), weights_only=True)


@Checkpointer.register("atomic")
class AtomicCheckpointer(Checkpointer):
    """Same parameters as allennlp's `default` checkpointer; see the module docstring."""

    def __init__(self, serialization_dir, **kwargs) -> None:
        super().__init__(serialization_dir, **kwargs)
        if self._is_primary:
            self._remove_partial_files()

    # -- writing ------------------------------------------------------------------------

    def save_checkpoint(self, trainer) -> None:
        # allennlp's own save_checkpoint (naming, pruning), with its module's `torch.save`
        # routed through save_atomically for the duration of the call.
        module = sys.modules[Checkpointer.__module__]
        module.torch = _ATOMIC_TORCH  # type: ignore[attr-defined]
        try:
            super().save_checkpoint(trainer)
        finally:
            module.torch = torch  # type: ignore[attr-defined]

    def _remove_partial_files(self) -> None:
        """Temporary files of a run that died while saving; never a checkpoint."""
        for name in ("model_state", "training_state"):
            pattern = os.path.join(self._serialization_dir, f".{name}_e*_b*.th{PARTIAL_SUFFIX}")
            for path in glob.glob(pattern):
                logger.warning("Removing %s, left by a run that died while saving it.", path)
                os.remove(path)

    # -- reading ------------------------------------------------------------------------

    def _complete_checkpoints(self) -> List[Tuple[int, int]]:
        """(epochs, batches) of checkpoints with both files present, newest first."""
        found = [point for point in self._find_all_checkpoints()
                 if os.path.isfile(self._training_state_path(*point))]
        return sorted(found, reverse=True)

    def _paths(self) -> Iterator[Tuple[str, str]]:
        for point in self._complete_checkpoints():
            yield self._model_state_path(*point), self._training_state_path(*point)

    def find_latest_checkpoint(self) -> Optional[Tuple[str, str]]:
        return next(self._paths(), None)

    def load_checkpoint(self) -> Optional[TrainerCheckpoint]:
        failures = []
        for model_path, training_path in self._paths():
            try:
                model_state = load_weights_only(model_path)
                training_state = load_weights_only(training_path)
            except (RuntimeError, EOFError, OSError, pickle.UnpicklingError) as error:
                # Damaged, truncated by another writer, or refused by weights_only: never used.
                reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
                logger.warning("Cannot read checkpoint %s (%s); trying the one before.",
                               os.path.basename(model_path), reason)
                failures.append(f"{os.path.basename(model_path)}: {reason}")
                continue
            if failures:
                logger.warning("Recovering from %s instead.", os.path.basename(model_path))
            return TrainerCheckpoint(model_state, training_state)
        if failures:
            raise UnreadableCheckpointsError(
                f"None of the checkpoints in {self._serialization_dir} can be read ("
                + "; ".join(failures) + "). Start a new run in another serialization directory, "
                "or use --force to delete this one."
            )
        return None


class _AtomicTorch:
    """What allennlp's checkpointer module sees as `torch` while saving: `torch` with an
    atomic `save`."""

    def __getattr__(self, name: str):
        return getattr(torch, name)

    @staticmethod
    def save(obj, f, *args, **kwargs) -> None:
        if args or kwargs or not isinstance(f, (str, os.PathLike)):
            return torch.save(obj, f, *args, **kwargs)
        save_atomically(obj, os.fspath(f))


_ATOMIC_TORCH = _AtomicTorch()


def checked_default_load(original):
    """allennlp's `default` checkpointer on a damaged newest checkpoint ends in torch's
    `UnpicklingError`, whose advice (turn weights_only off) would run whatever the file
    holds. Installed on `Checkpointer.load_checkpoint` (allennlp_hooks.py): the error names the
    checkpoint as damaged and says how to recover from the one before."""
    def load_checkpoint(self) -> Optional[TrainerCheckpoint]:
        from seal_adapters.embedders.model_files import DamagedFileError

        try:
            return original(self)
        except (RuntimeError, EOFError, OSError, pickle.UnpicklingError) as error:
            paths = self.find_latest_checkpoint() or ("the newest checkpoint",)
            reason = ("torch refused to unpickle it" if isinstance(error, pickle.UnpicklingError)
                      else (str(error).strip().splitlines() or [type(error).__name__])[0][:200])
            raise DamagedFileError(
                f"--recover cannot read the newest checkpoint ({', '.join(map(str, paths))}): it is "
                f"damaged, crafted or not a torch checkpoint ({reason}). Fix: delete these two files to "
                "resume from the checkpoint before, or start again with --force. Never load it with "
                "weights_only turned off. The 'atomic' checkpointer (trainer.checkpointer.type) never "
                "leaves a half-written checkpoint and skips a damaged one by itself."
            ) from None
    return load_checkpoint
