"""Inputs that used to end in a traceback or a hang: each now gets one line, exit code 1, and the
project stays as it was."""

import json
import os
import re
import shutil
import stat
import threading
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from cli.app import app
from annotator.importing import import_path
from tests.cli_process import run_cli
from tests.helpers import snapshot

TEXT = "Vladimir Putin warned on Tuesday that Russia would respond to the West."
GOOD = {"text": TEXT, "spans": [{"start": 0, "end": 14, "label": "SPEAKER"}], "answer": "accept", "_annotator_id": "ann"}
LONE = "\\ud83d"  # as written in the file: half of 😀 (\ud83d\ude00)


@pytest.fixture
def populated(project, tmp_path):
    seed = tmp_path / "seed.jsonl"
    seed.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    import_path(project, seed)
    return project


def _one_line_error(result, expected: str) -> str:
    code = result.returncode if hasattr(result, "returncode") else result.exit_code
    assert code == 1, (result.stdout, result.stderr)
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message, message
    assert message.startswith("error: "), message
    assert re.search(expected, message), message
    return message


def _import(project, *args):
    return CliRunner().invoke(app, ["import", project.url, *map(str, args)])


# --------------------------------------------------------------------------- lone surrogates
SURROGATES = {
    # where the lone surrogate is: (the record line as written, the field the message names)
    "text": ('{"text": "Putin %s said it.", "answer": "accept", "_annotator_id": "ann"}', "text"),
    "name": ('{"text": "Putin said it.", "meta": {"name": "doc %s"}}', "meta.name"),
    "meta": ('{"text": "Putin said it.", "meta": {"source": "%s", "page": 2}}', "meta.source"),
    "meta key": ('{"text": "Putin said it.", "meta": {"%s": 1}}', "meta"),
    "annotator": ('{"text": "Putin said it.", "answer": "accept", "_annotator_id": "bob%s", "spans": []}',
                  "_annotator_id"),
    "label": ('{"text": "Putin said it.", "answer": "accept", "_annotator_id": "ann", '
              '"spans": [{"start": 0, "end": 5, "label": "SPEAKER"}, {"start": 6, "end": 10, "label": "Q%s"}]}',
              r"spans\[1\]\.label"),
}


@pytest.mark.parametrize("where", list(SURROGATES))
def test_a_lone_surrogate_in_json_names_the_line_and_field(populated, tmp_path, where):
    line, field = SURROGATES[where]
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD | {"text": TEXT + " 2"}) + "\n" + line % LONE + "\n", encoding="utf-8")
    before = snapshot(populated)
    message = _one_line_error(_import(populated, path),
                              rf"bad.jsonl:2: field '{field}'.* lone surrogate \\ud83d .*nothing from this file")
    assert "😀" in message or "both halves" in message  # says what a whole character looks like
    assert snapshot(populated) == before


def test_a_surrogate_pair_and_an_escaped_backslash_are_not_refused(project, tmp_path):
    path = tmp_path / "fine.jsonl"
    path.write_text('{"text": "Putin \\ud83d\\ude00 said it.", "meta": {"name": "a \\\\ud83d b"}}\n', encoding="utf-8")
    result = _import(project, path)
    assert result.exit_code == 0, result.output
    with project.read() as session:
        assert session.connection().exec_driver_sql("SELECT text, name FROM documents").one() == ("Putin 😀 said it.", "a \\ud83d b")


# --------------------------------------------------------------------------- deep JSON
@pytest.mark.parametrize("line, options", [(1, []), (2, []), (2, ["--format", "jsonl"]), (1, ["--format", "doccano", "--annotator", "x"])])
def test_json_nested_100000_deep_is_refused_with_its_line(populated, tmp_path, line, options):
    path = tmp_path / "deep.jsonl"
    deep = '{"text": "Putin said it.", "meta": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    path.write_text((json.dumps(GOOD) + "\n") * (line - 1) + deep + "\n", encoding="utf-8")
    before = snapshot(populated)
    _one_line_error(_import(populated, path, *options), rf"deep.jsonl:{line}: .*nested too deeply.*nothing from this file")
    assert snapshot(populated) == before


def test_json_nested_just_below_the_parser_limit_fails_nowhere_later(populated, tmp_path):
    """Depth the parser accepts must not fail later (storing meta as JSON recurses too)."""
    path = tmp_path / "deep.jsonl"
    for depth in (200, 900, 990, 2000):
        path.write_text('{"text": "Putin said it %d.", "meta": {"x": %s}}\n' % (depth, "[" * depth + "]" * depth))
        result = _import(populated, path)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        if result.exit_code:
            _one_line_error(result, r"deep.jsonl:1: .*nested too deeply")


# --------------------------------------------------------------------------- files that are not plain files
def _folder(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Putin said it on Monday.", encoding="utf-8")
    (folder / "c.txt").write_text("Macron said it on Friday.", encoding="utf-8")
    return folder


def test_an_unreadable_txt_in_a_folder_is_named(populated, tmp_path):
    folder = _folder(tmp_path)
    secret = folder / "b.txt"
    secret.write_text("Nobody may read this.", encoding="utf-8")
    secret.chmod(0)
    before = snapshot(populated)
    result = run_cli("import", populated.url, str(folder), plain_user=True)
    _one_line_error(result, r"articles/b.txt: cannot read the file \(permission denied\).* nothing from this folder")
    assert snapshot(populated) == before


def test_an_unreadable_single_file_is_named(populated, tmp_path):
    path = tmp_path / "secret.jsonl"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    path.chmod(0)
    before = snapshot(populated)
    _one_line_error(run_cli("import", populated.url, str(path), plain_user=True),
                    r"secret.jsonl: cannot read the file \(permission denied\)")
    assert snapshot(populated) == before


def test_a_broken_symlink_in_a_folder_is_named(populated, tmp_path):
    folder = _folder(tmp_path)
    (folder / "x.txt").symlink_to(tmp_path / "gone.txt")
    before = snapshot(populated)
    _one_line_error(_import(populated, folder), r"articles/x.txt: a broken symbolic link .*nothing from this folder")
    assert snapshot(populated) == before


@contextmanager
def _unblocking(fifo):
    """Should the import wait on the pipe, a writer turns up after a while with an article (each
    time the pipe is opened), so a test of the old behaviour fails instead of hanging."""
    stop = threading.Event()

    def serve():
        while not stop.wait(1):
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # fails at once unless someone reads
            except OSError:
                continue
            os.write(fd, b"Putin said it from a pipe.")
            os.close(fd)

    writer = threading.Thread(target=serve, daemon=True)
    writer.start()
    try:
        yield
    finally:
        stop.set()
        writer.join()


def test_a_fifo_in_a_folder_is_refused_not_waited_on(populated, tmp_path):
    folder = _folder(tmp_path)
    os.mkfifo(folder / "x.txt")
    before = snapshot(populated)
    with _unblocking(folder / "x.txt"):
        result = _import(populated, folder)
    _one_line_error(result, r"articles/x.txt: not a regular file \(a named pipe\).*nothing from this folder")
    assert snapshot(populated) == before


@pytest.mark.parametrize("name, options", [("x.txt", []), ("x.jsonl", []), ("x.csv", []),
                                           ("x.dat", ["--format", "prodigy"]), ("x.dat", ["--format", "csv"])])
def test_a_fifo_given_as_the_path_is_refused_not_waited_on(populated, tmp_path, name, options):
    path = tmp_path / name
    os.mkfifo(path)
    before = snapshot(populated)
    with _unblocking(path):
        result = _import(populated, path, *options)
    _one_line_error(result, rf"{re.escape(name)}: not a regular file \(a named pipe\)")
    assert snapshot(populated) == before
    assert stat.S_ISFIFO(path.stat().st_mode)


# --------------------------------------------------------------------------- rich markup in names
MARKUP_NAMES = ("bob[/]", "[bold]x", "carol :fire:")


def test_names_with_markup_are_shown_as_written_by_stats_and_agreement(project, tmp_path):
    texts = [f"President {n} said on Monday that the army would respond to the attack." for n in range(3)]
    for name in MARKUP_NAMES:
        path = tmp_path / "work.jsonl"
        path.write_text("".join(json.dumps({"text": text, "meta": {"name": f"[red]doc {i}[/] :fire:"},
                                            "answer": "accept", "_annotator_id": name,
                                            "spans": [{"start": 0, "end": 9 + len(name) % 3, "label": "SPEAKER"}]}) + "\n"
                                for i, text in enumerate(texts)), encoding="utf-8")
        import_path(project, path)
    stats = CliRunner().invoke(app, ["stats", project.url])
    assert stats.exit_code == 0, stats.output
    for name in MARKUP_NAMES:
        assert name in stats.stdout
    agreement = CliRunner().invoke(app, ["agreement", project.url])
    assert agreement.exit_code == 0, agreement.output
    for name in MARKUP_NAMES:
        assert name in agreement.stdout
    assert "[red]doc 0[/] :fire:" in agreement.stdout  # a worst document, as named


# --------------------------------------------------------------------------- database URLs
@pytest.mark.parametrize("url, driver", [("postgresql+psycopg://u@localhost/db", "psycopg"),
                                         ("postgresql://u@localhost/db", "psycopg2?"),  # SQLAlchemy's default
                                         ("postgresql+psycopg2://u@localhost/db", "psycopg2")])
def test_a_postgresql_url_without_its_driver_says_what_to_install(url, driver):
    result = run_cli("stats", url, blocked=("psycopg", "psycopg2"))  # stays true once psycopg is installed
    message = _one_line_error(result, rf"error: {re.escape(url)}: the PostgreSQL driver {driver} is not installed")
    assert "pip install 'quote-annotator[postgres]'" in message
    if url.startswith("postgresql+psycopg2"):
        assert "postgresql+psycopg://" in message  # the driver the extra installs


@pytest.mark.parametrize("url, expected", [
    ("mongodb://u@localhost/db", r"mongodb://u@localhost/db: unknown kind of database 'mongodb'"),
    ("sqlite+nosuch:///x.db", r"unknown kind of database 'sqlite\+nosuch'"),
    ("postgresql://u:secret@[::1/db", r"not a valid database URL"),
])
def test_an_unknown_or_malformed_database_url_is_one_line(url, expected):
    result = CliRunner().invoke(app, ["stats", url])
    message = _one_line_error(result, expected)
    assert "secret" not in message
    assert "file path" in message or "postgresql+psycopg://" in message


# --------------------------------------------------------------------------- read-only projects
@pytest.fixture
def read_only_copy(_sample_project_file, tmp_path):
    path = tmp_path / "shared.db"
    shutil.copyfile(_sample_project_file, path)
    path.chmod(0o444)
    return path


def _files(path):
    return sorted(p.name for p in path.parent.iterdir()), path.read_bytes()


@pytest.mark.file_only("file permissions")
def test_reading_commands_work_on_a_read_only_project_and_leave_no_trace(read_only_copy, tmp_path):
    before = _files(read_only_copy)
    stats = run_cli("stats", str(read_only_copy), "--json", plain_user=True)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["documents"] == 5
    agreement = run_cli("agreement", str(read_only_copy), "--format", "json", plain_user=True)
    assert agreement.returncode == 0, agreement.stderr
    assert json.loads(agreement.stdout)["documents"] == 5
    export = run_cli("export", str(read_only_copy), "--out", str(tmp_path / "out"), "--format", "doccano",
                     "--source", "alice", plain_user=True)
    assert export.returncode == 0, export.stderr
    assert (tmp_path / "out").is_dir()
    after = _files(read_only_copy)
    assert after[1] == before[1] and [n for n in after[0] if n.startswith("shared")] == ["shared.db"]


@pytest.mark.file_only("file permissions")
def test_writing_to_a_read_only_project_says_so_and_what_to_do(read_only_copy, tmp_path):
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    before = read_only_copy.read_bytes()
    message = _one_line_error(run_cli("import", str(read_only_copy), str(path), plain_user=True),
                              rf"{re.escape(str(read_only_copy))}: the project file is read-only")
    assert "chmod u+w" in message and "copy" in message
    assert read_only_copy.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("shared")) == ["shared.db"]


@pytest.mark.file_only("file permissions")
def test_a_project_in_a_read_only_folder_can_be_read(_sample_project_file, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "p.db"
    shutil.copyfile(_sample_project_file, path)
    folder.chmod(0o555)
    try:
        stats = run_cli("stats", str(path), "--json", plain_user=True)
        assert stats.returncode == 0, stats.stderr
        assert json.loads(stats.stdout)["documents"] == 5
        seed = tmp_path / "new.jsonl"
        seed.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
        _one_line_error(run_cli("import", str(path), str(seed), plain_user=True), r"read-only")
        assert sorted(p.name for p in folder.iterdir()) == ["p.db"]
    finally:
        folder.chmod(0o755)


# --------------------------------------------------------------------------- the last-resort guard
def test_an_unexpected_os_error_is_one_line_and_a_traceback_only_on_request(sample_project):
    result = run_cli("agreement", sample_project.url, "--format", "csv", "--out", "/dev/full")
    message = _one_line_error(result, r"No space left on device")
    assert "ANNOTATOR_DEBUG=1" in message
    debug = run_cli("agreement", sample_project.url, "--format", "csv", "--out", "/dev/full",
                    env={"ANNOTATOR_DEBUG": "1"})
    assert debug.returncode != 0 and "Traceback" in debug.stderr


# --------------------------------------------------------------------------- names that are not UTF-8
NOT_UTF8 = os.fsdecode(b"caf\xe9")  # a Latin-1 name as the terminal or the file system hands it over


def test_a_file_name_that_is_not_utf8_is_imported_under_a_readable_name(project, tmp_path):
    folder = _folder(tmp_path)
    (folder / f"{NOT_UTF8}.txt").write_text("Lagarde said on Thursday that prices rose.", encoding="utf-8")
    result = _import(project, folder)
    assert result.exit_code == 0, result.output
    with project.read() as session:
        names = session.connection().exec_driver_sql("SELECT name FROM documents ORDER BY name").scalars().all()
    assert names == ["a.txt", "c.txt", "caf\ufffd.txt"]


def test_an_annotator_name_that_is_not_utf8_is_one_line(populated, tmp_path):
    path = tmp_path / "work.jsonl"
    path.write_text(json.dumps(GOOD | {"text": TEXT + " 2", "_annotator_id": None}) + "\n", encoding="utf-8")
    before = snapshot(populated)
    _one_line_error(_import(populated, path, "--annotator", NOT_UTF8), r"--annotator 'caf\\udce9': not UTF-8 text")
    assert snapshot(populated) == before
