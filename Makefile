# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Both build .venv/ through `make install` when needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.seal_adapters_installed
PIP := $(BIN)/pip install --quiet --disable-pip-version-check --progress-bar off

# OpenMP threads that spin while waiting make training several times slower on a busy
# 2-core machine; passive waiting costs nothing measurable when the machine is idle.
export OMP_WAIT_POLICY ?= PASSIVE
# pytest workers: one per core of the 2-core CI machine (each test module stays in one worker).
TEST_WORKERS ?= 2

.PHONY: install test demo compare bench clean

install: $(STAMP)

# Rebuilt only when the requirements or setup.py change; otherwise a no-op.
$(STAMP): requirements.txt requirements-nodeps.txt setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing into $(VENV)/ (a few minutes the first time)..."
	@$(PIP) -r requirements.txt
	@$(PIP) --no-deps -r requirements-nodeps.txt
	@$(PIP) --no-deps -e .
	@$(BIN)/python -c "import allennlp.commands, seal_adapters" \
		|| { echo "install check failed: see the error above"; exit 1; }
	@touch $(STAMP)
	@echo "Installed. Activate with: source $(VENV)/bin/activate"

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadscope tests

demo: install
	$(BIN)/python -m seal_adapters demo

compare: install
	$(BIN)/python -m seal_adapters compare

clean:
	rm -rf $(VENV) runs build *.egg-info
