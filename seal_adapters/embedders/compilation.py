"""The embedders' `compile` option: `torch.compile` the adapter-equipped transformer.

What a user gets:
- the whole transformer with its adapters compiled once per situation it meets (which
  adapters run, which of them trains, train or eval) and those graphs reused: alternation
  switches between a few cached graphs instead of recompiling every step, and shapes are
  dynamic from the start, so new batch shapes do not recompile either;
- no silent fallback to eager PyTorch: compile errors propagate (dynamo's `suppress_errors`
  stays off) and hitting dynamo's recompile limit raises instead of quietly running eager.

Values: false (default), true (compile on every device), "auto" (only when the inputs are
on a GPU: on the CPU compiling costs a minute and gains little), or a dict of
`torch.compile` arguments (`backend`, `mode`, `dynamic`, `fullgraph`, `options`) plus
`devices`, the device types to compile on (e.g. ["cuda"]).
"""
from typing import Any, Dict, Optional, Sequence, Union

import torch
from allennlp.common.checks import ConfigurationError

CompileSpec = Union[bool, str, Dict[str, Any], None]

TORCH_COMPILE_KEYS = ("backend", "mode", "dynamic", "fullgraph", "options")
DEFAULTS = {"backend": "inductor", "dynamic": True}
# Enough for the situations one model meets (2 adapters x trains / idle x train / eval,
# parallel and sequential), with room: beyond it dynamo would fall back to eager, which
# `fail_on_recompile_limit_hit` turns into an error.
RECOMPILE_LIMIT = 32


def compile_settings(spec: CompileSpec) -> Optional[Dict[str, Any]]:
    """The validated settings (torch.compile arguments plus `devices`), or None for off."""
    if spec is None or spec is False:
        return None
    if spec is True:
        settings: Dict[str, Any] = {}
    elif spec == "auto":
        settings = {"devices": ["cuda"]}
    elif isinstance(spec, dict):
        unknown = sorted(set(spec) - set(TORCH_COMPILE_KEYS) - {"devices"})
        if unknown:
            raise ConfigurationError(
                f"compile: unknown key(s) {unknown}; use {list(TORCH_COMPILE_KEYS) + ['devices']}."
            )
        settings = dict(spec)
    else:
        raise ConfigurationError(
            f"compile must be false, true, \"auto\" or a dict of torch.compile arguments, got {spec!r}."
        )
    settings = dict(DEFAULTS, **settings)
    backend = settings["backend"]
    known = torch._dynamo.list_backends(exclude_tags=())
    if isinstance(backend, str) and backend not in known:
        raise ConfigurationError(f"compile: backend '{backend}' is unknown; torch offers {known}.")
    devices = settings.get("devices")
    if devices is not None and (isinstance(devices, str) or not all(isinstance(d, str) for d in devices)):
        raise ConfigurationError(
            f"compile: devices must be a list of device types such as [\"cuda\"], got {devices!r}."
        )
    return settings


class CompiledTransformer:
    """Holds the compiled module next to the eager one (not as a submodule, so checkpoints
    keep their parameter names) and picks one per forward by the inputs' device type."""

    def __init__(self, model: torch.nn.Module, settings: Dict[str, Any]) -> None:
        settings = dict(settings)
        self.devices: Optional[Sequence[str]] = settings.pop("devices", None)
        self.arguments = settings
        torch._dynamo.config.fail_on_recompile_limit_hit = True
        torch._dynamo.config.cache_size_limit = max(torch._dynamo.config.cache_size_limit, RECOMPILE_LIMIT)
        try:
            self.module = torch.compile(model, **settings)
        except (RuntimeError, TypeError, ValueError) as error:
            raise ConfigurationError(f"compile: torch.compile rejected {settings}: {error}") from error

    def applies_to(self, device_type: str) -> bool:
        return self.devices is None or device_type in self.devices

    def describe(self) -> str:
        where = "every device" if self.devices is None else f"{list(self.devices)} only"
        return f"torch.compile({self.arguments}) on {where}"


def skip_confidence_checks(trainer) -> bool:
    """Removes allennlp's ConfidenceChecksCallback from `trainer` (if there) and says whether
    it did. That check hangs forward hooks on every module for the first batch only; a
    compiled graph guards on hooks, so each side would compile twice (with the hooks and
    without), and with inductor a compilation takes a minute. What it checks (a bias right
    before a batch norm) cannot occur in a frozen pretrained transformer. Call it in a
    callback's `on_start`, which runs before the default callbacks' own."""
    from allennlp.training.callbacks.confidence_checks import ConfidenceChecksCallback

    callbacks = getattr(trainer, "_callbacks", [])
    kept = [c for c in callbacks if not isinstance(c, ConfidenceChecksCallback)]
    if len(kept) == len(callbacks):
        return False
    callbacks[:] = kept
    return True
