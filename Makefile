# Two commands do all the set-up: `make report` builds the HTML reports, `make test` runs the tests.
# Both create .venv and install requirements.txt when missing or changed (a stamp file).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORPUS ?=
OUT    ?= reports

export JIEBA_CACHE_DIR := $(CURDIR)/.cache/jieba
export MPLCONFIGDIR    := $(CURDIR)/.cache/matplotlib
# The library's bytecode is compiled into analysis/__pycache__ (ignored by git) before each command, also where the
# environment sets PYTHONDONTWRITEBYTECODE: otherwise every process compiles it again on import (~0.1 s each, on the
# corpus run's critical path: the forkserver loads the library before the first worker can start)
COMPILE := $(BIN)/python -m compileall -q analysis

.PHONY: report test lint lab tabulate bench clean venv

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -c "import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'rare_earth_project.pth').write_text('$(CURDIR)\\n')"
	$(BIN)/python -m ipykernel install --sys-prefix --name rare-earth-notebooks \
		--display-name "Python (rare-earth notebooks)" > /dev/null
	touch $(STAMP)

report: $(STAMP)
	$(COMPILE)
	$(BIN)/python -m analysis report --out $(OUT) $(if $(CORPUS),--corpus "$(CORPUS)")

tabulate: $(STAMP)
	$(COMPILE)
	$(BIN)/python -m analysis tabulate $(CORPUS)

test: $(STAMP) lint
	$(COMPILE)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks

lab: $(STAMP)
	$(COMPILE)
	$(BIN)/jupyter lab --notebook-dir=notebooks

bench: $(STAMP)
	$(COMPILE)
	$(BIN)/python benchmarks/run_benchmarks.py

clean:
	rm -rf reports data/processed .cache .pytest_cache .ruff_cache
