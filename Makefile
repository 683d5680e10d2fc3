# Two commands for a fresh machine:  make build  (extract, run notebooks, publish the site)
#                                    make test   (the test suite)
# Both create .venv and install the workspace into it when no environment is active.
# An active virtualenv or conda environment (e.g. from environment.yml) is used as it is.

ifdef VIRTUAL_ENV
  PYTHON := $(VIRTUAL_ENV)/bin/python
  ENV_STAMP :=
else ifdef CONDA_PREFIX
  PYTHON := $(CONDA_PREFIX)/bin/python
  ENV_STAMP :=
else
  PYTHON := .venv/bin/python
  ENV_STAMP := .venv/.installed
endif
J ?=          # notebooks at once (default: the number of cores)

.PHONY: build extract test lab clean
build: $(ENV_STAMP)
	$(PYTHON) -m analysis.cli build $(if $(J),-j $(J))

extract: $(ENV_STAMP)
	$(PYTHON) -m analysis.cli extract

# make test: Quarto from ../shared/tools/quarto goes into .tools/quarto when no quarto is on PATH
# (scripts/with-quarto.sh); then no Quarto test may skip.
test: $(ENV_STAMP)
	bash scripts/ensure-browser.sh
	$(dir $(PYTHON))lint-imports --no-cache   # the layers of ARCHITECTURE.md
	PYTHON=$(PYTHON) bash scripts/with-quarto.sh $(PYTHON) -m pytest

# JupyterLab on notebooks/ (--allow-root when run as root, --no-browser when none can be opened;
# the URL with its token is printed). More options: make lab LAB_ARGS="--port=8899 --ip=0.0.0.0"
LAB_ARGS ?=
lab: $(ENV_STAMP)
	$(PYTHON) -m analysis.report.lab --root "$(CURDIR)" $(LAB_ARGS)

.venv/.installed: pyproject.toml
	test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/python -m pip install --quiet --upgrade pip
	.venv/bin/python -m pip install --quiet -e ".[test]"
	.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

clean:
	rm -rf data/processed reports/_site reports/_executed reports/.published reports/.quarto-render reports/.cache
