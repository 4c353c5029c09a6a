"""The tagging task's pre-training data checks (registered with `data_check`): every tag fits
the model's `label_encoding`; BIO and BIOUL sequences are valid.

Why: allennlp's span F1 decodes spans by the tag prefixes of its `label_encoding`. A tag
without a prefix ("PER" under BIO) or of another scheme ("S-LOC", "E-LOC" of BIOES under BIO)
does not fail: its spans are silently mis-decoded and the reported F1 is wrong. The check
looks at every tag of the model's tag vocabulary and names where the bad ones occur.
"""
import re
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

from allennlp.data.fields import SequenceLabelField
from allennlp.training.metrics import SpanBasedF1Measure

from seal_adapters.data.errors import DataError, where
from seal_adapters.training.data_checks import CheckedData, data_check

PREFIXES = {"BIO": "BI", "IOB1": "BI", "BIOUL": "BIOUL", "BMES": "BMES"}
MAX_SHOWN = 5


def _fits(tag: str, encoding: str) -> bool:
    return tag == "O" or re.match(rf"^[{PREFIXES[encoding]}]-\S", tag) is not None and not tag.startswith("O-")


def span_metrics(model) -> Iterator[Tuple[str, Set[str]]]:
    """(label_encoding, the tags it decodes) for each span F1 metric the model holds."""
    for value in vars(model).values():
        encoding = getattr(value, "decoded_encoding", None) or getattr(value, "_label_encoding", None)
        if isinstance(value, SpanBasedF1Measure) and encoding in PREFIXES:
            yield encoding, set(value._label_vocabulary.values())


def check_tag_scheme(model, places: Dict[object, List[Optional[str]]]) -> None:
    """Raises `DataError` naming the tags that do not fit a span metric's encoding and where
    they occur (`places`: tag -> places found in the data)."""
    for encoding, tags in span_metrics(model):
        bad = sorted(t for t in tags if isinstance(t, str) and not _fits(t, encoding)
                     and t not in ("@@PADDING@@", "@@UNKNOWN@@"))
        if not bad:
            continue
        lines = []
        for tag in bad[:MAX_SHOWN]:
            found = [p for p in places.get(tag, []) if p][:3]
            lines.append(f"  {tag!r}: {'; '.join(found) or 'in the data'}")
        more = f"\n  and {len(bad) - MAX_SHOWN} more" if len(bad) > MAX_SHOWN else ""
        raise DataError(
            f"{len(bad)} tag(s) do not fit label_encoding '{encoding}', which expects 'O' or "
            f"{' / '.join(p + '-<type>' for p in PREFIXES[encoding])}; span F1 would decode "
            "their spans wrongly:\n" + "\n".join(lines) + more + "\n" + _hint(bad, encoding)
        )


def _tag_fields(sources: Iterable[Tuple[object, Iterable]]
                ) -> Iterator[Tuple[SequenceLabelField, object, Optional[int]]]:
    """(tag field, its file, the line of its first tag or None) of every instance of `sources`."""
    for path, instances in sources:
        for instance in instances:
            for field in instance.fields.values():
                if isinstance(field, SequenceLabelField) and not getattr(field, "_skip_indexing", False):
                    yield field, getattr(field, "source_path", None) or path, getattr(field, "first_line", None)


def check_bio_transitions(model, sources: Iterable[Tuple[object, Iterable]]) -> None:
    """Under label_encoding BIO, an I-<type> tag must continue a span of its type (follow
    B-<type> or I-<type>). IOB1 data (I- opens a span) read under BIO trains and scores
    without a word of warning, so this raises `DataError` naming the tags and their lines
    (`sources`: (path, instances) of each split)."""
    if not any(encoding == "BIO" for encoding, _ in span_metrics(model)):
        return
    found: List[str] = []
    count = 0
    for field, source, first in _tag_fields(sources):
        previous = "O"
        for i, tag in enumerate(field.labels):
            if (isinstance(tag, str) and tag.startswith("I-")
                    and previous not in (f"B-{tag[2:]}", f"I-{tag[2:]}")):
                count += 1
                if len(found) < MAX_SHOWN:
                    place = where(source, first + i) if first is not None else str(source)
                    found.append(f"  {tag!r} after {previous!r}: {place}")
            previous = tag
    if count:
        more = f"\n  and {count - len(found)} more" if count > len(found) else ""
        raise DataError(
            f"{count} tag(s) do not fit label_encoding 'BIO': an I-<type> tag must continue a span "
            "of its type (follow B-<type> or I-<type>), but these open one (first in a sentence, "
            "after 'O' or after another type), as IOB1 data does:\n" + "\n".join(found) + more
            + "\nFix: if the data is IOB1 (I- opens a span, B- only between two adjacent spans of "
            "one type), set the model's label_encoding to \"IOB1\"; otherwise correct these tags "
            "to B-<type>.")


def check_bioul_sequences(model, sources: Iterable[Tuple[object, Iterable]]) -> None:
    """Under label_encoding BIOUL, every sentence's tags must be a valid BIOUL sequence (B-
    opens a span that I- continues and L- closes, U- is a span of one word): allennlp's
    decoder rejects others, and the model's span F1 reads predictions leniently, so invalid
    gold tags would be scored without a word. Raises `DataError` naming the sentences."""
    if not any(encoding == "BIOUL" for encoding, _ in span_metrics(model)):
        return
    from allennlp.data.dataset_readers.dataset_utils.span_utils import InvalidTagSequence, bioul_tags_to_spans

    found: List[str] = []
    count = 0
    for field, source, first in _tag_fields(sources):
        try:
            bioul_tags_to_spans(list(field.labels))
        except InvalidTagSequence:
            count += 1
            if len(found) < MAX_SHOWN:
                place = where(source, first) if first is not None else str(source)
                found.append(f"  {' '.join(field.labels)[:80]!r}: {place}")
    if count:
        more = f"\n  and {count - len(found)} more" if count > len(found) else ""
        raise DataError(
            f"{count} sentence(s) are not valid BIOUL tag sequences, which label_encoding 'BIOUL' "
            "expects (B- opens a span that I- continues and L- closes; U- is a one-word span):\n"
            + "\n".join(found) + more + "\nFix: if the data is BIO (no U-/L- tags), set the model's "
            "label_encoding to \"BIO\"; otherwise correct these sentences' tags.")


def _hint(bad: List[str], encoding: str) -> str:
    if encoding in ("BIO", "IOB1") and any(t[:2] in ("S-", "E-", "U-", "L-") for t in bad):
        scheme = ("These are BIOES/BIOUL tags: allennlp's name is BIOUL (U- for S-, L- for E-). "
                  "Fix: set the model's label_encoding to \"BIOUL\" (renaming S- to U- and E- to L-), "
                  "or convert the tags to BIO.")
        return scheme
    if all("-" not in t for t in bad):
        return ("These tags have no scheme prefix. Fix: write them as B-<type> / I-<type>, or set "
                "the model's label_encoding to null (token accuracy only).")
    return ("Fix: correct these tags, or set the model's label_encoding to the scheme the data "
            "uses (BIO, IOB1, BIOUL or BMES; null for token accuracy only).")


@data_check
def check_tags(model, data: CheckedData) -> None:
    """The tagging task's pre-training checks, for any model with a span-F1 metric."""
    check_tag_scheme(model, data.places)
    check_bio_transitions(model, data.sources)
    check_bioul_sequences(model, data.sources)
