"""Multi-label classification: one text, a set of labels (entity types per tweet is the
bundled example).

Readers `seal_multilabel_jsonl` and `seal_entity_types`, model `seal_multilabel_classifier`
(metrics.py: example F1, mean average precision, `unseen_label_set_rate`), predictor
`seal_multilabel_classifier`; configs `seal_entity_types.jsonnet` and
`entity_types_cross_entropy.jsonnet`."""
from seal_adapters.tasks.multilabel import entity_types_reader, jsonl_reader, model, predictor, task  # noqa: F401
