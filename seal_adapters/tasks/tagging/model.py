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
from allennlp.training.metrics import CategoricalAccuracy, FBetaMeasure

from seal_adapters.embedders import PretrainedTransformerMismatchedWithAdaptersEmbedder
from seal_adapters.energies import TagEnergy
from seal_adapters.losses import TagSequenceSpace
from seal_adapters.models.heads import ClassifierHead, TagScoreHead
from seal_adapters.models.seal_model import SealModel, construct_energy
from seal_adapters.tasks.tagging.decoding import constrained_paths, transition_constraints
from seal_adapters.tasks.tagging.metrics import InvalidTransitionRate, per_tag_scores
from seal_adapters.tasks.tagging.span_f1 import span_f1


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
    constrained_decoding : `bool`, optional (default = `false`)
        With a `label_encoding`: predicted tags (output and span F1) are the most probable
        sequence without an invalid transition (Viterbi over the TaskNN's log-probabilities,
        allennlp's allowed transitions), instead of each word's most probable tag.
        `invalid_transition_rate` always measures the unconstrained argmax.

    Without a `label_encoding` (POS and other tag sets without spans) the metrics are token
    `accuracy` and, per tag, `precision-<tag>`, `recall-<tag>` and `f1-<tag>`.

    The label field is `tags` (a `SequenceLabelField`); an optional `metadata` field is accepted.
    """

    default_predictor = "seal_tagger"
    output_kind = "tags"  # what a predictor reads back (predictors/predictor_match.py)
    name = "seal_tagger"
    label_field = "tags"
    space = TagSequenceSpace()

    def __init__(self, vocab: Vocabulary, text_field_embedder: TextFieldEmbedder,
                 label_encoding: Optional[str] = "BIO",
                 energy: Optional[Lazy[TagEnergy]] = None, constrained_decoding: bool = False,
                 **kwargs) -> None:
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
        self._spans = self._transitions = self._per_tag = None
        self._constraints = None
        if label_encoding is not None:
            try:
                self._spans = self._span_metric(vocab, label_encoding)
                self._transitions = InvalidTransitionRate(self.labels, label_encoding)
            except ConfigurationError as error:
                raise ConfigurationError(f"{self.name}: label_encoding: {error}") from error
            if constrained_decoding:
                self._constraints = transition_constraints(self.labels, label_encoding)
        else:
            if constrained_decoding:
                raise ConfigurationError(
                    f"{self.name}: constrained_decoding needs a label_encoding (e.g. \"BIO\"): "
                    "without a tag scheme there are no invalid transitions to avoid.")
            self._per_tag = FBetaMeasure(average=None)

    def _span_metric(self, vocab: Vocabulary, label_encoding: str):
        return span_f1(vocab, self.label_namespace, label_encoding)

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
        return self._tag_forward(tokens, tags)

    def _tag_forward(self, tokens: TextFieldTensors, tags: Optional[torch.Tensor],
                     inputs=None) -> Dict[str, torch.Tensor]:
        """The tagging forward; `inputs(adapter, channel)` adds task inputs to the channels."""
        mask = get_text_field_mask(tokens)
        gold = check = None
        if tags is not None:
            gold = torch.nn.functional.one_hot(tags.long(), len(self.labels)).float()
            gold = gold * mask.unsqueeze(-1)
            check = self._check_word_level(tags)
        output = self._seal_forward(tokens, mask, gold, mask if tags is not None else None, check,
                                    inputs)
        output["mask"] = mask
        if tags is not None:
            self._accuracy(output["logits"], tags, mask)
            if self._spans is not None:
                self._spans(self._decoded_scores(output["logits"], mask), tags, mask)
                self._transitions(output["logits"].argmax(-1), None, mask)
            else:
                self._per_tag(output["logits"], tags, mask)
        return output

    def _decoded_scores(self, logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Scores whose argmax is the prediction: the logits, or with constrained decoding
        the one-hot of each sentence's best valid sequence."""
        if self._constraints is None:
            return logits
        paths = constrained_paths(logits.detach().float().log_softmax(-1), mask, self._constraints)
        decoded = torch.zeros_like(logits)
        for row, path in enumerate(paths):
            decoded[row, torch.arange(len(path)), torch.tensor(path, dtype=torch.long)] = 1.0
        return decoded

    def make_output_human_readable(self, output_dict: Dict[str, torch.Tensor]) -> Dict[str, Any]:
        """`tags` (a tag per word) and `tag_probs` (each chosen tag's probability)."""
        probs, mask = output_dict["probs"].detach().cpu(), output_dict["mask"].cpu()
        best, indices = probs.max(-1)
        if self._constraints is not None:
            indices = self._decoded_scores(probs.log(), mask).argmax(-1)
            best = probs.gather(-1, indices.unsqueeze(-1)).squeeze(-1)
        lengths = mask.sum(-1).tolist()
        output_dict["tags"] = [[self.labels[i] for i in row[:n]]
                               for row, n in zip(indices.tolist(), lengths)]
        output_dict["tag_probs"] = [row[:n] for row, n in zip(best.tolist(), lengths)]
        return output_dict

    def _task_metrics(self, reset: bool) -> Dict[str, float]:
        metrics = {"accuracy": self._accuracy.get_metric(reset)}
        if self._per_tag is not None:
            metrics.update(per_tag_scores(self._per_tag, self.labels, reset))
        if self._spans is not None:
            spans = self._spans.get_metric(reset)
            metrics.update({k: v for k, v in spans.items() if k.endswith("-overall")})
            metrics["invalid_transition_rate"] = self._transitions.get_metric(reset)
        return metrics
