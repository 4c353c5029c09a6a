"""`nce`: NCE ranking loss for the ScoreNN (SEAL's "NCE ranking" variant).

The gold structure must win a softmax against K structures sampled from the TaskNN's
distribution q, each scored as `score(x, y) - log q(y)`. Subtracting log q corrects for the
proposal: the optimum is `score = log p(y | x) + const`, whatever q proposes.
`proposal_correction: false` leaves `- log q` out: SEAL's "ranking" variant, where the gold
structure simply has to outscore the samples.

Samples are drawn in every call, from the TaskNN's probabilities of that forward pass: with
several ScoreNN steps on a batch (an alternating schedule), each step draws new samples from
the TaskNN as it is then.
"""
import torch

from seal_adapters.losses.base import ScoreNNLoss


def nce_ranking_loss(scores: torch.Tensor, log_q: torch.Tensor) -> torch.Tensor:
    """`[batch]`: -log softmax(scores - log_q)[0], column 0 being the gold structure."""
    return -torch.log_softmax(scores - log_q, dim=-1)[:, 0]


@ScoreNNLoss.register("nce")
class NCERankingLoss(ScoreNNLoss):
    """
    # Parameters

    num_samples : `int`, optional (default = `10`)
        K, how many structures to draw from the TaskNN per example.
    proposal_correction : `bool`, optional (default = `true`)
        Subtract `log q(y)` from each score (NCE); `false`: SEAL's ranking variant.
    """

    def __init__(self, num_samples: int = 10, proposal_correction: bool = True) -> None:
        if num_samples < 1:
            raise ValueError(f"nce: num_samples must be at least 1, got {num_samples}.")
        self.num_samples = num_samples
        self.proposal_correction = proposal_correction

    def __call__(self, score, space, probs, gold, mask=None):
        probs = probs.detach()
        gold = gold.to(probs.dtype)
        with torch.no_grad():
            samples = space.sample(probs, self.num_samples, mask)
        candidates = torch.cat([gold.unsqueeze(1), samples], dim=1)
        log_q = (space.log_prob(candidates, probs, mask) if self.proposal_correction
                 else probs.new_zeros(candidates.shape[:2]))
        return nce_ranking_loss(score(candidates), log_q).mean()
