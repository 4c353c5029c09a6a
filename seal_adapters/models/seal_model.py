"""`SealModel`: what the three SEAL models share.

One embedder pass computes the TaskNN channel and, only when training with labels and a
score loss, the ScoreNN channel (`embed_channels`); prediction and evaluation run the TaskNN
adapter alone. The training loss is `tasknn_loss + scorenn_loss`:

* the ScoreNN loss sees the TaskNN's probabilities detached, so it never trains the TaskNN;
* the TaskNN's score term sees the ScoreNN with its parameters and features detached, so its
  gradient flows through the ScoreNN into y_hat only, never into the ScoreNN.

So the sum trains each side by its own loss alone, with both sides trainable at once or with
the `alternating_adapters` callback dropping the idle side's gradients.
"""
import logging
from typing import Any, Dict, List, Optional, Tuple

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder
from allennlp.nn.util import dist_reduce_sum, get_text_field_mask

from seal_adapters.embedders.channels import embed_channels, single_adapter_embedder
from seal_adapters.losses import CrossEntropyScoreLoss, NCERankingLoss, ScoreNNLoss, TaskNNLoss
from seal_adapters.losses.label_spaces import LabelSpace

logger = logging.getLogger(__name__)

LOSS_METRICS = ("tasknn_loss", "scorenn_loss")
# Weight of the TaskNN's score term: see `score_loss_weight` in SealTextClassifier.
DEFAULT_SCORE_LOSS_WEIGHT = 0.1


class SealModel(Model):
    """Base class; subclasses set `space`, `name`, `label_field`, build the heads with
    `_set_heads` and call `_seal_forward`."""

    space: LabelSpace
    name = "seal model"
    label_field = "label"

    def __init__(
        self,
        vocab: Vocabulary,
        text_field_embedder: TextFieldEmbedder,
        *,
        label_namespace: str,
        score_loss_weight: float,
        tasknn_loss: Optional[TaskNNLoss],
        scorenn_loss: Optional[ScoreNNLoss],
        tasknn_adapter: str,
        scorenn_adapter: str,
        **kwargs,
    ) -> None:
        super().__init__(vocab, **kwargs)
        self._text_field_embedder = text_field_embedder
        self._embedder = single_adapter_embedder(text_field_embedder, self.name)
        if score_loss_weight < 0:
            raise ConfigurationError(
                f"{self.name}: score_loss_weight must be >= 0 (0 = plain cross-entropy TaskNN), "
                f"got {score_loss_weight}."
            )
        self.score_loss_weight = float(score_loss_weight)
        self.tasknn_adapter = tasknn_adapter
        self.scorenn_adapter = scorenn_adapter
        self._check_adapters()
        self.label_namespace = label_namespace
        self.labels = self._labels_of(vocab, label_namespace)
        self._tasknn_loss = tasknn_loss or CrossEntropyScoreLoss()
        if scorenn_loss is not None and not self.uses_scorenn:
            logger.warning("%s: score_loss_weight is 0, so scorenn_loss is not used.", self.name)
        self._scorenn_loss = (scorenn_loss or NCERankingLoss()) if self.uses_scorenn else None
        self._loss_sums: Dict[str, List[float]] = {name: [0.0, 0] for name in LOSS_METRICS}
        self.heads = torch.nn.ModuleDict()

    # -- construction -------------------------------------------------------------------

    @property
    def uses_scorenn(self) -> bool:
        """False for the baseline (score_loss_weight 0): no ScoreNN head, channel or loss."""
        return self.score_loss_weight > 0

    @property
    def hidden_size(self) -> int:
        return self._embedder.hidden_size

    def _check_adapters(self) -> None:
        available = list(self._embedder.adapter_names)
        needed = [self.tasknn_adapter] + ([self.scorenn_adapter] if self.uses_scorenn else [])
        if self.uses_scorenn and self.tasknn_adapter == self.scorenn_adapter:
            raise ConfigurationError(
                f"{self.name}: tasknn_adapter and scorenn_adapter are both '{self.tasknn_adapter}'; "
                "SEAL needs two different adapters."
            )
        for role, adapter in zip(("tasknn_adapter", "scorenn_adapter"), needed):
            if adapter not in available:
                hint = (" For a TaskNN-only baseline set score_loss_weight to 0."
                        if role == "scorenn_adapter" else "")
                raise ConfigurationError(
                    f"{self.name}: {role} '{adapter}' is not an adapter of the embedder, which has "
                    f"{available}. Add '{adapter}' to the embedder's 'adapters' or set {role} to "
                    f"one of them.{hint}"
                )

    def _labels_of(self, vocab: Vocabulary, namespace: str) -> List[str]:
        special = {vocab._padding_token, vocab._oov_token}
        labels = [label for _, label in sorted(vocab.get_index_to_token_vocabulary(namespace).items())]
        if not [label for label in labels if label not in special]:
            namespaces = sorted(n for n in vocab.get_namespaces() if vocab.get_vocab_size(n))
            raise ConfigurationError(
                f"{self.name}: the vocabulary has no labels in namespace '{namespace}' (it has "
                f"namespaces {namespaces}). Set the model's label_namespace to the namespace your "
                f"reader puts its '{self.label_field}' field in."
            )
        if vocab.is_padded(namespace):
            logger.warning("%s: label namespace '%s' is padded, so padding/OOV count as labels; "
                           "name it '*labels' or '*tags' to avoid that.", self.name, namespace)
        return labels

    def _set_heads(self, tasknn_head: torch.nn.Module, scorenn_head: Optional[torch.nn.Module]) -> None:
        self.heads[self.tasknn_adapter] = tasknn_head
        if self.uses_scorenn:
            self.heads[self.scorenn_adapter] = scorenn_head

    # -- forward ------------------------------------------------------------------------

    def _check_fields(self, extra: Dict[str, Any], expected: Tuple[str, ...]) -> None:
        if extra:
            raise ConfigurationError(
                f"{self.name} got field(s) {sorted(extra)} it does not read; it reads "
                f"{list(expected)}. Make the dataset reader name its fields so (the label field "
                f"must be '{self.label_field}')."
            )

    def _seal_forward(self, tokens: TextFieldTensors, text_mask: torch.Tensor,
                      gold: Optional[torch.Tensor], label_mask: Optional[torch.Tensor],
                      check=None) -> Dict[str, torch.Tensor]:
        """TaskNN `logits` / `probs`; with `gold` (`[batch, *shape]` float) also `loss`,
        `tasknn_loss` and (training with a ScoreNN) `scorenn_loss`."""
        train_scorenn = gold is not None and self.training and self.uses_scorenn
        names = (self.tasknn_adapter, self.scorenn_adapter) if train_scorenn else (self.tasknn_adapter,)
        channels = embed_channels(self._text_field_embedder, self._embedder, tokens, names)
        if check is not None:
            check(channels[self.tasknn_adapter])
        logits = self.heads[self.tasknn_adapter](channels[self.tasknn_adapter], text_mask)
        probs = self.space.probabilities(logits)
        output = {"logits": logits, "probs": probs}
        if gold is None:
            return output
        score = frozen_score = None
        if train_scorenn:
            score, frozen_score = self._score_functions(channels[self.scorenn_adapter], text_mask)
        tasknn_loss = self._tasknn_loss(self.space, logits, gold, label_mask, frozen_score,
                                        self.score_loss_weight)
        self._track("tasknn_loss", tasknn_loss)
        output["tasknn_loss"] = tasknn_loss
        loss = tasknn_loss
        if train_scorenn:
            scorenn_loss = self._scorenn_loss(score, self.space, probs.detach(), gold, label_mask)
            self._track("scorenn_loss", scorenn_loss)
            output["scorenn_loss"] = scorenn_loss
            loss = loss + scorenn_loss
        if self.training and torch.is_grad_enabled() and not loss.requires_grad:
            raise ConfigurationError(
                f"{self.name}: nothing to train in this step (no trainable parameter reaches the "
                f"loss). With score_loss_weight 0 the '{self.scorenn_adapter}' adapter is unused: "
                "remove it from the alternating_adapters schedule and the embedder."
            )
        output["loss"] = loss
        return output

    def _score_functions(self, hidden: torch.Tensor, mask: torch.Tensor):
        """(score for the ScoreNN loss, the same score with the ScoreNN detached for the
        TaskNN's score term)."""
        head = self.heads[self.scorenn_adapter]
        frozen_parameters = {name: p.detach() for name, p in head.named_parameters()}
        frozen_hidden = hidden.detach()

        def score(y: torch.Tensor) -> torch.Tensor:
            return head(hidden, mask, y)

        def frozen_score(y: torch.Tensor) -> torch.Tensor:
            return torch.func.functional_call(head, frozen_parameters, (frozen_hidden, mask, y))

        return score, frozen_score

    # -- metrics ------------------------------------------------------------------------

    def _track(self, name: str, value: torch.Tensor) -> None:
        """Adds one batch's loss (summed over distributed workers, like allennlp's Average)."""
        sums = self._loss_sums[name]
        sums[0] += float(dist_reduce_sum(value.detach().clone()))
        sums[1] += int(dist_reduce_sum(1))

    def _task_metrics(self, reset: bool) -> Dict[str, float]:
        raise NotImplementedError

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        """Task metrics, plus running means of `tasknn_loss` and (when trained this epoch)
        `scorenn_loss`."""
        metrics = self._task_metrics(reset)
        for name, (total, count) in self._loss_sums.items():
            if count:
                metrics[name] = total / count
            if reset:
                self._loss_sums[name] = [0.0, 0]
        return metrics
