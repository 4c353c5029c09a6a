"""Gradient checkpointing that recomputes with the same adapter channels as the forward.

adapters' own checkpointing re-enters its ForwardContext during recomputation, but not an
`AdapterSetup` context; the embedders choose channels with `AdapterSetup`, so the recompute
would run the model's permanent setup instead (other channels, other shapes). This function
re-enters both.
"""
import contextlib
import functools

from adapters import AdapterSetup
from adapters.context import ForwardContext
from torch.utils.checkpoint import checkpoint


@contextlib.contextmanager
def _reenter(*contexts):
    with contextlib.ExitStack() as stack:
        for context in contexts:
            if context is not None:
                stack.enter_context(context)
        yield


def _checkpoint_with_adapter_contexts(function, *args, **kwargs):
    forward_context = ForwardContext.get_context()
    setup_context = AdapterSetup.get_context()
    return checkpoint(
        function, *args, use_reentrant=False,
        context_fn=lambda: (contextlib.nullcontext(), _reenter(forward_context, setup_context)),
        **kwargs,
    )


def enable_gradient_checkpointing(model) -> None:
    """Non-reentrant checkpointing (works with a frozen backbone) aware of adapter setups."""
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model._set_gradient_checkpointing(
        enable=True, gradient_checkpointing_func=functools.partial(_checkpoint_with_adapter_contexts)
    )
