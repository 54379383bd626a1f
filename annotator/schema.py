"""The label schema: a TOML file of labels and relation labels, stored in the project."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.errors import UserError
from annotator.model import Label, RelationLabel

DEFAULT_SCHEMA = Path(__file__).with_name("default_labels.toml")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


@dataclass(frozen=True)
class LabelDef:
    name: str
    color: str
    key: str | None
    ner: bool
    guideline: str


@dataclass(frozen=True)
class RelationDef:
    name: str
    head: tuple[str, ...]
    child: tuple[str, ...]
    guideline: str


@dataclass(frozen=True)
class Schema:
    labels: tuple[LabelDef, ...]
    relations: tuple[RelationDef, ...]

    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]


def load_schema(path: str | Path | None = None) -> Schema:
    """Read and check a schema file; the default one when no path is given."""
    path = Path(path) if path is not None else DEFAULT_SCHEMA
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such schema file; give the path of a labels TOML file") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 (byte {exc.start}); save the schema as UTF-8") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from None
    return _parse(data, _Where(path, raw))


class _Where:
    """Points a message at the line of the n-th [[labels]] / [[relations]] table."""

    def __init__(self, path: Path, raw: str) -> None:
        self.path = path
        self.lines: dict[str, list[int]] = {"labels": [], "relations": []}
        for number, line in enumerate(raw.splitlines(), start=1):
            match = re.match(r"^\s*\[\[\s*(labels|relations)\s*\]\]", line)
            if match:
                self.lines[match.group(1)].append(number)

    def __call__(self, table: str, index: int) -> str:
        found = self.lines[table]
        return f"{self.path}:{found[index]}" if index < len(found) else str(self.path)


def _parse(data: dict, where: _Where) -> Schema:
    raw_labels = data.get("labels")
    if not isinstance(raw_labels, list) or not raw_labels:
        raise UserError(f"{where.path}: no [[labels]] tables; define at least one label")
    labels: list[LabelDef] = []
    for index, item in enumerate(raw_labels):
        at = where("labels", index)
        name = _field(item, "name", str, at)
        if not _NAME.match(name):
            raise UserError(f"{at}: label name {name!r} must be a word (letters, digits, _ or -)")
        color = _field(item, "color", str, at)
        if not _COLOR.match(color):
            raise UserError(f"{at}: label {name}: color must look like '#1f77b4', got {color!r}")
        key = item.get("key")
        if key is not None and (not isinstance(key, str) or len(key) != 1):
            raise UserError(f"{at}: label {name}: key must be a single character, got {key!r}")
        ner = item.get("ner", False)
        if not isinstance(ner, bool):
            raise UserError(f"{at}: label {name}: ner must be true or false, got {ner!r}")
        guideline = item.get("guideline", "")
        if not isinstance(guideline, str):
            raise UserError(f"{at}: label {name}: guideline must be a string")
        labels.append(LabelDef(name, color.lower(), key, ner, guideline.strip()))
    _unique([label.name for label in labels], "label name", where.path)
    _unique([label.key for label in labels if label.key], "label key", where.path)

    names = {label.name for label in labels}
    relations: list[RelationDef] = []
    for index, item in enumerate(data.get("relations", [])):
        at = where("relations", index)
        name = _field(item, "name", str, at)
        ends = {}
        for end in ("head", "child"):
            value = item.get(end, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UserError(f"{at}: relation {name}: {end} must be a list of label names")
            unknown = [v for v in value if v not in names]
            if unknown:
                raise UserError(f"{at}: relation {name}: unknown {end} label {unknown[0]!r}; define it in [[labels]]")
            ends[end] = tuple(value)
        guideline = item.get("guideline", "")
        relations.append(RelationDef(name, ends["head"], ends["child"], str(guideline).strip()))
    _unique([relation.name for relation in relations], "relation name", where.path)
    return Schema(tuple(labels), tuple(relations))


def _field(item: object, key: str, kind: type, at: str):
    if not isinstance(item, dict):
        raise UserError(f"{at}: expected a table of fields")
    value = item.get(key)
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        raise UserError(f"{at}: field {key!r} is required and must be a {kind.__name__}, got {value!r}")
    return value.strip() if kind is str else value


def _unique(values: list[str], what: str, path: Path) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise UserError(f"{path}: {what} {value!r} is used twice; each must be unique")
        seen.add(value)


def store_schema(session: Session, schema: Schema) -> None:
    """Write the schema's labels into a new project (inside the caller's transaction)."""
    for position, label in enumerate(schema.labels):
        session.add(
            Label(name=label.name, color=label.color, key=label.key, ner=label.ner,
                  guideline=label.guideline, position=position)
        )
    for position, relation in enumerate(schema.relations):
        session.add(
            RelationLabel(name=relation.name, head_labels=list(relation.head),
                          child_labels=list(relation.child), guideline=relation.guideline,
                          position=position)
        )


def project_schema(session: Session) -> Schema:
    """The schema stored in a project, in its defined order."""
    labels = session.scalars(select(Label).order_by(Label.position)).all()
    relations = session.scalars(select(RelationLabel).order_by(RelationLabel.position)).all()
    return Schema(
        tuple(LabelDef(l.name, l.color, l.key, l.ner, l.guideline) for l in labels),
        tuple(RelationDef(r.name, tuple(r.head_labels), tuple(r.child_labels), r.guideline) for r in relations),
    )
