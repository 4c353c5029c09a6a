"""The two loss families SEAL trains with, as Registrables chosen in a config.

A *score function* maps label structures `[batch, K, *shape]` to scores `[batch, K]`
(higher = more compatible with the input); the model builds it from its ScoreNN head. The
ScoreNN loss teaches that function to rank gold labels above TaskNN outputs; the TaskNN loss
trains the TaskNN with cross-entropy plus the (frozen) score of its own probabilities.
"""
from typing import Callable, Dict, Optional

import torch
from allennlp.common import Registrable

from seal_adapters.losses.label_spaces import LabelSpace

ScoreFunction = Callable[[torch.Tensor], torch.Tensor]


class ScoreNNLoss(Registrable):
    """`loss(score, space, probs, gold, mask) -> scalar`. `probs` are the TaskNN's
    probabilities; implementations detach them, so this loss never trains the TaskNN."""

    default_implementation = "nce"

    def __call__(self, score: ScoreFunction, space: LabelSpace, probs: torch.Tensor,
                 gold: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        raise NotImplementedError


class TaskNNLoss(Registrable):
    """`loss(space, logits, gold, mask, score, score_weight) -> scalar`, the sum of its
    `terms(...)`: `{"cross_entropy": ..., "score": ...}` (no "score" when `score` is None:
    the model runs without a ScoreNN, score_loss_weight 0, or evaluation). The model reports
    the terms apart (`tasknn_cross_entropy`, `tasknn_score_term`, `score_term_ratio`)."""

    default_implementation = "cross_entropy_score"

    def terms(self, space: LabelSpace, logits: torch.Tensor, gold: torch.Tensor,
              mask: Optional[torch.Tensor], score: Optional[ScoreFunction],
              score_weight: float) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def __call__(self, space: LabelSpace, logits: torch.Tensor, gold: torch.Tensor,
                 mask: Optional[torch.Tensor], score: Optional[ScoreFunction],
                 score_weight: float) -> torch.Tensor:
        return sum(self.terms(space, logits, gold, mask, score, score_weight).values())
