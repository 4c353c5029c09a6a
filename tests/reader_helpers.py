"""Small readers (whitespace tokens) and file writers shared by the reader tests."""
import os

from allennlp.data.token_indexers import SingleIdTokenIndexer
from allennlp.data.tokenizers import WhitespaceTokenizer

from seal_adapters.tasks.multilabel.jsonl_reader import MultilabelJsonlReader
from seal_adapters.tasks.tagging.reader import BioTaggingReader
from seal_adapters.tasks.text_classification.jsonl_reader import TextJsonlReader
from seal_adapters.tasks.text_classification.rt_polarity_reader import RtPolarityReader

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
