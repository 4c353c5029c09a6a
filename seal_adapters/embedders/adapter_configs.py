"""Turns the `adapters` mapping of a config into validated `adapters` config objects.

`adapters` itself ignores misspelled options and reports unknown names with a bare
KeyError; a researcher should instead learn, before any weights load, which name or option
is wrong and what the valid ones are.
"""
import dataclasses
import difflib
from typing import Any, Dict, Mapping, Optional, Union

from adapters.configuration.adapter_config import ADAPTER_CONFIG_MAP, AdapterConfig
from allennlp.common.checks import ConfigurationError

AdapterSpec = Union[str, Dict[str, Any]]
DEFAULT_ADAPTERS: Dict[str, AdapterSpec] = {"scorenn": "seq_bn", "tasknn": "seq_bn"}


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def _known_names() -> str:
    return ", ".join(sorted(ADAPTER_CONFIG_MAP))


def build_adapter_config(adapter: str, spec: AdapterSpec) -> AdapterConfig:
    """One adapter's config: a name such as "seq_bn" / "lora", or a dict with `architecture`."""
    if isinstance(spec, str):
        base = spec.split("[", 1)[0].strip()
        if base not in ADAPTER_CONFIG_MAP:
            raise ConfigurationError(
                f"Adapter '{adapter}': unknown adapter config '{spec}'.{_suggest(base, ADAPTER_CONFIG_MAP)} "
                f"Use one of: {_known_names()}; or a dict with 'architecture' and its options."
            )
        return _checked_rank(adapter, AdapterConfig.load(spec))
    if not isinstance(spec, Mapping):
        raise ConfigurationError(
            f"Adapter '{adapter}': the config must be a string (e.g. \"seq_bn\") or a dict with "
            f"'architecture', not {type(spec).__name__}."
        )
    options = dict(spec)
    name = options.pop("config", None) or options.get("architecture")
    if name is None:
        raise ConfigurationError(
            f"Adapter '{adapter}': a dict config needs 'architecture' (one of: {_known_names()}), "
            f"got keys {sorted(spec)}."
        )
    if name not in ADAPTER_CONFIG_MAP:
        raise ConfigurationError(
            f"Adapter '{adapter}': unknown architecture '{name}'.{_suggest(name, ADAPTER_CONFIG_MAP)} "
            f"Use one of: {_known_names()}."
        )
    base = AdapterConfig.load(name)
    fields = {f.name for f in dataclasses.fields(base)} if dataclasses.is_dataclass(base) else set()
    options.pop("architecture", None)
    unknown = sorted(set(options) - fields)
    if unknown:
        raise ConfigurationError(
            f"Adapter '{adapter}': unknown option(s) {unknown} for architecture '{name}'."
            f"{_suggest(unknown[0], fields)} Valid options: {', '.join(sorted(fields))}."
        )
    try:
        config = AdapterConfig.load(name, **options)
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"Adapter '{adapter}': bad options for '{name}': {error}") from error
    return _checked_rank(adapter, config)


def _checked_rank(adapter: str, config: AdapterConfig) -> AdapterConfig:
    rank = getattr(config, "r", None)
    if isinstance(rank, (int, float)) and not isinstance(rank, bool) and rank < 1:
        raise ConfigurationError(
            f"Adapter '{adapter}': r {rank!r}: a LoRA rank must be a whole number of at least 1 "
            "(e.g. 8)."
        )
    return config


def check_option_types(adapter: str, config) -> None:
    """An option whose default is a number given as text (`"reduction_factor": "big"`) would
    fail deep inside adapters with `unsupported operand type(s)`."""
    import dataclasses

    if not dataclasses.is_dataclass(config):
        return
    for field in dataclasses.fields(config):
        default, value = field.default, getattr(config, field.name, None)
        numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
        if numeric and isinstance(value, str):
            raise ConfigurationError(
                f"Adapter '{adapter}': option {field.name} is {value!r} (text), but it takes a number "
                f"(its default is {default!r}). Write it without quotes, e.g. {default!r}."
            )


def check_bottleneck(adapter: str, config, hidden_size: int) -> None:
    """A bottleneck adapter's width is hidden_size // reduction_factor: it must be >= 1; and
    options that take numbers are numbers (check_option_types)."""
    check_option_types(adapter, config)
    factor = getattr(config, "reduction_factor", None)
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if factor <= 0 or int(hidden_size // factor) < 1:
            raise ConfigurationError(
                f"Adapter '{adapter}': reduction_factor {factor} gives a bottleneck of "
                f"{int(hidden_size // factor) if factor > 0 else 0} units for hidden size "
                f"{hidden_size}: use a factor between 1 and {hidden_size}."
            )


def build_adapter_configs(
    adapters: Optional[Mapping[str, AdapterSpec]],
    loaded: Optional[Mapping[str, str]] = None,
) -> Dict[str, Optional[AdapterConfig]]:
    """Name -> config, in order; adapters only named in `loaded` map to None (config from disk)."""
    if adapters is not None and not isinstance(adapters, Mapping):
        raise ConfigurationError(
            f"'adapters' must map adapter names to configs, e.g. "
            f"{{\"scorenn\": \"seq_bn\", \"tasknn\": \"seq_bn\"}}; got a {type(adapters).__name__} "
            f"{adapters!r}."
        )
    specs = dict(DEFAULT_ADAPTERS if adapters is None else adapters)
    names = list(specs) + [name for name in (loaded or {}) if name not in specs]
    if not names:
        raise ConfigurationError("'adapters' is empty: give at least one adapter, e.g. {\"tasknn\": \"seq_bn\"}.")
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigurationError(
                f"Adapter name {name!r} must be a Python identifier (letters, digits, underscores)."
            )
    return {
        name: (build_adapter_config(name, specs[name]) if name in specs and name not in (loaded or {})
               else None)
        for name in names
    }


def check_loaded_as_asked(adapters: Optional[Mapping[str, AdapterSpec]], loaded: Optional[Mapping[str, str]],
                          loaded_configs: Mapping[str, AdapterConfig]) -> None:
    """An adapter both configured in `adapters` and loaded from `load_adapters` must be what
    the config asks for: the loaded one is used, so a config asking for another kind (a LoRA
    `tasknn` while the directory holds a bottleneck adapter) would silently not be used."""
    for name, directory in (loaded or {}).items():
        if adapters is None or name not in adapters or name not in loaded_configs:
            continue
        asked, found = build_adapter_config(name, adapters[name]).to_dict(), loaded_configs[name].to_dict()
        differ = sorted(key for key in set(asked) | set(found) if asked.get(key) != found.get(key))
        if differ:
            shown = ", ".join(f"{key} {asked.get(key)!r} -> {found.get(key)!r}" for key in differ[:4])
            raise ConfigurationError(
                f"Adapter '{name}': 'adapters' asks for a {_kind(asked)} adapter, but "
                f"load_adapters['{name}'] ('{directory}') holds a {_kind(found)} adapter (asked -> "
                f"loaded: {shown}). The loaded adapter would be used as it is. Fix: "
                f"remove '{name}' from 'adapters' (its config comes from the directory), or load a "
                "directory holding the adapter you ask for.")


def _kind(config: dict) -> str:
    """An adapter config's architecture as a user names it ('lora', 'prefix_tuning', ...);
    adapters' bottleneck configs (seq_bn, par_bn, ...) carry none."""
    return repr(config.get("architecture")) if config.get("architecture") else "bottleneck"
