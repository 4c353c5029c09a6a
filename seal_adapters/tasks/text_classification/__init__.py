"""Text classification: one text, one label (sentence polarity is the bundled example).

Readers `seal_text_jsonl` (jsonl_reader.py) and `rt_polarity`, model `seal_text_classifier`,
predictor `seal_text_classifier`; configs `seal_sentiment.jsonnet` and `tasknn_only.jsonnet`."""
from seal_adapters.tasks.text_classification import (  # noqa: F401
    jsonl_reader,
    model,
    predictor,
    rt_polarity_reader,
    task,
)
