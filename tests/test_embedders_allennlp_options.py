"""allennlp's embedder options on the adapter embedders: same meaning, or a refusal that says why."""
import pytest
import torch
from allennlp.common.checks import ConfigurationError
from safetensors.torch import save_file
from transformers import AutoModel

from tests.test_embedders import batch, forward, make

ONE = {"adapters": {"tasknn": "seq_bn"}}


def backbone(embedder):
    return embedder.transformer_model.model


def base_state(embedder):
    """The pretrained tensors (adapters aside)."""
    return {k: v for k, v in backbone(embedder).state_dict().items()
            if "adapters" not in k and not k.startswith("prompt_tuning.")}


@pytest.mark.parametrize("options", [ONE, {}, {"output": "tasknn"}])
def test_eval_mode_from_construction_on(tiny_roberta, options):
    """allennlp's embedder is in eval mode as soon as it is built, not only after train()."""
    embedder = make(tiny_roberta, eval_mode=True, **options)
    assert all(not module.training for module in embedder.transformer_model.modules())


def test_eval_mode_keeps_the_transformer_in_eval_mode(tiny_roberta):
    embedder = make(tiny_roberta, eval_mode=True)
    embedder.train()
    assert not backbone(embedder).training and embedder.training
    tensors = batch(tiny_roberta)
    assert torch.equal(forward(embedder, tensors), forward(embedder, tensors))  # no dropout
    plain = make(tiny_roberta)
    plain.train()
    assert backbone(plain).training


def test_load_weights_false_gives_fresh_weights_of_the_same_architecture(tiny_roberta):
    pretrained = AutoModel.from_pretrained(tiny_roberta).state_dict()
    fresh = base_state(make(tiny_roberta, load_weights=False))
    assert set(fresh) == set(pretrained)
    key = "encoder.layer.0.attention.self.query.weight"
    assert fresh[key].shape == pretrained[key].shape and not torch.equal(fresh[key], pretrained[key])
    assert torch.equal(base_state(make(tiny_roberta))[key], pretrained[key])  # the cache is untouched


def test_override_weights_file_with_its_prefix(tiny_roberta, tmp_path):
    pretrained = AutoModel.from_pretrained(tiny_roberta).state_dict()
    key = "encoder.layer.1.output.dense.weight"
    changed = {f"model.encoder_part.{k}": (v + 1 if k == key else v).contiguous() for k, v in pretrained.items()}
    path = str(tmp_path / "weights.safetensors")
    save_file(changed, path)
    torch_path = str(tmp_path / "weights.th")
    torch.save(changed, torch_path)
    for file in (path, torch_path):
        state = base_state(make(tiny_roberta, override_weights_file=file,
                                override_weights_strip_prefix="model.encoder_part."))
        assert torch.equal(state[key], pretrained[key] + 1)
        assert torch.equal(state["embeddings.word_embeddings.weight"], pretrained["embeddings.word_embeddings.weight"])
    with pytest.raises(ConfigurationError) as error:
        make(tiny_roberta, override_weights_file=path)
    lacks = f"override_weights_file {path} does not fit the model: {len(pretrained)} tensor(s) it lacks"
    assert lacks in str(error.value)
    assert "Set override_weights_strip_prefix" in str(error.value)
    with pytest.raises(ConfigurationError, match="override_weights_strip_prefix 'bert.' matches no tensor"):
        make(tiny_roberta, override_weights_file=path, override_weights_strip_prefix="bert.")


def test_train_parameters_trains_a_private_backbone_with_one_adapter(tiny_roberta):
    embedder = make(tiny_roberta, train_parameters=True, **ONE)
    shared = make(tiny_roberta, **ONE)
    parameters = list(backbone(embedder).parameters())
    assert all(p.requires_grad for p in parameters)
    key = "encoder.layer.0.attention.self.query.weight"
    before = base_state(shared)[key].clone()
    optimizer = torch.optim.Adam([p for p in embedder.parameters() if p.requires_grad], lr=0.01)
    forward(embedder, batch(tiny_roberta)).pow(2).mean().backward()
    optimizer.step()
    assert not torch.equal(base_state(embedder)[key], before)
    assert torch.equal(base_state(shared)[key], before)  # another embedder's backbone is untouched
    assert not any(p.requires_grad for n, p in backbone(shared).named_parameters() if "adapters" not in n)
    with pytest.raises(ConfigurationError) as error:
        make(tiny_roberta, train_parameters=True)
    assert ("train_parameters true trains the shared backbone, so with adapters ['scorenn', 'tasknn'] every "
            "side's loss would train it") in str(error.value)


def test_reinit_modules_only_with_a_trained_backbone(tiny_roberta):
    pretrained = AutoModel.from_pretrained(tiny_roberta).state_dict()
    state = base_state(make(tiny_roberta, train_parameters=True, reinit_modules=1, **ONE))
    last, first = "encoder.layer.1.output.dense.weight", "encoder.layer.0.output.dense.weight"
    assert not torch.equal(state[last], pretrained[last]) and torch.equal(state[first], pretrained[first])
    by_name = base_state(make(tiny_roberta, train_parameters=True, reinit_modules=["layer.0.output"], **ONE))
    assert not torch.equal(by_name[first], pretrained[first]) and torch.equal(by_name[last], pretrained[last])
    with pytest.raises(ConfigurationError, match=r"reinit_modules 2 re-initialises backbone layers, but the "
                                                 r"backbone is frozen \(train_parameters false\)"):
        make(tiny_roberta, reinit_modules=2)
    with pytest.raises(ConfigurationError, match="reinit_modules: layer -5 does not exist; the model has 2 layers"):
        make(tiny_roberta, train_parameters=True, reinit_modules=5, **ONE)


def test_sub_module_is_refused_with_the_reason(tiny_roberta):
    with pytest.raises(ConfigurationError, match="sub_module 'encoder' is not supported by the adapter embedders: "
                                                 "adapters are set up on the whole model"):
        make(tiny_roberta, sub_module="encoder")


def test_tokens_added_by_tokenizer_kwargs_get_embedding_rows(tiny_roberta, tmp_path):
    import shutil

    from allennlp.data.tokenizers import PretrainedTransformerTokenizer

    # A private copy: tokenizers are cached per model path in the process, and other tests
    # of this worker must not see the added tokens.
    tiny_roberta = shutil.copytree(tiny_roberta, tmp_path / "tiny_roberta_added_tokens")
    tiny_roberta = str(tiny_roberta)

    kwargs = {"additional_special_tokens": ["<e1>", "</e1>"]}
    tokenizer = PretrainedTransformerTokenizer(tiny_roberta, tokenizer_kwargs=kwargs)
    embedder = make(tiny_roberta, tokenizer_kwargs=kwargs)
    rows = backbone(embedder).get_input_embeddings().num_embeddings
    assert rows == len(tokenizer.tokenizer) == len(PretrainedTransformerTokenizer(tiny_roberta).tokenizer) + 2
    ids = torch.tensor([[tokenizer.tokenizer.cls_token_id, rows - 1, rows - 2, tokenizer.tokenizer.sep_token_id]])
    out = embedder(ids, torch.ones_like(ids, dtype=torch.bool))
    assert out.shape == (1, 4, 2 * embedder.hidden_size) and torch.isfinite(out).all()
    trained = make(tiny_roberta, tokenizer_kwargs=kwargs, train_parameters=True, **ONE)
    assert backbone(trained).get_input_embeddings().weight.requires_grad


def test_added_tokens_resize_holds_in_every_setup_and_leaks_into_no_other_embedder(tiny_bert, tmp_path):
    """The pretrained matrix is shared between embedders of one model: a resize must grow this
    embedder's matrix (module size and tensor alike) and nobody else's."""
    import shutil

    from allennlp.data.tokenizers import PretrainedTransformerTokenizer

    model = str(shutil.copytree(tiny_bert, tmp_path / "tiny_bert_added_tokens"))
    kwargs = {"additional_special_tokens": ["<e1>"]}
    plain = make(model, **ONE)
    rows = backbone(plain).get_input_embeddings().num_embeddings
    size = len(PretrainedTransformerTokenizer(model, tokenizer_kwargs=kwargs).tokenizer)
    assert size == rows + 1
    for options in ({"adapters": {"scorenn": "lora", "tasknn": "lora"}, "output": "tasknn"},
                    {"adapters": {"scorenn": "lora", "tasknn": "lora"}}, {"adapters": {"tasknn": "lora"}},
                    {}, ONE):
        grown = backbone(make(model, tokenizer_kwargs=kwargs, **options)).get_input_embeddings()
        assert grown.num_embeddings == grown.weight.shape[0] == size, options
    for other in (plain, make(model, **ONE)):
        embeddings = backbone(other).get_input_embeddings()
        assert embeddings.num_embeddings == embeddings.weight.shape[0] == rows


def test_mismatched_embedder_takes_the_same_options(tiny_roberta):
    from allennlp.common import Params
    from allennlp.modules.token_embedders import TokenEmbedder

    embedder = TokenEmbedder.from_params(Params({
        "type": "pretrained_transformer_mismatched_with_adapters", "model_name": tiny_roberta,
        "eval_mode": True, "train_parameters": True, "adapters": {"tasknn": "seq_bn"}}))
    embedder.train()
    inner = embedder._matched_embedder
    assert not backbone(inner).training and all(p.requires_grad for p in backbone(inner).parameters())
