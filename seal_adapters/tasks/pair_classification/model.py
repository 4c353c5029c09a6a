"""`seal_pair_classifier`: the SEAL text classifier over a sentence pair's joint encoding.

The pair arrives as one `tokens` field (the transformer's pair input, see reader.py), so the
TaskNN and ScoreNN are `seal_text_classifier`'s; this model adds the pair predictor as its
default and accepts the reader's `metadata` (the raw premise and hypothesis)."""
from typing import Any, Dict, List, Optional

import torch
from allennlp.data import TextFieldTensors
from allennlp.models import Model

from seal_adapters.tasks.text_classification.model import SealTextClassifier


@Model.register("seal_pair_classifier")
class SealPairClassifier(SealTextClassifier):
    """The parameters of `seal_text_classifier`."""

    default_predictor = "seal_pair_classifier"
    name = "seal_pair_classifier"

    def forward(self, tokens: TextFieldTensors, label: Optional[torch.Tensor] = None,
                metadata: Optional[List[Dict[str, Any]]] = None,
                **extra: Any) -> Dict[str, torch.Tensor]:
        self._check_fields(extra, ("tokens", "label", "metadata"))
        return super().forward(tokens, label)
