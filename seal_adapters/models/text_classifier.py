"""`seal_text_classifier`: single-label text classification trained with SEAL.

TaskNN: tasknn channel -> pooler -> label logits (softmax). ScoreNN: scorenn channel ->
pooler -> `LabelScoreHead`, an energy over (x, one-hot y). With `score_loss_weight` 0 it is a
plain cross-entropy classifier on the tasknn adapter (the baseline).
"""
from typing import Any, Dict, Optional

import torch
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder
from allennlp.nn import InitializerApplicator
from allennlp.nn.util import get_text_field_mask
from allennlp.training.metrics import CategoricalAccuracy, FBetaMeasure

from seal_adapters.losses import ScoreNNLoss, SingleLabelSpace, TaskNNLoss
from seal_adapters.models.heads import ClassifierHead, LabelScoreHead
from seal_adapters.models.metrics import fscore
from seal_adapters.models.pooling import check_pooler
from seal_adapters.models.seal_model import DEFAULT_SCORE_LOSS_WEIGHT, SealModel


@Model.register("seal_text_classifier")
class SealTextClassifier(SealModel):
    """
    # Parameters

    text_field_embedder : `TextFieldEmbedder`
        With one `pretrained_transformer_with_adapters` token embedder holding the tasknn
        adapter (and the scorenn adapter unless score_loss_weight is 0).
    label_namespace : `str`, optional (default = `"labels"`)
    pooler : `str`, optional (default = `"mean"`)
        "mean" (masked mean of the tokens) or "cls" (first token), for both heads.
    dropout : `float`, optional (default = `0.1`)
    score_loss_weight : `float`, optional (default = `0.1`)
        Weight of `-score(x, y_hat)` (per label / token) in the TaskNN loss; 0 = no ScoreNN
        at all (the cross-entropy baseline). The term pulls the TaskNN toward the ScoreNN's
        preferred labels as hard as its score gradient is steep; while the ScoreNN is a worse
        classifier than the TaskNN, weights of 0.3 and more cost accuracy in our tests.
    tasknn_loss : `TaskNNLoss`, optional (default = `cross_entropy_score`)
    scorenn_loss : `ScoreNNLoss`, optional (default = `nce`)
        `nce`, `dvn` or `margin`.
    global_hidden : `int`, optional (default = `16`)
        Width of the ScoreNN's feed-forward over y.
    tasknn_adapter, scorenn_adapter : `str`, optional (default = `"tasknn"`, `"scorenn"`)
        The embedder's adapters for each side; heads are stored under these names.
    """

    default_predictor = "seal_text_classifier"
    name = "seal_text_classifier"
    label_field = "label"
    space = SingleLabelSpace()

    def __init__(
        self,
        vocab: Vocabulary,
        text_field_embedder: TextFieldEmbedder,
        label_namespace: str = "labels",
        pooler: str = "mean",
        dropout: float = 0.1,
        score_loss_weight: float = DEFAULT_SCORE_LOSS_WEIGHT,
        tasknn_loss: Optional[TaskNNLoss] = None,
        scorenn_loss: Optional[ScoreNNLoss] = None,
        global_hidden: int = 16,
        tasknn_adapter: str = "tasknn",
        scorenn_adapter: str = "scorenn",
        initializer: InitializerApplicator = InitializerApplicator(),
        **kwargs,
    ) -> None:
        super().__init__(
            vocab, text_field_embedder, label_namespace=label_namespace,
            score_loss_weight=score_loss_weight, tasknn_loss=tasknn_loss,
            scorenn_loss=scorenn_loss, tasknn_adapter=tasknn_adapter,
            scorenn_adapter=scorenn_adapter, **kwargs,
        )
        self.pooler = check_pooler(pooler, self.name)
        num_labels = len(self.labels)
        self._set_heads(
            ClassifierHead(self.hidden_size, num_labels, self.pooler, dropout),
            LabelScoreHead(self.hidden_size, num_labels, self.pooler, global_hidden, dropout),
        )
        self._accuracy = CategoricalAccuracy()
        self._f1 = FBetaMeasure(average="macro")
        initializer(self)

    def forward(self, tokens: TextFieldTensors, label: Optional[torch.Tensor] = None,
                **extra: Any) -> Dict[str, torch.Tensor]:
        """`logits`, `probs` `[batch, labels]`; with `label` also `loss`."""
        self._check_fields(extra, ("tokens", "label"))
        mask = get_text_field_mask(tokens)
        gold = None
        if label is not None:
            gold = torch.nn.functional.one_hot(label.long(), len(self.labels)).float()
        output = self._seal_forward(tokens, mask, gold, None)
        if label is not None:
            self._accuracy(output["logits"], label)
            self._f1(output["logits"], label)
        return output

    def make_output_human_readable(self, output_dict: Dict[str, torch.Tensor]) -> Dict[str, Any]:
        """Adds `label` (the most probable label) and replaces `probs` by `{label: prob}`."""
        probs = output_dict["probs"].detach().cpu().tolist()
        output_dict["probs"] = [dict(zip(self.labels, row)) for row in probs]
        output_dict["label"] = [self.labels[max(range(len(row)), key=row.__getitem__)]
                                for row in probs]
        return output_dict

    def _task_metrics(self, reset: bool) -> Dict[str, float]:
        return {"accuracy": self._accuracy.get_metric(reset),
                "macro_f1": fscore(self._f1, reset)}
