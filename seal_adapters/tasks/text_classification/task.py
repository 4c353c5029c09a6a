from seal_adapters.tasks.registry import Task, register_task

SENTIMENT = register_task(Task(
    "sentiment", "sentence polarity (rt-polarity, 2 labels)", "seal_sentiment.jsonnet",
    "tasknn_only.jsonnet", "accuracy", "test accuracy", "rt-polarity",
    configs=("seal_sentiment_alternating.jsonnet", "seal_sentiment_lora.jsonnet",
             "seal_sentiment_per_side.jsonnet", "tasknn_only_lora.jsonnet",
             "full_finetune.jsonnet", "adapters_classifier.jsonnet")))
