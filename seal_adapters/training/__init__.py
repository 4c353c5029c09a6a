"""Training-time components: the alternating-adapters trainer callback."""
from seal_adapters.training.alternating_adapters import AlternatingAdaptersCallback
from seal_adapters.training.sides import parameters_by_side, side_of
