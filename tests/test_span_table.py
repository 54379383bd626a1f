"""The span table's row-by-row updates show the same rows, in the same order, as a full reset."""

import random

from ui.span_table import SpanRow, SpanTableModel


def _shown(model):
    return [model.index(r, 0).data(256) for r in range(model.rowCount())]


def test_updates_match_a_reset_after_random_edits(qtbot):
    rng = random.Random(1)
    rows = {}
    model, reference = SpanTableModel(), SpanTableModel()
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    for step in range(300):
        if rows and rng.random() < 0.3:
            removed = rows.pop(rng.choice(list(rows)))
            model.update_rows(removed_ids=[removed.id])
        elif rows and rng.random() < 0.2:
            old = rows[rng.choice(list(rows))]
            rows[old.id] = old._replace(label="THREAT", links=f"edit {step}")
            model.update_rows([rows[old.id]])
        elif rows and rng.random() < 0.1:  # the same span elsewhere: its row moves
            old = rows[rng.choice(list(rows))]
            rows[old.id] = old._replace(start=old.start + 3, end=old.end + 3)
            model.update_rows([rows[old.id]])
        else:
            start = rng.randrange(0, 500)
            rows[step] = SpanRow(step, "QUOTE", "x", start, start + rng.randrange(1, 40), "")
            model.update_rows([rows[step]])
        reference.set_rows(list(rows.values()))
        assert _shown(model) == _shown(reference)
        assert all(model.row_of(span_id) == _shown(reference).index(span_id) for span_id in rows)
        assert [model.index(r, 4).data() for r in range(model.rowCount())] == \
               [reference.index(r, 4).data() for r in range(reference.rowCount())]
    assert resets == []  # row by row, never a reset
