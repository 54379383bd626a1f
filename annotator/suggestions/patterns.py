"""Rule files: spaCy SpanRuler / Prodigy patterns, one JSON object a line —
`{"label": "QUOTE", "pattern": [{...}, ...]}` (token pattern) or `{"label": ..., "pattern": "a phrase"}`.

One extension, ignored by spaCy and Prodigy: `"context": [i, ...]`, the indexes of the pattern's
tokens that must match but are not part of the span (a reporting verb next to a SPEAKER, the
quotation marks around a QUOTE). Token patterns cannot look around, and the guidelines want
neither in the span; Matcher alignments tell which tokens those were.

Matching runs on Docs rebuilt from the stored tokens (no tokenizing again). Every span is then
trimmed of whitespace, quotation marks and trailing , ; : at its edges (the schema's rule for
every span), and of one label's overlapping matches the longest is kept (same-label spans never
overlap in the guidelines).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import UserError
from annotator.suggestions.proposals import Proposal, trimmed_longest

CONTEXT = "context"


@dataclass(frozen=True)
class Rule:
    line: int
    label: str
    pattern: list | str  # token pattern, or a phrase
    context: frozenset[int]


def read_patterns(path: Path, labels: Sequence[str]) -> list[Rule]:
    """The rules of a file; UserError naming file:line for bad JSON, a bad shape or an unknown label."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"--patterns {path}: cannot read it ({exc.strerror if isinstance(exc, OSError) else exc.reason}); "
                        "give a UTF-8 JSONL file of patterns") from None
    rules = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno}); "
                            "write one pattern object per line") from None
        rules.append(_rule(entry, where, number, labels))
    if not rules:
        raise UserError(f"--patterns {path}: holds no pattern; write lines like "
                        '{"label": "QUOTE", "pattern": [{"LOWER": "said"}]}')
    _check_token_patterns(rules, path)
    return rules


def _rule(entry, where: str, number: int, labels: Sequence[str]) -> Rule:
    if not isinstance(entry, dict) or not isinstance(entry.get("label"), str) or "pattern" not in entry:
        raise UserError(f'{where}: a pattern line is an object with "label" and "pattern"')
    label, pattern = entry["label"], entry["pattern"]
    if label not in labels:
        raise UserError(f"{where}: label {label!r} is not in this project's schema; use one of {', '.join(labels)}")
    if not (isinstance(pattern, str) and pattern.strip()) and not (isinstance(pattern, list) and pattern):
        raise UserError(f'{where}: "pattern" is a phrase (a non-empty string) or a list of token objects')
    context = entry.get(CONTEXT, [])
    size = len(pattern) if isinstance(pattern, list) else 0
    if not isinstance(context, list) or not all(isinstance(i, int) and 0 <= i < size for i in context):
        raise UserError(f'{where}: "context" lists indexes of the token pattern (0 to {size - 1})')
    if size and len(set(context)) == size:
        raise UserError(f'{where}: "context" names every token; leave at least one for the span')
    return Rule(number, label, pattern, frozenset(context))


def _check_token_patterns(rules: list[Rule], path: Path) -> None:
    """spaCy's own validation of each token pattern, reported at its line."""
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    for rule in rules:
        if isinstance(rule.pattern, list):
            try:
                matcher.add(str(rule.line), [rule.pattern])
            except (ValueError, TypeError, KeyError) as exc:
                reason = " ".join(str(exc).split())[:200]
                raise UserError(f"{path}:{rule.line}: not a valid spaCy token pattern ({reason})") from None


class RuleMatcher:
    """The rules of one file, compiled for one language."""

    def __init__(self, rules: list[Rule], lang: str):
        from spacy.matcher import Matcher, PhraseMatcher

        from annotator.text import blank

        self.nlp = blank(lang)
        self.vocab = self.nlp.vocab
        self.rules = {str(i): rule for i, rule in enumerate(rules)}
        self.matcher = Matcher(self.vocab)
        self.phrases = PhraseMatcher(self.vocab, attr="LOWER")
        for key, rule in self.rules.items():
            if isinstance(rule.pattern, list):
                self.matcher.add(key, [rule.pattern])
            else:
                self.phrases.add(key, [self.nlp.make_doc(rule.pattern)])

    def propose(self, doc) -> list[Proposal]:
        """The spans the rules propose on one Doc (rebuilt on this matcher's vocab)."""
        strings = self.vocab.strings
        found = []
        for key, start, end, aligned in self.matcher(doc, with_alignments=True):
            rule = self.rules[strings[key]]
            keep = [i for i, element in enumerate(aligned) if element not in rule.context]
            if keep:
                found.append((rule.label, start + keep[0], start + keep[-1] + 1, None))
        for key, start, end in self.phrases(doc):
            found.append((self.rules[strings[key]].label, start, end, None))
        return trimmed_longest(doc, found)

    def run(self, docs: list) -> list[tuple]:
        """(doc, proposals) of each Doc."""
        return [(doc, self.propose(doc)) for doc in docs]
