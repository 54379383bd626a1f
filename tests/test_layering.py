"""The layers hold: the core, the exporters and training never import Qt, the CLI or the window, and the
CLI's light commands load no heavy library."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADLESS = ("annotator", "exports", "training")
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qtpy")


def _modules():
    for package in HEADLESS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path, ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_the_import_contracts_hold():
    """pyproject's [tool.importlinter]: ui | cli above exports above annotator, and no Qt in the
    core or the exports. lint-imports reads every import, also those inside functions."""
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout, result.stdout


def test_every_headless_module_imports_with_qt_missing():
    """napari's trick: import everything in a process where Qt cannot be imported at all."""
    modules = [name for _, name in _modules()]
    script = (
        "import sys\n"
        f"for name in {QT!r}: sys.modules[name] = None  # makes `import PySide6` fail\n"
        "import importlib\n"
        f"for module in {modules!r}: importlib.import_module(module)\n"
        "print('ok', len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_light_commands_load_no_heavy_library(sample_project):
    """Every command pays its imports at start: stats, assign, --help and --version need neither spaCy,
    pandas, numpy, Qt nor Alembic (benchmarks/bench_startup.py measures the time itself)."""
    heavy = ("spacy", "thinc", "pandas", "numpy", "PySide6", "alembic")
    script = (
        "import sys\n"
        "from cli.app import app\n"
        "for argv in (['stats', sys.argv[1]], ['stats', sys.argv[1], '--json'], ['--help'], ['--version'],\n"
        "             ['assign', sys.argv[1], '--annotators', 'alice,bob', '--overlap', '0.4'],\n"
        "             ['assign', sys.argv[1], '--show', '--json']):\n"
        "    try:\n"
        "        code = app(argv, standalone_mode=False)\n"
        "    except SystemExit as exit:\n"
        "        code = exit.code\n"
        "    if code not in (None, 0):\n"
        "        sys.exit(f'{argv} exited {code}')\n"
        f"print('loaded:', sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, sample_project.url], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "loaded: []"
