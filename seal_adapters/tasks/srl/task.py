from seal_adapters.tasks.registry import Task, register_task
from seal_adapters.tasks.srl.example_data import write_example_data

SRL = register_task(Task(
    "srl", "semantic role labeling (your CoNLL-2012 *gold_conll files; span F1 without V)",
    "seal_srl.jsonnet", "srl_cross_entropy.jsonnet", "f1-measure-overall", "test span F1",
    structure_metric="invalid_transition_rate",
    example_data=write_example_data))
