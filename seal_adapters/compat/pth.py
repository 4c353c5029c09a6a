"""The `.pth` start-up line; standard library only, so setup.py can load it by path."""

PTH_NAME = "seal_adapters_compat.pth"


def pth_line() -> str:
    """The one line of `seal_adapters_compat.pth`: load startup.py by path and install it.

    Loading by path keeps the `seal_adapters` package (and torch) out of every
    interpreter's start-up; errors are reported, never fatal.
    """
    code = (
        "try:\n"
        "    import importlib.util as u\n"
        "    s = u.find_spec('seal_adapters')\n"
        "    if s is not None and s.submodule_search_locations:\n"
        "        import os\n"
        "        p = os.path.join(list(s.submodule_search_locations)[0], 'compat', 'startup.py')\n"
        "        m = u.spec_from_file_location('seal_adapters_startup', p)\n"
        "        mod = u.module_from_spec(m)\n"
        "        sys.modules['seal_adapters_startup'] = mod\n"
        "        m.loader.exec_module(mod)\n"
        "        mod.install()\n"
        "except Exception as e:\n"
        "    sys.stderr.write('seal_adapters start-up hook failed: %r\\n' % (e,))\n"
    )
    return "import sys; exec(%r)\n" % code
