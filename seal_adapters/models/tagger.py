"""`seal_tagger`: sequence tagging (NER, BIO tags) with SEAL on word-level embeddings.

Use the `pretrained_transformer_mismatched_with_adapters` embedder (and the
`pretrained_transformer_mismatched` indexer) so there is one vector per word. TaskNN: a tag
distribution per word. ScoreNN: `TagScoreHead`, per-word tag scores plus learned tag-pair
compatibilities along the sequence.
"""
from typing import Any, Dict, List, Optional

import torch
from allennlp.common import Lazy
from allennlp.common.checks import ConfigurationError
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder
from allennlp.nn.util import get_text_field_mask
from allennlp.training.metrics import CategoricalAccuracy

from seal_adapters.embedders import PretrainedTransformerMismatchedWithAdaptersEmbedder
from seal_adapters.energies import TagEnergy
from seal_adapters.losses import TagSequenceSpace
from seal_adapters.models.heads import ClassifierHead, TagScoreHead
from seal_adapters.models.metrics import InvalidTransitionRate
from seal_adapters.models.seal_model import SealModel, construct_energy
from seal_adapters.models.span_f1 import span_f1


@Model.register("seal_tagger")
class SealTagger(SealModel):
    """
    # Parameters

    The shared ones of `SealModel` (no pooler), plus:

    label_encoding : `str`, optional (default = `"BIO"`)
        Tag scheme for span F1 ("BIO", "IOB1", "BIOUL", "BMES"); null reports token accuracy only.
        With a scheme the model also reports `invalid_transition_rate`: the share of sentences
        whose argmax tags break the scheme (e.g. an I-X not after B-X/I-X), a measure of the
        structure the TaskNN has learnt.
    energy : `TagEnergy`, optional (default = `linear_chain`)
        The ScoreNN's structured term over the tag sequence: `linear_chain`, `cnn` or
        `self_attention`.

    The label field is `tags` (a `SequenceLabelField`); an optional `metadata` field is accepted.
    """

    default_predictor = "seal_tagger"
    # predictors that read this model's output (predictors/predictor_match.py)
    compatible_predictors = ("seal_tagger",)
    name = "seal_tagger"
    label_field = "tags"
    space = TagSequenceSpace()

    def __init__(self, vocab: Vocabulary, text_field_embedder: TextFieldEmbedder,
                 label_encoding: Optional[str] = "BIO",
                 energy: Optional[Lazy[TagEnergy]] = None, **kwargs) -> None:
        super().__init__(vocab, text_field_embedder, **kwargs)
        if not isinstance(self._embedder, PretrainedTransformerMismatchedWithAdaptersEmbedder):
            raise ConfigurationError(self._word_level_hint("its embedder works on wordpieces"))
        num_tags = len(self.labels)
        self._set_heads(
            ClassifierHead(self.hidden_size, num_tags, None, self.dropout, self.tasknn_hidden_dim),
            lambda: TagScoreHead(self.hidden_size, num_tags,
                                 construct_energy(energy, TagEnergy, num_tags), self.dropout),
        )
        self._accuracy = CategoricalAccuracy()
        self._spans = self._transitions = None
        if label_encoding is not None:
            try:
                self._spans = span_f1(vocab, self.label_namespace, label_encoding)
                self._transitions = InvalidTransitionRate(self.labels, label_encoding)
            except ConfigurationError as error:
                raise ConfigurationError(f"{self.name}: label_encoding: {error}") from error

    def _word_level_hint(self, problem: str) -> str:
        return (f"{self.name} tags words, but {problem}: use the word-level "
                "'pretrained_transformer_mismatched_with_adapters' embedder with the "
                "'pretrained_transformer_mismatched' indexer.")

    def _check_word_level(self, tags: torch.Tensor):
        def check(channel: torch.Tensor) -> None:
            if channel.size(1) != tags.size(1):
                raise ConfigurationError(self._word_level_hint(
                    f"the embedder gives {channel.size(1)} vectors per sentence for "
                    f"{tags.size(1)} tags"))
        return check

    def forward(self, tokens: TextFieldTensors, tags: Optional[torch.Tensor] = None,
                metadata: Optional[List[Dict[str, Any]]] = None,
                **extra: Any) -> Dict[str, torch.Tensor]:
        """`logits`, `probs` `[batch, words, tags]` and `mask`; with `tags` also `loss`."""
        self._check_fields(extra, ("tokens", "tags", "metadata"))
        mask = get_text_field_mask(tokens)
        gold = check = None
        if tags is not None:
            gold = torch.nn.functional.one_hot(tags.long(), len(self.labels)).float()
            gold = gold * mask.unsqueeze(-1)
            check = self._check_word_level(tags)
        output = self._seal_forward(tokens, mask, gold, mask if tags is not None else None, check)
        output["mask"] = mask
        if tags is not None:
            self._accuracy(output["logits"], tags, mask)
            if self._spans is not None:
                self._spans(output["logits"], tags, mask)
                self._transitions(output["logits"].argmax(-1), None, mask)
        return output

    def make_output_human_readable(self, output_dict: Dict[str, torch.Tensor]) -> Dict[str, Any]:
        """`tags` (a tag per word) and `tag_probs` (each chosen tag's probability)."""
        probs, mask = output_dict["probs"].detach().cpu(), output_dict["mask"].cpu()
        best, indices = probs.max(-1)
        lengths = mask.sum(-1).tolist()
        output_dict["tags"] = [[self.labels[i] for i in row[:n]]
                               for row, n in zip(indices.tolist(), lengths)]
        output_dict["tag_probs"] = [row[:n] for row, n in zip(best.tolist(), lengths)]
        return output_dict

    def _task_metrics(self, reset: bool) -> Dict[str, float]:
        metrics = {"accuracy": self._accuracy.get_metric(reset)}
        if self._spans is not None:
            spans = self._spans.get_metric(reset)
            metrics.update({k: v for k, v in spans.items() if k.endswith("-overall")})
            metrics["invalid_transition_rate"] = self._transitions.get_metric(reset)
        return metrics
