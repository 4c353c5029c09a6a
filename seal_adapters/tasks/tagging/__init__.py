"""Sequence tagging: a tag per word (BIO named entities is the bundled example; POS and other
non-BIO tag sets with `label_encoding: null`).

Reader `seal_bio_tagging`, model `seal_tagger` (span_f1.py; decoding.py: constrained
decoding; metrics.py: `invalid_transition_rate` and per-tag scores), predictor `seal_tagger`,
pre-training checks of tag schemes (data_checks.py); configs `seal_ner.jsonnet` and `ner_cross_entropy.jsonnet`."""
from seal_adapters.tasks.tagging import data_checks, model, predictor, reader, task  # noqa: F401
