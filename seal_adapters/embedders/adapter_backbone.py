"""The frozen transformer with its named adapters, all active together in `Parallel`.

`AdapterBackbone` is what the token embedders call as their `transformer_model`: one
forward computes the requested adapters' channels (all of them by default) and returns
them side by side on the feature axis, `[batch, tokens, channels * hidden]`, so allennlp's
own folding, scalar mix and word pooling work unchanged on every channel at once.

How the channels are computed (`execution`):
- "parallel": one pass with `Parallel`, every channel with autograd;
- "sequential": one pass per adapter; an adapter that is frozen right now (the idle side
  under alternation) runs without autograd, so no backward work is spent on it;
- "auto" (default): sequential when it saves work (some requested adapter is frozen and the
  batch holds at least `sequential_min_tokens` tokens) or when the adapters cannot share a
  Parallel pass (`adapters` only composes adapters of the same kind and placement), else
  parallel. Both give the same values and gradients. The threshold depends on the device:
  on the CPU a batched Parallel pass gains nothing, so any batch goes sequential (measured
  with MiniLM, 32 x 64 tokens: 30.3 vs 25.5 samples/s, 0.56x the memory); on a GPU Parallel
  wins on small batches (32 x 128: 535 vs 477 samples/s on an H100), sequential on big ones
  (128 x 128: 2113 vs 1650), so the GPU threshold sits between, at 8192 tokens.

`compile` runs the transformer through `torch.compile` (compilation.py); off by default.
"""
import contextlib
import json
import logging
import os
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import adapters
import torch
from adapters import AdapterSetup, Parallel
from adapters.configuration.adapter_config import AdapterConfig
from allennlp.common.checks import ConfigurationError
from torch.profiler import record_function
from transformers.modeling_outputs import BaseModelOutput

from seal_adapters.embedders.adapter_configs import check_bottleneck
from seal_adapters.embedders.compilation import CompiledTransformer, CompileSpec, compile_settings
from seal_adapters.embedders.model_files import ADAPTER_FIX, check_files

logger = logging.getLogger(__name__)


EXECUTIONS = ("auto", "parallel", "sequential")
# Tokens per batch from which "auto" runs an idle adapter's channel sequentially, per device
# type (see the module docstring for the measurements).
SEQUENTIAL_MIN_TOKENS = {"cpu": 0, "cuda": 8192}


@contextlib.contextmanager
def _quiet(log: logging.Logger):
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)

# Config fields that decide where an adapter sits in the transformer; adapters' Parallel
# composition needs every channel to have the same placement.
_PLACEMENT_FIELDS = ("mh_adapter", "output_adapter", "is_parallel", "selfattn_lora",
                     "intermediate_lora", "output_lora", "attn_matrices", "leave_out",
                     "composition_mode", "flat", "shared_gating")


def can_run_in_parallel(configs: Mapping[str, AdapterConfig]) -> bool:
    """Whether `adapters` can compute these adapters together in one Parallel pass."""
    def placement(config):
        if config is None:
            return None
        fields = config.to_dict() if hasattr(config, "to_dict") else dict(config)
        return (type(config).__name__, tuple((f, repr(fields.get(f))) for f in _PLACEMENT_FIELDS))

    return len({placement(c) for c in configs.values()}) <= 1


def side_by_side(hidden: torch.Tensor, channels: int, batch_size: int) -> torch.Tensor:
    """[channels * batch, T, H] (Parallel's layout) -> [batch, T, channels * H]."""
    if channels == 1:
        return hidden
    if hidden.size(0) == batch_size:  # computed before the channels split (e.g. embeddings)
        return hidden.repeat(1, 1, channels)
    _, length, size = hidden.shape
    return hidden.view(channels, batch_size, length, size).permute(1, 2, 0, 3).reshape(
        batch_size, length, channels * size
    )


def _channel_label(name: str) -> str:
    """Profiler label of one channel's forward (bench/profile_seal_step.py); free when not
    profiling."""
    return f"seal.channel.{name}.{'grad' if torch.is_grad_enabled() else 'no_grad'}"


class AdapterBackbone(torch.nn.Module):
    """A frozen pretrained transformer plus adapters; see the module docstring."""

    def __init__(
        self,
        model: torch.nn.Module,
        adapter_configs: Mapping[str, Optional[AdapterConfig]],
        load_adapters: Optional[Mapping[str, str]] = None,
        execution: str = "auto",
        sequential_min_tokens: Optional[Dict[str, int]] = None,
        compile: CompileSpec = False,
    ) -> None:
        super().__init__()
        if execution not in EXECUTIONS:
            raise ConfigurationError(
                f"execution '{execution}' is unknown: use one of {list(EXECUTIONS)}."
            )
        adapters.init(model)
        self.model = model
        self.names: Tuple[str, ...] = tuple(adapter_configs)
        self.parameter_names: Dict[str, List[str]] = {}
        base_names = {name for name, _ in model.named_parameters()}
        for name, config in adapter_configs.items():
            before = {n for n, _ in model.named_parameters()}
            if name in (load_adapters or {}):
                self._load_adapter(name, load_adapters[name])
            else:
                check_bottleneck(name, config, model.config.hidden_size)
                model.add_adapter(name, config=config)
            self.parameter_names[name] = sorted(
                n for n, _ in model.named_parameters() if n not in before
            )
        self._check_names_are_visible(base_names)
        for parameter_name, parameter in model.named_parameters():
            parameter.requires_grad_(parameter_name not in base_names)
        # Parallel stays the model's active setup for good; narrower forwards use a context.
        with _quiet(logging.getLogger("adapters.model_mixin")):  # its reset warns spuriously
            model.active_adapters = Parallel(*self.names) if len(self.names) > 1 else self.names[0]
        self.requested: Tuple[str, ...] = self.names
        self.step_plan = None  # the next training step's StepPlan, published by adapter_schedule
        self.parallel_possible = can_run_in_parallel(
            {name: model.adapters_config.get(name) for name in self.names}
        )
        if execution == "parallel" and not self.parallel_possible:
            raise ConfigurationError(
                "execution 'parallel' needs adapters of one kind and placement (adapters' Parallel "
                f"composition cannot mix {self.kinds()}); use execution \"auto\" or \"sequential\"."
            )
        self.execution = execution
        self.sequential_min_tokens = dict(SEQUENTIAL_MIN_TOKENS, **(sequential_min_tokens or {}))
        settings = compile_settings(compile)
        # A plain attribute holding the compiled module, so it is no submodule of this one.
        self.compiled: Optional[CompiledTransformer] = None
        if settings is not None:
            self.compiled = CompiledTransformer(model, settings)
            logger.info("AdapterBackbone: %s", self.compiled.describe())

    # -- construction helpers -----------------------------------------------------------

    def _check_names_are_visible(self, base_names) -> None:
        components = {part for name in base_names for part in name.split(".")}
        for name in self.names:
            if name in components:
                raise ConfigurationError(
                    f"Adapter name '{name}' is also a module name inside the transformer, so "
                    "parameter names could not tell which parameters belong to it. Rename it."
                )
            if not self.parameter_names[name]:
                raise ConfigurationError(f"Adapter '{name}' added no parameters to the model.")

    def _load_adapter(self, name: str, directory: str) -> None:
        if not isinstance(directory, str) or not directory.strip():
            raise ConfigurationError(
                f"load_adapters['{name}'] is {directory!r}: give the directory of a saved adapter (an "
                "environment variable that is set but empty gives ''), or leave the adapter out of "
                "load_adapters to start it fresh.")
        config_file = os.path.join(directory, "adapter_config.json")
        if not os.path.isfile(config_file):
            raise ConfigurationError(
                f"load_adapters['{name}']: '{directory}' is not an adapter directory (no "
                "adapter_config.json). Give a directory written by `save_adapter` or by "
                "`python -m seal_adapters export`."
            )
        check_files(directory, ADAPTER_FIX)
        with open(config_file) as handle:
            saved = json.load(handle)
        ours = self.model.config
        for field in ("hidden_size", "model_type"):
            theirs = saved.get(field)
            mine = getattr(ours, field, None)
            if theirs is not None and mine is not None and theirs != mine:
                raise ConfigurationError(
                    f"load_adapters['{name}']: the adapter in '{directory}' was trained for "
                    f"{field}={theirs!r}, but this transformer has {field}={mine!r}. Load it "
                    "with the base model it was trained on."
                )
        try:
            safetensors = os.path.isfile(os.path.join(directory, "adapter.safetensors"))
            self.model.load_adapter(directory, load_as=name, set_active=False,
                                    use_safetensors=safetensors)
        except (RuntimeError, ValueError, KeyError) as error:
            raise ConfigurationError(
                f"load_adapters['{name}']: could not load '{directory}' into this transformer: "
                f"{error}"
            ) from error

    # -- forward ------------------------------------------------------------------------

    @property
    def config(self):
        return self.model.config

    def get_input_embeddings(self):
        return self.model.get_input_embeddings()

    def resize_token_embeddings(self, *args, **kwargs):
        return self.model.resize_token_embeddings(*args, **kwargs)

    def adapter_parameters(self, name: str) -> List[torch.nn.Parameter]:
        parameters = dict(self.model.named_parameters())
        return [parameters[n] for n in self.parameter_names[name]]

    def set_requested(self, names: Sequence[str]) -> None:
        unknown = [name for name in names if name not in self.names]
        if unknown or not names:
            raise ConfigurationError(
                f"Unknown adapter channel(s) {unknown or list(names)}: this embedder has "
                f"adapters {list(self.names)}."
            )
        self.requested = tuple(names)

    def kinds(self) -> Dict[str, str]:
        return {name: type(self.model.adapters_config.get(name)).__name__ for name in self.names}

    def is_frozen(self, name: str) -> bool:
        return not any(p.requires_grad for p in self.adapter_parameters(name))

    def choose_execution(self, input_ids: torch.Tensor) -> str:
        """"parallel" or "sequential" for this forward; see the module docstring."""
        names = self.requested
        if len(names) == 1 or self.execution == "parallel":
            return "parallel"
        if self.execution == "sequential" or not self.parallel_possible:
            return "sequential"
        saves_backward = torch.is_grad_enabled() and any(self.is_frozen(n) for n in names)
        threshold = self.sequential_min_tokens.get(input_ids.device.type, self.sequential_min_tokens["cuda"])
        big = input_ids.numel() >= threshold
        return "sequential" if saves_backward and big else "parallel"

    def _run(self, setup, **inputs):
        model = self.model
        if self.compiled is not None and self.compiled.applies_to(inputs["input_ids"].device.type):
            model = self.compiled.module
        with AdapterSetup(setup):
            return model(**inputs)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, **kwargs) -> BaseModelOutput:
        names = self.requested
        want_hidden = bool(getattr(self.model.config, "output_hidden_states", False))
        inputs = dict(input_ids=input_ids, attention_mask=attention_mask,
                      output_hidden_states=want_hidden, **kwargs)
        if token_type_ids is not None:  # as allennlp: models without them (DistilBERT) refuse None
            inputs["token_type_ids"] = token_type_ids
        batch_size = input_ids.size(0)
        if self.choose_execution(input_ids) == "parallel":
            if len(names) > 1:
                # Replicate the inputs per channel up front, as adapters does for generation:
                # its own in-place replication of the attention mask breaks the recomputation
                # of gradient checkpointing.
                for key in ("input_ids", "attention_mask", "token_type_ids"):
                    if inputs.get(key) is not None:
                        inputs[key] = inputs[key].repeat(len(names), *([1] * (inputs[key].dim() - 1)))
                inputs["adapter_input_parallelized"] = True
            with record_function("seal.channels.parallel" if len(names) > 1 else _channel_label(names[0])):
                output = self._run(Parallel(*names) if len(names) > 1 else names[0], **inputs)
            last = side_by_side(output.last_hidden_state, len(names), batch_size)
            hidden_states = None
            if want_hidden and output.hidden_states is not None:
                hidden_states = tuple(side_by_side(h, len(names), batch_size) for h in output.hidden_states)
            return BaseModelOutput(last_hidden_state=last, hidden_states=hidden_states)
        outputs = []
        for name in names:
            with torch.no_grad() if self.is_frozen(name) else contextlib.nullcontext():
                with record_function(_channel_label(name)):
                    outputs.append(self._run(name, **inputs))
        hidden_states = None
        if want_hidden:
            hidden_states = tuple(torch.cat(layer, dim=-1) for layer in zip(*(o.hidden_states for o in outputs)))
        return BaseModelOutput(
            last_hidden_state=torch.cat([o.last_hidden_state for o in outputs], dim=-1),
            hidden_states=hidden_states,
        )
