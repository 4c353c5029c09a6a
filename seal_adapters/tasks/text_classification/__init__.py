"""Text classification: one text, one label (sentence polarity is the bundled example).

Reader `seal_text_jsonl` (and `rt_polarity`), model `seal_text_classifier`, predictor
`seal_text_classifier`; configs `seal_sentiment.jsonnet` and `tasknn_only.jsonnet`."""
from seal_adapters.tasks.text_classification import task  # noqa: F401
