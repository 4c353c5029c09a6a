"""`seal_srl_tagger`: the SEAL tagger with the predicate as an input, span F1 without `V`.

The predicate reaches both networks as a learned indicator vector (one for "predicate", one
for "other word", per adapter: under `heads`-like ModuleDicts keyed by adapter, so each side's
indicator trains with its side) added to every word vector of that side's channel, as
allennlp-models' SRL BERT feeds its verb indicator into the encoder. Span F1 leaves out the
`V` span (the predicate is given), as the CoNLL SRL scorer does.
"""
from typing import Any, Dict, List, Optional

import torch
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder

from seal_adapters.tasks.tagging.model import SealTagger
from seal_adapters.tasks.tagging.span_f1 import span_f1

PREDICATE_TAG = "V"


@Model.register("seal_srl_tagger")
class SealSrlTagger(SealTagger):
    """The parameters of `seal_tagger` (default energy there: `linear_chain`; SEAL's SRL run
    used `self_attention`, as `seal_srl.jsonnet` does). Fields: `tokens`, `verb_indicator`,
    optional `tags` and `metadata`."""

    default_predictor = "seal_srl"
    name = "seal_srl_tagger"

    def __init__(self, vocab: Vocabulary, text_field_embedder: TextFieldEmbedder, **kwargs) -> None:
        super().__init__(vocab, text_field_embedder, **kwargs)
        sides = [self.tasknn_adapter] + ([self.scorenn_adapter] if self.uses_scorenn else [])
        self.predicate_indicators = torch.nn.ModuleDict(
            {side: torch.nn.Embedding(2, self.hidden_size) for side in sides})
        for embedding in self.predicate_indicators.values():
            torch.nn.init.normal_(embedding.weight, std=0.02)

    def _span_metric(self, vocab: Vocabulary, label_encoding: str):
        return span_f1(vocab, self.label_namespace, label_encoding, ignore_classes=[PREDICATE_TAG])

    def forward(self, tokens: TextFieldTensors, verb_indicator: torch.Tensor,
                tags: Optional[torch.Tensor] = None,
                metadata: Optional[List[Dict[str, Any]]] = None,
                **extra: Any) -> Dict[str, torch.Tensor]:
        """As `seal_tagger`, with `verb_indicator` `[batch, words]` (1 at the predicate)."""
        self._check_fields(extra, ("tokens", "verb_indicator", "tags", "metadata"))
        indicator = verb_indicator.long()

        def with_predicate(side: str, channel: torch.Tensor) -> torch.Tensor:
            return channel + self.predicate_indicators[side](indicator).to(channel.dtype)

        return self._tag_forward(tokens, tags, with_predicate)
