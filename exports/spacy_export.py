"""The spaCy export: per language, train.spacy + dev.spacy + config.cfg.

Layout: a project in one language writes its files at the top of the output folder; a
project with several languages writes one folder per language (`en/`, `fr/`), each a complete
export with its own split and config (a blank pipeline is per language). A split of more than
`shard_docs` documents is written as a folder of DocBin shards under the same name
(`train.spacy/000.spacy`, ...), built by worker processes on all cores; spaCy's train and
debug commands read such a folder as one corpus, so the command line is the same.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from annotator.errors import UserError
from annotator.store import Project
from exports.reader import DocumentReader, ExportCancelled
from exports.selection import Selection
from exports.spacy_config import COMPONENTS, write_config
from exports.spacy_docs import ShardStats, ShardTask, write_shard
from exports.split import split_documents

SHARD_DOCS = 1_000  # small enough to keep both cores busy on large exports


def check_components(components: list[str], selection: Selection) -> list[str]:
    unknown = [c for c in components if c not in COMPONENTS]
    if unknown or not components:
        raise UserError(f"--components: unknown component {unknown[0]!r}; use ner, spancat or both"
                        if unknown else "--components: name at least one of ner, spancat")
    if "ner" in components and not selection.ner_labels:
        raise UserError("--components ner: none of the exported labels is marked ner in the schema; "
                        "export them with --labels, or use --components spancat")
    return [c for c in COMPONENTS if c in components]


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
) -> tuple[dict, list[dict], list[str]]:
    """Write the files; return (per-language summaries, span notes, warnings)."""
    components = check_components(components, selection)
    labels_by_doc = {doc: set() for doc in selection.documents["id"].tolist()}
    for doc, label in selection.spans[["document_id", "label"]].drop_duplicates().itertuples(index=False):
        labels_by_doc[doc].add(label)
    lengths = dict(zip(selection.documents["id"].tolist(), selection.documents["length"].tolist()))
    languages = sorted(selection.documents["lang"].unique())
    plan, warnings = [], []
    for lang in languages:
        folder = out / lang if len(languages) > 1 else out
        ids = selection.documents.loc[selection.documents["lang"] == lang, "id"].tolist()
        train, dev, missing = split_documents({doc: labels_by_doc[doc] for doc in ids}, lengths, dev_share, seed)
        if dev_share > 0 and not dev:
            warnings.append(f"{lang}: only {len(ids)} document(s), so dev.spacy is empty; "
                            "spacy train needs dev documents")
        if missing and dev:
            warnings.append(f"{lang}: too few documents with {', '.join(missing)} to have them in both train and dev")
        plan.append((lang, folder, {"train": train, "dev": dev}))
    tasks = [
        (lang, split, path, shard_ids)
        for lang, folder, splits in plan
        for split, ids in splits.items()
        for path, shard_ids in _shards(folder / f"{split}.spacy", ids, shard_docs)
    ]
    stats = {(lang, split): ShardStats() for lang, _, splits in plan for split in splits}
    total = len(selection.documents)
    done = 0

    def documents_done(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    if total <= shard_docs:
        jobs = 1  # starting worker processes (~1 s each) pays only for large exports
    reader = DocumentReader(project, selection)
    for (lang, split), shard in _run(reader, tasks, jobs, documents_done, cancelled):
        stats[(lang, split)].add(shard)
    summaries, notes = {}, []
    for lang, folder, splits in plan:
        longest = max(stats[(lang, split)].longest for split in splits)
        write_config(folder / "config.cfg", lang, components, longest)
        summaries[lang] = {
            "path": folder.relative_to(out).as_posix() if folder != out else ".",
            "documents": sum(len(ids) for ids in splits.values()),
            "components": components,
            "longest_span_tokens": longest,
            "splits": {split: _split_summary(stats[(lang, split)]) for split in splits},
        }
        for split in splits:
            notes += stats[(lang, split)].notes
    return summaries, notes, warnings


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


def _task(reader: DocumentReader, lang: str, path: Path, ids: list[int], cancelled) -> ShardTask:
    """The shard's documents, read now (just before it runs) so that memory holds few shards at once."""
    return ShardTask(path, lang, reader.selection.ner_labels, list(reader.payloads(ids, cancelled)))


def _run(reader: DocumentReader, tasks, jobs, documents_done, cancelled) -> Iterator[tuple[tuple, ShardStats]]:
    jobs = min(jobs or os.cpu_count() or 1, len(tasks))
    if jobs <= 1:
        def each_document() -> None:
            if cancelled():
                raise ExportCancelled("export cancelled; nothing was written")
            documents_done(1)

        for lang, split, path, ids in tasks:
            yield (lang, split), write_shard(_task(reader, lang, path, ids, cancelled), each_document)
        return
    # spawn, not fork: the window calls this from a worker thread, and forking a threaded process is unsafe.
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        running: dict[Future, tuple] = {}
        pending = list(tasks)
        try:
            while pending or running:
                while pending and len(running) < jobs + 1:  # one loaded shard waiting per pool, no more
                    lang, split, path, ids = pending.pop(0)
                    task = _task(reader, lang, path, ids, cancelled)
                    running[pool.submit(write_shard, task)] = (lang, split)
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    key = running.pop(future)
                    shard = future.result()
                    documents_done(shard.documents)
                    yield key, shard
                if cancelled():
                    raise ExportCancelled("export cancelled; nothing was written")
        finally:
            for future in running:
                future.cancel()
