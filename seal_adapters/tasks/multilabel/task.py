from seal_adapters.tasks.registry import TWITTER_NER, Task, register_task

MULTILABEL = register_task(Task(
    "multilabel", "entity types per tweet (multi-label, from the Twitter NER annotations; 10 "
    "labels)", "seal_entity_types.jsonnet", "entity_types_cross_entropy.jsonnet", "example_f1",
    "test example F1", TWITTER_NER, published_config="seal_entity_types_published.jsonnet",
    structure_metric="unseen_label_set_rate", configs=("seal_multilabel.jsonnet",)))
