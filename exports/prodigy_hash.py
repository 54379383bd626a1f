"""Prodigy-style task hashes.

Prodigy's scheme, as its maintainers describe it: `_input_hash` is a 32-bit MurmurHash of the
task's input keys ("text", "image", "html", "input"); `_task_hash` hashes the task keys ("spans",
"label", "options", "arcs") prefixed with the input hash. Here the values are serialised as
compact JSON with sorted keys. Prodigy's own serialisation is not public, so the numbers may
differ from what Prodigy would compute; they are stable (same task, same hashes), which is what
deduplication and the round trip rely on.
"""

from __future__ import annotations

import json

from murmurhash import hash as murmur

INPUT_KEYS = ("text", "image", "html", "input")
TASK_KEYS = ("spans", "label", "options", "arcs")


def _digest(task: dict, keys: tuple[str, ...], prefix: str = "") -> int:
    values = {key: task[key] for key in keys if key in task}
    return murmur(prefix + json.dumps(values, sort_keys=True, separators=(",", ":")))


def set_hashes(task: dict) -> dict:
    task["_input_hash"] = _digest(task, INPUT_KEYS)
    task["_task_hash"] = _digest(task, TASK_KEYS, prefix=str(task["_input_hash"]))
    return task
