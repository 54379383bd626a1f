"""Run the `annotator` command in a real subprocess: as a user file permissions apply to, with
some imports made to fail, or with a time limit (an input that hangs must fail the test)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _obey_file_modes() -> None:
    """In the child, before exec: root keeps its uid but loses the two capabilities that let it
    ignore file modes, so chmod 000 / 444 bind it as they bind the file's owner. (Switching to
    `nobody` would not do: the interpreter may live under /root, which nobody cannot enter.)"""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_cli(*args: str, plain_user: bool = False, blocked: tuple[str, ...] = (), env: dict | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """`annotator ARGS...` in a new process; `blocked` modules fail to import there."""
    script = "import sys\n" + "".join(f"sys.modules[{name!r}] = None\n" for name in blocked) + (
        "from cli.app import app\n"
        f"sys.argv = ['annotator', *{list(args)!r}]\n"
        "app()\n")
    preexec = _obey_file_modes if plain_user and os.geteuid() == 0 else None
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=preexec, env={**os.environ, **(env or {})})
