"""`allennlp predict` input lines with their numbers: a bad line is named before predicting.

Why: allennlp's predict command parses each line with `json.loads` and hands the objects
on in batches, so a cut line ends in a bare `JSONDecodeError` and a line without its text in
an error from the middle of a batch; neither says which line. `numbered_json_data` replaces
`_PredictManager._get_json_data` (installed on import): each line is parsed and turned into
an instance before any prediction, and any error is a `DataError` naming the file and the line.
"""
import json
import os
import sys

from allennlp.commands.predict import _PredictManager
from allennlp.common.checks import ConfigurationError
from allennlp.common.file_utils import cached_path, open_compressed

from seal_adapters.data.errors import DataError, data_error, preview, where
from seal_adapters.training.atomic_files import write_atomically

MARK = "_seal_adapters_numbered"


def _lines(manager):
    if manager._input_file == "-":
        yield "stdin", sys.stdin
    else:
        with open_compressed(cached_path(manager._input_file)) as handle:
            yield manager._input_file, handle


def numbered_json_data(manager):
    """Files are checked whole before the first prediction, so a bad line leaves no partly
    written output; stdin is checked line by line as it arrives."""
    items = _checked_items(manager)
    yield from (items if manager._input_file == "-" else list(items))


def _checked_items(manager):
    for path, handle in _lines(manager):
        for number, line in enumerate(handle, start=1):
            if line.isspace():
                continue
            try:
                item = manager._predictor.load_line(line)
            except json.JSONDecodeError as error:
                raise data_error(f"malformed JSON ({error.msg} at column {error.colno}): {preview(line.strip())}",
                                 'write one JSON object per line, e.g. {"sentence": "a fine film"}',
                                 path, number) from None
            if not isinstance(item, dict):
                raise data_error(f"expected a JSON object, found {type(item).__name__} {preview(item)}",
                                 'write one JSON object per line, e.g. {"sentence": "a fine film"}',
                                 path, number)
            try:
                manager._predictor._json_to_instance(item)
            except KeyError as error:  # a predictor reading a key the line lacks
                name = type(manager._predictor).__name__
                raise data_error(
                    f"cannot predict this line: the predictor ({name}) reads the key {error}, "
                    f"which the line lacks (it has keys {sorted(item)})",
                    f"give every line the key {error}, or leave --predictor out to use the "
                    "model's own predictor", path, number) from None
            except (ValueError, TypeError) as error:  # DataError is a ValueError
                message = str(error).removeprefix("input: ")
                if "Fix:" in message:
                    raise DataError(f"{where(path, number)}: {message}") from None
                raise data_error(f"cannot predict this line: {message}", "fix the line as the "
                                 "message says", path, number) from None
            yield item


def staged_init(original):
    """allennlp opens `--output-file` for writing in the constructor, which empties an earlier
    predictions file before any input is read; here it is only remembered (see `checked_run`)."""
    def init(manager, predictor, input_file, output_file, *args, **kwargs):
        original(manager, predictor, input_file, None, *args, **kwargs)
        manager._final_output_file = output_file
    return init


def _check_output_path(path: str) -> None:
    if os.path.isdir(path):
        raise ConfigurationError(f"--output-file {path} is a directory: give a file path for the "
                                 "predictions.")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ConfigurationError(f"--output-file {path}: the directory {directory} does not exist; "
                                 "create it or write the predictions elsewhere.")


def checked_run(original):
    """`--batch-size 0` would predict nothing and exit 0. The output file appears under its
    name only once every input is predicted (write_atomically): a bad line, a crash or a full
    disk leave an earlier file of that name as it was, and no half-written one."""
    def run(manager):
        batch_size = getattr(manager, "_batch_size", 1)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigurationError(f"--batch-size {batch_size}: give a positive number of inputs "
                                     "per batch (e.g. 1, the default).")
        final = getattr(manager, "_final_output_file", None)
        if final is None:
            return original(manager)
        _check_output_path(str(final))
        source = str(getattr(manager, "_input_file", ""))
        if os.path.exists(str(final)) and os.path.exists(source) and os.path.samefile(str(final), source):
            raise ConfigurationError(f"--output-file {final} is the input file: the predictions would "
                                     "replace the inputs. Write them to another file.")

        def write(temporary: str) -> None:
            manager._output_file = open(temporary, "w")
            try:
                original(manager)  # closes the file when it finishes
            finally:
                manager._output_file.close()

        write_atomically(str(final), write)
    return run


def install() -> None:
    if not getattr(_PredictManager._get_json_data, MARK, False):
        for name, wrapper in (("_get_json_data", lambda _: numbered_json_data), ("__init__", staged_init),
                              ("run", checked_run)):
            wrapped = wrapper(getattr(_PredictManager, name))
            setattr(wrapped, MARK, True)
            setattr(_PredictManager, name, wrapped)
