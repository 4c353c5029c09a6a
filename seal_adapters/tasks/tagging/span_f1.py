"""`span_f1`: allennlp's `SpanBasedF1Measure`, with predictions that break BIOUL decoded.

Why: allennlp's BIOUL decoder raises `InvalidTagSequence` on any sequence that is not valid
BIOUL ("U-PER B-PER B-PER"). Gold tags are valid (the run guards check them before training,
`data_checks.py`), but a tagger's argmax predictions need not be: allennlp's `crf_tagger`
constrains its decoding, a SEAL tagger does not, so under BIOUL every run stopped at its first
validation batch. Here a BIOUL sequence is read as BIO after U- -> B- and L- -> I-, which gives
the same spans for every valid sequence and a best-effort reading of invalid predictions (as
allennlp's BIO decoder does).
"""
from allennlp.data.dataset_readers.dataset_utils.span_utils import bio_tags_to_spans
from allennlp.training.metrics import SpanBasedF1Measure

RELAXED = {"U-": "B-", "L-": "I-"}


def lenient_bioul_tags_to_spans(tags, classes_to_ignore=None):
    """Spans of a BIOUL tag sequence, valid or not (valid ones: exactly allennlp's)."""
    return bio_tags_to_spans([RELAXED.get(tag[:2], tag[:2]) + tag[2:] if len(tag) > 2 else tag
                              for tag in tags], classes_to_ignore)


def span_f1(vocab, tag_namespace: str, label_encoding: str, ignore_classes=None) -> SpanBasedF1Measure:
    """allennlp's span F1 for `label_encoding`; BIOUL decodes predictions leniently. The
    metric's `decoded_encoding` names the scheme either way (the tag-scheme guard reads it).
    `ignore_classes`: span labels left out (SRL's `V`)."""
    if label_encoding == "BIOUL":
        metric = SpanBasedF1Measure(vocab, tag_namespace=tag_namespace, label_encoding=None,
                                    tags_to_spans_function=lenient_bioul_tags_to_spans,
                                    ignore_classes=ignore_classes)
    else:
        metric = SpanBasedF1Measure(vocab, tag_namespace=tag_namespace, label_encoding=label_encoding,
                                    ignore_classes=ignore_classes)
    metric.decoded_encoding = label_encoding
    return metric
