"""`model-path`: where the bundled (or a named) transformer lives, for configs' SEAL_TRANSFORMER.

A hub name is printed only when the Hugging Face cache has it: this command answers "which
directory does this run load", and a name that is nowhere on this machine has no answer."""
from allennlp.common.checks import ConfigurationError

from seal_adapters.embedders.model_source import BUNDLED_ALIASES, resolve_model_name


def add_arguments(parser):
    parser.add_argument("name", nargs="?", default=None,
                        help="model dir, cached hub name, or one of "
                             f"{list(BUNDLED_ALIASES)}; default: the bundled MiniLM-L6")


def cached_hub_model(name: str):
    """The cached snapshot directory of hub model `name`, or None."""
    import os

    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(name, "config.json")
    except Exception:  # an invalid repo id (huggingface_hub's validation errors)
        return None
    return os.path.dirname(found) if isinstance(found, str) else None


def run(args):
    path = resolve_model_name(args.name)
    if args.name is not None and path == args.name:  # neither the bundled model nor a local dir
        cached = cached_hub_model(path)
        if cached is None:
            raise ConfigurationError(
                f"'{args.name}' is neither a local model directory nor a model in the Hugging Face "
                f"cache. Give the directory of a saved model (config.json and weights), one of "
                f"{list(BUNDLED_ALIASES)} or no name for the bundled MiniLM-L6. A hub name can still "
                "be used as SEAL_TRANSFORMER on a machine that can download it."
            )
        path = cached
    print(path)
