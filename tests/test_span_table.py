"""The span table's incremental sync shows the same rows, in the same order, as a full reset."""

import random

from ui.span_table import SpanRow, SpanTableModel


def _shown(model):
    return [model.index(r, 0).data(256) for r in range(model.rowCount())]


def test_sync_matches_a_reset_after_random_edits(qtbot):
    rng = random.Random(1)
    rows = {}
    model, reference = SpanTableModel(), SpanTableModel()
    for step in range(300):
        if rows and rng.random() < 0.3:
            rows.pop(rng.choice(list(rows)))
        elif rows and rng.random() < 0.2:
            old = rows[rng.choice(list(rows))]
            rows[old.id] = old._replace(label="THREAT", links=f"edit {step}")
        else:
            start = rng.randrange(0, 500)
            rows[step] = SpanRow(step, "QUOTE", "x", start, start + rng.randrange(1, 40), "")
        model.sync(list(rows.values()))
        reference.set_rows(list(rows.values()))
        assert _shown(model) == _shown(reference)
        assert [model.index(r, 4).data() for r in range(model.rowCount())] == \
               [reference.index(r, 4).data() for r in range(reference.rowCount())]
