"""`self_attention`: self-attention over the tag sequence (SEAL's attention tag energy).

Tag vectors are embedded (a linear map of the relaxed one-hot rows plus a learned position
embedding), attend to each other over the unpadded positions, and a linear output scores each
position; the energy is their sum. It can relate tags far apart in the sentence.
"""
import torch

from seal_adapters.energies.base import TagEnergy, zero_output_layers


@TagEnergy.register("self_attention")
class TagSelfAttentionEnergy(TagEnergy):
    """
    # Parameters

    hidden_dim : `int`, optional (default = `32`)
    num_heads : `int`, optional (default = `2`)
    max_length : `int`, optional (default = `512`)
        Longest sentence (in words) with a position embedding; longer ones reuse the last.
    """

    def __init__(self, num_labels: int, hidden_dim: int = 32, num_heads: int = 2,
                 max_length: int = 512) -> None:
        super().__init__(num_labels)
        if hidden_dim % num_heads:
            raise ValueError(f"self_attention energy: hidden_dim {hidden_dim} must be a "
                             f"multiple of num_heads {num_heads}")
        self.embed = torch.nn.Linear(num_labels, hidden_dim)
        self.positions = torch.nn.Embedding(max_length, hidden_dim)
        self.attention = torch.nn.MultiheadAttention(hidden_dim, num_heads, batch_first=True)
        self.output = torch.nn.Linear(hidden_dim, 1, bias=False)
        zero_output_layers(self.output)

    def forward(self, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, k, length, tags = y.shape
        mask = mask.bool()
        positions = torch.arange(length, device=y.device).clamp_max(self.positions.num_embeddings - 1)
        hidden = self.embed(y.reshape(batch * k, length, tags)) + self.positions(positions)
        padding = (~mask).repeat_interleave(k, dim=0)  # [B*K, T]
        attended, _ = self.attention(hidden, hidden, hidden, key_padding_mask=padding,
                                     need_weights=False)
        per_token = self.output(torch.tanh(attended + hidden)).squeeze(-1).view(batch, k, length)
        return (per_token * mask.to(y.dtype).unsqueeze(1)).sum(-1)
