# Build and test tooling of the hwcloud.dataarts collection (GNU make).
#
#   make venv         .venv from tests/requirements.txt + tests/constraints.txt (all pinned)
#   make build        build the collection artifact and install it into build/collections
#   make unit         pytest unit tests
#   make integration  pytest-driven integration tests against the built artifact and the emulator
#   make sanity       ansible-test sanity (--venv) on a copy of the collection
#   make lint         ansible-lint, production profile, offline
#   make test         unit, integration, sanity, lint (in that order, stops at the first failure)
#   make emulator     the Fabric-ep emulator in the foreground on port 8787
#   make demo         examples/demo.yml twice against a throwaway emulator (tools/demo.sh)
#   make clean        remove build/ and tests/output/
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
# Bootstrap pip versions of ansible-test: 24.2 (ansible-core 2.19), 25.2 (2.20, 2.21).
GET_PIP_VERSIONS = 24_2 25_2

.PHONY: help venv build unit integration sanity lint test emulator demo clean

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

# ansible-test needs the collection really at .../ansible_collections/hwcloud/dataarts (a symlink is not
# enough), so it runs on a copy of the files git knows about (tracked and untracked, minus ignored).
# The copy gets its own (empty) git repository: otherwise ansible-test finds this repository's .git, where
# build/ is ignored, and sees no files at all. Its --venv bootstrap downloads get-pip.py from a host this
# network cannot reach: the cache is pre-seeded with tests/sanity/get_pip_standin.py (ensurepip + index).
sanity: $(STAMP)
	@if compgen -G 'tests/sanity/ignore-*.txt' >/dev/null; then \
		echo 'error: tests/sanity/ignore-*.txt must not exist: fix the code instead' >&2; exit 1; fi
	rm -rf $(SANITY_ROOT)
	mkdir -p $(SANITY_ROOT)
	git ls-files -z -co --exclude-standard \
		| while IFS= read -r -d '' f; do if [ -e "$$f" ] || [ -L "$$f" ]; then printf '%s\0' "$$f"; fi; done \
		| tar --null -T - -cf - | tar -xf - -C $(SANITY_ROOT)
	git -C $(SANITY_ROOT) init -q
	mkdir -p $(ANSIBLE_TEST_CACHE)
	for v in $(GET_PIP_VERSIONS); do cp tests/sanity/get_pip_standin.py $(ANSIBLE_TEST_CACHE)/get_pip_$$v.py; done
	cd $(SANITY_ROOT) && PATH="$(VENV_BIN):$$PATH" $(VENV_BIN)/ansible-test sanity --venv --color no \
		--python "$$($(VENV_BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

# ansible-lint resolves hwcloud.dataarts through a symlink farm pointing at this working tree.
lint: $(STAMP)
	mkdir -p $(LINT_ROOT)/ansible_collections/$(NAMESPACE)
	ln -sfn $(CURDIR) $(LINT_ROOT)/ansible_collections/$(NAMESPACE)/$(NAME)
	PATH="$(VENV_BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(LINT_ROOT) \
		$(VENV_BIN)/ansible-lint --offline --profile production

test: unit integration sanity lint

emulator: $(STAMP)
	$(VENV)/bin/python -m fabric_emulator --port 8787 --seed fabric_emulator/seed.json

demo: build
	ANSIBLE_PYTHON_INTERPRETER=$(VENV_BIN)/python \
	ANSIBLE_LOCALHOST_WARNING=false \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
		bash tools/demo.sh

clean:
	rm -rf build tests/output
