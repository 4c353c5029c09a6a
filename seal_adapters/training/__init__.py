"""Training-time components: the alternating-adapters trainer callback, the `atomic`
checkpointer and the non-finite-loss check."""
from seal_adapters.embedders.sides import parameters_by_side, sides_by_name
from seal_adapters.training.allennlp_hooks import install as _install_allennlp_hooks
from seal_adapters.training.alternating_adapters import AlternatingAdaptersCallback
from seal_adapters.training.checkpointer import AtomicCheckpointer
from seal_adapters.training.finite_loss import NonFiniteLossError, check_finite_loss

_install_allennlp_hooks()
