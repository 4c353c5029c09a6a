"""One writer per serialization directory, and `--recover` leaves a finished run alone.

Why: allennlp's `train` trusts the user: a second `allennlp train -s DIR --force` deletes the
files of a run still writing there, `--recover` on a live run makes two processes write one
folder, and `--recover` on a finished run rewrites `metrics.json` with fewer keys.

Here `create_serialization_dir` takes an exclusive `flock` on `DIR/.seal_adapters.lock` (the
file names the holder's pid, host, start time and command) and `train_model` releases it.
Another process that finds the lock held is refused before anything is touched, `--force`
and `--recover` included. The kernel drops a
flock when its process dies, so a killed run's leftover lock file never blocks `--recover`.
A finished run (`metrics.json` and `model.tar.gz` written, as allennlp does only at the very
end) is not trained again by `--recover`: it says so, loads the archived model and changes no
file.
"""
import datetime
import fcntl
import json
import logging
import os
import socket
import sys
from typing import Dict, List, Optional, TextIO

from allennlp.common.checks import ConfigurationError

logger = logging.getLogger(__name__)

LOCK_NAME = ".seal_adapters.lock"


class DirectoryInUseError(ConfigurationError):
    """Another live process is training into the serialization directory."""


def _holder(path: str) -> str:
    try:
        with open(path) as handle:
            holder = json.load(handle)
        return (f"process {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}: "
                f"{holder.get('command')}")
    except (OSError, ValueError):
        return "another process"


class RunLock:
    """Holds `DIR/.seal_adapters.lock` while a run writes `DIR`; `release()` removes it."""

    def __init__(self, serialization_dir: str) -> None:
        self.directory = serialization_dir
        self.path = os.path.join(serialization_dir, LOCK_NAME)
        self._handle: Optional[TextIO] = None

    def check_free(self) -> None:
        """Raises `DirectoryInUseError` if a live process holds the lock (touches nothing)."""
        if not os.path.exists(self.path):
            return
        with open(self.path) as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise DirectoryInUseError(
                    f"Serialization directory {self.directory} is in use by a live run "
                    f"({_holder(self.path)}). Nothing was changed. Wait for that run to end or stop it, "
                    "or train into another directory (-s); neither --force nor --recover takes over a "
                    "live run's directory."
                ) from None
            fcntl.flock(probe, fcntl.LOCK_UN)

    def acquire(self) -> None:
        os.makedirs(self.directory, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            self.check_free()  # raises with the holder's name
            raise
        handle.seek(0)
        handle.truncate()
        json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                   "started": datetime.datetime.now().isoformat(timespec="seconds"),
                   "command": " ".join(sys.argv)}, handle)
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            if os.path.exists(self.path):
                os.remove(self.path)
        finally:
            self._handle.close()
            self._handle = None


def is_finished(serialization_dir: str) -> bool:
    """allennlp writes `metrics.json`, then `model.tar.gz`, only when training has ended."""
    return all(os.path.isfile(os.path.join(serialization_dir, name))
               for name in ("metrics.json", "model.tar.gz"))


def config_changes(params, serialization_dir: str, shown: int = 5) -> List[str]:
    """The options where `params` differs from the finished run's `config.json`, as
    "key (old -> new)" (at most `shown`, then a count)."""
    from allennlp.common import Params

    path = os.path.join(serialization_dir, "config.json")
    if not hasattr(params, "as_flat_dict") or not os.path.isfile(path):
        return []
    try:
        saved = Params.from_file(path).as_flat_dict()
    except Exception:  # noqa: BLE001 - an unreadable config.json is not this check's business
        return []
    new = params.as_flat_dict()
    missing = object()
    changed = [f"{key} ({saved[key] if key in saved else 'unset'} -> {new[key] if key in new else 'unset'})"
               for key in sorted(set(saved) | set(new)) if saved.get(key, missing) != new.get(key, missing)]
    if len(changed) > shown:
        changed = changed[:shown] + [f"and {len(changed) - shown} more"]
    return changed


def finished_run_model(serialization_dir: str, return_model: Optional[bool], params=None):
    """What `train_model` returns for a finished run, after saying that nothing was done; a
    config that differs from the run's is refused (it would silently not be used)."""
    with open(os.path.join(serialization_dir, "metrics.json")) as handle:
        epochs = json.load(handle).get("epoch")  # the last epoch, from 0
    done = f"{epochs + 1} epoch(s)" if isinstance(epochs, int) else "its epochs"
    changes = config_changes(params, serialization_dir)
    if changes:
        raise ConfigurationError(
            f"--recover: the run in {serialization_dir} is finished ({done} trained), and this "
            f"config differs from the one it was trained with in {', '.join(changes)}. Nothing was "
            "trained and no file was changed: a finished run is not trained further. To train with "
            "the new config (e.g. more epochs), start a new run in another directory (from the "
            "archive's weights if you like).")
    message = (f"--recover: the run in {serialization_dir} is finished ({done} trained, metrics.json and "
               "model.tar.gz written); there is nothing to recover and no file was changed. To train "
               "longer, start a new run (e.g. from the archive's weights) in another directory.")
    logger.warning(message)
    print(message, file=sys.stderr)
    if return_model is False:
        return None
    from allennlp.models.archival import load_archive

    return load_archive(os.path.join(serialization_dir, "model.tar.gz")).model


_held: Dict[str, RunLock] = {}


def locking_create_serialization_dir(original):
    """Wraps allennlp's `create_serialization_dir`: refuse a live run's directory before
    allennlp looks at it (or deletes it for `--force`), lock it once it exists."""

    def create_serialization_dir(params, serialization_dir, recover, force):
        if os.path.exists(serialization_dir) and not os.path.isdir(serialization_dir):
            raise ConfigurationError(
                f"Serialization directory {serialization_dir} is a file, not a directory. Nothing "
                "was changed. Fix: give -s a directory path (a new one, or an earlier run's).")
        lock = RunLock(serialization_dir)
        lock.check_free()
        if force and os.path.isdir(serialization_dir):
            check_force_deletes_no_input(params, serialization_dir)
            check_force_deletes_a_run(serialization_dir)
            if not recover:  # allennlp refuses --force with --recover itself
                set_aside(serialization_dir)
        try:
            original(params, serialization_dir, recover, force)
        except BaseException:
            restore_replaced(serialization_dir)
            raise
        lock.acquire()
        _held[os.path.abspath(serialization_dir)] = lock

    return create_serialization_dir


INPUT_KEYS = ("train_data_path", "validation_data_path", "test_data_path")


def check_force_deletes_no_input(params, serialization_dir: str) -> None:
    """`--force` deletes the whole directory: refuse when the run's own data lies inside it."""
    directory = os.path.realpath(serialization_dir)
    for key in INPUT_KEYS:
        value = params.get(key, None) if hasattr(params, "get") else None
        if not isinstance(value, str) or "://" in value:
            continue
        path = os.path.realpath(value.split("#", 1)[0])
        if path == directory or path.startswith(directory + os.sep):
            raise ConfigurationError(
                f"--force would delete {serialization_dir}, which holds this run's {key} "
                f"({value}). Nothing was deleted. Fix: move the data out of the directory, or "
                "train into another serialization directory."
            )


# What every allennlp run writes into its directory when it starts (before any epoch).
RUN_MARKERS = ("config.json", "vocabulary", LOCK_NAME)


def check_force_deletes_a_run(serialization_dir: str) -> None:
    """`--force` deletes the whole directory: refuse when it holds files but is not an
    allennlp run's directory (a typo in -s must not delete a folder of the user's files)."""
    entries = sorted(os.listdir(serialization_dir))
    if not entries or any(name in entries for name in RUN_MARKERS):
        return
    shown = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
    raise ConfigurationError(
        f"--force would delete {serialization_dir}, but it is not a training run's directory "
        f"(no config.json or vocabulary/): it holds {shown}. Nothing was deleted. Fix: check the "
        "-s path; to train there, move those files away or empty the directory yourself.")


# `--force`: the replaced run is moved aside, not deleted, until the new run has passed its
# pre-training checks; a new run refused before training gets the old one back, whole.
_set_aside: Dict[str, str] = {}


def set_aside(serialization_dir: str) -> None:
    if not os.listdir(serialization_dir):
        return
    key = os.path.abspath(serialization_dir)
    aside = f"{key.rstrip(os.sep)}.replaced-{os.getpid()}"
    os.replace(key, aside)
    _set_aside[key] = aside


def discard_replaced(serialization_dir: str) -> None:
    """The new run passed its checks: the run it replaces (`--force`) is deleted now."""
    import shutil

    aside = _set_aside.pop(os.path.abspath(serialization_dir), None)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def restore_replaced(serialization_dir: str) -> None:
    """The new run stopped before training: the replaced run comes back as it was."""
    import shutil

    key = os.path.abspath(serialization_dir)
    aside = _set_aside.pop(key, None)
    if aside is None:
        return
    shutil.rmtree(key, ignore_errors=True)
    os.replace(aside, key)
    message = (f"--force: the new run stopped before training, so the run it would have replaced "
               f"is back in {serialization_dir}, unchanged.")
    logger.warning(message)
    print(message, file=sys.stderr)  # allennlp's log handlers may be gone by now


def release(serialization_dir: str) -> None:
    """Releases this process's lock on `serialization_dir`, if it holds one."""
    lock = _held.pop(os.path.abspath(serialization_dir), None)
    if lock is not None:
        lock.release()


def guarded_train_model(original):
    """Wraps allennlp's `train_model`: a finished run is left alone by `--recover`, and the
    directory's lock is released when training ends, however it ends."""

    def train_model(params, serialization_dir, *args, **kwargs):
        recover = kwargs.get("recover", args[0] if args else False)
        force = kwargs.get("force", args[1] if len(args) > 1 else False)
        RunLock(serialization_dir).check_free()
        if recover and not force and is_finished(serialization_dir):
            return finished_run_model(serialization_dir, kwargs.get("return_model"), params)
        try:
            return original(params, serialization_dir, *args, **kwargs)
        finally:
            release(serialization_dir)
            restore_replaced(serialization_dir)  # a no-op once the new run passed its checks

    return train_model
