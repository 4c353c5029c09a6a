"""`predict`: labels with probabilities for raw sentences, one per line, from a file or stdin.

A line that is a JSON object is handed to the predictor as it is, for inputs that are more
than one sentence: `{"premise": ..., "hypothesis": ...}` (pair classification),
`{"tokens": [...], "predicate_index": k}` (semantic role labeling), `{"tokens": [...]}`."""
import json
import sys

from allennlp.predictors import Predictor

from seal_adapters.cli.archive_utils import open_archive


def add_arguments(parser):
    parser.add_argument("archive", help="model.tar.gz written by allennlp train")
    parser.add_argument("input", nargs="?", default="-",
                        help="text file, one sentence (or one JSON object, e.g. "
                             "{\"premise\": ..., \"hypothesis\": ...}) a line; - = stdin")
    parser.add_argument("--json", action="store_true", help="print the predictor's full JSON per line")


def sentences(path: str):
    handle = sys.stdin if path == "-" else open(path, encoding="utf-8")
    with handle:
        for line in handle:
            if line.strip():
                yield line.strip()


def predictor_input(line: str) -> dict:
    """A JSON object line as it is; any other line is a sentence."""
    if line.startswith("{"):
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            return value
    return {"sentence": line}


def summary(output: dict) -> str:
    """'label (p=0.93)' style line from any of this package's predictors' outputs."""
    words = output.get("words") or output.get("tokens")  # allennlp-models' taggers / this package's
    if "tags" in output and isinstance(words, list):
        return " ".join(f"{w}/{t}" for w, t in zip(words, output["tags"]))
    labels = output.get("labels") if isinstance(output.get("labels"), list) else None
    scores = output.get("scores") or output.get("probs")
    if labels is not None:
        shown = [f"{name} ({scores[name]:.3f})" if isinstance(scores, dict) else name for name in labels]
        return ", ".join(shown) or "(none)"
    label = output.get("label")
    if isinstance(scores, dict) and label in scores:
        return f"{label} (p={scores[label]:.3f})"
    return str(label)


def run(args):
    archive = open_archive(args.archive)
    predictor = Predictor.from_archive(archive)
    count = 0
    for count, sentence in enumerate(sentences(args.input), 1):
        try:
            output = predictor.predict_json(predictor_input(sentence))
        except (ValueError, KeyError) as error:  # the predictor's own message names the fix
            where = "stdin" if args.input == "-" else args.input
            raise SystemExit(f"error: {where}, input {count}: {error}") from None
        print(json.dumps(output) if args.json else f"{summary(output)}\t{sentence}")
    if count == 0:
        where = "stdin" if args.input == "-" else args.input
        raise SystemExit(f"error: no sentence to predict: {where} has no non-blank line. Give one "
                         "sentence a line, in a file (`predict ARCHIVE FILE`) or on stdin "
                         "(`echo 'a sentence' | python -m seal_adapters predict ARCHIVE`).")
