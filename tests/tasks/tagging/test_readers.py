"""`seal_bio_tagging`: sentences, tags, splits, and the sentence_tagger predictor's tokens."""
from fractions import Fraction

import pytest
from allennlp.common.checks import ConfigurationError
from allennlp.data.tokenizers import WhitespaceTokenizer

from seal_adapters.data import DataError
from seal_adapters.data.positional_split import in_validation
from seal_adapters.testing import synthetic_data
from tests.reader_helpers import bio_reader, words, write


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


def test_bio_text_to_instance_takes_tokens_from_sentence_tagger_predictor():
    instance = bio_reader().text_to_instance(WhitespaceTokenizer().tokenize("Paris is nice"))
    assert words(instance) == ["Paris", "is", "nice"] and set(instance.fields) == {"tokens"}
