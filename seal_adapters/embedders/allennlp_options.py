"""The options of allennlp's `pretrained_transformer` embedders, with the same meaning here.

So an existing config changes only its `type`. What each does with adapters:

* `load_weights`, `override_weights_file`, `override_weights_strip_prefix`: which weights the
  backbone starts from (backbone_cache.py); the adapters are added on top.
* `train_parameters`: true trains the backbone too (a private copy of its weights), with the
  adapters. Only with one adapter: with two, both sides' losses would train the one shared
  backbone, and SEAL's guarantee (each side trained by its own loss alone) would be gone.
* `eval_mode`: the transformer (adapters included) stays in eval mode, dropout off, while
  the model trains, as in allennlp.
* `reinit_modules`: re-initialises the last N layers (an int) or the modules whose names match
  the given regexes, as allennlp does; only with `train_parameters` true, since frozen random
  layers would stay random.
* `sub_module`: refused, with the reason (the adapters are set up on the whole model).
* Tokens added through `tokenizer_kwargs` (e.g. `additional_special_tokens`): the embedding
  matrix is resized as allennlp does. The new rows train only with `train_parameters`
  (otherwise they keep their random initialisation, as in allennlp); a warning says so.
"""
import logging
import re
from typing import Optional, Sequence, Tuple, Union

import torch
from allennlp.common.checks import ConfigurationError

logger = logging.getLogger(__name__)

ReinitModules = Optional[Union[int, Tuple[int, ...], Tuple[str, ...]]]


def check_options(adapter_names: Sequence[str], train_parameters: bool, sub_module: Optional[str],
                  reinit_modules: ReinitModules) -> None:
    if sub_module:
        raise ConfigurationError(
            f"sub_module '{sub_module}' is not supported by the adapter embedders: adapters are set "
            "up on the whole model (for T5 / BART that includes the decoder, which this embedder "
            "never runs) and their Parallel composition needs the model's own forward. Use an "
            "encoder-only model, or allennlp's pretrained_transformer with sub_module."
        )
    if train_parameters and len(adapter_names) > 1:
        raise ConfigurationError(
            f"train_parameters true trains the shared backbone, so with adapters {list(adapter_names)} "
            "every side's loss would train it and SEAL's sides would no longer be separate. Use it "
            "with one adapter (e.g. a fine-tuning baseline), or leave it false (only the adapters "
            "and heads train)."
        )
    if reinit_modules is not None and not train_parameters:
        raise ConfigurationError(
            f"reinit_modules {reinit_modules!r} re-initialises backbone layers, but the backbone is "
            "frozen (train_parameters false), so they would stay random. Set train_parameters true "
            "(with one adapter) or leave reinit_modules out."
        )


def _encoder_layers(backbone) -> Optional[torch.nn.ModuleList]:
    encoder = getattr(backbone, "encoder", None)
    layers = getattr(encoder, "layer", None) or getattr(encoder, "layers", None)
    return layers if isinstance(layers, torch.nn.ModuleList) else None


def reinit(backbone, reinit_modules: ReinitModules) -> None:
    """allennlp's `reinit_modules`: an int N re-initialises the last N layers, a tuple of ints
    those layers, a tuple of strings the modules whose names match one of them (regexes)."""
    if reinit_modules is None:
        return
    if isinstance(reinit_modules, int):
        reinit_modules = tuple(range(-reinit_modules, 0))
    chosen = []
    if all(isinstance(item, int) for item in reinit_modules):
        layers = _encoder_layers(backbone)
        if layers is None:
            raise ConfigurationError("reinit_modules gives layer numbers, but this model has no "
                                     "encoder.layer list: give module-name regexes instead.")
        for index in reinit_modules:
            if not -len(layers) <= index < len(layers):
                raise ConfigurationError(f"reinit_modules: layer {index} does not exist; the model has "
                                         f"{len(layers)} layers.")
            chosen.append(layers[index])
    else:
        patterns = [re.compile(str(item)) for item in reinit_modules]
        chosen = [module for name, module in backbone.named_modules()
                  if name and any(p.search(name) for p in patterns)]
        if not chosen:
            raise ConfigurationError(f"reinit_modules {list(reinit_modules)} matches no module of the "
                                     "model: give regexes of module names (e.g. 'encoder.layer.11').")
    for module in chosen:
        module.apply(backbone._init_weights)


def resize_for_added_tokens(backbone, tokenizer_size: int, train_parameters: bool) -> None:
    """Grows the embedding matrix to `tokenizer_size` rows (the new rows train only when the
    whole backbone does: the embedder sets requires_grad for the backbone afterwards)."""
    embeddings = backbone.get_input_embeddings()
    rows = embeddings.num_embeddings
    # The pretrained matrix may be shared with other embedders of the same model (the backbone
    # cache), and transformers resizes by assigning the grown matrix to the existing
    # parameter's `.data`: that would grow every sharer's matrix (and the cache's) behind its
    # module. This backbone gets its own copy first, so only it grows.
    embeddings.weight = torch.nn.Parameter(embeddings.weight.detach().clone(),
                                           requires_grad=embeddings.weight.requires_grad)
    backbone.resize_token_embeddings(tokenizer_size)
    grown = backbone.get_input_embeddings()
    if grown.num_embeddings != tokenizer_size or grown.weight.shape[0] != tokenizer_size:
        raise ConfigurationError(
            f"tokenizer_kwargs add tokens: the embedding matrix should have {tokenizer_size} rows "
            f"but has {grown.weight.shape[0]} (num_embeddings {grown.num_embeddings}) after "
            "resizing. Use tokens the model already has.")
    if not train_parameters:
        logger.warning(
            "tokenizer_kwargs add %d token(s) beyond the model's %d embedding rows: the matrix is "
            "resized and their rows keep their random initialisation, since the backbone is frozen "
            "(as in allennlp with train_parameters false). Set train_parameters true (one adapter) "
            "to train them, or use tokens the model already has.", tokenizer_size - rows, rows)
