"""Multi-label classification: one text, a set of labels (entity types per tweet is the
bundled example).

Readers `seal_multilabel_jsonl` and `seal_entity_types`, model `seal_multilabel_classifier`,
predictor `seal_multilabel_classifier`; configs `seal_entity_types.jsonnet` and
`entity_types_cross_entropy.jsonnet`."""
from seal_adapters.tasks.multilabel import task  # noqa: F401
