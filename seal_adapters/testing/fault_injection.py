"""Faults for the reliability tests, injected into a real `allennlp train` process.

Why here and switched by an environment variable: the faults must happen inside the CLI
process, and `--recover` refuses a config that differs from the interrupted run's, so the
config cannot carry them. Import this module with
`--include-package seal_adapters.testing.fault_injection` and set `SEAL_FAULT`; without
`SEAL_FAULT` the import changes nothing, so the recovering run can use the same command.

`SEAL_FAULT` values (N counts from 1, in this process):
  kill_at_batch:N      SIGKILL when the N-th training batch is about to run its forward pass
  kill_in_save:NAME    the first `torch.save` into a file whose name contains NAME (e.g.
                       "model_state_e0_b4") writes half of the bytes, then SIGKILLs the process
  pause_at_batch:N:DIR at the N-th training batch write DIR/paused, then wait until DIR/resume
                       exists: a live run, for the tests of concurrent runs
  nan_loss_at_batch:N  the N-th training cross-entropy is multiplied by NaN (inf_loss_at_batch:
                       by +inf), so its gradients are not finite either
"""
import io
import os
import signal
import time
from typing import Callable

import torch

ENV = "SEAL_FAULT"


def die() -> None:
    """What a kill -9 does: no `finally`, no atexit, no flushing of Python buffers."""
    os.kill(os.getpid(), signal.SIGKILL)


def at_batch(number: int, action: Callable[[], None]) -> Callable[[], None]:
    """Runs `action` when the `number`-th training batch is about to run its forward pass."""
    from allennlp.training import GradientDescentTrainer

    original = GradientDescentTrainer.batch_outputs
    seen = [0]

    def batch_outputs(self, batch, for_training):
        if for_training:
            seen[0] += 1
            if seen[0] == number:
                action()
        return original(self, batch, for_training)

    GradientDescentTrainer.batch_outputs = batch_outputs

    def undo() -> None:
        GradientDescentTrainer.batch_outputs = original
    return undo


def pause(directory: str, limit_s: float = 300.0) -> None:
    """Writes `directory/paused`, then waits until `directory/resume` exists (or `limit_s`)."""
    with open(os.path.join(directory, "paused"), "w") as handle:
        handle.write(str(os.getpid()))
    deadline = time.monotonic() + limit_s
    while not os.path.exists(os.path.join(directory, "resume")) and time.monotonic() < deadline:
        time.sleep(0.1)


def kill_in_save(name: str) -> Callable[[], None]:
    original = torch.save

    def save(obj, f, *args, **kwargs):
        target = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "")
        if name not in os.path.basename(str(target)):
            return original(obj, f, *args, **kwargs)
        buffer = io.BytesIO()
        original(obj, buffer, *args, **kwargs)
        data = buffer.getvalue()
        handle = open(target, "wb") if isinstance(f, (str, os.PathLike)) else f
        handle.write(data[: len(data) // 2])
        handle.flush()
        os.fsync(handle.fileno())
        die()

    torch.save = save

    def undo() -> None:
        torch.save = original
    return undo


def non_finite_loss_at_batch(number: int, value: float) -> Callable[[], None]:
    functional = torch.nn.functional
    original = functional.cross_entropy
    seen = [0]

    def cross_entropy(*args, **kwargs):
        loss = original(*args, **kwargs)
        if torch.is_grad_enabled():  # training; allennlp validates under no_grad
            seen[0] += 1
            if seen[0] == number:
                return loss * value  # NaN or inf, in the loss and in its gradients
        return loss

    functional.cross_entropy = cross_entropy

    def undo() -> None:
        functional.cross_entropy = original
    return undo


def install(spec: str) -> Callable[[], None]:
    """Installs the fault `spec` (see the module docstring); returns a function that undoes it."""
    kind, _, argument = spec.partition(":")
    if kind == "kill_at_batch":
        return at_batch(int(argument), die)
    if kind == "pause_at_batch":
        number, _, directory = argument.partition(":")
        return at_batch(int(number), lambda: pause(directory))
    if kind == "kill_in_save":
        return kill_in_save(argument)
    if kind == "nan_loss_at_batch":
        return non_finite_loss_at_batch(int(argument), float("nan"))
    if kind == "inf_loss_at_batch":
        return non_finite_loss_at_batch(int(argument), float("inf"))
    raise ValueError(f"{ENV}={spec!r}: unknown fault; see seal_adapters/testing/fault_injection.py")


if os.environ.get(ENV):
    install(os.environ[ENV])
