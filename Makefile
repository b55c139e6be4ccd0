# Build and test tooling of the hwcloud.dataarts collection (GNU make).
#
#   make venv         .venv from tests/requirements.txt + tests/constraints.txt (all pinned)
#   make build        build the collection artifact and install it into build/collections
#   make unit         pytest unit tests, in the checkout (the quick loop)
#   make units        the same unit tests under ansible-test units (--venv) on a copy of the collection
#   make integration  pytest-driven integration tests against the built artifact and the emulator
#   make conformance  Huawei's generated client against the emulator under every reading; the modules' request
#                     bodies against the SDK's request models (tests/conformance/README.md)
#   make targets      ansible-test integration (--venv) on a copy: tests/integration/targets, each with its own
#                     emulator (MODULE_PYTHON=3.9: modules on that Python; INTEGRATION_CONFIG=file: a real account)
#   make chaos-short  a seeded chaos run of 60 task runs with random faults and readings (tests/chaos; part of make test)
#   make chaos        the long chaos run (320 task runs): prints its figures and writes them into docs/reliability.md
#   make sanity       ansible-test sanity (--venv) on a copy of the collection
#   make lint         ruff check and ruff format --check (all Python, pyproject.toml); plain ansible-lint
#                     (production profile, .ansible-lint); actionlint on .github/workflows
#   make format       ruff format and ruff check --fix on all Python
#   make ecosystem    generated docs up to date and linted, changelog linted, execution-environment
#                     introspection, galaxy-importer and ansible-doc on the built artifact (tests/ecosystem)
#   make test         units, integration, conformance, chaos-short, targets, sanity, lint, ecosystem (in order,
#                     stops at the first failure)
#   make docs         regenerate the module reference pages in docs/modules/ from the code (antsibull-docs)
#   make docs-check   fail when docs/modules/ is stale; antsibull-docs lint-collection-docs
#   make changelog-lint  antsibull-changelog lint, changelog.yaml lint, CHANGELOG.md up to date
#   make galaxy-import   galaxy-importer on the built artifact (what Galaxy runs on upload, minus containers)
#   make matrix       sanity, integration tests and targets with ansible-core 2.16 (Python 3.11; modules on 3.9)
#                     and 2.21 (Python 3.13; modules on 3.10 and 3.12)
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
ANSIBLE_TEST_ROOT = build/ansible-test/ansible_collections/$(NAMESPACE)/$(NAME)
LINT_ROOT = build/src
ANSIBLE_TEST_CACHE = $(HOME)/.ansible/test/cache
# The ansible-core whose ansible-test `make targets` and `make units` run (the matrix passes its own).
ANSIBLE_TEST_BIN = $(VENV_BIN)
MODULE_PYTHON =
PYTHON_LINKS = $(CURDIR)/build/pythons
# Bootstrap pip versions of ansible-test: 23.1.2 (ansible-core 2.16), 24.2 (2.19), 25.2 (2.20, 2.21).
GET_PIP_VERSIONS = 23_1_2 24_2 25_2


.PHONY: help venv build unit units integration targets sanity lint format test emulator demo clean distclean \
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
# The Pythons the modules run on in the matrix's integration targets (ansible-test's --target python=...): with
# .venv's 3.11 (make targets) and 2.21's 3.13 (the pytest subset), every module Python that tests/config.yml
# claims, 3.9 to 3.13, runs the modules somewhere.
MATRIX_MODULE_PYTHONS_2.16 = 3.9
MATRIX_MODULE_PYTHONS_2.21 = 3.10 3.12

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
	$(call ansible_test,$(VENV_BIN),$(ANSIBLE_TEST_ROOT),sanity)

# The integration targets of tests/integration/targets: each starts (and stops) its own emulator. With
# INTEGRATION_CONFIG=path/to/integration_config.yml they run against that real account instead (never in CI:
# see docs/development.md#integration-targets). MODULE_PYTHON=X.Y runs the modules on that Python (pyenv's, or
# PYTHON_X.Y=path) while ansible-playbook runs on ANSIBLE_TEST_BIN's.
targets: $(STAMP)
	$(call ansible_test,$(ANSIBLE_TEST_BIN),$(ANSIBLE_TEST_ROOT),integration $(TARGETS_ARGS),$(MODULE_PYTHON))

# The unit tests, as ansible-test runs them (its pytest; tests/unit/requirements.txt, tests/unit/constraints.txt).
units: $(STAMP)
	$(call ansible_test,$(ANSIBLE_TEST_BIN),$(ANSIBLE_TEST_ROOT),units $(UNITS_ARGS))

# $(call ansible_test,VENV_BIN,ROOT,COMMAND ARGS[,MODULE_PYTHON]): `ansible-test COMMAND` of that venv's ansible-core
# in a virtual environment of its Python (the modules too, or on MODULE_PYTHON), in a fresh copy of the collection
# at ROOT. Other Pythons reach ansible-test through a folder of symlinks on PATH: it strips the environment of its
# children, so pyenv's shims fail inside it.
define ansible_test
	@if compgen -G 'tests/sanity/ignore-*.txt' >/dev/null; then \
		echo 'error: tests/sanity/ignore-*.txt must not exist: fix the code instead' >&2; exit 1; fi
	rm -rf $(2)
	mkdir -p $(2)
	git ls-files -z -co --exclude-standard \
		| while IFS= read -r -d '' f; do if [ -e "$$f" ] || [ -L "$$f" ]; then printf '%s\0' "$$f"; fi; done \
		| tar --null -T - -cf - | tar -xf - -C $(2)
	$(if $(INTEGRATION_CONFIG),cp $(INTEGRATION_CONFIG) $(2)/tests/integration/integration_config.yml)
	git -C $(2) init -q
	mkdir -p $(ANSIBLE_TEST_CACHE)
	for v in $(GET_PIP_VERSIONS); do cp tests/sanity/get_pip_standin.py $(ANSIBLE_TEST_CACHE)/get_pip_$$v.py; done
	$(if $(4),mkdir -p $(PYTHON_LINKS) && ln -sfn $(call python_path,$(4)) $(PYTHON_LINKS)/python$(4))
	cd $(2) && PATH="$(1):$(PYTHON_LINKS):$$PATH" $(1)/ansible-test $(3) --color no $(if $(4),\
		--controller origin:python=venv/$(call python_version,$(1)) --target controller:python=venv/$(4),\
		--venv --python $(call python_version,$(1)))
endef
python_version = "$$($(1)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
python_path = $(or $(PYTHON_$(1)),$(firstword $(wildcard $(PYENV_ROOT_DIR)/versions/$(1).*/bin/python$(1))),\
	$(error no Python $(1) under $(PYENV_ROOT_DIR)/versions: install it with pyenv, or give PYTHON_$(1)=/path/to/python$(1)))

# The docs tools resolve hwcloud.dataarts through a symlink farm pointing at this working tree.
$(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME):
	mkdir -p $(LINT_ROOT)/ansible_collections/$(NAMESPACE)
	ln -sfn $(CURDIR) $(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME)

lint: $(STAMP)
	$(VENV_BIN)/ruff check .
	$(VENV_BIN)/ruff format --check .
	env -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_COLLECTIONS_PATHS -u ANSIBLE_CONFIG PATH="$(VENV_BIN):$$PATH" \
		$(VENV_BIN)/ansible-lint
	PATH="$(VENV_BIN):$$PATH" $(VENV_BIN)/actionlint

test: units integration conformance chaos-short targets sanity lint ecosystem

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
	$(call ansible_test,$(CURDIR)/.venv-$*/bin,build/ansible-test-$*/ansible_collections/$(NAMESPACE)/$(NAME),sanity)
	HWCLOUD_COLLECTIONS_PATH=$(COLLECTIONS) \
		.venv-$*/bin/python -m pytest $(MATRIX_INTEGRATION) -q -n 2 -p no:cacheprovider
	for python in $(MATRIX_MODULE_PYTHONS_$*); do \
		$(MAKE) --no-print-directory targets MODULE_PYTHON=$$python ANSIBLE_TEST_BIN=$(CURDIR)/.venv-$*/bin \
			ANSIBLE_TEST_ROOT=build/ansible-test-$*/ansible_collections/$(NAMESPACE)/$(NAME); \
	done

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
