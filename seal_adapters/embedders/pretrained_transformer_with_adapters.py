"""`pretrained_transformer_with_adapters`: allennlp's transformer embedder on a frozen backbone
with named adapters active in Parallel.

It keeps allennlp's `pretrained_transformer` behaviour (long-sequence folding with
`max_length`, `last_layer_only` scalar mix, type ids) by subclassing it and swapping the
transformer for an `AdapterBackbone`. What the model receives is chosen by `output`:
one adapter's channel, or "concat" (all channels on the feature axis, for allennlp's
built-in models). Models of this package ask for channels with `channels(...)`.
"""
import contextlib
import logging
from typing import Any, Dict, Iterator, Optional, Sequence, Tuple

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data.tokenizers import PretrainedTransformerTokenizer
from allennlp.modules.token_embedders import PretrainedTransformerEmbedder, TokenEmbedder

from seal_adapters.embedders.adapter_backbone import AdapterBackbone
from seal_adapters.embedders.adapter_configs import AdapterSpec, build_adapter_configs, check_loaded_as_asked
from seal_adapters.embedders.allennlp_options import (
    ReinitModules,
    check_options,
    reinit,
    resize_for_added_tokens,
)
from seal_adapters.embedders.backbone_cache import frozen_backbone
from seal_adapters.embedders.channel_scalar_mix import ChannelScalarMix
from seal_adapters.embedders.checkpointing import enable_gradient_checkpointing
from seal_adapters.embedders.compilation import CompileSpec
from seal_adapters.embedders.model_source import resolve_model_name

logger = logging.getLogger(__name__)


def position_limit(backbone) -> int:
    """How many wordpieces the model can encode at once (RoBERTa keeps padding_idx + 1 of its
    position rows for padding)."""
    embeddings = getattr(backbone, "embeddings", None)
    reserved = getattr(embeddings, "padding_idx", None)
    return backbone.config.max_position_embeddings - (reserved + 1 if reserved is not None else 0)


def check_max_length(max_length, num_added_tokens: int, limit: int) -> None:
    if max_length is None:
        return
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length <= num_added_tokens:
        raise ConfigurationError(
            f"max_length {max_length!r}: give a whole number above the {num_added_tokens} special "
            f"token(s) the tokenizer adds and at most the model's {limit} positions (e.g. {limit}), "
            "or leave it out (long texts are then encoded in windows of the model's positions)."
        )
    if max_length > limit:
        raise ConfigurationError(
            f"max_length {max_length} is more than the model's {limit} positions: use at most {limit}."
        )

CONCAT = "concat"


@TokenEmbedder.register("pretrained_transformer_with_adapters")
class PretrainedTransformerWithAdaptersEmbedder(PretrainedTransformerEmbedder):
    """
    # Parameters

    model_name : `str`, optional
        A local Hugging Face model directory or a hub name; null (or "minilm") uses the
        bundled MiniLM-L6. Use the same name in the reader's tokenizer / indexer.
    adapters : `Dict[str, Union[str, Dict]]`, optional (default = `{"scorenn": "seq_bn", "tasknn": "seq_bn"}`)
        Adapter name -> `adapters` config: a name ("seq_bn", "lora", "prefix_tuning", ...)
        or a dict with `architecture` and its options. All are active together in Parallel.
    load_adapters : `Dict[str, str]`, optional
        Adapter name -> directory written by `save_adapter`, to start from trained adapters.
    output : `str`, optional (default = `"concat"`)
        An adapter name (returns that channel, `[batch, tokens, hidden]`) or "concat".
    execution : `str`, optional (default = `"auto"`)
        How several channels are computed: "parallel" (one Parallel pass), "sequential"
        (one pass per adapter, frozen ones without autograd) or "auto"; see AdapterBackbone.
    max_length : `int`, optional
        As in allennlp: fold texts longer than this into segments, each with its own special
        tokens; the reader's token indexer must set the same `max_length` (checked when
        training starts). Without it, a text longer than the model's positions is encoded in
        windows of that many wordpieces (positions restart in each window; one warning), so
        long inputs never crash.
    last_layer_only, tokenizer_kwargs, transformer_kwargs, train_parameters, eval_mode,
    load_weights, reinit_modules, override_weights_file, override_weights_strip_prefix :
        As in allennlp's `pretrained_transformer` embedder; what they mean with adapters (and
        why `sub_module` is refused) is in allennlp_options.py.
    gradient_checkpointing : `bool`, optional
        Recompute activations in backward (non-reentrant, so it works with a frozen backbone).
    compile : `Union[bool, str, Dict]`, optional (default = `False`)
        `torch.compile` the transformer with its adapters: true, "auto" (GPU inputs only) or
        a dict of torch.compile arguments plus `devices`; see compilation.py.
    """

    def __init__(
        self,
        model_name: Optional[str] = None,
        *,
        adapters: Optional[Dict[str, AdapterSpec]] = None,
        load_adapters: Optional[Dict[str, str]] = None,
        output: str = CONCAT,
        execution: str = "auto",
        max_length: Optional[int] = None,
        last_layer_only: bool = True,
        gradient_checkpointing: Optional[bool] = None,
        compile: CompileSpec = False,
        tokenizer_kwargs: Optional[Dict[str, Any]] = None,
        transformer_kwargs: Optional[Dict[str, Any]] = None,
        train_parameters: bool = False,
        eval_mode: bool = False,
        load_weights: bool = True,
        sub_module: Optional[str] = None,
        reinit_modules: ReinitModules = None,
        override_weights_file: Optional[str] = None,
        override_weights_strip_prefix: Optional[str] = None,
    ) -> None:
        TokenEmbedder.__init__(self)
        configs = build_adapter_configs(adapters, load_adapters)
        check_options(list(configs), train_parameters, sub_module, reinit_modules)
        if output != CONCAT and output not in configs:
            raise ConfigurationError(
                f"output '{output}' names no adapter: use one of {list(configs)} or \"{CONCAT}\"."
            )
        if gradient_checkpointing and compile:
            raise ConfigurationError(
                "gradient_checkpointing and compile cannot be combined: torch.compile cannot trace "
                "the checkpoint function that re-enters the adapter setup on recompute. Use one "
                "of them (compile with gradient_checkpointing off, or checkpointing uncompiled)."
            )
        self.model_name = resolve_model_name(model_name)
        backbone = frozen_backbone(self.model_name, transformer_kwargs, load_weights=load_weights,
                                   override_weights_file=override_weights_file,
                                   override_weights_strip_prefix=override_weights_strip_prefix,
                                   private=train_parameters)
        tokenizer = PretrainedTransformerTokenizer(self.model_name, tokenizer_kwargs=tokenizer_kwargs)
        self._check_tokenizer_size(backbone, tokenizer, tokenizer_kwargs, train_parameters)
        reinit(backbone, reinit_modules)
        self.transformer_model = AdapterBackbone(backbone, configs, load_adapters, execution,
                                                 compile=compile)
        check_loaded_as_asked(adapters, load_adapters,
                              {name: backbone.adapters_config.get(name) for name in load_adapters or {}})
        if train_parameters:
            for parameter in backbone.parameters():
                parameter.requires_grad_(True)
        if gradient_checkpointing:
            enable_gradient_checkpointing(backbone)
        self.config = backbone.config
        self.output = output
        self.hidden_size = self.config.hidden_size
        self._max_length = max_length
        self._scalar_mix: Optional[ChannelScalarMix] = None
        if not last_layer_only:
            backbone_of_mix = self.transformer_model
            self._scalar_mix = ChannelScalarMix(self.transformer_model.names,
                                                self.config.num_hidden_layers, self.hidden_size,
                                                lambda: backbone_of_mix.requested)
            self.config.output_hidden_states = True
        self._num_added_start_tokens = len(tokenizer.single_sequence_start_tokens)
        self._num_added_end_tokens = len(tokenizer.single_sequence_end_tokens)
        self._num_added_tokens = self._num_added_start_tokens + self._num_added_end_tokens
        self.position_limit = position_limit(backbone)
        check_max_length(max_length, self._num_added_tokens, self.position_limit)
        self._warned_long_input = False
        self.train_parameters = train_parameters
        self.eval_mode = eval_mode  # read by train(): the transformer stays in eval mode
        if eval_mode:  # as allennlp's embedder: in eval mode from construction on
            self.transformer_model.eval()
        self._output_names: Tuple[str, ...] = self.adapter_names if output == CONCAT else (output,)
        self.transformer_model.set_requested(self._output_names)

    def _check_tokenizer_size(self, backbone, tokenizer, tokenizer_kwargs, train_parameters: bool) -> None:
        """Tokens added by `tokenizer_kwargs` get embedding rows (as in allennlp); a tokenizer
        that is bigger on its own belongs to another model."""
        rows = backbone.get_input_embeddings().num_embeddings
        size = len(tokenizer.tokenizer)
        if size <= rows:
            return
        own = len(PretrainedTransformerTokenizer(self.model_name).tokenizer) if tokenizer_kwargs else size
        if own > rows:
            raise ConfigurationError(
                f"The tokenizer in '{self.model_name}' has {own} tokens but the model's embedding "
                f"matrix has {rows} rows: the tokenizer and the model do not match. Put the "
                "tokenizer saved with these weights into the model directory."
            )
        resize_for_added_tokens(backbone, size, train_parameters)

    @property
    def adapter_names(self) -> Tuple[str, ...]:
        return self.transformer_model.names

    @property
    def output_dim(self) -> int:  # read by allennlp's get_output_dim
        return self.hidden_size * len(self.transformer_model.requested)

    @contextlib.contextmanager
    def channels(self, names: Sequence[str]) -> Iterator[None]:
        """Within the block, forward returns these adapters' channels side by side."""
        self.transformer_model.set_requested(tuple(names))
        try:
            yield
        finally:
            self.transformer_model.set_requested(self._output_names)

    def adapter_parameters(self, name: str):
        return self.transformer_model.adapter_parameters(name)

    def forward(self, token_ids: torch.LongTensor, mask: torch.BoolTensor,
                type_ids: Optional[torch.LongTensor] = None,
                segment_concat_mask: Optional[torch.BoolTensor] = None) -> torch.Tensor:
        if self._max_length is not None and segment_concat_mask is None:
            raise ConfigurationError(
                f"The embedder has max_length {self._max_length}, but the token indexer does not "
                "fold long texts: set the same max_length on the reader's token indexer."
            )
        if self._max_length is not None or token_ids.size(1) <= self.position_limit:
            return super().forward(token_ids, mask, type_ids, segment_concat_mask)
        return self._forward_in_windows(token_ids, mask, type_ids)

    def _forward_in_windows(self, token_ids, mask, type_ids):
        """A batch with texts longer than the model's positions. Each text is encoded only as
        far as it goes: the texts that fit run as one batch cut to the longest of them, the long
        ones as consecutive windows of the positions, windows of padding skipped. (One long
        text no longer pads every text of its batch to its length: a 5,000-wordpiece tweet in a
        batch of 32 needs 10 windows, not 320.)"""
        batch, length = token_ids.shape
        window = self.position_limit
        if not self._warned_long_input:
            logger.warning(
                "A text of %d wordpieces is longer than the model's %d positions: it is encoded "
                "in windows of %d wordpieces. To fold long texts as allennlp does (special "
                "tokens in every segment), set the same max_length on the reader's token "
                "indexer and on the embedder; to cut them, set the reader's max_tokens.",
                length, window, window)
            self._warned_long_input = True
        positions = torch.arange(1, length + 1, device=mask.device)
        ends = (mask.long() * positions).max(dim=1).values  # one past each text's last wordpiece
        long_rows = (ends > window).nonzero().squeeze(1)
        short_rows = (ends <= window).nonzero().squeeze(1)
        parts = []
        if short_rows.numel():
            cut = max(int(ends[short_rows].max()), 1)

            def short(tensor):
                return None if tensor is None else tensor[short_rows, :cut]

            parts.append((short_rows, super().forward(short(token_ids), short(mask), short(type_ids), None)))
        if long_rows.numel():
            parts.append((long_rows, self._windows(token_ids[long_rows], mask[long_rows],
                                                   None if type_ids is None else type_ids[long_rows])))
        dim = parts[0][1].size(-1)
        out = parts[0][1].new_zeros(batch, length, dim)
        for rows, embedded in parts:
            width = min(embedded.size(1), length)
            out = out.index_copy(0, rows, torch.nn.functional.pad(
                embedded[:, :width], (0, 0, 0, length - width)))
        return out

    def _windows(self, token_ids, mask, type_ids):
        """Texts longer than the positions as consecutive windows of them; windows that hold
        only padding are not computed (their output is zeros, masked out downstream)."""
        batch, length = token_ids.shape
        window = self.position_limit
        count = -(-length // window)
        padding = count * window - length

        def fold(tensor):
            if tensor is None:
                return None
            return torch.nn.functional.pad(tensor, (0, padding)).reshape(batch * count, window)

        folded_mask = fold(mask)
        used = folded_mask.any(dim=1).nonzero().squeeze(1)
        embedded = super().forward(fold(token_ids)[used], folded_mask[used],
                                   None if type_ids is None else fold(type_ids)[used], None)
        out = embedded.new_zeros(batch * count, window, embedded.size(-1)).index_copy(0, used, embedded)
        return out.reshape(batch, count * window, -1)[:, :length]

    def train(self, mode: bool = True):
        torch.nn.Module.train(self, mode)
        if self.eval_mode:  # allennlp's eval_mode: the transformer (and its adapters) never train
            self.transformer_model.eval()
        return self
