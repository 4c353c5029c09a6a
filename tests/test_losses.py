"""Losses against values computed by hand on small tensors."""
import math

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from seal_adapters.losses import (
    CrossEntropyScoreLoss,
    DVNLoss,
    MarginLoss,
    MultiLabelSpace,
    NCERankingLoss,
    ScoreNNLoss,
    SingleLabelSpace,
    TagSequenceSpace,
    TaskNNLoss,
    dvn_loss,
    margin_loss,
    nce_ranking_loss,
)


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


class FixedSamples(SingleLabelSpace):
    """Single-label space whose 'samples' are given label ids, so losses are deterministic."""

    def __init__(self, labels):
        self.labels = labels

    def sample(self, probs, num_samples, mask=None):
        assert num_samples == len(self.labels)
        ids = torch.tensor([self.labels] * probs.size(0))
        return torch.nn.functional.one_hot(ids, probs.size(-1)).float()


def linear_score(weights):
    """score(y) = <y, weights> for y `[batch, K, L]`."""
    weights = torch.tensor(weights)
    return lambda y: (y * weights).sum(-1)


# -- the formulas ---------------------------------------------------------------------------


def test_nce_ranking_formula():
    # scores 2, 1, 0; q = .5, .25, .25: exp(s - log q) = 2e^2, 4e, 4
    # loss = -log(2e^2 / (2e^2 + 4e + 4)) = log(1 + (2e + 2) / e^2) = 0.696356...
    loss = nce_ranking_loss(torch.tensor([[2.0, 1.0, 0.0]]),
                            torch.tensor([[0.5, 0.25, 0.25]]).log())
    assert loss.item() == pytest.approx(math.log(1 + (2 * math.e + 2) / math.e ** 2), abs=1e-6)
    assert loss.item() == pytest.approx(0.696356, abs=1e-6)


def test_dvn_formula():
    # sigmoid(0) = .5 vs target 1: log 2; sigmoid(log 3) = .75 vs target .5:
    # -(.5 log .75 + .5 log .25) = 0.836988; mean 0.765068
    loss = dvn_loss(torch.tensor([[0.0, math.log(3)]]), torch.tensor([[1.0, 0.5]]))
    assert loss.item() == pytest.approx((math.log(2) - 0.5 * math.log(0.75 * 0.25)) / 2, abs=1e-6)
    assert loss.item() == pytest.approx(0.765068, abs=1e-6)


def test_margin_formula():
    # gold 1.0; y_hat scores .5 (delta 1) and 1.2 (delta 0): relu(.5), relu(.2) -> mean .35
    loss = margin_loss(torch.tensor([1.0]), torch.tensor([[0.5, 1.2]]), torch.tensor([[1.0, 0.0]]))
    assert loss.item() == pytest.approx(0.35, abs=1e-6)
    # A gold structure that wins by more than delta costs nothing.
    assert margin_loss(torch.tensor([5.0]), torch.tensor([[0.5]]), torch.tensor([[1.0]])).item() == 0


# -- the registered losses on a label space ---------------------------------------------------

PROBS = torch.tensor([[0.5, 0.25, 0.25]])
GOLD = torch.tensor([[1.0, 0.0, 0.0]])


def test_nce_loss_scores_gold_against_samples():
    # gold label 0, samples labels 1 and 2, score weights (2, 1, 0): the formula case above.
    loss = NCERankingLoss(num_samples=2)(linear_score([2.0, 1.0, 0.0]), FixedSamples([1, 2]),
                                         PROBS, GOLD)
    assert loss.item() == pytest.approx(0.696356, abs=1e-6)


def test_dvn_loss_regresses_quality():
    # candidates: gold (target 1, score 0), probs (target .5 = P(gold), score .25 log 3),
    # samples label 0 (target 1, score 0) and label 1 (target 0, score log 3).
    loss = DVNLoss(num_samples=2)(linear_score([0.0, math.log(3), 0.0]), FixedSamples([0, 1]),
                                  PROBS, GOLD)
    s = 0.25 * math.log(3)
    expected = (math.log(2) + (softplus(s) - 0.5 * s) + math.log(2) + math.log(4)) / 4
    assert loss.item() == pytest.approx(expected, abs=1e-6)
    assert loss.item() == pytest.approx(0.868784, abs=1e-5)


def test_margin_loss_on_probabilities_and_samples():
    score = linear_score([1.0, 2.0, 0.0])
    # y_hat = probs: score .5 + .5 = 1, gold score 1, delta 1 - .5 -> relu(.5 - 1 + 1) = .5
    assert MarginLoss()(score, SingleLabelSpace(), PROBS, GOLD).item() == pytest.approx(0.5)
    # plus sample label 1: score 2, delta 1 -> relu(1 - 1 + 2) = 2; mean 1.25
    loss = MarginLoss(num_samples=1)(score, FixedSamples([1]), PROBS, GOLD)
    assert loss.item() == pytest.approx(1.25)


@pytest.mark.parametrize("loss", [NCERankingLoss(3), DVNLoss(3), MarginLoss(3)])
def test_scorenn_losses_never_train_the_tasknn(loss):
    logits = torch.tensor([[0.3, -0.2, 0.1], [1.0, 0.0, -1.0]], requires_grad=True)
    weights = torch.tensor([1.0, -1.0, 0.5], requires_grad=True)
    score = lambda y: (y * weights).sum(-1)  # noqa: E731
    probs = torch.softmax(logits, -1)
    value = loss(score, SingleLabelSpace(), probs, torch.eye(3)[:2])
    value.backward()
    assert logits.grad is None and weights.grad is not None


def test_tasknn_loss_is_cross_entropy_minus_weighted_score():
    # logits (0, log 3): probs (.25, .75); gold label 1: CE = -log .75
    # score(y) = 2 y_0 -> score(probs) = .5; weight 2: loss = -log .75 - 1
    logits = torch.tensor([[0.0, math.log(3)]], requires_grad=True)
    gold = torch.tensor([[0.0, 1.0]])
    loss = CrossEntropyScoreLoss()(SingleLabelSpace(), logits, gold, None,
                                   linear_score([2.0, 0.0]), 2.0)
    assert loss.item() == pytest.approx(-math.log(0.75) - 1.0, abs=1e-6)
    loss.backward()
    # d CE / d logits = p - gold = (.25, -.25); d(-2 * 2 p_0) / d logits = -4 p_0 (1 - p_0, -p_1)
    # = -4 * .25 * (.75, -.75) = (-.75, .75); sum (-.5, .5)
    assert logits.grad[0].tolist() == pytest.approx([-0.5, 0.5], abs=1e-6)
    plain = CrossEntropyScoreLoss()(SingleLabelSpace(), logits, gold, None, None, 2.0)
    assert plain.item() == pytest.approx(-math.log(0.75), abs=1e-6)


# -- label spaces -----------------------------------------------------------------------------


def test_multilabel_space_quality_and_log_prob():
    space = MultiLabelSpace()
    gold = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    y = torch.tensor([[[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    # F1 of {0,1} vs {0} = 2/3; exact = 1; both empty = 1; {1} vs {} = 0
    assert space.quality(y, gold).flatten().tolist() == pytest.approx([2 / 3, 1.0, 1.0, 0.0])
    probs = torch.tensor([[0.8, 0.3, 0.5]])
    log_q = space.log_prob(torch.tensor([[[1.0, 0.0, 1.0]]]), probs)
    assert log_q.item() == pytest.approx(math.log(0.8 * 0.7 * 0.5), abs=1e-6)
    logits = torch.tensor([[0.0, 0.0, 0.0]])
    assert space.cross_entropy(logits, gold[:1]).item() == pytest.approx(math.log(2), abs=1e-6)


def test_tag_space_masks_padding():
    space = TagSequenceSpace()
    mask = torch.tensor([[True, True, False]])
    gold = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]])
    y = torch.tensor([[[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]]])  # right, wrong, (padding)
    assert space.quality(y, gold, mask).item() == pytest.approx(0.5)
    probs = torch.tensor([[[0.9, 0.1], [0.4, 0.6], [0.5, 0.5]]])
    assert space.log_prob(y, probs, mask).item() == pytest.approx(math.log(0.9 * 0.4), abs=1e-6)
    logits = probs.log()
    assert space.cross_entropy(logits, gold, mask).item() == pytest.approx(
        -(math.log(0.9) + math.log(0.6)) / 2, abs=1e-6)
    samples = space.sample(probs, 5, mask)
    assert samples.shape == (1, 5, 3, 2)
    assert samples[:, :, :2].sum(-1).eq(1).all() and samples[:, :, 2].eq(0).all()


def test_samples_follow_the_distribution():
    torch.manual_seed(0)
    probs = torch.tensor([[0.2, 0.8]])
    single = SingleLabelSpace().sample(probs, 4000, None)
    assert single.sum(-1).eq(1).all()
    assert single[0, :, 1].mean().item() == pytest.approx(0.8, abs=0.03)
    multi = MultiLabelSpace().sample(probs, 4000, None)
    assert multi[0].mean(0).tolist() == pytest.approx([0.2, 0.8], abs=0.03)


# -- registration and config errors -------------------------------------------------------------


def test_losses_are_registered_with_defaults():
    assert {"nce", "dvn", "margin"} <= set(ScoreNNLoss.list_available())
    assert "cross_entropy_score" in TaskNNLoss.list_available()
    assert isinstance(ScoreNNLoss.from_params(Params({})), NCERankingLoss)
    assert isinstance(TaskNNLoss.from_params(Params({})), CrossEntropyScoreLoss)
    assert ScoreNNLoss.from_params(Params({"type": "dvn", "num_samples": 4})).num_samples == 4


def test_unknown_loss_name_lists_the_choices():
    with pytest.raises(ConfigurationError) as error:
        ScoreNNLoss.from_params(Params({"type": "nse"}))
    assert "nse" in str(error.value) and "margin" in str(error.value)


@pytest.mark.parametrize("make", [lambda: NCERankingLoss(0), lambda: MarginLoss(-1),
                                  lambda: DVNLoss(0, include_gold=False, include_probs=False)])
def test_bad_sample_counts_are_refused(make):
    with pytest.raises(ValueError, match="num_samples"):
        make()
