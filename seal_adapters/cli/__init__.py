"""`python -m seal_adapters COMMAND`: the adapter life cycle and the main jobs.

Each command lives in its own module and exposes `add_arguments(parser)` and `run(args)`.
"""
import argparse
import importlib
import sys
from typing import List, Optional

COMMANDS = {
    "demo": "Train SEAL dual adapters on the sentence polarity data, evaluate, predict.",
    "compare": "SEAL vs baselines: five sentiment runs, or --task TASK --seeds N against cross-entropy.",
    "export": "Export the adapters (and heads) of an archive to directories adapters loads.",
    "list": "List the adapters in an archive with their configs and sizes.",
    "predict": "Predict labels for raw sentences from a file or stdin.",
    "verify-base": "Delete an archive's adapters and check the base model is restored bit for bit.",
    "model-path": "Print the directory of the bundled (or named) transformer.",
}


# Commands that load an archive: they find its model's code as allennlp's commands do.
ARCHIVE_COMMANDS = ("export", "list", "predict", "verify-base")


def import_user_code(packages: Optional[List[str]]) -> None:
    """`.allennlp_plugins` (in the working directory) and default plugins, then every
    `--include-package`, as `allennlp train/evaluate/predict` do."""
    from allennlp.common.plugins import import_plugins
    from allennlp.common.util import import_module_and_submodules

    import_plugins()
    for package in packages or ():
        import_module_and_submodules(package)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seal_adapters", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(f"seal_adapters.cli.{name.replace('-', '_')}")
        module.add_arguments(sub)
        if name in ARCHIVE_COMMANDS:
            sub.add_argument("--include-package", action="append", default=[], metavar="PACKAGE",
                             help="additional packages to import, e.g. the one that registers the "
                             "archive's model (repeatable; .allennlp_plugins is read too)")
        sub.set_defaults(handler=module.run)
    args = parser.parse_args(argv)
    from allennlp.common.checks import ConfigurationError

    from seal_adapters.data.errors import DataError

    try:
        if args.command in ARCHIVE_COMMANDS:
            import_user_code(args.include_package)
        return int(args.handler(args) or 0)
    except (ConfigurationError, DataError) as error:  # the message names the problem and fix
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
