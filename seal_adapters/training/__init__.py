"""Training-time components: the `adapter_schedule` trainer callback (alias
`alternating_adapters`), the `atomic` checkpointer and the non-finite-loss check."""
from seal_adapters.embedders.sides import parameters_by_side, sides_by_name
from seal_adapters.training.adapter_schedule import AdapterScheduleCallback
from seal_adapters.training.allennlp_hooks import install as _install_allennlp_hooks
from seal_adapters.training.checkpointer import AtomicCheckpointer
from seal_adapters.training.finite_loss import NonFiniteLossError, check_finite_loss

AlternatingAdaptersCallback = AdapterScheduleCallback  # the old class name

_install_allennlp_hooks()
