"""`"<path>#<split>"`: how a reader that carves splits from one source is told which to read.

Why a suffix: allennlp passes each of `train_data_path`, `validation_data_path` and
`test_data_path` to `read()` as one string, so the split has to travel inside it.
"""
from typing import Optional, Sequence, Tuple

from seal_adapters.data.errors import data_error

SPLIT_ALIASES = {"train": "train", "validation": "validation", "dev": "validation",
                 "test": "test"}


def parse_split(file_path, allowed: Sequence[str], reader: str,
                required: bool = False) -> Tuple[str, Optional[str]]:
    """Splits `"dir#dev"` into `("dir", "validation")`; no suffix gives `(path, None)`.

    `allowed` names the canonical splits this reader can carve ("train", "validation",
    "test"); "dev" is accepted for "validation". Anything else is a `DataError`.
    """
    file_path = str(file_path)
    accepted = ", ".join(f"#{name} (or #dev)" if name == "validation" else f"#{name}"
                         for name in allowed)
    if "#" not in file_path:
        if required:
            raise data_error(f"{reader} needs a split selector after the path",
                             f"append one of {accepted}, e.g. '{file_path}#train'", file_path)
        return file_path, None
    path, _, name = file_path.rpartition("#")
    split = SPLIT_ALIASES.get(name.strip().lower())
    if split is None or split not in allowed:
        raise data_error(f"unknown split '{name}' for {reader}",
                         f"use one of {accepted}, e.g. '{path}#train'", file_path)
    return path, split
