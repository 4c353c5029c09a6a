"""`pretrained_transformer_mismatched_with_adapters`: word-level embeddings for tagging.

allennlp's mismatched embedder pools wordpieces into words around a matched embedder; here
the matched embedder is the adapter one. Pooling acts per feature, so the channels that
sit side by side on the feature axis are pooled independently.
"""
from typing import Any, Dict, Optional, Sequence

from allennlp.modules.token_embedders import PretrainedTransformerMismatchedEmbedder, TokenEmbedder

from seal_adapters.embedders.adapter_configs import AdapterSpec
from seal_adapters.embedders.allennlp_options import ReinitModules
from seal_adapters.embedders.compilation import CompileSpec
from seal_adapters.embedders.pretrained_transformer_with_adapters import (
    CONCAT,
    PretrainedTransformerWithAdaptersEmbedder,
)


@TokenEmbedder.register("pretrained_transformer_mismatched_with_adapters")
class PretrainedTransformerMismatchedWithAdaptersEmbedder(PretrainedTransformerMismatchedEmbedder):
    """Parameters as `pretrained_transformer_with_adapters`, plus allennlp's `sub_token_mode`
    ("avg" or "first") for pooling wordpieces into words."""

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
        sub_token_mode: str = "avg",
        train_parameters: bool = False,
        eval_mode: bool = False,
        load_weights: bool = True,
        sub_module: Optional[str] = None,
        reinit_modules: ReinitModules = None,
        override_weights_file: Optional[str] = None,
        override_weights_strip_prefix: Optional[str] = None,
    ) -> None:
        TokenEmbedder.__init__(self)
        self._matched_embedder = PretrainedTransformerWithAdaptersEmbedder(
            model_name,
            adapters=adapters,
            load_adapters=load_adapters,
            output=output,
            execution=execution,
            max_length=max_length,
            last_layer_only=last_layer_only,
            gradient_checkpointing=gradient_checkpointing,
            compile=compile,
            tokenizer_kwargs=tokenizer_kwargs,
            transformer_kwargs=transformer_kwargs,
            train_parameters=train_parameters,
            eval_mode=eval_mode,
            load_weights=load_weights,
            sub_module=sub_module,
            reinit_modules=reinit_modules,
            override_weights_file=override_weights_file,
            override_weights_strip_prefix=override_weights_strip_prefix,
        )
        self.sub_token_mode = sub_token_mode

    @property
    def adapter_names(self):
        return self._matched_embedder.adapter_names

    @property
    def hidden_size(self) -> int:
        return self._matched_embedder.hidden_size

    def channels(self, names: Sequence[str]):
        return self._matched_embedder.channels(names)

    def adapter_parameters(self, name: str):
        return self._matched_embedder.adapter_parameters(name)
