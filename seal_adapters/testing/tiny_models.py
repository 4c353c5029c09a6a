"""Tiny random-weight transformers built locally, for tests and CPU benchmarks.

Nothing is downloaded: the vocabulary is trained with `tokenizers` on a synthetic corpus
and the weights come from a small random config, saved with `save_pretrained` so every
loader (AutoModel, AutoTokenizer, allennlp's cached_transformers) sees a normal model dir.
"""
import os
import random
from typing import Iterable, List

POSITIVE = ["good", "great", "excellent", "wonderful", "superb", "lovely", "brilliant"]
NEGATIVE = ["bad", "awful", "terrible", "dull", "boring", "poor", "horrible"]
NEUTRAL = (
    "the a film movie plot story actors scene music director ending script it was is this "
    "and but with of in on at for very quite rather truly simply one two long short new old "
    "dog cat city river night day paris london john mary acme corp monday friday"
).split()


def corpus(size: int = 400, seed: int = 0) -> List[str]:
    """Sentences over the words the synthetic tasks use, so the vocab covers them."""
    rng = random.Random(seed)
    words = POSITIVE + NEGATIVE + NEUTRAL
    return [" ".join(rng.choice(words) for _ in range(rng.randint(4, 12))) for _ in range(size)]


def build_tiny_roberta(directory: str, texts: Iterable[str] = None, hidden_size: int = 32,
                       num_layers: int = 2, vocab_size: int = 400, seed: int = 0,
                       num_heads: int = 2, intermediate_size: int = None) -> str:
    """A byte-level-BPE RoBERTa with random weights; returns `directory`.

    With hidden_size=768, num_layers=12, num_heads=12, intermediate_size=3072 it has the
    shape of roberta-base (apart from the small vocabulary), for speed benchmarks."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizerFast

    os.makedirs(directory, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        list(texts or corpus()), vocab_size=vocab_size, min_frequency=1,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
    )
    bpe.save_model(directory)
    tokenizer = RobertaTokenizerFast(
        vocab_file=os.path.join(directory, "vocab.json"),
        merges_file=os.path.join(directory, "merges.txt"),
        model_max_length=128,
    )
    tokenizer.save_pretrained(directory)
    torch.manual_seed(seed)
    config = RobertaConfig(
        vocab_size=len(tokenizer), hidden_size=hidden_size, num_hidden_layers=num_layers,
        num_attention_heads=num_heads, intermediate_size=intermediate_size or 2 * hidden_size,
        max_position_embeddings=514 if hidden_size >= 256 else 130,
        type_vocab_size=1, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    RobertaModel(config).save_pretrained(directory)
    return directory


def build_tiny_bert(directory: str, texts: Iterable[str] = None, hidden_size: int = 32,
                    num_layers: int = 2, vocab_size: int = 300, seed: int = 0,
                    architecture: str = "bert") -> str:
    """A WordPiece BERT (or, `architecture="distilbert"`, a DistilBERT: no token type ids)
    with random weights; returns `directory`."""
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast, DistilBertConfig, DistilBertModel

    os.makedirs(directory, exist_ok=True)
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(list(texts or corpus()), vocab_size=vocab_size, min_frequency=1)
    wordpiece.save_model(directory)
    tokenizer = BertTokenizerFast(vocab_file=os.path.join(directory, "vocab.txt"),
                                  model_max_length=128)
    tokenizer.save_pretrained(directory)
    torch.manual_seed(seed)
    if architecture == "distilbert":
        config = DistilBertConfig(vocab_size=len(tokenizer), dim=hidden_size, n_layers=num_layers,
                                  n_heads=2, hidden_dim=2 * hidden_size, max_position_embeddings=128)
        DistilBertModel(config).save_pretrained(directory)
        return directory
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=hidden_size, num_hidden_layers=num_layers,
        num_attention_heads=2, intermediate_size=2 * hidden_size, max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(directory)
    return directory
