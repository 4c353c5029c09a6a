"""`cnn`: a convolution over the tag sequence (SEAL's CNN tag energy).

Each window of `kernel_size` consecutive tag vectors goes through a 1-d convolution, an
activation and a linear output; the energy sums the windows' outputs over the unpadded
positions. It sees more than tag pairs: e.g. that an entity's tags stay of one type.
"""
import torch
from allennlp.nn import Activation

from seal_adapters.energies.base import TagEnergy, zero_output_layers


@TagEnergy.register("cnn")
class TagCnnEnergy(TagEnergy):
    """
    # Parameters

    kernel_size : `int`, optional (default = `3`)
        Tags per window (odd, so windows centre on a token).
    hidden_dim : `int`, optional (default = `50`)
        Convolution channels.
    activation : `str`, optional (default = `"softplus"`)
    """

    def __init__(self, num_labels: int, kernel_size: int = 3, hidden_dim: int = 50,
                 activation: str = "softplus") -> None:
        super().__init__(num_labels)
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"cnn energy: kernel_size must be odd and positive, got {kernel_size}")
        self.conv = torch.nn.Conv1d(num_labels, hidden_dim, kernel_size, padding=kernel_size // 2)
        self.activation = Activation.by_name(activation)()
        self.output = torch.nn.Linear(hidden_dim, 1, bias=False)
        zero_output_layers(self.output)

    def forward(self, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, k, length, tags = y.shape
        mask = mask.to(y.dtype)
        flat = (y * mask[:, None, :, None]).reshape(batch * k, length, tags).transpose(1, 2)
        hidden = self.activation(self.conv(flat)).transpose(1, 2)  # [B*K, T, H]
        per_token = self.output(hidden).squeeze(-1).view(batch, k, length)
        return (per_token * mask.unsqueeze(1)).sum(-1)
