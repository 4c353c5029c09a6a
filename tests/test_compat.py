"""The allennlp compat layer (seal_adapters/compat): each fix is needed, and works.

Every fix is checked in fresh interpreters of the venv, as a user runs them: once with the
fix switched off through `SEAL_ADAPTERS_NO_COMPAT` (all patches, "1", or just the one
patch by name, when another breakage would otherwise hit first), where the original error
must appear, and once with the start-up hook on, where the same code must work and give
the right value. Fix 4 (distributed training) is tested in test_distributed.py.
"""
import glob
import os
import re
import shutil
import subprocess
import textwrap
import zipfile

import pytest

from seal_adapters.compat import PTH_NAME, pth_line
from seal_adapters.compat.startup import PATCH_NAMES, PATCHES, active_patches
from tests.conftest import REPO, VENV_BIN, run_cli

NO_COMPAT = "SEAL_ADAPTERS_NO_COMPAT"
ON = {NO_COMPAT: ""}  # the hook on, even if the calling shell switched it off
ALL_OFF = {NO_COMPAT: "1"}


def python(code, env=None, **kwargs):
    return run_cli(["python", "-c", textwrap.dedent(code)], env_extra=env, **kwargs)


def run_together(*commands):
    """Runs (args, env) commands of the venv at the same time (start-up dominates their cost)."""
    running = [
        subprocess.Popen([os.path.join(VENV_BIN, args[0])] + list(args[1:]),
                         env=dict(os.environ, **env), cwd=REPO, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for args, env in commands
    ]
    results = []
    for process in running:
        stdout, stderr = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return results


def snippet(code):
    return ["python", "-c", textwrap.dedent(code)]


def ok(result):
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


# -- installation: the .pth file and a cheap start-up -------------------------------------


def test_pth_file_is_installed_in_the_venv_site_packages():
    purelib = ok(python("import sysconfig; print(sysconfig.get_paths()['purelib'])")).strip()
    path = os.path.join(purelib, PTH_NAME)
    assert os.path.isfile(path), f"{PTH_NAME} missing from {purelib}"
    with open(path) as handle:
        assert handle.read() == pth_line()


def test_startup_hook_is_active_but_imports_neither_torch_nor_seal_adapters():
    code = """
        import sys
        hook = any(getattr(f, 'seal_adapters_hook', False) for f in sys.meta_path)
        print('torch' in sys.modules, 'seal_adapters' in sys.modules, hook)
    """
    assert ok(python(code, ON)).split() == ["False", "False", "True"]
    # switched off: no finder at all
    assert ok(python(code, ALL_OFF)).split() == ["False", "False", "False"]


def test_wheel_of_a_normal_install_carries_the_pth_file(tmp_path):
    """`pip install .` installs a wheel: its root (= site-packages) must hold the .pth file."""
    source = tmp_path / "src"  # a copy, so the build leaves no build/ or egg-info in the repo
    source.mkdir()
    shutil.copy(os.path.join(REPO, "setup.py"), source)
    if os.path.exists(os.path.join(REPO, "README.md")):
        shutil.copy(os.path.join(REPO, "README.md"), source)
    shutil.copytree(os.path.join(REPO, "seal_adapters"), source / "seal_adapters",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path / "wheels"
    result = subprocess.run(
        [os.path.join(VENV_BIN, "pip"), "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "-q", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    ok(result)
    wheels = glob.glob(str(out / "seal_adapters-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        assert PTH_NAME in names  # at the root, not inside the package
        assert wheel.read(PTH_NAME).decode() == pth_line()
        assert "seal_adapters/compat/startup.py" in names


def test_disable_switch_names_single_patches():
    assert active_patches("") == PATCHES
    assert active_patches("1") == {} and active_patches("yes") == {}
    assert active_patches("ddp_evaluat") == {}  # a misspelt name switches everything off
    left = active_patches("ddp_evaluate, ddp_unused")
    assert set(PATCHES) - set(left) == {"allennlp.commands.train", "allennlp.nn.parallel.ddp_accelerator"}
    assert sorted(m for ms in PATCH_NAMES.values() for m in ms) == sorted(PATCHES)


# -- fix 1: torchvision -------------------------------------------------------------------


def test_without_the_hook_every_allennlp_command_needs_torchvision():
    result = run_cli(["allennlp", "--help"], env_extra=ALL_OFF)
    assert result.returncode != 0
    assert "ModuleNotFoundError: No module named 'torchvision'" in result.stderr
    assert "allennlp/data/image_loader.py" in result.stderr


def test_cli_help_works_for_every_command():
    commands = [["--help"], ["train", "--help"], ["evaluate", "--help"], ["predict", "--help"]]
    results = run_together(*[(["allennlp"] + command, ON) for command in commands])
    top, train, evaluate, predict = [ok(result) for result in results]
    for subcommand in ("train", "evaluate", "predict"):
        assert f"    {subcommand}" in top
    assert "usage: allennlp train" in train and "--include-package" in train
    assert "usage: allennlp evaluate" in evaluate
    assert "usage: allennlp predict" in predict


def test_vision_components_raise_a_clear_import_error_and_torchvision_stays_absent():
    code = """
        import importlib.util
        from allennlp.data.image_loader import TorchImageLoader
        from allennlp.modules.vision.grid_embedder import ResnetBackbone
        from allennlp.modules.vision.region_detector import FasterRcnnRegionDetector
        for use in (ResnetBackbone, FasterRcnnRegionDetector, lambda: TorchImageLoader().load('x.jpg')):
            try:
                use()
                print('no error')
            except ImportError as error:
                print('ImportError:', error)
        # the stand-in does not leak: nobody else finds a torchvision
        print('find_spec', importlib.util.find_spec('torchvision'))
        try:
            import torchvision
            print('imported')
        except ModuleNotFoundError:
            print('ModuleNotFoundError')
    """
    lines = ok(python(code, ON)).splitlines()
    assert len(lines) == 5
    for line in lines[:3]:
        assert line.startswith("ImportError: torchvision is not installed")
        assert "install a torchvision that matches your torch" in line
    assert "fasterrcnn_resnet50_fpn" in lines[0] and "read_image" in lines[2]
    assert lines[3:] == ["find_spec None", "ModuleNotFoundError"]


# -- fix 2: transformers.AdamW ------------------------------------------------------------

ADAMW_STEP = """
    import torch
    from allennlp.common import Params
    from allennlp.training.optimizers import Optimizer

    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    reference = torch.nn.Linear(3, 1)
    reference.load_state_dict(model.state_dict())
    before = model.weight.detach().clone()
    optimizer = Optimizer.from_params(
        model_parameters=list(model.named_parameters()),
        params=Params({"type": "huggingface_adamw", "lr": 0.1, "weight_decay": 0.01}),
    )
    group = optimizer.param_groups[0]
    torch_adamw = torch.optim.AdamW(reference.parameters(), lr=group["lr"], betas=group["betas"],
                                    eps=group["eps"], weight_decay=group["weight_decay"])
    x = torch.randn(4, 3)
    for net, opt in ((model, optimizer), (reference, torch_adamw)):
        net(x).pow(2).sum().backward()
        opt.step()
    print(isinstance(optimizer, torch.optim.AdamW))
    print((model.weight - before).abs().max().item())
    print(torch.equal(model.weight, reference.weight), torch.equal(model.bias, reference.bias))
    try:
        Optimizer.from_params(model_parameters=list(model.named_parameters()),
                              params=Params({"type": "huggingface_adamw", "correct_bias": False}))
    except ValueError as error:
        print("ValueError", "correct_bias=False is not available" in str(error))
"""


def test_without_the_adamw_patch_allennlp_optimizers_cannot_import():
    # All patches off, the torchvision error comes first; switch off just this one.
    result = python("import allennlp.training.optimizers", {NO_COMPAT: "adamw"})
    assert result.returncode != 0
    assert re.search(r"AttributeError: module '?transformers'? has no attribute '?AdamW'?",
                     result.stderr), result.stderr[-3000:]


def test_huggingface_adamw_builds_and_steps_like_torch_adamw():
    lines = ok(python(ADAMW_STEP, ON)).splitlines()
    assert lines[0] == "True"
    # Adam's first step is lr * sign(grad) (+ the decoupled decay lr * 0.01 * |w| <= 1e-3)
    assert float(lines[1]) == pytest.approx(0.1, abs=1.5e-3)
    assert lines[2] == "True True"  # bit for bit the same update as torch.optim.AdamW
    assert lines[3] == "ValueError True"


# -- fix 3: add_special_tokens in cached_transformers.get_tokenizer -----------------------

ROBERTA_ERROR = ("AttributeError: add_special_tokens conflicts with the method add_special_tokens "
                 "in RobertaTokenizerFast")


def test_without_the_tokenizer_patch_roberta_tokenizers_cannot_load(tiny_roberta):
    direct, through_allennlp = run_together(
        # allennlp.common needs no other patch: everything off
        (snippet(f"""
            from allennlp.common import cached_transformers
            cached_transformers.get_tokenizer({tiny_roberta!r}, add_special_tokens=False)
        """), ALL_OFF),
        # allennlp.data needs the torchvision fix: only this patch off
        (snippet(f"""
            from allennlp.data.tokenizers import PretrainedTransformerTokenizer
            PretrainedTransformerTokenizer({tiny_roberta!r})
        """), {NO_COMPAT: "tokenizer"}),
    )
    for result in (direct, through_allennlp):
        assert result.returncode != 0 and ROBERTA_ERROR in result.stderr, result.stderr[-3000:]


def test_roberta_tokenizer_tokenizes_to_the_hugging_face_ids(tiny_roberta):
    code = f"""
        from allennlp.common import cached_transformers
        from allennlp.data.tokenizers import PretrainedTransformerTokenizer
        from transformers import AutoTokenizer
        text = "the film was great"
        ours = [t.text_id for t in PretrainedTransformerTokenizer({tiny_roberta!r}).tokenize(text)]
        theirs = AutoTokenizer.from_pretrained({tiny_roberta!r})(text)["input_ids"]
        plain = cached_transformers.get_tokenizer({tiny_roberta!r}, add_special_tokens=False)
        print(ours)
        print(theirs)
        print(type(plain).__name__, plain.bos_token_id, plain.eos_token_id)
    """
    ours, theirs, info = ok(python(code, ON)).splitlines()
    assert ours == theirs
    ids = eval(ours)
    name, bos, eos = info.split()
    assert name == "RobertaTokenizerFast"
    assert ids[0] == int(bos) == 0 and ids[-1] == int(eos) == 2 and len(ids) > 3


# -- fix 5: int_to_device on a machine without a GPU --------------------------------------------

CUDA_CHECK = ("from allennlp.common.checks import check_for_gpu\n"
              "import torch\nassert not torch.cuda.is_available()\ncheck_for_gpu(0)\n")


def test_without_the_cuda_device_patch_a_gpu_config_fails_inside_torch():
    result = python(CUDA_CHECK, {NO_COMPAT: "cuda_device"})
    assert result.returncode != 0
    assert "Cannot access accelerator device when none is available" in result.stderr


def test_a_gpu_config_without_a_gpu_gets_allennlps_own_message():
    result = python(CUDA_CHECK, {})
    assert result.returncode != 0
    assert "Experiment specified a GPU but none is available" in result.stderr
    assert "trainer.cuda_device=-1" in result.stderr


# -- fix 6: reduce_on_plateau without ReduceLROnPlateau's removed `verbose` ------------------

PLATEAU = ("import torch\nfrom allennlp.common import Params\n"
           "from allennlp.training.learning_rate_schedulers import LearningRateScheduler\n"
           "p = torch.nn.Parameter(torch.zeros(1)); optimizer = torch.optim.SGD([p], lr=1.0)\n"
           "s = LearningRateScheduler.from_params(optimizer=optimizer, params=Params("
           "{'type': 'reduce_on_plateau', 'mode': 'max', 'patience': 0, 'factor': 0.5}))\n"
           "s.step(1.0); s.step(0.5); s.step(0.4)\nprint('lr', optimizer.param_groups[0]['lr'])\n")


def test_without_the_plateau_patch_reduce_on_plateau_cannot_be_built():
    result = python(PLATEAU, {NO_COMPAT: "reduce_on_plateau"})
    assert result.returncode != 0
    assert "unexpected keyword argument 'verbose'" in result.stderr


def test_reduce_on_plateau_builds_and_reduces_the_learning_rate():
    result = python(PLATEAU, {})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "lr 0.25"  # metric fell twice in max mode, patience 0


# -- fix 7: allennlp's trainer autocast without torch's per-batch FutureWarning ---------------

AUTOCAST = ("import warnings\nimport allennlp.training.gradient_descent_trainer as t\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    for _ in range(3):\n"
            "        with t.amp.autocast(False):\n"
            "            pass\n"
            "print(sum('autocast' in str(w.message) for w in caught))\n")


def test_without_the_autocast_patch_every_batch_warns():
    assert python(AUTOCAST, {NO_COMPAT: "autocast"}).stdout.strip() == "3"


def test_the_trainer_autocast_warns_no_more():
    assert ok(python(AUTOCAST, {})).strip() == "0"


# -- fixes 8 and 9: allennlp-models loads (pkg_resources stand-in) without a download ---------

NARRATIVEQA = ("import nltk\n"
               "def refuse(*args, **kwargs):\n"
               "    raise SystemExit('nltk.download was called')\n"
               "nltk.download = refuse\n"
               "import rouge\n"  # py-rouge: `import pkg_resources`
               "import allennlp_models.rc.tools.narrativeqa\n"
               "print('loaded')\n")


def test_allennlp_models_tools_load_without_a_download():
    pytest.importorskip("allennlp_models")
    assert ok(python(NARRATIVEQA, {})).strip() == "loaded"
    without = python(NARRATIVEQA, {NO_COMPAT: "nltk_download"})
    assert "nltk.download was called" in without.stderr + without.stdout
