"""`SealModel`: what the three SEAL models share.

One embedder pass computes the TaskNN channel and, only when training with labels and a
score loss, the ScoreNN channel (`embed_channels`); prediction and evaluation run the TaskNN
adapter alone. The training loss is `tasknn_loss + scorenn_loss`:

* the ScoreNN loss sees the TaskNN's probabilities detached, so it never trains the TaskNN;
* the TaskNN's score term sees the ScoreNN with its parameters and features detached, so its
  gradient flows through the ScoreNN into y_hat only, never into the ScoreNN.

So the sum trains each side by its own loss alone, with both sides trainable at once or with
the `adapter_schedule` callback dropping the idle side's gradients.
"""
import logging
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
from allennlp.common import Lazy
from allennlp.common.checks import ConfigurationError
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder
from allennlp.nn import InitializerApplicator
from allennlp.nn.util import dist_reduce_sum
from torch.profiler import record_function

from seal_adapters.embedders.channels import embed_channels, single_adapter_embedder
from seal_adapters.energies import LabelEnergy
from seal_adapters.losses import CrossEntropyScoreLoss, NCERankingLoss, ScoreNNLoss, TaskNNLoss
from seal_adapters.losses.label_spaces import LabelSpace
from seal_adapters.models.heads import ClassifierHead, LabelScoreHead
from seal_adapters.models.idle_channel_reuse import IdleChannelCache
from seal_adapters.models.pooling import check_pooler

logger = logging.getLogger(__name__)

# Weight of the TaskNN's score term: see `score_loss_weight` in SealTextClassifier.
DEFAULT_SCORE_LOSS_WEIGHT = 0.1


def construct_energy(energy: Optional[Lazy], kind: type, num_labels: int) -> torch.nn.Module:
    """The configured energy (a `Lazy` of `kind`), or `kind`'s default, for `num_labels`."""
    if energy is None:
        return kind.by_name(kind.default_implementation)(num_labels)
    return energy.construct(num_labels=num_labels)


class SealModel(Model):
    """Base class; subclasses set `space`, `name`, `label_field`, build the heads with
    `_set_heads` and call `_seal_forward`. Subclasses take their own parameters and pass
    `**kwargs` here (allennlp's `from_params` follows them to this signature).

    # Parameters (shared by the three models)

    text_field_embedder : `TextFieldEmbedder`
        With one adapter token embedder holding the tasknn adapter (and the scorenn adapter
        unless score_loss_weight is 0).
    label_namespace : `str`, optional (default = `"labels"`)
    dropout : `float`, optional (default = `0.1`)
        Before each head.
    tasknn_hidden_dim : `int`, optional (default = `0`)
        0: the TaskNN head is linear; > 0: one hidden GELU layer of this width first.
    score_loss_weight : `float`, optional (default = `0.1`)
        Weight of the ScoreNN's score of the TaskNN output (per label / token) in the TaskNN
        loss; 0 = no ScoreNN at all (the cross-entropy baseline).
    tasknn_loss : `TaskNNLoss`, optional (default = `cross_entropy_score`)
    scorenn_loss : `ScoreNNLoss`, optional (default = `nce`)
        `nce`, `dvn` or `margin`.
    tasknn_adapter, scorenn_adapter : `str`, optional (default = `"tasknn"`, `"scorenn"`)
        The embedder's adapters for each side; heads are stored under these names.
    initializer : `InitializerApplicator`, optional
        Applied once the heads are built.
    reuse_idle_channel : `bool`, optional (default = `True`)
        Alternating SEAL: a step computes the idle side's channel with its graph and keeps it,
        and the next step on the same batch that trains that side backpropagates through it
        instead of computing it again (one transformer forward fewer per batch; exact: used
        only while its parameters are unchanged). Costs a second graph's memory during a step;
        `false` computes every channel afresh. See idle_channel_reuse.py.
    static_scorenn : `str`, optional (default = `None`)
        SEAL-static: a finished SEAL run (its directory or model.tar.gz) whose ScoreNN (adapter,
        head, layer mix) is loaded and frozen; only the TaskNN trains, by cross-entropy plus
        that ScoreNN's score term (static_scorenn.py). No alternation: use no callback.

    # Diagnostics (training metrics, whenever the ScoreNN trains)

    scorenn_ranking_accuracy : on the examples whose decoded TaskNN prediction differs from
        gold, the fraction where the ScoreNN scores gold higher than that prediction (0.5 =
        chance: the ScoreNN cannot tell them apart; near 1: it knows what is wrong).
    score_term_ratio : |score term| / cross-entropy in the TaskNN loss (summed over the
        epoch): well below 1, the score term is a nudge; near or above 1, it dominates.
    tasknn_cross_entropy, tasknn_score_term : the two terms themselves.
    """

    space: LabelSpace
    name = "seal model"
    label_field = "label"

    def __init__(
        self,
        vocab: Vocabulary,
        text_field_embedder: TextFieldEmbedder,
        label_namespace: str = "labels",
        dropout: float = 0.1,
        tasknn_hidden_dim: int = 0,
        score_loss_weight: float = DEFAULT_SCORE_LOSS_WEIGHT,
        tasknn_loss: Optional[TaskNNLoss] = None,
        scorenn_loss: Optional[ScoreNNLoss] = None,
        tasknn_adapter: str = "tasknn",
        scorenn_adapter: str = "scorenn",
        initializer: InitializerApplicator = InitializerApplicator(),
        reuse_idle_channel: bool = True,
        static_scorenn: Optional[str] = None,
        **kwargs,
    ) -> None:
        self._check_options(kwargs)
        super().__init__(vocab, **kwargs)
        self._text_field_embedder = text_field_embedder
        self._embedder = single_adapter_embedder(text_field_embedder, self.name)
        if score_loss_weight < 0:
            raise ConfigurationError(
                f"{self.name}: score_loss_weight must be >= 0 (0 = plain cross-entropy TaskNN), "
                f"got {score_loss_weight}."
            )
        self.score_loss_weight = float(score_loss_weight)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ConfigurationError(
                f"{self.name}: dropout is {dropout!r}: give a probability in [0, 1) (0.1 by default); "
                "at 1 every feature is dropped and the heads learn nothing.")
        self.dropout = dropout
        if tasknn_hidden_dim < 0:
            raise ConfigurationError(f"{self.name}: tasknn_hidden_dim must be >= 0 (0 = a linear "
                                     f"head), got {tasknn_hidden_dim}.")
        self.tasknn_hidden_dim = tasknn_hidden_dim
        self.tasknn_adapter = tasknn_adapter
        self.scorenn_adapter = scorenn_adapter
        self._check_adapters()
        self.label_namespace = label_namespace
        self.labels = self._labels_of(vocab, label_namespace)
        self._tasknn_loss = tasknn_loss or CrossEntropyScoreLoss()
        if scorenn_loss is not None and not self.uses_scorenn:
            logger.warning("%s: score_loss_weight is 0, so scorenn_loss is not used.", self.name)
        self._scorenn_loss = (scorenn_loss or NCERankingLoss()) if self.uses_scorenn else None
        self._initializer = initializer
        self._sums: Dict[str, List[float]] = {}
        self._idle_channels = IdleChannelCache() if reuse_idle_channel else None
        self.static_scorenn = static_scorenn
        if static_scorenn is not None and not self.uses_scorenn:
            raise ConfigurationError(
                f"{self.name}: static_scorenn needs a score term: set score_loss_weight above 0 "
                "(SEAL-static uses weights of 0.001-0.1).")
        self.heads = torch.nn.ModuleDict()

    # -- construction -------------------------------------------------------------------

    def _check_options(self, extra: Dict[str, Any]) -> None:
        """Options neither this model nor allennlp's `Model` takes (a typo such as
        `score_los_weight`) are named with the closest real ones, instead of allennlp's
        `TypeError: Model.__init__() got an unexpected keyword argument`."""
        import difflib
        import inspect

        known = [name for cls in type(self).__mro__ if issubclass(cls, Model)
                 for name in inspect.signature(cls.__init__).parameters
                 if name not in ("self", "vocab", "kwargs")]
        unknown = [name for name in extra if name not in known]
        if not unknown:
            return
        hints = [f"'{name}' (did you mean '{close[0]}'?)" if close else f"'{name}'"
                 for name in unknown for close in [difflib.get_close_matches(name, known, n=1)]]
        raise ConfigurationError(
            f"{self.name}: unknown model option(s) {', '.join(hints)}. Fix the name in the config's "
            f"model section; the options are {sorted(set(known))}.")

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

    def _set_pooled_label_heads(self, pooler: str, energy: Optional[Lazy]) -> None:
        """The heads of a sentence-level label task (text and multi-label classifiers): the
        TaskNN's pooled classifier, and the ScoreNN's pooled energy over the label vector
        (`energy`, a `Lazy[LabelEnergy]`, or the default)."""
        self.pooler = check_pooler(pooler, self.name)
        num_labels = len(self.labels)
        self._set_heads(
            ClassifierHead(self.hidden_size, num_labels, self.pooler, self.dropout,
                           self.tasknn_hidden_dim),
            lambda: LabelScoreHead(self.hidden_size, num_labels, self.pooler,
                                   construct_energy(energy, LabelEnergy, num_labels), self.dropout),
        )

    def _set_heads(self, tasknn_head: torch.nn.Module,
                   scorenn_head: Callable[[], torch.nn.Module]) -> None:
        """Stores the heads (the ScoreNN's built only when used) and applies the initializer."""
        self.heads[self.tasknn_adapter] = tasknn_head
        if self.uses_scorenn:
            self.heads[self.scorenn_adapter] = scorenn_head()
        self._initializer(self)
        if self.static_scorenn is not None:
            from seal_adapters.models.static_scorenn import load_static_scorenn

            count = load_static_scorenn(self, self.static_scorenn, self.tasknn_adapter,
                                        self.scorenn_adapter)
            logger.info("%s: SEAL-static: %d ScoreNN tensors loaded from %s and frozen", self.name,
                        count, self.static_scorenn)

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
                      check=None, inputs: Optional[Callable] = None) -> Dict[str, torch.Tensor]:
        """TaskNN `logits` / `probs`; with `gold` (`[batch, *shape]` float) also `loss`,
        `tasknn_loss` and (training with a ScoreNN) `scorenn_loss`. `inputs(adapter, channel)`,
        if given, turns each channel into its head's input (e.g. SRL adds the predicate)."""
        score_step = gold is not None and self.training and self.uses_scorenn
        train_scorenn = score_step and self.static_scorenn is None  # SEAL-static: frozen ScoreNN
        names = (self.tasknn_adapter, self.scorenn_adapter) if score_step else (self.tasknn_adapter,)
        channels = self._embed(tokens, names, reuse=train_scorenn and torch.is_grad_enabled())
        if inputs is not None:
            channels = {name: inputs(name, channel) for name, channel in channels.items()}
        if check is not None:
            check(channels[self.tasknn_adapter])
        with record_function("seal.tasknn_head"):  # profiler labels (bench/profile_seal_step.py)
            logits = self.heads[self.tasknn_adapter](channels[self.tasknn_adapter], text_mask)
            probs = self.space.probabilities(logits)
        output = {"logits": logits, "probs": probs}
        if gold is None:
            return output
        score = frozen_score = None
        if score_step:
            score, frozen_score = self._score_functions(channels[self.scorenn_adapter], text_mask)
        with record_function("seal.tasknn_loss"):
            terms = self._tasknn_loss.terms(self.space, logits, gold, label_mask, frozen_score,
                                            self.score_loss_weight)
            tasknn_loss = sum(terms.values())
            self._track("tasknn_loss", tasknn_loss)
        output["tasknn_loss"] = tasknn_loss
        loss = tasknn_loss
        if train_scorenn:
            with record_function("seal.scorenn_loss"):
                scorenn_loss = self._scorenn_loss(score, self.space, probs.detach(), gold, label_mask)
                self._track("scorenn_loss", scorenn_loss)
            output["scorenn_loss"] = scorenn_loss
            loss = loss + scorenn_loss
        if score_step:
            with record_function("seal.diagnostics"):
                self._track_diagnostics(score, terms, probs.detach(), gold, label_mask)
        if self.training and torch.is_grad_enabled() and not loss.requires_grad:
            raise ConfigurationError(
                f"{self.name}: nothing to train in this step (no trainable parameter reaches the "
                f"loss). With score_loss_weight 0 the '{self.scorenn_adapter}' adapter is unused: "
                "remove it from the adapter_schedule schedule and the embedder."
            )
        output["loss"] = loss
        return output

    def _embed(self, tokens: TextFieldTensors, names: Tuple[str, ...], reuse: bool) -> Dict[str, torch.Tensor]:
        """The channels of `names`; with `reuse_idle_channel`, a channel kept from an earlier
        training step on this very batch, whose parameters have not changed since, is not
        computed again (idle_channel_reuse.py)."""
        cache = self._idle_channels
        if cache is None or not reuse:
            if cache is not None:
                cache.clear()
            return embed_channels(self._text_field_embedder, self._embedder, tokens, names)
        return cache.channels(
            self._text_field_embedder, self._embedder.adapter_names, tokens, names,
            lambda tokens, wanted: embed_channels(self._text_field_embedder, self._embedder, tokens, wanted))

    @torch.no_grad()
    def _track_diagnostics(self, score, terms: Dict[str, torch.Tensor], probs: torch.Tensor,
                           gold: torch.Tensor, mask: Optional[torch.Tensor]) -> None:
        """What the ScoreNN knows (`scorenn_ranking_accuracy`) and how hard it pulls on the
        TaskNN (`score_term_ratio`); see the class docstring."""
        gold = gold.to(probs.dtype)
        predicted = self.space.decode(probs, mask)
        wrong = (predicted != gold).flatten(1).any(-1)
        scores = score(torch.stack([gold, predicted], dim=1))[wrong]  # the head scores whole batches
        self._track("scorenn_ranking_accuracy", (scores[:, 0] > scores[:, 1]).sum(), wrong.sum())
        cross_entropy = terms["cross_entropy"].detach()
        score_term = terms.get("score", torch.zeros_like(cross_entropy)).detach()
        self._track("tasknn_cross_entropy", cross_entropy)
        self._track("tasknn_score_term", score_term)
        self._track("score_term_ratio", score_term.abs(), cross_entropy.abs())

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

    def _track(self, name: str, value, count=1) -> None:
        """Adds one batch's `value` and `count` (summed over distributed workers, like
        allennlp's Average); the metric is sum(value) / sum(count) over the epoch."""
        sums = self._sums.setdefault(name, [0.0, 0.0])
        value = value.detach().clone().float() if torch.is_tensor(value) else float(value)
        count = count.detach().clone().float() if torch.is_tensor(count) else float(count)
        sums[0] += float(dist_reduce_sum(value))
        sums[1] += float(dist_reduce_sum(count))

    def _task_metrics(self, reset: bool) -> Dict[str, float]:
        raise NotImplementedError

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        """Task metrics, plus running means of `tasknn_loss` and, when the ScoreNN trained
        this epoch, `scorenn_loss` and the diagnostics."""
        metrics = self._task_metrics(reset)
        for name, (total, count) in self._sums.items():
            if count:
                metrics[name] = total / count
        if reset:
            self._sums = {}
        return metrics
