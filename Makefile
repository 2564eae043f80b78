# cecloud.ims — build and test entry points. `make help` lists the targets.
#
# Everything runs with the tools of one virtualenv, $(VENV) (default .venv in
# the repository), made by scripts/venv.sh: the newest CPython >= 3.12 found,
# else 3.11; see that script. Override with `make VENV=/path ...` or
# `IMS_PYTHON=/path/to/python make venv`.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV ?= $(CURDIR)/.venv
export VENV
# Keystone + Glance for the `openstack` provider's integration tests (scripts/openstack-venv.sh).
OPENSTACK_VENV ?= $(CURDIR)/.venv-openstack
export OPENSTACK_VENV
BIN := $(VENV)/bin
export PATH := $(BIN):$(PATH)

COLLECTIONS := $(CURDIR)/build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/cecloud/ims

# The venv's ansible sees this checkout as cecloud.ims through the link;
# PYTHONPATH makes `import ansible_collections.cecloud.ims...` work in pytest.
TEST_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) PYTHONPATH=$(COLLECTIONS)$(if $(PYTHONPATH),:$(PYTHONPATH))

PYTEST_ARGS ?= -ra
SANITY_ARGS ?=
LINT_DIRS := $(wildcard roles playbooks)

# Readable playbook output for the demo: plain text, YAML results, and only the tasks that
# change something (or fail); the playbook writes its summary to DEMO_SUMMARY, printed last.
DEMO_ENV := $(TEST_ENV) ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=$(if $(CI),1,0) \
	ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_LOCALHOST_WARNING=False \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_PYTHON_INTERPRETER=$(BIN)/python \
	ANSIBLE_DISPLAY_OK_HOSTS=false ANSIBLE_DISPLAY_SKIPPED_HOSTS=false ANSIBLE_SHOW_TASK_PATH_ON_FAILURE=true
DEMO_SUMMARY := $(CURDIR)/build/demo-summary.txt
# `make stack` writes its export lines here too (removed when it stops).
STACK_ENV_FILE := $(CURDIR)/build/stack.env

.PHONY: help venv collection-link sanity units integration lint test demo stack bench build changelog clean

help:
	@echo 'make demo         start the emulator + S3 server and run playbooks/demo.yml against them'
	@echo 'make stack        start the emulator + S3 server and leave them running (Ctrl-C stops), printing the export IMS_* lines'
	@echo 'make test         venv + sanity + units + integration + lint (stops at the first failure)'
	@echo 'make venv         create/refresh $(VENV) (idempotent)'
	@echo 'make openstack-venv  install Keystone + Glance into $(OPENSTACK_VENV) (idempotent)'
	@echo 'make sanity       ansible-test sanity on a copy under build/sanity (no ignore files)'
	@echo 'make units        pytest tests/unit'
	@echo 'make integration  pytest tests/integration (playbooks against the emulator)'
	@echo 'make lint         ansible-lint --profile production on roles/ and playbooks/'
	@echo 'make bench        run tests/bench/*.py'
	@echo 'make build        ansible-galaxy collection build into build/'
	@echo 'make changelog    antsibull-changelog lint'
	@echo 'make clean        remove build/ and tests/output/'

venv:
	@scripts/venv.sh

.PHONY: openstack-venv
openstack-venv:
	@scripts/openstack-venv.sh

collection-link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@if [ "$$(readlink $(COLLECTION_LINK) 2>/dev/null)" != "$(CURDIR)" ]; then \
		rm -rf $(COLLECTION_LINK); ln -s $(CURDIR) $(COLLECTION_LINK); fi

sanity: venv
	scripts/sanity.sh $(SANITY_ARGS)

units: venv collection-link
	$(TEST_ENV) scripts/pytest.sh tests/unit $(PYTEST_ARGS)

integration: venv openstack-venv collection-link
	$(TEST_ENV) scripts/pytest.sh tests/integration $(PYTEST_ARGS)

lint: venv collection-link
ifeq ($(strip $(LINT_DIRS)),)
	@echo 'lint: no roles/ or playbooks/ yet: nothing to lint'
else
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/ansible-lint --profile production $(LINT_DIRS)
endif

test:
	@$(MAKE) venv
	@$(MAKE) sanity
	@$(MAKE) units
	@$(MAKE) integration
	@$(MAKE) lint
	@echo 'make test: sanity, units, integration and lint all passed'

demo: venv collection-link
	@test -f tests/emulator/stack.py -o -f tests/emulator/stack/__main__.py \
		|| { echo 'demo: tests/emulator/stack is not there yet'; exit 1; }
	@test -f playbooks/demo.yml || { echo 'demo: playbooks/demo.yml is not there yet'; exit 1; }
	@mkdir -p build && rm -f $(DEMO_SUMMARY)
	@echo 'demo: starting the IMS emulator + S3 server, then running playbooks/demo.yml (only the tasks that change something are shown)'
	@$(DEMO_ENV) $(BIN)/python -m tests.emulator.stack -- \
		$(BIN)/ansible-playbook playbooks/demo.yml -e demo_summary_file=$(DEMO_SUMMARY)
	@echo; echo 'Summary'; sed 's/^/  - /' $(DEMO_SUMMARY)

stack: venv collection-link
	@mkdir -p build
	@$(TEST_ENV) $(BIN)/python -m tests.emulator.stack --env-file $(STACK_ENV_FILE)

bench: venv collection-link
	@shopt -s nullglob; files=(tests/bench/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo 'bench: no tests/bench/*.py yet'; exit 0; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(TEST_ENV) $(BIN)/python "$$f"; done

build: venv
	@mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

changelog: venv
	$(BIN)/antsibull-changelog lint

clean:
	rm -rf build tests/output
