"""`linear_chain`: tag-pair compatibilities along the sequence, `sum_t y_t^T A y_{t+1}`
(a CRF's transition score on relaxed tags): learns e.g. that I-ORG follows B-ORG, not O."""
import torch

from seal_adapters.energies.base import TagEnergy


@TagEnergy.register("linear_chain")
class LinearChainEnergy(TagEnergy):
    """No parameters besides the `[num_labels, num_labels]` transition matrix (tags x tags) (starts at 0)."""

    def __init__(self, num_labels: int) -> None:
        super().__init__(num_labels)
        self.transitions = torch.nn.Parameter(torch.zeros(num_labels, num_labels))

    def forward(self, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        mask = mask.to(y.dtype)
        pairs = torch.einsum("bktl,lm,bktm->bkt", y[:, :, :-1], self.transitions, y[:, :, 1:])
        return (pairs * (mask[:, :-1] * mask[:, 1:]).unsqueeze(1)).sum(-1)
