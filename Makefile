# Build and test tooling of the hwcloud.dataarts collection (GNU make).
#
#   make venv         .venv from tests/requirements.txt + tests/constraints.txt (all pinned)
#   make build        build the collection artifact and install it into build/collections
#   make unit         pytest unit tests
#   make integration  pytest-driven integration tests against the built artifact and the emulator
#   make conformance  Huawei's generated client against the emulator under every reading; the modules' request
#                     bodies against the SDK's request models (tests/conformance/README.md)
#   make chaos-short  a seeded chaos run of 60 task runs with random faults and readings (tests/chaos; part of make test)
#   make chaos        the long chaos run (320 task runs): prints its figures and writes them into docs/reliability.md
#   make sanity       ansible-test sanity (--venv) on a copy of the collection
#   make lint         ruff check and ruff format --check (all Python, pyproject.toml); ansible-lint, production
#                     profile, offline
#   make format       ruff format and ruff check --fix on all Python
#   make ecosystem    generated docs up to date and linted, changelog linted, execution-environment
#                     introspection, galaxy-importer and ansible-doc on the built artifact (tests/ecosystem)
#   make test         unit, integration, conformance, chaos-short, sanity, lint, ecosystem (in that order, stops at the first failure)
#   make docs         regenerate the module reference pages in docs/modules/ from the code (antsibull-docs)
#   make docs-check   fail when docs/modules/ is stale; antsibull-docs lint-collection-docs
#   make changelog-lint  antsibull-changelog lint, changelog.yaml lint, CHANGELOG.md up to date
#   make galaxy-import   galaxy-importer on the built artifact (what Galaxy runs on upload, minus containers)
#   make matrix       sanity and integration tests with ansible-core 2.16 (Python 3.11) and 2.21 (Python 3.13)
#   make ci           test + matrix: what .ci/run runs
#   make emulator     the Fabric-ep emulator in the foreground on port 8787
#   make demo         examples/demo.yml twice against a throwaway emulator (tools/demo.sh)
#   make clean        remove build/ and tests/output/
#   make distclean    clean, and remove every virtual environment (.venv, .venv-docs, .venv-2.*)
#
# Everything runs from .venv/bin; nothing relies on an activated venv or a global install.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
# `make test` runs its parts in order even under -j.
.NOTPARALLEL:

PY ?= python3
VENV = .venv
VENV_BIN = $(CURDIR)/$(VENV)/bin
STAMP = $(VENV)/.stamp
PIP_VERSION = 25.2

NAMESPACE = hwcloud
NAME = dataarts
VERSION := $(shell sed -n -E "s/^version:[[:space:]]*['\"]?([^'\" ]+)['\"]?[[:space:]]*$$/\1/p" galaxy.yml)
ARTIFACT = build/$(NAMESPACE)-$(NAME)-$(VERSION).tar.gz
COLLECTIONS = $(CURDIR)/build/collections
SANITY_ROOT = build/sanity/ansible_collections/$(NAMESPACE)/$(NAME)
LINT_ROOT = build/src
ANSIBLE_TEST_CACHE = $(HOME)/.ansible/test/cache
# Bootstrap pip versions of ansible-test: 23.1.2 (ansible-core 2.16), 24.2 (2.19), 25.2 (2.20, 2.21).
GET_PIP_VERSIONS = 23_1_2 24_2 25_2


.PHONY: help venv build unit integration sanity lint format test emulator demo clean distclean \
	venv-docs docs docs-check changelog-lint galaxy-import ecosystem matrix matrix-2.16 matrix-2.21 ci

# The documentation, changelog, execution-environment and Galaxy-import tools: their own venv, because
# galaxy-importer pins attrs below what .venv's tools need (tests/requirements-docs.txt).
DOCS_VENV = .venv-docs
DOCS_BIN = $(CURDIR)/$(DOCS_VENV)/bin
DOCS_STAMP = $(DOCS_VENV)/.stamp
# antsibull-docs, ansible-doc and antsibull-changelog find hwcloud.dataarts through the same symlink farm as
# ansible-lint, so the reference pages come from the working tree's code.
DOCS_ENV = PATH="$(DOCS_BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(LINT_ROOT) ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
MODULE_DOCS = docs/modules
ANTSIBULL_DOCS_ARGS = collection --use-current --squash-hierarchy --fail-on-error --output-format simplified-rst

# The support matrix besides .venv's ansible-core 2.19 on Python 3.11 (see docs/development.md):
# the oldest ansible-core that meta/runtime.yml's requires_ansible claims, and the newest there is.
MATRIX_CORE_2.16 = 2.16.19
MATRIX_PY_2.16 = $(PY)
MATRIX_CORE_2.21 = 2.21.5
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
MATRIX_PY_2.21 = $(firstword $(wildcard $(PYENV_ROOT_DIR)/versions/3.13.*/bin/python3.13) python3.13)
# The integration tests that run on each version of the matrix: a representative subset (the whole suite runs
# once, in `make integration`): every example playbook (update by id and by name, check mode and diff, deploy,
# update, delete, info), the lifecycle ladders, ad-hoc runs and module_defaults of the action group, and the info
# module's queries. `make matrix MATRIX_INTEGRATION=tests/integration` runs all of them on each version.
MATRIX_INTEGRATION ?= $(addprefix tests/integration/,test_examples.py test_lifecycle.py test_adhoc_and_defaults.py \
	test_info.py)

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

$(STAMP): tests/requirements.txt tests/constraints.txt
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check 'pip==$(PIP_VERSION)'
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r tests/requirements.txt -c tests/constraints.txt
	touch $@

build: $(STAMP)
	rm -rf build/collections/ansible_collections/$(NAMESPACE)/$(NAME) $(ARTIFACT)
	$(VENV)/bin/ansible-galaxy collection build --force --output-path build/ .
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) \
		$(VENV)/bin/ansible-galaxy collection install --force -p build/collections $(ARTIFACT)

unit: $(STAMP)
	$(VENV)/bin/python -m pytest tests/unit -q -p no:cacheprovider

integration: build
	HWCLOUD_COLLECTIONS_PATH=$(COLLECTIONS) \
		$(VENV)/bin/python -m pytest tests/integration -q -n 2 -p no:cacheprovider

.PHONY: conformance
conformance: build
	HWCLOUD_COLLECTIONS_PATH=$(COLLECTIONS) \
		$(VENV)/bin/python -m pytest tests/conformance -q -p no:cacheprovider

# The chaos run (tests/chaos/chaos.py): many task runs per ansible-playbook, every one checked against the emulator.
.PHONY: chaos chaos-short
chaos-short: build
	HWCLOUD_COLLECTIONS_PATH=$(COLLECTIONS) \
		$(VENV)/bin/python -m pytest tests/chaos -q -p no:cacheprovider

chaos: build
	HWCLOUD_COLLECTIONS_PATH=$(COLLECTIONS) CHAOS_COMMAND='make chaos' \
		$(VENV)/bin/python tests/chaos/chaos.py --runs 320 --write-doc docs/reliability.md

# ansible-test needs the collection really at .../ansible_collections/hwcloud/dataarts (a symlink is not
# enough), so it runs on a copy of the files git knows about (tracked and untracked, minus ignored).
# The copy gets its own (empty) git repository: otherwise ansible-test finds this repository's .git, where
# build/ is ignored, and sees no files at all. Its --venv bootstrap downloads get-pip.py from a host this
# network cannot reach: the cache is pre-seeded with tests/sanity/get_pip_standin.py (ensurepip + index).
sanity: $(STAMP)
	$(call run_sanity,$(VENV_BIN),$(SANITY_ROOT))

# $(call run_sanity,VENV_BIN,SANITY_ROOT): ansible-test sanity of that venv's ansible-core on a fresh copy.
define run_sanity
	@if compgen -G 'tests/sanity/ignore-*.txt' >/dev/null; then \
		echo 'error: tests/sanity/ignore-*.txt must not exist: fix the code instead' >&2; exit 1; fi
	rm -rf $(2)
	mkdir -p $(2)
	git ls-files -z -co --exclude-standard \
		| while IFS= read -r -d '' f; do if [ -e "$$f" ] || [ -L "$$f" ]; then printf '%s\0' "$$f"; fi; done \
		| tar --null -T - -cf - | tar -xf - -C $(2)
	git -C $(2) init -q
	mkdir -p $(ANSIBLE_TEST_CACHE)
	for v in $(GET_PIP_VERSIONS); do cp tests/sanity/get_pip_standin.py $(ANSIBLE_TEST_CACHE)/get_pip_$$v.py; done
	cd $(2) && PATH="$(1):$$PATH" $(1)/ansible-test sanity --venv --color no \
		--python "$$($(1)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
endef

# ansible-lint resolves hwcloud.dataarts through a symlink farm pointing at this working tree.
$(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME):
	mkdir -p $(LINT_ROOT)/ansible_collections/$(NAMESPACE)
	ln -sfn $(CURDIR) $(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME)

lint: $(STAMP) $(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME)
	$(VENV_BIN)/ruff check .
	$(VENV_BIN)/ruff format --check .
	PATH="$(VENV_BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(LINT_ROOT) \
		$(VENV_BIN)/ansible-lint --offline --profile production

test: unit integration conformance chaos-short sanity lint ecosystem

format: $(STAMP)
	$(VENV_BIN)/ruff format .
	$(VENV_BIN)/ruff check --fix .

ci: test matrix

# ---------------------------------------------------------------- docs, changelog, EE, Galaxy import

venv-docs: $(DOCS_STAMP)

$(DOCS_STAMP): tests/requirements-docs.txt tests/constraints-docs.txt
	test -x $(DOCS_VENV)/bin/python || $(PY) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check 'pip==$(PIP_VERSION)'
	$(DOCS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r tests/requirements-docs.txt -c tests/constraints-docs.txt
	touch $@

# docs/modules/ is generated: edit the DOCUMENTATION/EXAMPLES/RETURN of the plugins, then `make docs`.
docs: $(DOCS_STAMP) $(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME)
	rm -rf build/docs-new
	mkdir -p build/docs-new
	$(DOCS_ENV) $(DOCS_BIN)/antsibull-docs $(ANTSIBULL_DOCS_ARGS) --dest-dir build/docs-new $(NAMESPACE).$(NAME)
	rm -rf $(MODULE_DOCS)
	mv build/docs-new $(MODULE_DOCS)

docs-check: $(DOCS_STAMP) $(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME)
	$(DOCS_ENV) $(DOCS_BIN)/python -m pytest tests/ecosystem/test_docs.py -q -p no:cacheprovider

changelog-lint: $(DOCS_STAMP) $(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME)
	$(DOCS_ENV) $(DOCS_BIN)/python -m pytest tests/ecosystem/test_changelog.py -q -p no:cacheprovider

galaxy-import: $(DOCS_STAMP) build
	HWCLOUD_ARTIFACT=$(CURDIR)/$(ARTIFACT) $(DOCS_ENV) \
		$(DOCS_BIN)/python -m pytest tests/ecosystem/test_galaxy_import.py -q -p no:cacheprovider

ecosystem: $(DOCS_STAMP) build $(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME)
	HWCLOUD_ARTIFACT=$(CURDIR)/$(ARTIFACT) $(DOCS_ENV) \
		$(DOCS_BIN)/python -m pytest tests/ecosystem -q -n 2 -p no:cacheprovider

# ---------------------------------------------------------------- support matrix
# .venv-<core>: that ansible-core with what the integration harness needs (tests/requirements-matrix.txt).
# Sanity runs on a copy as in `make sanity`; each ansible-core bootstraps its own pip version in its
# ansible-test venvs, hence one stand-in get-pip file per version (the bootstrap error names a missing one).
.venv-%/.stamp: tests/requirements-matrix.txt tests/constraints-matrix-%.txt
	test -x .venv-$*/bin/python || $(MATRIX_PY_$*) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --disable-pip-version-check 'pip==$(PIP_VERSION)'
	.venv-$*/bin/python -m pip install --quiet --disable-pip-version-check \
		'ansible-core==$(MATRIX_CORE_$*)' -r tests/requirements-matrix.txt -c tests/constraints-matrix-$*.txt
	touch $@

# Defined before the rule that names it: make expands a rule's prerequisites when it reads the rule.
MATRIX_TARGETS = matrix-2.16 matrix-2.21
matrix: $(MATRIX_TARGETS)

$(MATRIX_TARGETS): matrix-%: .venv-%/.stamp build
	@echo "== ansible-core $$(.venv-$*/bin/python -c 'import ansible; print(ansible.__version__)') on $$(.venv-$*/bin/python -V)"
	$(call run_sanity,$(CURDIR)/.venv-$*/bin,build/sanity-$*/ansible_collections/$(NAMESPACE)/$(NAME))
	HWCLOUD_COLLECTIONS_PATH=$(COLLECTIONS) \
		.venv-$*/bin/python -m pytest $(MATRIX_INTEGRATION) -q -n 2 -p no:cacheprovider

emulator: $(STAMP)
	$(VENV)/bin/python -m fabric_emulator --port 8787 --seed fabric_emulator/seed.json

demo: build
	ANSIBLE_PYTHON_INTERPRETER=$(VENV_BIN)/python \
	ANSIBLE_LOCALHOST_WARNING=false \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
		bash tools/demo.sh

clean:
	rm -rf build tests/output

distclean: clean
	rm -rf $(VENV) $(DOCS_VENV) .venv-2.*

# ---------------------------------------------------------------- benchmark
#   make bench        the module vs a hand-written uri playbook vs ping, on the emulator: prints the table and
#                     writes docs/performance.md (BENCH_ROUNDS=5 by default; every setting: bench/run.py)
.PHONY: bench
bench: build
	BENCH_COMMAND='make bench' $(VENV)/bin/python bench/run.py
