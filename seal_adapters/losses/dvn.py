"""`dvn`: Deep-Value-Network style loss for the ScoreNN.

The score is read as the logit of the task metric: for candidate structures (TaskNN
samples, the TaskNN's probabilities and the gold structure) the ScoreNN regresses
`sigmoid(score(x, y))` onto `quality(y, gold)` (accuracy / per-example F1 / token accuracy,
soft for probabilities) with binary cross-entropy.
"""
import torch

from seal_adapters.losses.base import ScoreNNLoss


def dvn_loss(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """`[batch]`: mean over candidates of BCE(sigmoid(score), target)."""
    return torch.nn.functional.binary_cross_entropy_with_logits(
        scores, targets, reduction="none"
    ).mean(-1)


@ScoreNNLoss.register("dvn")
class DVNLoss(ScoreNNLoss):
    """
    # Parameters

    num_samples : `int`, optional (default = `10`)
        Structures drawn from the TaskNN per example.
    include_gold : `bool`, optional (default = `True`)
        Also regress the gold structure onto 1.
    include_probs : `bool`, optional (default = `True`)
        Also regress the TaskNN's probabilities onto their soft quality.
    """

    def __init__(self, num_samples: int = 10, include_gold: bool = True,
                 include_probs: bool = True) -> None:
        if num_samples < 0 or (num_samples == 0 and not include_gold and not include_probs):
            raise ValueError("dvn: needs candidates: num_samples > 0, include_gold or include_probs.")
        self.num_samples = num_samples
        self.include_gold = include_gold
        self.include_probs = include_probs

    def __call__(self, score, space, probs, gold, mask=None):
        probs = probs.detach()
        gold = gold.to(probs.dtype)
        candidates = []
        if self.include_gold:
            candidates.append(gold.unsqueeze(1))
        if self.include_probs:
            candidates.append(probs.unsqueeze(1))
        if self.num_samples:
            with torch.no_grad():
                candidates.append(space.sample(probs, self.num_samples, mask))
        candidates = torch.cat(candidates, dim=1)
        targets = space.quality(candidates, gold, mask).detach()
        return dvn_loss(score(candidates), targets).mean()
