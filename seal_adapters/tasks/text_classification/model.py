"""`seal_text_classifier`: single-label text classification trained with SEAL.

TaskNN: tasknn channel -> pooler -> label logits (softmax). ScoreNN: scorenn channel ->
pooler -> `LabelScoreHead`, an energy over (x, one-hot y). With `score_loss_weight` 0 it is a
plain cross-entropy classifier on the tasknn adapter (the baseline).
"""
from typing import Any, Dict, Optional

import torch
from allennlp.common import Lazy
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder
from allennlp.nn.util import get_text_field_mask
from allennlp.training.metrics import CategoricalAccuracy, FBetaMeasure

from seal_adapters.energies import LabelEnergy
from seal_adapters.losses import SingleLabelSpace
from seal_adapters.models.metrics import fscore
from seal_adapters.models.seal_model import SealModel


@Model.register("seal_text_classifier")
class SealTextClassifier(SealModel):
    """
    # Parameters

    The shared ones of `SealModel` (embedder, losses, score_loss_weight, adapters, ...), plus:

    pooler : `str`, optional (default = `"mean"`)
        "mean" (masked mean of the tokens) or "cls" (first token), for both heads.
    energy : `LabelEnergy`, optional (default = `feedforward`)
        The ScoreNN's structured term over the one-hot label vector.
    """

    default_predictor = "seal_text_classifier"
    output_kind = "label"  # what a predictor reads back (predictors/predictor_match.py)
    name = "seal_text_classifier"
    label_field = "label"
    space = SingleLabelSpace()

    def __init__(self, vocab: Vocabulary, text_field_embedder: TextFieldEmbedder,
                 pooler: str = "mean", energy: Optional[Lazy[LabelEnergy]] = None,
                 **kwargs) -> None:
        super().__init__(vocab, text_field_embedder, **kwargs)
        self._set_pooled_label_heads(pooler, energy)
        self._accuracy = CategoricalAccuracy()
        self._f1 = FBetaMeasure(average="macro")

    def forward(self, tokens: TextFieldTensors, label: Optional[torch.Tensor] = None,
                **extra: Any) -> Dict[str, torch.Tensor]:
        """`logits`, `probs` `[batch, labels]`; with `label` also `loss`."""
        self._check_fields(extra, ("tokens", "label"))
        mask = get_text_field_mask(tokens)
        gold = None
        if label is not None:
            gold = torch.nn.functional.one_hot(label.long(), len(self.labels)).float()
        output = self._seal_forward(tokens, mask, gold, None)
        if label is not None:
            self._accuracy(output["logits"], label)
            self._f1(output["logits"], label)
        return output

    def make_output_human_readable(self, output_dict: Dict[str, torch.Tensor]) -> Dict[str, Any]:
        """Adds `label` (the most probable label) and replaces `probs` by `{label: prob}`."""
        probs = output_dict["probs"].detach().cpu().tolist()
        output_dict["probs"] = [dict(zip(self.labels, row)) for row in probs]
        output_dict["label"] = [self.labels[max(range(len(row)), key=row.__getitem__)]
                                for row in probs]
        return output_dict

    def _task_metrics(self, reset: bool) -> Dict[str, float]:
        return {"accuracy": self._accuracy.get_metric(reset),
                "macro_f1": fscore(self._f1, reset)}
