# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Both create .venv and install the project into it the first time; later runs skip that.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 3
export PYTHONHASHSEED ?= 0

.PHONY: setup demo test test-all bench notebooks lab clean

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml requirements-no-deps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable '.[test,bench,lab]'
	# recbole (MovieLens-100k ships in its wheel) and keras-rs, without the dependencies that would pull
	# PyTorch and another Keras.
	$(PY) -m pip install --quiet --no-deps -r requirements-no-deps.txt
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(PY) recipes/embeddings_101.py --out runs/embeddings_101
	# Short settings throughout (README gives each recipe's full command and its results).
	$(PY) recipes/word_embeddings.py --epochs 3 --out runs/word_embeddings
	$(PY) recipes/movie_embeddings.py --out runs/movie_embeddings
	$(PY) recipes/dropout_101.py --out runs/dropout_101
	$(PY) recipes/dropout_curves.py --epochs 80 --out runs/dropout_curves
	$(PY) recipes/movie_ratings.py --folds 0 --ensemble 1 --epochs 5 --out runs/movie_ratings
	$(PY) recipes/rating_dropout_sweep.py --epochs 5 --sweep 0,0.5 --out runs/rating_dropout_sweep
	$(PY) recipes/movie_recommendations.py --split-seeds 0 --edlae-rates 0.5 --max-epochs 10 --tower-epochs 3 \
		--rating-epochs 2 --out runs/movie_recommendations
	$(PY) recipes/dropout_as_l2.py --split-seeds 0 --sweep 0.5 --fit-epochs 1 --out runs/dropout_as_l2
	@echo "Demo outputs: runs/ (figures, JSON results); exported models: saved_models/"

# Tests run in TEST_WORKERS processes (pytest-xdist); those that share a recipe's run share one.
# Each of them, and each recipe or worker it starts, computes on TEST_THREADS threads per op:
# two test processes on two cores, rather than each contending for both.
TEST_WORKERS ?= 2
TEST_THREADS ?= 1

test: $(INSTALLED)
	TF_NUM_INTRAOP_THREADS=$(TEST_THREADS) $(PY) -m pytest -m "not slow" -q -n $(TEST_WORKERS) --dist loadgroup

test-all: $(INSTALLED)
	TF_NUM_INTRAOP_THREADS=$(TEST_THREADS) $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup

bench: $(INSTALLED)
	for script in benchmarks/[a-z]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# Each recipe's notebook and each lab, generated from their sources (the tests fail when a committed one differs).
notebooks: $(INSTALLED)
	$(PY) -m keras_workshop.notebooks

# JupyterLab on notebooks/ (and labs/ beside it), with this environment registered as the kernel `keras-workshop`
# (as root, in a container say, Jupyter wants --allow-root).
LAB_OPTIONS ?=
lab: $(INSTALLED)
	$(PY) -m ipykernel install --sys-prefix --name keras-workshop --display-name "Python (keras_workshop)" >/dev/null
	$(PY) -m jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_OPTIONS)

clean:
	rm -rf runs .pytest_cache
