"""The spaCy export: per language, train.spacy + dev.spacy + config.cfg.

Layout: a project in one language writes its files at the top of the output folder; a
project with several languages writes one folder per language (`en/`, `fr/`), each a complete
export with its own split and config (a blank pipeline is per language). A split of more than
`shard_docs` documents is written as a folder of DocBin shards under the same name
(`train.spacy/000.spacy`, ...), built by worker processes on all cores; spaCy's train and
debug commands read such a folder as one corpus, so the command line is the same.

Documents are cut into passages (`--passages`, see exports.spacy_docs) and split by document
(exports.split). A language with a single document has no document for dev: its passages are
split instead (a warning and export.json's `split` say so; dev then scores passages of the
article trained on, an optimistic figure), or, when it has fewer than MIN_SPLIT_PASSAGES
distinct passages, the language is left out (a warning and export.json's `left_out`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import UserError
from annotator.store import Project
from exports.prepare import prepare
from exports.reader import DocumentReader, ExportCancelled
from exports.selection import Selection
from exports.spacy_config import COMPONENTS, load_defaults, write_config
from exports.spacy_docs import (DEFAULT_PASSAGES, LONG_PASSAGE_TOKENS, PASSAGE_MODES, ShardStats, ShardTask, passages,
                                write_shard)
from exports.split import MIN_SPLIT_PASSAGES, split_documents

DOCS = {
    "sentence": "one Doc per passage: documents are cut after a line break or a sentence end",
    "paragraph": "one Doc per passage: documents are cut after a line break",
    "document": "one Doc per document",
}
DOCS_LAYOUT = (", never inside a span or between a link's ends; doc.user_data['document'] = {id, name, start}, "
               "start being the Doc's offset in the document's text")

SHARD_DOCS = 1_000  # small enough to keep both cores busy on large exports
SPLITS = ("train", "dev")


def check_components(components: list[str], selection: Selection) -> list[str]:
    unknown = [c for c in components if c not in COMPONENTS]
    if unknown or not components:
        raise UserError(f"--components: unknown component {unknown[0]!r}; use ner, spancat or both"
                        if unknown else "--components: name at least one of ner, spancat")
    if "ner" in components and not selection.ner_labels:
        raise UserError("--components ner: none of the exported labels is marked ner in the schema; "
                        "export them with --labels, or use --components spancat")
    return [c for c in COMPONENTS if c in components]


@dataclass
class _Language:
    lang: str
    folder: Path
    documents: int
    split: dict  # how it is split, for export.json: {"by": "document"} or {"by": "passage", ...}


def export_spacy(
    project: Project,
    selection: Selection,
    out: Path,
    components: list[str],
    dev_share: float,
    seed: int,
    progress: Callable[[int, int], None],
    cancelled: Callable[[], bool],
    shard_docs: int = SHARD_DOCS,
    jobs: int | None = None,
    passages_mode: str = DEFAULT_PASSAGES,
) -> tuple[dict, list[dict], list[str]]:
    """Write the files; return (export.json's spacy section, span notes, warnings)."""
    components = check_components(components, selection)
    if passages_mode not in PASSAGE_MODES:
        raise UserError(f"--passages: unknown value {passages_mode!r}; use one of {', '.join(PASSAGE_MODES)}")
    reader = DocumentReader(project, selection)
    plan, tasks, warnings, left_out = _plan(reader, out, passages_mode, dev_share, seed, shard_docs)
    stats = {(entry.lang, split): ShardStats() for entry in plan for split in SPLITS}
    total = sum(len(ids) for _, _, ids in tasks)
    done = 0

    def documents_done(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    def while_workers_run() -> None:
        for entry in plan:
            load_defaults(entry.lang, components)

    if total <= shard_docs:
        jobs = 1  # worker processes pay only for large exports
    options = {"passages": passages_mode, "dev_share": dev_share, "seed": seed}
    for lang, shard in _run(reader, tasks, options, jobs, documents_done, cancelled, while_workers_run):
        for split, figures in shard.items():
            stats[(lang, split)].add(figures)
    summaries, notes = {}, []
    for entry in plan:
        figures = [stats[(entry.lang, split)] for split in SPLITS]
        longest = max(f.longest for f in figures)
        write_config(entry.folder / "config.cfg", entry.lang, components, longest)
        summaries[entry.lang] = {
            "path": entry.folder.relative_to(out).as_posix() if entry.folder != out else ".",
            "documents": entry.documents,
            "components": components,
            "longest_span_tokens": longest,
            "split": entry.split,
            "splits": {split: _split_summary(f) for split, f in zip(SPLITS, figures)},
        }
        notes += [note for f in figures for note in f.notes]
        if long := sum(f.long_passages for f in figures):
            warnings.append(f"{entry.lang}: {long} passage(s) of more than {LONG_PASSAGE_TOKENS:,} tokens (--passages "
                            f"{passages_mode}); spaCy's default batches hold 100 to {LONG_PASSAGE_TOKENS:,} words, so "
                            "each is a batch of its own" + _finer(passages_mode))
    section = {"passages": passages_mode, "docs": DOCS[passages_mode] + DOCS_LAYOUT, "languages": summaries}
    if left_out:
        section["left_out"] = left_out
    return section, notes, warnings


def _plan(reader: DocumentReader, out: Path, mode: str, dev_share: float, seed: int, shard_docs: int):
    """Per language its folder and split; the tasks (language, {split: path}, document ids); warnings; left out."""
    selection = reader.selection
    labels_by_doc = {doc: set() for doc in selection.documents["id"].tolist()}
    for doc, label in selection.spans[["document_id", "label"]].drop_duplicates().itertuples(index=False):
        labels_by_doc[doc].add(label)
    lengths = dict(zip(selection.documents["id"].tolist(), selection.documents["length"].tolist()))
    languages = sorted(selection.documents["lang"].unique())
    plan, tasks, warnings, left_out = [], [], [], {}
    for lang in languages:
        folder = out / lang if len(languages) > 1 else out
        ids = selection.documents.loc[selection.documents["lang"] == lang, "id"].tolist()
        if dev_share > 0 and len(ids) == 1:  # no document for dev: split its passages, or leave it out
            how, message = _one_document(reader, ids[0], lang, mode, dev_share, seed)
            warnings.append(message)
            if how is None:
                left_out[lang] = message
            else:
                plan.append(_Language(lang, folder, 1, how))
                tasks.append((lang, {split: folder / f"{split}.spacy" for split in SPLITS}, ids))
            continue
        train, dev, missing = split_documents({doc: labels_by_doc[doc] for doc in ids}, lengths, dev_share, seed)
        if missing and dev:
            warnings.append(f"{lang}: too few documents with {', '.join(missing)} to have them in both train and dev")
        plan.append(_Language(lang, folder, len(ids), {"by": "document"}))
        tasks += [(lang, {split: path}, shard_ids) for split, split_ids in zip(SPLITS, (train, dev))
                  for path, shard_ids in _shards(folder / f"{split}.spacy", split_ids, shard_docs)]
    if not plan:
        raise UserError(f"nothing to write: {'; '.join(left_out.values())}")
    return plan, tasks, warnings, left_out


def _one_document(reader: DocumentReader, doc_id: int, lang: str, mode: str, dev_share: float,
                  seed: int) -> tuple[dict | None, str]:
    """How a language's only document is split (None: left out), and the warning that says so."""
    [payload] = reader.payloads([doc_id])
    prepared = prepare(payload, snap_to_tokens=True)
    bounds = passages(prepared, mode)
    starts = [int(prepared.tokens[first, 0]) for first, _ in bounds]
    texts = [payload.text[a:b] for a, b in zip(starts, starts[1:] + [len(payload.text)])]
    distinct = len(set(texts))
    if distinct < MIN_SPLIT_PASSAGES:
        return None, (f"{lang}: left out: its only document, {payload.name}, is {distinct} distinct passage(s) with "
                      f"--passages {mode}, too few to split into train and dev (at least {MIN_SPLIT_PASSAGES}); "
                      f"add documents in this language{_finer(mode, ', cut finer with --passages sentence')}, "
                      "or export with --dev 0 (all in train.spacy)")
    how = {"by": "passage", "reason": "only one document", "passages": mode, "dev_share": dev_share, "seed": seed}
    return how, (f"{lang}: only 1 document ({payload.name}), so its {len(texts)} passages (--passages {mode}) are "
                 f"split between train.spacy and dev.spacy (dev share {dev_share}, seed {seed}; the same text never "
                 "on both sides); dev then scores passages of the article trained on: add documents for a fair score")


def _finer(mode: str, advice: str = "; --passages sentence cuts them finer") -> str:
    return "" if mode == "sentence" else advice


def _split_summary(stats: ShardStats) -> dict:
    return {"documents": stats.documents, "passages": stats.passages, "spans": dict(sorted(stats.spans.items())),
            "ents": dict(sorted(stats.ents.items())), "links": dict(sorted(stats.links.items()))}


def _shards(path: Path, ids: list[int], shard_docs: int) -> Iterator[tuple[Path, list[int]]]:
    """One file when the split is small, else a folder of shards named like the file."""
    if len(ids) <= shard_docs:
        yield path, ids
        return
    for number, offset in enumerate(range(0, len(ids), shard_docs)):
        yield path / f"{number:03d}.spacy", ids[offset:offset + shard_docs]


def _task(reader: DocumentReader, lang: str, paths: dict[str, Path], ids: list[int], options: dict,
          cancelled) -> ShardTask:
    """The shard's documents, read now (just before it runs) so that memory holds few shards at once."""
    return ShardTask(paths, lang, reader.selection.ner_labels, list(reader.payloads(ids, cancelled)), **options)


def _start_method():
    """fork when that is safe: Linux, and this process has one thread (the CLI). A forked worker
    starts at once with what is loaded; a spawned one imports the CLI and spaCy again (~1.5 s,
    as much as the work on 2,000 documents). The window calls this from a worker thread, and
    forking a threaded process is unsafe, so there (and on macOS and Windows) workers are spawned."""
    alone = threading.current_thread() is threading.main_thread() and threading.active_count() == 1
    if sys.platform == "linux" and alone:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _run(reader: DocumentReader, tasks, options, jobs, documents_done, cancelled,
         idle: Callable[[], None]) -> Iterator[tuple[str, dict]]:
    """Each task's (language, {split: ShardStats}); `idle` is called once while worker processes run."""
    jobs = min(jobs or os.cpu_count() or 1, len(tasks))
    if jobs <= 1:
        def each_document() -> None:
            if cancelled():
                raise ExportCancelled("export cancelled; nothing was written")
            documents_done(1)

        for lang, paths, ids in tasks:
            yield lang, write_shard(_task(reader, lang, paths, ids, options, cancelled), each_document)
        return
    context = _start_method()
    forked = context.get_start_method() == "fork"
    if forked:
        gc.freeze()  # what is loaded, out of the collector's reach: a collection in a worker would copy its pages
    try:
        yield from _pool(reader, tasks, options, jobs, context, documents_done, cancelled, idle)
    finally:
        if forked:
            gc.unfreeze()


def _pool(reader, tasks, options, jobs, context, documents_done, cancelled, idle) -> Iterator[tuple[str, dict]]:
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        running: dict[Future, tuple] = {}
        pending = list(tasks)
        try:
            while pending or running:
                while pending and len(running) < jobs + 1:  # one loaded shard waiting per pool, no more
                    lang, paths, ids = pending.pop(0)
                    task = _task(reader, lang, paths, ids, options, cancelled)
                    running[pool.submit(write_shard, task)] = (lang, len(ids))
                if idle:
                    idle()
                    idle = None
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    lang, count = running.pop(future)
                    shard = future.result()
                    documents_done(count)
                    yield lang, shard
                if cancelled():
                    raise ExportCancelled("export cancelled; nothing was written")
        finally:
            for future in running:
                future.cancel()
