"""Damaged model and adapter files are named as damaged, before anything loads them.

Why: a truncated `model.safetensors` fails inside transformers as "Error while deserializing
header: incomplete metadata", a cut `adapter_config.json` as a bare `JSONDecodeError`, a
truncated `pytorch_adapter.bin` as an unpickling error; none says which file is broken or
what to do. Each check here reads only what it must (JSON files whole, safetensors headers
and sizes, the zip directory of torch files), so it costs milliseconds.
"""
import json
import os
import zipfile

from allennlp.common.checks import ConfigurationError

JSON_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
              "adapter_config.json", "head_config.json")
SAFETENSORS_FILES = ("model.safetensors", "adapter.safetensors", "head.safetensors")
TORCH_FILES = ("pytorch_model.bin", "pytorch_adapter.bin")


class DamagedFileError(ConfigurationError):
    """A file is there but cannot be read: truncated, empty, or not what its name says."""


def damaged(path: str, cause: str, fix: str) -> DamagedFileError:
    return DamagedFileError(f"{path} is damaged: {cause}. Fix: {fix}")


def check_json(path: str, fix: str) -> None:
    try:
        with open(path, "rb") as handle:
            json.loads(handle.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        size = os.path.getsize(path)
        cause = "the file is empty" if size == 0 else f"not valid JSON ({error})"
        raise damaged(path, cause, fix) from None


def check_safetensors(path: str, fix: str) -> None:
    from safetensors import safe_open

    if os.path.getsize(path) == 0:
        raise damaged(path, "the file is empty", fix)
    try:
        with safe_open(path, framework="pt"):
            pass
    except Exception as error:  # safetensors raises its own SafetensorError (not exported)
        raise damaged(path, f"not a complete safetensors file ({error})", fix) from None


def check_torch_file(path: str, fix: str) -> None:
    """torch.save writes a zip archive; a truncated one has no readable directory."""
    if os.path.getsize(path) == 0:
        raise damaged(path, "the file is empty", fix)
    if not zipfile.is_zipfile(path):
        raise damaged(path, "not a complete torch file (truncated or another format)", fix)


def check_files(directory: str, fix: str) -> None:
    """Checks the known model/adapter files present in `directory` (missing ones are the
    loaders' business: they say which file they need)."""
    for names, check in ((JSON_FILES, check_json), (SAFETENSORS_FILES, check_safetensors),
                         (TORCH_FILES, check_torch_file)):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                check(path, fix)


MODEL_FIX = "copy the model directory again, or re-save it with save_pretrained"
ADAPTER_FIX = "export the adapter again (python -m seal_adapters export ARCHIVE DIR) or re-save it with save_adapter"
