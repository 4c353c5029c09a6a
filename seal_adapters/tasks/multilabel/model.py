"""`seal_multilabel_classifier`: multi-label classification (a set of labels) with SEAL.

TaskNN: tasknn channel -> pooler -> one sigmoid per label. ScoreNN: `LabelScoreHead` over
the multi-hot label vector, whose global feed-forward term can learn which labels go together
(the structure independent sigmoids miss).
"""
from typing import Any, Dict, Optional

import torch
from allennlp.common import Lazy
from allennlp.common.checks import ConfigurationError
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder
from allennlp.nn.util import get_text_field_mask
from allennlp.training.metrics import FBetaMultiLabelMeasure

from seal_adapters.energies import LabelEnergy
from seal_adapters.losses import MultiLabelSpace
from seal_adapters.models.metrics import fscore, label_set
from seal_adapters.models.seal_model import SealModel
from seal_adapters.tasks.multilabel.metrics import ExampleF1, MeanAveragePrecision, UnseenLabelSetRate


@Model.register("seal_multilabel_classifier")
class SealMultilabelClassifier(SealModel):
    """
    # Parameters

    The shared ones of `SealModel`, plus `pooler` (as `seal_text_classifier`) and:

    threshold : `float`, optional (default = `0.5`)
        A label is predicted when its probability is at least this.
    energy : `LabelEnergy`, optional (default = `feedforward`)
        The ScoreNN's structured term over the multi-hot label vector.

    Besides example F1, micro F1 and mean average precision, the model reports
    `unseen_label_set_rate`: the share of predicted label sets that no training example had
    (a measure of the label structure the TaskNN has learnt).

    The label field is `labels` (a `MultiLabelField`).
    """

    default_predictor = "seal_multilabel_classifier"
    output_kind = "labels"  # what a predictor reads back (predictors/predictor_match.py)
    name = "seal_multilabel_classifier"
    label_field = "labels"

    def __init__(self, vocab: Vocabulary, text_field_embedder: TextFieldEmbedder,
                 pooler: str = "mean", threshold: float = 0.5,
                 energy: Optional[Lazy[LabelEnergy]] = None, **kwargs) -> None:
        if not 0.0 < threshold < 1.0:
            raise ConfigurationError(
                f"{self.name}: threshold {threshold} is a probability cut: give a number between 0 "
                "and 1 (0.5 by default); outside it every label is always or never predicted."
            )
        self.space = MultiLabelSpace(threshold)
        super().__init__(vocab, text_field_embedder, **kwargs)
        self.threshold = threshold
        self._set_pooled_label_heads(pooler, energy)
        self._example_f1 = ExampleF1(threshold)
        self._micro_f1 = FBetaMultiLabelMeasure(average="micro", threshold=threshold)
        self._map = MeanAveragePrecision()
        # Gold label sets of the training batches seen (index tuples), for
        # unseen_label_set_rate; kept in the state dict (get_extra_state), so an archive
        # evaluates the same way.
        self._seen_label_sets: set = set()
        self._unseen_sets = UnseenLabelSetRate(self._seen_label_sets, threshold)

    def forward(self, tokens: TextFieldTensors, labels: Optional[torch.Tensor] = None,
                **extra: Any) -> Dict[str, torch.Tensor]:
        """`logits`, `probs` `[batch, labels]`; with `labels` (multi-hot) also `loss`."""
        self._check_fields(extra, ("tokens", "labels"))
        mask = get_text_field_mask(tokens)
        gold = labels.float() if labels is not None else None
        output = self._seal_forward(tokens, mask, gold, None)
        if labels is not None:
            probs = output["probs"]
            if self.training:
                self._seen_label_sets.update(label_set(row) for row in (labels > 0).tolist())
            self._unseen_sets(probs)
            self._example_f1(probs, labels)
            self._micro_f1(probs, labels.long())
            self._map(probs, labels)
        return output

    def make_output_human_readable(self, output_dict: Dict[str, torch.Tensor]) -> Dict[str, Any]:
        """`labels` (those at or above threshold), `scores` (their probabilities) and
        `probs` (every label's probability), keyed by label name."""
        probs = output_dict["probs"].detach().cpu().tolist()
        output_dict["probs"] = [dict(zip(self.labels, row)) for row in probs]
        output_dict["scores"] = [{label: p for label, p in row.items() if p >= self.threshold}
                                 for row in output_dict["probs"]]
        output_dict["labels"] = [sorted(row, key=row.get, reverse=True) for row in output_dict["scores"]]
        return output_dict

    def _task_metrics(self, reset: bool) -> Dict[str, float]:
        metrics = {"example_f1": self._example_f1.get_metric(reset),
                   "micro_f1": fscore(self._micro_f1, reset),
                   "map": self._map.get_metric(reset)}
        rate = self._unseen_sets.get_metric(reset)
        if self._seen_label_sets:  # without training sets the rate would mean nothing
            metrics["unseen_label_set_rate"] = rate
        return metrics

    # The training label sets travel with the weights (best.th, model.tar.gz) as a tensor.
    def get_extra_state(self) -> torch.Tensor:
        sets = torch.zeros(len(self._seen_label_sets), len(self.labels), dtype=torch.uint8)
        for row, labels_on in enumerate(sorted(self._seen_label_sets)):
            sets[row, list(labels_on)] = 1
        return sets

    def set_extra_state(self, state: torch.Tensor) -> None:
        self._seen_label_sets.clear()
        self._seen_label_sets.update(label_set(row) for row in state.tolist())

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)
        key = prefix + "_extra_state"
        if key in missing_keys:  # weights saved before the label sets were kept
            missing_keys.remove(key)
