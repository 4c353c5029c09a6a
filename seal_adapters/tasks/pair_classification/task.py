from seal_adapters.tasks.pair_classification.example_data import write_example_data
from seal_adapters.tasks.registry import Task, register_task

PAIR_CLASSIFICATION = register_task(Task(
    "pair_classification", "sentence-pair classification (your premise/hypothesis or "
    "SNLI/MultiNLI JSON lines)", "seal_pair_classification.jsonnet",
    "pair_classification_cross_entropy.jsonnet", "accuracy", "test accuracy",
    example_data=write_example_data))
