"""Annotation rows are written in one place: changes.apply_in. Every other core module builds a
Change (annotator.change_builder) and applies it; none writes spans, links, statuses, annotators
or assignments itself, and none borrows another module's private helpers."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "annotator"
THE_WRITER = CORE / "changes.py"
ANNOTATION_MODELS = {"Span", "Relation", "DocumentStatus", "Annotator", "Assignment", "SuggestionDecision"}
# What a core module may still write with its own statements: documents (an import's texts) and
# the label schema; everything else is a Change.
OTHER_TABLES = {"Document", "Label", "RelationLabel"}
RAW_WRITE = re.compile(r"\b(insert\s+into|update|delete\s+from)\s+\"?(spans|relations|document_status|annotators|"
                       r"assignments)\b", re.IGNORECASE)


def _dml_names(tree: ast.AST) -> set[str]:
    """Local names of sqlalchemy's insert / update / delete in a module."""
    return {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("sqlalchemy") for alias in node.names
            if alias.name in ("insert", "update", "delete")}


def _names_other_table(node: ast.AST) -> bool:
    """`Document`, `Document.__table__` and the like: a table that is not an annotation table."""
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        node = node.value
    return isinstance(node, ast.Name) and node.id in OTHER_TABLES


def writes_of_annotations(source: str) -> list[str]:
    """What in `source` writes annotation rows itself (line: text)."""
    tree = ast.parse(source)
    dml = _dml_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            is_dml = (isinstance(func, ast.Name) and name in dml) or (
                isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in ("sqlalchemy", "sa") and name in ("insert", "update", "delete"))
            if is_dml and not (node.args and _names_other_table(node.args[0])):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
            elif isinstance(func, ast.Name) and name in ANNOTATION_MODELS:  # an ORM object to add
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and RAW_WRITE.search(node.value):
            found.append(f"{node.lineno}: {node.value[:60]!r}")
    return found


def _core_modules():
    for path in sorted(CORE.rglob("*.py")):
        if path != THE_WRITER and "migrations" not in path.parts:
            yield path


def test_no_core_module_but_changes_writes_annotation_rows():
    offenders = {str(path.relative_to(ROOT)): found for path in _core_modules()
                 if (found := writes_of_annotations(path.read_text(encoding="utf-8")))}
    assert offenders == {}, "build a Change with annotator.change_builder instead: " + repr(offenders)


def test_the_scan_sees_the_writes_it_forbids():
    """The old ways of writing, each caught (so that the test above can fail)."""
    old = '''
from sqlalchemy import insert, update as sql_update
session.execute(insert(TABLES["spans"]), [row])
session.execute(insert(Annotator).values(name=name))
session.execute(sql_update(DocumentStatus).where(x).values(status="done"))
table = Span.__table__
session.connection().execute(insert(table).returning(table.c.id), rows)
session.add(Relation(head_id=1, child_id=2))
connection.exec_driver_sql("DELETE FROM spans WHERE id = 1")
'''
    assert len(writes_of_annotations(old)) == 6
    allowed = '''
from sqlalchemy import insert
session.connection().execute(insert(Document.__table__).returning(Document.id), rows)
pairs.update(combinations(group, 2))
'''
    assert writes_of_annotations(allowed) == []


def test_no_core_module_imports_another_modules_private_names():
    borrowed = []
    for path in _core_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("annotator"):
                borrowed += [f"{path.relative_to(ROOT)}: {node.module}.{alias.name}" for alias in node.names
                             if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert borrowed == []
