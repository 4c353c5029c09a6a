"""`allennlp predict` input lines with their numbers: a bad line is named before predicting.

Why: allennlp's predict command parses each line with `json.loads` and hands the objects
on in batches, so a cut line ends in a bare `JSONDecodeError` and a line without its text in
an error from the middle of a batch; neither says which line. `numbered_json_data` replaces
`_PredictManager._get_json_data` (installed on import): each line is parsed and turned into
an instance before any prediction, and any error is a `DataError` naming the file and the line.
"""
import json
import sys

from allennlp.commands.predict import _PredictManager
from allennlp.common.checks import ConfigurationError
from allennlp.common.file_utils import cached_path, open_compressed

from seal_adapters.data.errors import DataError, data_error, preview, where

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
            except (ValueError, KeyError, TypeError) as error:  # DataError is a ValueError
                message = str(error).removeprefix("input: ")
                if "Fix:" in message:
                    raise DataError(f"{where(path, number)}: {message}") from None
                raise data_error(f"cannot predict this line: {message}", "fix the line as the "
                                 "message says", path, number) from None
            yield item


def checked_run(original):
    """`--batch-size 0` would predict nothing and exit 0."""
    def run(manager):
        batch_size = getattr(manager, "_batch_size", 1)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigurationError(f"--batch-size {batch_size}: give a positive number of inputs "
                                     "per batch (e.g. 1, the default).")
        return original(manager)
    return run


def install() -> None:
    if not getattr(_PredictManager._get_json_data, MARK, False):
        setattr(numbered_json_data, MARK, True)
        _PredictManager._get_json_data = numbered_json_data
        run = checked_run(_PredictManager.run)
        setattr(run, MARK, True)
        _PredictManager.run = run
