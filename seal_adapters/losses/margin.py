"""`margin`: structured hinge loss for the ScoreNN.

For each TaskNN output y_hat (its probabilities, plus optional samples):
`max(0, Δ(y_hat, y) - score(x, y) + score(x, y_hat))` with `Δ = 1 - quality` (0-1 error,
1 - F1, token error rate; soft for probabilities), averaged over the y_hat. The gold
structure must outscore each TaskNN output by at least how wrong that output is.
"""
import torch

from seal_adapters.losses.base import ScoreNNLoss


def margin_loss(gold_score: torch.Tensor, scores: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """`[batch]`: mean over columns of relu(delta - gold_score + scores)."""
    return torch.relu(delta - gold_score.unsqueeze(-1) + scores).mean(-1)


@ScoreNNLoss.register("margin")
class MarginLoss(ScoreNNLoss):
    """
    # Parameters

    num_samples : `int`, optional (default = `0`)
        Structures drawn from the TaskNN as extra y_hat; 0 uses its probabilities only.
    """

    def __init__(self, num_samples: int = 0) -> None:
        if num_samples < 0:
            raise ValueError(f"margin: num_samples must be >= 0, got {num_samples}.")
        self.num_samples = num_samples

    def __call__(self, score, space, probs, gold, mask=None):
        probs = probs.detach()
        gold = gold.to(probs.dtype)
        predicted = [probs.unsqueeze(1)]
        if self.num_samples:
            with torch.no_grad():
                predicted.append(space.sample(probs, self.num_samples, mask))
        predicted = torch.cat(predicted, dim=1)
        scores = score(torch.cat([gold.unsqueeze(1), predicted], dim=1))
        delta = 1.0 - space.quality(predicted, gold, mask).detach()
        return margin_loss(scores[:, 0], scores[:, 1:], delta).mean()
