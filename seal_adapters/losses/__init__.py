"""Losses of seal_adapters: ScoreNN losses (`nce`, `dvn`, `margin`) and the TaskNN loss
(`cross_entropy_score`), Registrables chosen in a model's config."""
from seal_adapters.losses.base import ScoreFunction, ScoreNNLoss, TaskNNLoss
from seal_adapters.losses.cross_entropy_score import CrossEntropyScoreLoss
from seal_adapters.losses.dvn import DVNLoss, dvn_loss
from seal_adapters.losses.label_spaces import (
    LabelSpace,
    MultiLabelSpace,
    SingleLabelSpace,
    TagSequenceSpace,
)
from seal_adapters.losses.margin import MarginLoss, margin_loss
from seal_adapters.losses.nce import NCERankingLoss, nce_ranking_loss
