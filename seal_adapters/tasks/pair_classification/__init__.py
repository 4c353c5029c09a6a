"""Sentence-pair classification (premise/hypothesis entailment, paraphrase, ...).

Reader `seal_pair_jsonl` (`{"premise", "hypothesis", "label"}` lines, and SNLI/MultiNLI's own
`{"sentence1", "sentence2", "gold_label"}`), encoded as the transformer's pair input
(`[CLS] premise [SEP] hypothesis [SEP]`, type ids where the model has them); model
`seal_pair_classifier` (the text classifier over that input); predictor
`seal_pair_classifier` (`{"premise", "hypothesis"}` in, label and probabilities out); configs
`seal_pair_classification.jsonnet` and `pair_classification_cross_entropy.jsonnet`.
"""
from seal_adapters.tasks.pair_classification import model, predictor, reader, task  # noqa: F401
