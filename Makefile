# Two commands on a fresh machine: `make run` (the window on a demo project) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := .demo/demo.db

.PHONY: install run demo demo-reset test test-postgres bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@echo "Installing the tool and its dependencies into $(VENV) (a minute or two; pip shows its progress)"
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The demo is built once; your annotations in it survive later `make run`s (`make demo-reset` starts over).
$(DEMO): | $(STAMP)
	mkdir -p $(dir $(DEMO))
	rm -f $(DEMO).tmp $(DEMO).tmp-wal $(DEMO).tmp-shm
	$(BIN)/annotator init $(DEMO).tmp --labels samples/labels.toml
	$(BIN)/annotator import $(DEMO).tmp samples/articles samples/annotations/*.jsonl
	mv $(DEMO).tmp $(DEMO)

demo: $(DEMO)

demo-reset:
	rm -f $(DEMO) $(DEMO)-wal $(DEMO)-shm
	$(MAKE) demo

run: $(DEMO)
	$(BIN)/annotator gui $(DEMO) --annotator alice

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# The same suite with every project on a throw-away PostgreSQL server (needs Debian's postgresql
# package, or PG_BIN=/path/to/its/bin): started, used, stopped and deleted.
test-postgres: $(STAMP)
	scripts/with-postgres $(MAKE) test

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_import.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_window.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_window_suggestions.py
	$(BIN)/python benchmarks/bench_export.py
	$(BIN)/python benchmarks/bench_export_cli.py
	$(BIN)/python benchmarks/bench_agreement.py
	$(BIN)/python benchmarks/bench_assign.py
	$(BIN)/python benchmarks/bench_bundle.py
	$(BIN)/python benchmarks/bench_progress.py
	$(BIN)/python benchmarks/bench_startup.py
	scripts/with-postgres $(BIN)/python benchmarks/bench_postgres.py
	scripts/with-postgres $(BIN)/python benchmarks/bench_team.py
	scripts/with-postgres $(BIN)/python benchmarks/bench_key_press.py
	scripts/with-postgres $(BIN)/python benchmarks/bench_live_progress.py
	$(BIN)/python benchmarks/bench_suggest.py
	$(BIN)/python benchmarks/bench_train.py

clean:
	rm -rf $(VENV) .demo .pytest_cache
