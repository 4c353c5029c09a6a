"""`cross_entropy_score`: the TaskNN's loss, cross-entropy plus `-score(x, y_hat)`.

y_hat are the TaskNN's probabilities (not detached): the ScoreNN acts as a learned loss
whose gradient flows into y_hat and from there into the TaskNN. The model hands in a score
function with the ScoreNN's parameters and features detached, so this term never trains
the ScoreNN, whichever side the alternation is on.

The cross-entropy is a mean over units (labels of a label set, tokens of a sentence) while a
score sums over the whole structure, so the score term is divided by the number of units:
`score_loss_weight` then weighs the two terms alike for every task.
"""
import torch

from seal_adapters.losses.base import TaskNNLoss


@TaskNNLoss.register("cross_entropy_score")
class CrossEntropyScoreLoss(TaskNNLoss):
    """
    # Parameters

    cross_entropy_weight : `float`, optional (default = `1.0`)
        Weight of the cross-entropy term; the score term's weight is the model's
        `score_loss_weight`.
    """

    def __init__(self, cross_entropy_weight: float = 1.0) -> None:
        self.cross_entropy_weight = cross_entropy_weight

    def __call__(self, space, logits, gold, mask, score, score_weight):
        loss = self.cross_entropy_weight * space.cross_entropy(logits, gold, mask)
        if score is None or not score_weight:
            return loss
        probs = space.probabilities(logits)
        per_unit = score(probs.unsqueeze(1)).squeeze(1) / space.size(probs, mask)
        return loss - score_weight * per_unit.mean()
