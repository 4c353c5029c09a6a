"""Energies: the structured (global) term of a ScoreNN, as Registrables chosen in a config.

A ScoreNN head scores `(x, y)` as a local term (each label's or tag's compatibility with the
input features) plus one of these energies, a function of the label structure `y` alone that
learns what cross-entropy's independent outputs miss: which labels go together
(`LabelEnergy`: `feedforward`), which tags follow which (`TagEnergy`: `linear_chain`, `cnn`,
`self_attention`). Changing the energy is a config change:

    "model": {"type": "seal_tagger", "energy": {"type": "cnn", "kernel_size": 3}, ...}

Every energy starts at exactly 0 for every y (its output layer is zero-initialised), so an
untrained ScoreNN does not push the TaskNN anywhere.
"""
from seal_adapters.energies.base import LabelEnergy, TagEnergy
from seal_adapters.energies.feedforward import FeedForwardEnergy
from seal_adapters.energies.linear_chain import LinearChainEnergy
from seal_adapters.energies.tag_cnn import TagCnnEnergy
from seal_adapters.energies.tag_self_attention import TagSelfAttentionEnergy

__all__ = ["FeedForwardEnergy", "LabelEnergy", "LinearChainEnergy", "TagCnnEnergy",
           "TagEnergy", "TagSelfAttentionEnergy"]
