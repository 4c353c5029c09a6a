"""`model-path`: where the bundled (or a named) transformer lives, for configs' SEAL_TRANSFORMER."""
from seal_adapters.embedders.model_source import resolve_model_name


def add_arguments(parser):
    parser.add_argument("name", nargs="?", default=None,
                        help="model dir or hub name; default: the bundled MiniLM-L6")


def run(args):
    print(resolve_model_name(args.name))
