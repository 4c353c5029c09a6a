"""Sequence tagging: a tag per word (BIO named entities is the bundled example; POS and other
non-BIO tag sets with `label_encoding: null`).

Reader `seal_bio_tagging`, model `seal_tagger`, predictor `seal_tagger`; configs
`seal_ner.jsonnet` and `ner_cross_entropy.jsonnet`."""
from seal_adapters.tasks.tagging import task  # noqa: F401
