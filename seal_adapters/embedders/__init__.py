"""Token embedders that expose one frozen transformer with named adapters in Parallel."""
from seal_adapters.embedders.adapter_backbone import AdapterBackbone
from seal_adapters.embedders.channels import adapter_embedders, embed_channels
from seal_adapters.embedders.export import export_adapters
from seal_adapters.embedders.pretrained_transformer_mismatched_with_adapters import (
    PretrainedTransformerMismatchedWithAdaptersEmbedder,
)
from seal_adapters.embedders.pretrained_transformer_with_adapters import (
    PretrainedTransformerWithAdaptersEmbedder,
)
