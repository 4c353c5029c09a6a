from typing import Dict

from seal_adapters.tasks.registry import TWITTER_NER, Task, register_task


def example_data(directory: str, config: str = "") -> Dict[str, str]:
    """`{"text", "labels"}` JSON lines (topic labels), or for the entity-types configs, which
    derive label sets from NER data, token<TAB>tag files."""
    from seal_adapters.tasks.tagging.task import example_data as tagging_data
    from seal_adapters.testing import synthetic_data

    if "entity_types" in config:
        return tagging_data(directory, config)
    return synthetic_data.write_jsonl_splits(directory, synthetic_data.multilabel_examples,
                                             train=(128, 1), validation=(48, 2), test=(48, 3))


MULTILABEL = register_task(Task(
    "multilabel", "entity types per tweet (multi-label, from the Twitter NER annotations; 10 "
    "labels)", "seal_entity_types.jsonnet", "entity_types_cross_entropy.jsonnet", "example_f1",
    "test example F1", TWITTER_NER, published_config="seal_entity_types_published.jsonnet",
    structure_metric="unseen_label_set_rate", configs=("seal_multilabel.jsonnet",),
    example_data=example_data))
