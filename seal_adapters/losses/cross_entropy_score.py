"""`cross_entropy_score`: the TaskNN's loss, cross-entropy plus a score term.

y_hat are the TaskNN's probabilities (not detached): the ScoreNN acts as a learned loss
whose gradient flows into y_hat and from there into the TaskNN. The model hands in a score
function with the ScoreNN's parameters and features detached, so this term never trains
the ScoreNN, whichever side the alternation is on.

The cross-entropy is a mean over units (labels of a label set, tokens of a sentence) while a
score sums over the whole structure, so the score term is divided by the number of units:
`score_loss_weight` then weighs the two terms alike for every task.

Two forms of the score term (`score_term`):

* `"absolute"`: `-w * score(x, y_hat)`. Unbounded below: a TaskNN may find relaxed outputs
  that the ScoreNN scores ever higher ("chasing" it) while cross-entropy suffers.
* `"gold_hinge"`: `w * max(0, score(x, y) - score(x, y_hat))`, with y gold. The TaskNN is
  pushed toward what the ScoreNN prefers only while the ScoreNN ranks gold above y_hat, and
  the term is 0 (no pull) once y_hat scores as well as gold: it cannot run away.
"""
import torch

from seal_adapters.losses.base import TaskNNLoss

SCORE_TERMS = ("absolute", "gold_hinge")


@TaskNNLoss.register("cross_entropy_score")
class CrossEntropyScoreLoss(TaskNNLoss):
    """
    # Parameters

    cross_entropy_weight : `float`, optional (default = `1.0`)
        Weight of the cross-entropy term; the score term's weight is the model's
        `score_loss_weight`.
    score_term : `str`, optional (default = `"absolute"`)
        `"absolute"` or `"gold_hinge"`; see the module docstring.
    """

    def __init__(self, cross_entropy_weight: float = 1.0, score_term: str = "absolute") -> None:
        if score_term not in SCORE_TERMS:
            raise ValueError(f"cross_entropy_score: score_term must be one of {list(SCORE_TERMS)}, "
                             f"got {score_term!r}")
        self.cross_entropy_weight = cross_entropy_weight
        self.score_term = score_term

    def terms(self, space, logits, gold, mask, score, score_weight):
        terms = {"cross_entropy": self.cross_entropy_weight * space.cross_entropy(logits, gold, mask)}
        if score is None or not score_weight:
            return terms
        probs = space.probabilities(logits)
        size = space.size(probs, mask)
        if self.score_term == "absolute":
            per_unit = -score(probs.unsqueeze(1)).squeeze(1) / size
        else:
            scores = score(torch.stack([gold.to(probs.dtype), probs], dim=1))
            per_unit = torch.relu(scores[:, 0] - scores[:, 1]) / size
        terms["score"] = score_weight * per_unit.mean()
        return terms
