from typing import Dict

from seal_adapters.tasks.registry import Task, register_task


def example_data(directory: str, config: str = "") -> Dict[str, str]:
    """`{"text", "label"}` JSON lines: "pos" iff the sentence holds a positive word."""
    from seal_adapters.testing import synthetic_data

    return synthetic_data.write_jsonl_splits(directory, synthetic_data.sentiment_examples,
                                             train=(96, 1), validation=(48, 2), test=(48, 3))


SENTIMENT = register_task(Task(
    "sentiment", "sentence polarity (rt-polarity, 2 labels)", "seal_sentiment.jsonnet",
    "tasknn_only.jsonnet", "accuracy", "test accuracy", "rt-polarity",
    configs=("seal_sentiment_alternating.jsonnet", "seal_sentiment_lora.jsonnet",
             "seal_sentiment_per_side.jsonnet", "tasknn_only_lora.jsonnet",
             "full_finetune.jsonnet", "adapters_classifier.jsonnet"),
    example_data=example_data))
