"""Start-up hook that makes allennlp 2.10.1 import on this stack.

Two of allennlp's breakages happen while `allennlp.commands` is imported, before any
`--include-package` plugin is loaded, so the fixes cannot live in the plugin's import:
`seal_adapters_compat.pth` (installed into site-packages by setup.py) loads this file by
path at interpreter start-up, in every process, DDP workers included.

This module must stay cheap: it only imports the standard library and installs a
`sys.meta_path` finder. The finder does nothing until one of the allennlp modules named in
`PATCHES` is imported; it then runs the patch around that module's own code. Set
`SEAL_ADAPTERS_NO_COMPAT=1` to switch the hook off, or a comma list of names from
`PATCH_NAMES` (e.g. `SEAL_ADAPTERS_NO_COMPAT=ddp_evaluate,ddp_unused`) to switch off only
those patches; a value that is not such a list switches off every patch. The tests use it to
show each fix is needed.
"""
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from typing import Callable, Dict, List, Optional, Tuple

DISABLE_ENV = "SEAL_ADAPTERS_NO_COMPAT"

# module name -> (run before the module's code, run after it with the module)
Patch = Tuple[Optional[Callable[[], None]], Optional[Callable[[types.ModuleType], None]]]


# 1. torchvision: allennlp imports it at module level in three files. ---------------------

_TORCHVISION_HINT = (
    "torchvision is not installed: allennlp's image and vision components need it. "
    "seal_adapters does not use them; install a torchvision that matches your torch "
    "to use them."
)


class _MissingTorchvision(types.ModuleType):
    """Stands in for torchvision so allennlp's vision modules import; using it raises."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _MissingTorchvision(f"{self.__name__}.{name}")

    def __call__(self, *args, **kwargs):
        raise ImportError(_TORCHVISION_HINT + f" (called {self.__name__})")

    def __mro_entries__(self, bases):
        return (_MissingBase,)


class _MissingBase:
    def __init__(self, *args, **kwargs):
        raise ImportError(_TORCHVISION_HINT)


_TORCHVISION_NAMES = (
    "torchvision",
    "torchvision.ops",
    "torchvision.ops.boxes",
    "torchvision.models",
    "torchvision.models.detection",
)
_stubbed: List[str] = []


def _stub_torchvision() -> None:
    if "torchvision" in sys.modules or importlib.util.find_spec("torchvision") is not None:
        return
    for name in _TORCHVISION_NAMES:
        stub = _MissingTorchvision(name)
        stub.__path__ = []  # type: ignore[attr-defined]  # lets `import torchvision.ops` resolve
        sys.modules[name] = stub
        _stubbed.append(name)
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, stub)


def _unstub_torchvision(module: types.ModuleType) -> None:
    # The allennlp module keeps its reference; nobody else should find the stand-in.
    while _stubbed:
        sys.modules.pop(_stubbed.pop(), None)


# 2. transformers.AdamW: removed from transformers, subclassed by allennlp's optimizers. ---


def _provide_transformers_adamw() -> None:
    import torch
    import transformers

    if hasattr(transformers, "AdamW"):
        return

    class AdamW(torch.optim.AdamW):
        """torch's AdamW under the old transformers signature (`correct_bias`)."""

        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0,
                     correct_bias=True, no_deprecation_warning=False):
            if not correct_bias:
                raise ValueError(
                    "huggingface_adamw with correct_bias=False is not available: transformers "
                    "removed its AdamW. Use the 'adamw' optimizer (always bias-corrected)."
                )
            super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    # transformers replaces its module object lazily, so set it on whatever is current now,
    # right before allennlp's optimizers module reads it.
    setattr(sys.modules["transformers"], "AdamW", AdamW)


# 3. cached_transformers.get_tokenizer passes add_special_tokens to from_pretrained. ------


_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "vocab.json",
                    "spiece.model", "sentencepiece.bpe.model", "tokenizer.model")


def _check_tokenizer_source(model_name) -> None:
    """A clear error for a tokenizer path that cannot work, instead of transformers' own
    ("Repo id must be in the form ...", or a TypeError deep inside)."""
    from allennlp.common.checks import ConfigurationError

    expanded = os.path.expanduser(str(model_name))
    if os.path.isdir(expanded):
        from seal_adapters.embedders.model_files import MODEL_FIX, check_files

        check_files(expanded, MODEL_FIX)
        if not any(os.path.isfile(os.path.join(expanded, name)) for name in _TOKENIZER_FILES):
            raise ConfigurationError(
                f"Model directory '{model_name}' has no tokenizer files (tokenizer.json, "
                "tokenizer_config.json, vocab.*): save the model's tokenizer there with "
                f"tokenizer.save_pretrained('{model_name}')."
            )
    elif str(model_name).startswith((".", "/", "~")):
        raise ConfigurationError(
            f"Model directory '{model_name}' does not exist. Point model_name at a local Hugging "
            "Face model directory (with config.json and tokenizer files), or use the bundled "
            "model (model_name null or \"minilm\")."
        )


def _drop_add_special_tokens(module: types.ModuleType) -> None:
    original = module.get_tokenizer
    if getattr(original, "_seal_adapters_patched", False):
        return

    def get_tokenizer(model_name: str, **kwargs):
        # Special tokens are chosen per call by allennlp's tokenizer; as a constructor
        # argument RoBERTa's fast tokenizer rejects it.
        kwargs.pop("add_special_tokens", None)
        _check_tokenizer_source(model_name)
        return original(model_name, **kwargs)

    get_tokenizer._seal_adapters_patched = True  # type: ignore[attr-defined]
    get_tokenizer.__doc__ = original.__doc__
    module.get_tokenizer = get_tokenizer


# 4a. Distributed training with evaluate_on_test: only the primary evaluates at the end, ----
#     but metrics all-reduce while the process group is up, and the other workers are gone.
#     Its test loader also holds only the primary's shard (loaded while distributed).


def _reload_unsharded(loader, vocab) -> None:
    """Makes a test loader built during distributed training read the whole test set."""
    reader = getattr(loader, "reader", None)
    if reader is not None and hasattr(reader, "_set_distributed_info"):
        reader._set_distributed_info(None)  # readers without manual sharding slice by it
    if hasattr(loader, "_instances") and hasattr(loader, "iter_instances"):
        # MultiProcessDataLoader: drop the cached shard; read again now that the process
        # group is gone (readers with manual sharding check it on every read).
        loader._instances = None
        if getattr(loader, "max_instances_in_memory", None) is None:
            for _ in loader.iter_instances():
                pass
    else:
        import logging

        logging.getLogger("seal_adapters.compat").warning(
            "evaluate_on_test after distributed training: %s keeps the instances it read "
            "during training, so the test metrics cover only the primary's shard of the "
            "test set. Use 'allennlp evaluate' for metrics on all of it.", type(loader).__name__,
        )
    loader.index_with(vocab)


def _evaluate_alone_after_distributed_training(module: types.ModuleType) -> None:
    train_model = module.TrainModel
    original = train_model.finish
    if getattr(original, "_seal_adapters_patched", False):
        return

    def finish(self, metrics):
        import torch.distributed as dist

        if self.evaluate_on_test and dist.is_available() and dist.is_initialized():
            # Training is over; the primary evaluates the whole test set on its own.
            dist.destroy_process_group()
            if self.evaluation_data_loader is not None:
                _reload_unsharded(self.evaluation_data_loader, self.model.vocab)
        return original(self, metrics)

    finish._seal_adapters_patched = True  # type: ignore[attr-defined]
    train_model.finish = finish


# 4b. DDP: adapter models leave parameters unused in a step (a pooler, the idle adapter). --


def _find_unused_parameters_by_default(module: types.ModuleType) -> None:
    accelerator = module.TorchDdpAccelerator
    original = accelerator.__init__
    if getattr(original, "_seal_adapters_patched", False):
        return

    def __init__(self, *, find_unused_parameters: bool = True, **kwargs):
        original(self, find_unused_parameters=find_unused_parameters, **kwargs)

    __init__._seal_adapters_patched = True  # type: ignore[attr-defined]
    __init__.__doc__ = original.__doc__
    accelerator.__init__ = __init__


# 5. torch >= 2.x: `torch.device(0)` raises "Cannot access accelerator device when none is
# available" on a machine without a GPU, before allennlp's own check_for_gpu can say
# "Experiment specified a GPU but none is available; ... use trainer.cuda_device=-1". -------


def _cuda_device_from_int(module: types.ModuleType) -> None:
    original = module.int_to_device
    if getattr(original, "_seal_adapters_patched", False):
        return

    def int_to_device(device):
        import torch
        from allennlp.common.checks import ConfigurationError

        if isinstance(device, str):
            raise ConfigurationError(
                f"cuda_device {device!r}: give a device number: -1 for the CPU, 0 for the first "
                "GPU (trainer.cuda_device, or --cuda-device for evaluate and predict)."
            )
        if isinstance(device, int) and not isinstance(device, bool) and device >= 0:
            return torch.device("cuda", device)
        return original(device)

    int_to_device._seal_adapters_patched = True  # type: ignore[attr-defined]
    int_to_device.__doc__ = original.__doc__
    module.int_to_device = int_to_device


# 6. torch >= 2.7 removed ReduceLROnPlateau's `verbose` argument, which allennlp's
# `reduce_on_plateau` scheduler always passes: every config using it failed with
# "unexpected keyword argument 'verbose'". The config keeps its `verbose` option (ignored). --


def _reduce_on_plateau_without_verbose(module: types.ModuleType) -> None:
    import functools

    scheduler = module.ReduceOnPlateauLearningRateScheduler
    original = scheduler.__init__
    if getattr(original, "_seal_adapters_patched", False):
        return

    @functools.wraps(original)  # from_params reads the original signature through __wrapped__
    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, verbose=False,
                 threshold_mode="rel", threshold=1e-4, cooldown=0, min_lr=0, eps=1e-8):
        import torch

        lr_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer=optimizer, mode=mode, factor=factor, patience=patience,
            threshold_mode=threshold_mode, threshold=threshold, cooldown=cooldown, min_lr=min_lr,
            eps=eps)
        super(scheduler, self).__init__(lr_scheduler)

    __init__._seal_adapters_patched = True  # type: ignore[attr-defined]
    scheduler.__init__ = __init__


# 7. allennlp's trainer calls `torch.cuda.amp.autocast(enabled)` in every batch, which torch
# 2.13 deprecates with a FutureWarning (repeated whenever warning filters are reset, e.g. 28
# times in a 2-epoch multi-label run). Same context manager, current spelling. --------------

def _autocast_without_deprecation(module: types.ModuleType) -> None:
    import torch

    original = module.amp

    def autocast(enabled: bool = True, dtype=torch.float16, cache_enabled: bool = True):
        return torch.amp.autocast("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)

    module.amp = types.SimpleNamespace(autocast=autocast, GradScaler=original.GradScaler,
                                       _seal_adapters_patched=True)


# 9. allennlp-models' NarrativeQA evaluation tools call `nltk.download` at import, which every
# `allennlp` command triggers once allennlp-models is installed (allennlp imports it as a
# default plugin): a network call at start-up, an error text offline. The import goes on
# without it; NarrativeQA's metrics would need the two NLTK packages installed by hand. ------

_NLTK_DOWNLOAD: List[Callable] = []


def _skip_nltk_download() -> None:
    import nltk

    _NLTK_DOWNLOAD.append(nltk.download)
    nltk.download = lambda *args, **kwargs: False


def _restore_nltk_download(module: types.ModuleType) -> None:
    import nltk

    if _NLTK_DOWNLOAD:
        nltk.download = _NLTK_DOWNLOAD.pop()


PATCHES: Dict[str, Patch] = {
    "allennlp.data.image_loader": (_stub_torchvision, _unstub_torchvision),
    "allennlp.modules.vision.grid_embedder": (_stub_torchvision, _unstub_torchvision),
    "allennlp.modules.vision.region_detector": (_stub_torchvision, _unstub_torchvision),
    "allennlp.training.optimizers": (_provide_transformers_adamw, None),
    "allennlp.common.cached_transformers": (None, _drop_add_special_tokens),
    "allennlp.commands.train": (None, _evaluate_alone_after_distributed_training),
    "allennlp.nn.parallel.ddp_accelerator": (None, _find_unused_parameters_by_default),
    "allennlp.common.util": (None, _cuda_device_from_int),
    "allennlp.training.learning_rate_schedulers.pytorch_lr_schedulers": (None, _reduce_on_plateau_without_verbose),
    "allennlp.training.gradient_descent_trainer": (None, _autocast_without_deprecation),
    "allennlp_models.rc.tools.narrativeqa": (_skip_nltk_download, _restore_nltk_download),
}

# patch name (for SEAL_ADAPTERS_NO_COMPAT) -> the modules it patches
PATCH_NAMES: Dict[str, Tuple[str, ...]] = {
    "torchvision": (
        "allennlp.data.image_loader",
        "allennlp.modules.vision.grid_embedder",
        "allennlp.modules.vision.region_detector",
    ),
    "adamw": ("allennlp.training.optimizers",),
    "tokenizer": ("allennlp.common.cached_transformers",),
    "ddp_evaluate": ("allennlp.commands.train",),
    "ddp_unused": ("allennlp.nn.parallel.ddp_accelerator",),
    "cuda_device": ("allennlp.common.util",),
    "reduce_on_plateau": ("allennlp.training.learning_rate_schedulers.pytorch_lr_schedulers",),
    "autocast": ("allennlp.training.gradient_descent_trainer",),
    "nltk_download": ("allennlp_models.rc.tools.narrativeqa",),
}


def active_patches(setting: Optional[str] = None) -> Dict[str, Patch]:
    """The patches left on by `SEAL_ADAPTERS_NO_COMPAT` (or `setting`), by module name."""
    value = (os.environ.get(DISABLE_ENV, "") if setting is None else setting).strip()
    if not value:
        return dict(PATCHES)
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names or any(name not in PATCH_NAMES for name in names):
        return {}  # "1" (or anything but a list of patch names): every patch off
    off = {module for name in names for module in PATCH_NAMES[name]}
    return {module: patch for module, patch in PATCHES.items() if module not in off}


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, patch: Patch):
        self._loader = loader
        self._before, self._after = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        if self._before is not None:
            self._before()
        self._loader.exec_module(module)
        if self._after is not None:
            self._after(module)


class AllennlpPatchFinder(importlib.abc.MetaPathFinder):
    """Finds the patched allennlp modules through the other finders and wraps their loader."""

    seal_adapters_hook = True

    def __init__(self, patches: Optional[Dict[str, Patch]] = None):
        self.patches = dict(PATCHES) if patches is None else dict(patches)

    def find_spec(self, fullname, path, target=None):
        patch = self.patches.get(fullname)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if getattr(finder, "seal_adapters_hook", False) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


# 8. `pkg_resources` is gone from current setuptools, but allennlp-models' dependency py-rouge
# imports it for `resource_filename`. A stand-in with the resource functions is found only
# when no real `pkg_resources` is (the finder sits last on sys.meta_path). ----------------

def _resource_filename(package_or_requirement, resource_name: str) -> str:
    module = sys.modules.get(package_or_requirement) or importlib.import_module(package_or_requirement)
    return os.path.join(os.path.dirname(module.__file__), *resource_name.split("/"))


def _resource_string(package_or_requirement, resource_name: str) -> bytes:
    with open(_resource_filename(package_or_requirement, resource_name), "rb") as handle:
        return handle.read()


def _resource_exists(package_or_requirement, resource_name: str) -> bool:
    return os.path.exists(_resource_filename(package_or_requirement, resource_name))


class _PkgResourcesLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__doc__ = "seal_adapters' stand-in for setuptools' removed pkg_resources (resources only)"
        module.resource_filename = _resource_filename
        module.resource_string = _resource_string
        module.resource_exists = _resource_exists


class PkgResourcesStandIn(importlib.abc.MetaPathFinder):
    seal_adapters_stand_in = True

    def find_spec(self, fullname, path, target=None):
        if fullname != "pkg_resources":
            return None
        return importlib.machinery.ModuleSpec(fullname, _PkgResourcesLoader())


def apply_to_loaded_modules(patches: Optional[Dict[str, Patch]] = None) -> None:
    """Patches allennlp modules imported before the hook was installed."""
    for name, (_, after) in (PATCHES if patches is None else patches).items():
        module = sys.modules.get(name)
        if module is not None and after is not None:
            after(module)


def install() -> bool:
    """Installs the finder once per process; returns whether it is active."""
    patches = active_patches()
    if not patches:
        return False
    if not any(getattr(f, "seal_adapters_hook", False) for f in sys.meta_path):
        sys.meta_path.insert(0, AllennlpPatchFinder(patches))
    if not any(getattr(f, "seal_adapters_stand_in", False) for f in sys.meta_path):
        sys.meta_path.append(PkgResourcesStandIn())
    apply_to_loaded_modules(patches)
    return True
