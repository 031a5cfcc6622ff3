# Two commands do all the set-up on a fresh machine:
#   make run   - create .venv with a Python >= 3.12, install scenarios with its dev extras, run the default scenario
#   make test  - the same set-up, then the test suite without the long system tests (make test-slow; CI runs both)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-slow setup lint generate bench clean
run: $(STAMP)
	$(VENV)/bin/scenarios run baseline

test: $(STAMP)
	bash scripts/run-tests.sh -m "not slow"

# the long system tests (marked slow), each with a quick version in `make test`; CI runs both
test-slow: $(STAMP)
	bash scripts/run-tests.sh -m slow

setup: $(STAMP)

$(STAMP): pyproject.toml
	@PYBIN=$$(sh scripts/find-python.sh) || exit 1; \
	 if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$PYBIN"; $$PYBIN -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,distributed,ema,cloud]'
	@touch $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts
	$(VENV)/bin/mypy
	$(PY) -m scripts.generate --check

# every generated file from the registries: spec/params.py, spec/declared.py, the tables of
# docs/model.md and docs/exercises/*.md (scripts/generate.py lists what is left out and why)
generate: $(STAMP)
	$(PY) -m scripts.generate

bench: $(STAMP)
	$(PY) benchmarks/society.py
	$(PY) benchmarks/ensemble.py
	$(PY) benchmarks/scale.py
	$(PY) benchmarks/crn.py
	$(PY) benchmarks/classroom_load.py --seconds 60

clean:
	rm -rf $(VENV) build src/*.egg-info
