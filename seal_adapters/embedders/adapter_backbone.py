"""The frozen transformer with its named adapters, all active together in `Parallel`.

`AdapterBackbone` is what the token embedders call as their `transformer_model`: one
forward computes the requested adapters' channels (all of them by default) and returns
them side by side on the feature axis, `[batch, tokens, channels * hidden]`, so allennlp's
own folding, scalar mix and word pooling work unchanged on every channel at once.
"""
import json
import logging
import os
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import adapters
import torch
from adapters import AdapterSetup, Parallel
from adapters.configuration.adapter_config import AdapterConfig
from allennlp.common.checks import ConfigurationError
from transformers.modeling_outputs import BaseModelOutput

logger = logging.getLogger(__name__)


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


class AdapterBackbone(torch.nn.Module):
    """A frozen pretrained transformer plus adapters; see the module docstring."""

    def __init__(
        self,
        model: torch.nn.Module,
        adapter_configs: Mapping[str, Optional[AdapterConfig]],
        load_adapters: Optional[Mapping[str, str]] = None,
    ) -> None:
        super().__init__()
        adapters.init(model)
        self.model = model
        self.names: Tuple[str, ...] = tuple(adapter_configs)
        self.parameter_names: Dict[str, List[str]] = {}
        base_names = {name for name, _ in model.named_parameters()}
        for name, config in adapter_configs.items():
            before = {n for n, _ in model.named_parameters()}
            if (load_adapters or {}).get(name):
                self._load_adapter(name, load_adapters[name])
            else:
                model.add_adapter(name, config=config)
            self.parameter_names[name] = sorted(
                n for n, _ in model.named_parameters() if n not in before
            )
        self._check_names_are_visible(base_names)
        for parameter_name, parameter in model.named_parameters():
            parameter.requires_grad_(parameter_name not in base_names)
        # Parallel stays the model's active setup for good; narrower forwards use a context.
        model.active_adapters = Parallel(*self.names) if len(self.names) > 1 else self.names[0]
        self.requested: Tuple[str, ...] = self.names

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
        config_file = os.path.join(directory, "adapter_config.json")
        if not os.path.isfile(config_file):
            raise ConfigurationError(
                f"load_adapters['{name}']: '{directory}' is not an adapter directory (no "
                "adapter_config.json). Give a directory written by `save_adapter` or by "
                "`python -m seal_adapters export`."
            )
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
            self.model.load_adapter(directory, load_as=name, set_active=False)
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

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, **kwargs) -> BaseModelOutput:
        names = self.requested
        setup = Parallel(*names) if len(names) > 1 else names[0]
        want_hidden = bool(getattr(self.model.config, "output_hidden_states", False))
        with AdapterSetup(setup):
            output = self.model(
                input_ids=input_ids, attention_mask=attention_mask,
                token_type_ids=token_type_ids, output_hidden_states=want_hidden, **kwargs,
            )
        batch_size = input_ids.size(0)
        hidden_states = None
        if want_hidden and output.hidden_states is not None:
            hidden_states = tuple(side_by_side(h, len(names), batch_size) for h in output.hidden_states)
        return BaseModelOutput(
            last_hidden_state=side_by_side(output.last_hidden_state, len(names), batch_size),
            hidden_states=hidden_states,
        )
