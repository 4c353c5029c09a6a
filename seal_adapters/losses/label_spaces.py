"""How one task's labels look as tensors, so every loss works for every task.

A label structure `y` is a float tensor: one-hot `[L]` (single label), multi-hot `[L]`
(label set) or one-hot per token `[T, L]` (tagging). The TaskNN's output, probabilities of
the same shape, is a relaxed `y`; the losses score gold labels, TaskNN probabilities and
samples drawn from them, always laid out as `[batch, candidates, *shape]`.
"""
from typing import Optional

import torch

EPS = 1e-8


class LabelSpace:
    """Distribution, sampling and task quality of one kind of label structure."""

    def probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def cross_entropy(self, logits: torch.Tensor, gold: torch.Tensor,
                      mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Mean negative log-likelihood of `gold` (`[batch, *shape]`) under `logits`."""
        raise NotImplementedError

    def sample(self, probs: torch.Tensor, num_samples: int,
               mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """`[batch, num_samples, *shape]` label structures drawn from `probs`."""
        raise NotImplementedError

    def decode(self, probs: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """`[batch, *shape]`: the discrete structure the model predicts from `probs` (as its
        metrics and predictor decode it)."""
        raise NotImplementedError

    def log_prob(self, y: torch.Tensor, probs: torch.Tensor,
                 mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """`[batch, K]`: log q(y) of discrete `y` (`[batch, K, *shape]`) under `probs`."""
        raise NotImplementedError

    def quality(self, y: torch.Tensor, gold: torch.Tensor,
                mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """`[batch, K]` in [0, 1]: the task metric of `y` against `gold`; for relaxed `y`
        (probabilities) its soft version. 1 - quality is the margin loss's Δ."""
        raise NotImplementedError

    def size(self, probs: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """`[batch]`: how many units (labels, tokens) the cross-entropy averages over; a score
        summed over a structure is divided by it to match the cross-entropy's scale."""
        return torch.ones(probs.size(0), dtype=probs.dtype, device=probs.device)


class SingleLabelSpace(LabelSpace):
    """One label of L: y one-hot; quality is accuracy (soft: probability of the gold label)."""

    def probabilities(self, logits):
        return torch.softmax(logits, dim=-1)

    def cross_entropy(self, logits, gold, mask=None):
        return -(gold * torch.log_softmax(logits, dim=-1)).sum(-1).mean()

    def sample(self, probs, num_samples, mask=None):
        indices = torch.multinomial(probs, num_samples, replacement=True)  # [B, K]
        return torch.nn.functional.one_hot(indices, probs.size(-1)).to(probs.dtype)

    def decode(self, probs, mask=None):
        return torch.nn.functional.one_hot(probs.argmax(-1), probs.size(-1)).to(probs.dtype)

    def log_prob(self, y, probs, mask=None):
        return (y * probs.unsqueeze(1).clamp_min(EPS).log()).sum(-1)

    def quality(self, y, gold, mask=None):
        return (y * gold.unsqueeze(1)).sum(-1)


class MultiLabelSpace(LabelSpace):
    """A set of labels: y multi-hot, independent Bernoullis; quality is per-example F1
    (1 when both the prediction and the gold set are empty). Decoding predicts the labels
    whose probability is at least `threshold`."""

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold

    def decode(self, probs, mask=None):
        return (probs >= self.threshold).to(probs.dtype)

    def probabilities(self, logits):
        return torch.sigmoid(logits)

    def cross_entropy(self, logits, gold, mask=None):
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, gold.to(logits.dtype))

    def sample(self, probs, num_samples, mask=None):
        expanded = probs.unsqueeze(1).expand(-1, num_samples, -1)
        return torch.bernoulli(expanded)

    def log_prob(self, y, probs, mask=None):
        p = probs.unsqueeze(1)
        return (y * p.clamp_min(EPS).log() + (1 - y) * (1 - p).clamp_min(EPS).log()).sum(-1)

    def quality(self, y, gold, mask=None):
        gold = gold.unsqueeze(1).to(y.dtype)
        overlap = (y * gold).sum(-1)
        total = y.sum(-1) + gold.sum(-1)
        return torch.where(total > 0, 2 * overlap / total.clamp_min(EPS), torch.ones_like(total))

    def size(self, probs, mask=None):
        return torch.full((probs.size(0),), float(probs.size(-1)), dtype=probs.dtype,
                          device=probs.device)


class TagSequenceSpace(LabelSpace):
    """One tag of L per token: y `[T, L]` one-hot rows (zero rows at padding), tokens
    independent; quality is token accuracy over the unpadded tokens."""

    @staticmethod
    def _mask(mask, like):
        if mask is None:
            return torch.ones(like.shape[:2], dtype=like.dtype, device=like.device)
        return mask.to(like.dtype)

    def probabilities(self, logits):
        return torch.softmax(logits, dim=-1)

    def cross_entropy(self, logits, gold, mask=None):
        mask = self._mask(mask, logits)
        per_token = -(gold * torch.log_softmax(logits, dim=-1)).sum(-1)
        return (per_token * mask).sum() / mask.sum().clamp_min(1.0)

    def sample(self, probs, num_samples, mask=None):
        batch, length, labels = probs.shape
        flat = probs.reshape(batch * length, labels)
        indices = torch.multinomial(flat, num_samples, replacement=True)  # [B*T, K]
        y = torch.nn.functional.one_hot(indices, labels).to(probs.dtype)
        y = y.view(batch, length, num_samples, labels).transpose(1, 2)  # [B, K, T, L]
        return y * self._mask(mask, probs)[:, None, :, None]

    def decode(self, probs, mask=None):
        one_hot = torch.nn.functional.one_hot(probs.argmax(-1), probs.size(-1)).to(probs.dtype)
        return one_hot * self._mask(mask, probs).unsqueeze(-1)

    def log_prob(self, y, probs, mask=None):
        mask = self._mask(mask, probs)
        per_token = (y * probs.unsqueeze(1).clamp_min(EPS).log()).sum(-1)  # [B, K, T]
        return (per_token * mask.unsqueeze(1)).sum(-1)

    def quality(self, y, gold, mask=None):
        mask = self._mask(mask, gold)
        correct = (y * gold.unsqueeze(1)).sum(-1)  # [B, K, T]
        return (correct * mask.unsqueeze(1)).sum(-1) / mask.sum(-1, keepdim=True).clamp_min(1.0)

    def size(self, probs, mask=None):
        return self._mask(mask, probs).sum(-1).clamp_min(1.0)
