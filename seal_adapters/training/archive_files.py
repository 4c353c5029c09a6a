"""A damaged `model.tar.gz` is named as damaged, for every command that loads one.

Why: allennlp's `load_archive` extracts with `tarfile`; a truncated archive stops with
"EOFError: Compressed file ended before the end-of-stream marker was reached", a file that
is not an archive with "tarfile.ReadError: not a gzip file", and an archive without
`config.json` with a FileNotFoundError for a temporary path. `checked_extracted_archive`
wraps allennlp's `extracted_archive` (which `load_archive` calls by its module-level name,
so `allennlp evaluate`, `allennlp predict`, `Predictor.from_path` and this package's
commands all get it) and says which archive is broken and what to do.
"""
import contextlib
import gzip
import os
import tarfile
import zipfile
import zlib

from seal_adapters.embedders.model_files import DamagedFileError, damaged

FIX = ("train again (allennlp train ... -s DIR writes DIR/model.tar.gz), or copy the archive "
       "again if it was copied")
REQUIRED = ("config.json", "weights.th")
ERRORS = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def checked_extracted_archive(original):
    @contextlib.contextmanager
    def extracted_archive(resolved_archive_file, cleanup=True):
        path = str(resolved_archive_file)
        with contextlib.ExitStack() as stack:
            if os.path.getsize(path) == 0:
                raise damaged(path, "the file is empty", FIX)
            if zipfile.is_zipfile(path):  # torch.save's format: best.th, model_state_*.th
                raise DamagedFileError(
                    f"{path} is a torch weights file (like best.th), not an allennlp model archive. "
                    "Give the run's model.tar.gz (allennlp train -s DIR writes DIR/model.tar.gz).")
            with open(path, "rb") as handle:
                head = handle.read(512)
            if not head.startswith(b"\x1f\x8b") and not tarfile.is_tarfile(path):
                looks = " (it starts with text: a data or config file?)" if _is_text(head) else ""
                raise DamagedFileError(
                    f"{path} is not an allennlp model archive: it is neither gzip nor tar{looks}. "
                    "Give the run's model.tar.gz (allennlp train -s DIR writes DIR/model.tar.gz).")
            try:
                tempdir = stack.enter_context(original(resolved_archive_file, cleanup))
            except ERRORS as error:
                raise damaged(path, f"not a complete model.tar.gz ({type(error).__name__}: "
                              f"{error})", FIX) from None
            missing = [name for name in REQUIRED if not os.path.exists(os.path.join(tempdir, name))]
            if missing:
                raise damaged(path, f"the archive has no {' or '.join(missing)}, so it is not an "
                              "allennlp model archive", FIX)
            weights = os.path.join(tempdir, "weights.th")
            if not zipfile.is_zipfile(weights):  # torch.save writes a zip; cut or overwritten otherwise
                raise damaged(path, "its weights.th is not a complete torch file (truncated or "
                              "overwritten)", FIX)
            yield tempdir

    return extracted_archive


def _is_text(head: bytes) -> bool:
    text = head.decode("utf-8", "ignore")  # the 512 bytes may end inside a character
    return bool(text) and all(c.isprintable() or c.isspace() for c in text)


def gpu_checked_model_load(original):
    """Wraps `Model.load` (what `load_archive` calls): a GPU asked for on a machine without one
    gets allennlp's own "Experiment specified a GPU but none is available" message, as
    `allennlp train` does, instead of torch's "Cannot access accelerator device"."""
    def load(cls, config, serialization_dir, weights_file=None, cuda_device=-1, *args, **kwargs):
        from allennlp.common.checks import ConfigurationError, check_for_gpu

        try:
            check_for_gpu(cuda_device)
        except ConfigurationError as error:
            raise ConfigurationError(
                f"{error} Loading a model: pass --cuda-device -1 to allennlp evaluate / predict "
                "(or cuda_device=-1 to load_archive) to run it on the CPU."
            ) from None
        return original.__func__(cls, config, serialization_dir, weights_file, cuda_device, *args, **kwargs)

    return classmethod(load)
