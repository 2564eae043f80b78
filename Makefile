# cecloud.ims — build and test entry points. `make help` lists the targets.
#
# Everything runs with the tools of one virtualenv, $(VENV), made by
# scripts/venv.sh for one end of the supported ansible-core range, IMS_CORE:
#   newest (default)  .venv         the newest ansible-core on the newest CPython >= 3.11
#   oldest            .venv-oldest  ansible-core 2.17 (requires_ansible's floor) on CPython 3.10-3.12
# `make test` runs both; every other target uses IMS_CORE (default newest), e.g.
# `make IMS_CORE=oldest units`. Override the directory with `make VENV=/path ...`
# and the interpreter with `IMS_PYTHON=/path/to/python make venv`.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

IMS_CORE ?= newest
VENV_newest ?= $(CURDIR)/.venv
VENV_oldest ?= $(CURDIR)/.venv-oldest
VENV ?= $(VENV_$(IMS_CORE))
export VENV IMS_CORE
# Keystone + Glance for the `openstack` provider's integration tests (scripts/openstack-venv.sh).
OPENSTACK_VENV ?= $(CURDIR)/.venv-openstack
export OPENSTACK_VENV
# openstacksdk, the anchor of the Glance benchmark (scripts/bench-venv.sh): never in the test venvs.
BENCH_VENV ?= $(HOME)/.cache/cecloud-ims/venv-bench-glance
export BENCH_VENV
# antsibull-docs, Sphinx and galaxy-importer (scripts/docs-venv.sh, pins in requirements-docs.txt): make docs and
# the release checks of make test.
DOCS_VENV ?= $(CURDIR)/.venv-docs
export DOCS_VENV
BIN := $(VENV)/bin
export PATH := $(BIN):$(PATH)

COLLECTIONS := $(CURDIR)/build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/cecloud/ims

# The venv's ansible sees this checkout as cecloud.ims through the link;
# PYTHONPATH makes `import ansible_collections.cecloud.ims...` work in pytest.
TEST_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) PYTHONPATH=$(COLLECTIONS)$(if $(PYTHONPATH),:$(PYTHONPATH))

PYTEST_ARGS ?= -ra
# `make stack STACK_ARGS='--s3-server rclone'`: rclone's serve s3 in place of SeaweedFS.
STACK_ARGS ?=
SANITY_ARGS ?=
LINT_DIRS := $(wildcard roles playbooks)

# What tests/integration/test_core_version.py compares the playbooks' ansible with:
# the venv's own ansible-core, and the pin file it must satisfy.
CORE_CHECK_ENV = IMS_TEST_CORE=$(IMS_CORE) \
	IMS_TEST_ANSIBLE_CORE=$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("ansible-core"))')

# The oldest ansible-core's integration run: `slice` (the tests marked core_range_slice: every
# module once, one fault, one secret scan; tests/integration/conftest.py) or `full` (every test).
# `slice` by default: the full suite on both cores took 40+ min of CI on 2 cores (sanity and
# units run on both either way); `make test OLDEST_INTEGRATION=full` runs everything.
OLDEST_INTEGRATION ?= slice
INTEGRATION_ARGS_oldest = $(if $(filter slice,$(OLDEST_INTEGRATION)),-m core_range_slice)
# pytest-xdist workers for the unit tests and a full integration run (each worker starts its own emulators
# and Keystone + Glance): both suites spend much of their time waiting (transitions, playbook start-up,
# servers), which two workers overlap on two cores; work stealing keeps the long role tests from ending
# up on one worker. The oldest core's integration slice is small enough that one process is quicker.
TEST_WORKERS ?= 2
PYTEST_XDIST = $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist worksteal)
INTEGRATION_ARGS_newest = $(PYTEST_XDIST) --durations=20
INTEGRATION_ARGS_oldest += $(if $(filter slice,$(OLDEST_INTEGRATION)),,$(PYTEST_XDIST))
# The emulators' own unit tests (tests/unit/emulator) check the test servers, which use no ansible-core: the
# oldest core's unit run leaves them out (about a minute of its CI time; the newest run keeps them).
UNITS_ARGS_oldest = --ignore=tests/unit/emulator

# Shuffled test order (pytest-randomly; pytest.ini turns it off): `make units|integration SHUFFLE=1` draws a seed and
# prints it, `SHUFFLE=<seed>` runs that order again. A test that fails only shuffled depends on the tests before it.
SHUFFLE ?=
SHUFFLE_SEED := $(if $(filter 1,$(SHUFFLE)),$(shell od -An -N4 -tu4 /dev/urandom | tr -d ' '),$(filter-out 0,$(SHUFFLE)))
SHUFFLE_ARGS = $(if $(SHUFFLE_SEED),-p randomly --randomly-seed=$(SHUFFLE_SEED))
SHUFFLE_NOTE = $(if $(SHUFFLE_SEED),echo 'pytest: shuffled order with seed $(SHUFFLE_SEED) (SHUFFLE=$(SHUFFLE_SEED) repeats it)';)

# `make test`: one line per phase with its wall time, printed again at the end.
PHASE_LOG := $(CURDIR)/build/test-phases.txt
# $(call timed,LABEL,MAKE ARGS): run one sub-make and log how long it took.
timed = start=$$(date +%s); $(MAKE) $(2); \
	printf '%-22s %4ss\n' '$(1)' $$(( $$(date +%s) - start )) | tee -a $(PHASE_LOG)
# $(call one_core,CORE): sanity, units and integration in that core's venv.
one_core = $(foreach phase,venv sanity units integration,\
	$(call timed,$(1) $(phase),$(phase) IMS_CORE=$(1) VENV=$(VENV_$(1)));)

# Readable playbook output for the demo: plain text, YAML results, and only the tasks that
# change something (or fail); the playbook writes its summary to DEMO_SUMMARY, printed last.
DEMO_ENV := $(TEST_ENV) ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=$(if $(CI),1,0) \
	ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_LOCALHOST_WARNING=False \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_PYTHON_INTERPRETER=$(BIN)/python \
	ANSIBLE_DISPLAY_OK_HOSTS=false ANSIBLE_DISPLAY_SKIPPED_HOSTS=false ANSIBLE_SHOW_TASK_PATH_ON_FAILURE=true
DEMO_SUMMARY := $(CURDIR)/build/demo-summary.txt
# `make stack` writes its export lines here too (removed when it stops).
STACK_ENV_FILE := $(CURDIR)/build/stack.env

.PHONY: docs docs-venv docs-lint import-check release-check release
.PHONY: help venv openstack-venv collection-link sanity units integration contract property-long lint test test-newest test-oldest demo stack bench build changelog clean

help:
	@echo 'make demo         start the emulator + S3 server and run playbooks/demo.yml against them'
	@echo 'make stack        start the emulator + S3 server and leave them running (Ctrl-C stops), printing the export IMS_* lines'
	@echo 'make test         sanity + units + integration on the oldest and the newest ansible-core, then lint'
	@echo '                  (each in its own venv; stops at the first failure; what CI runs)'
	@echo 'make test-newest  the same on the newest ansible-core only, and lint (the quick loop)'
	@echo 'make test-oldest  the same on the oldest supported ansible-core (2.17) only'
	@echo '                  (integration there: the core_range_slice tests; OLDEST_INTEGRATION=full for all)'
	@echo 'make venv         create/refresh $(VENV) for IMS_CORE=$(IMS_CORE) (idempotent)'
	@echo 'make openstack-venv  install Keystone + Glance into $(OPENSTACK_VENV) (idempotent)'
	@echo 'make sanity       ansible-test sanity on a copy under build/sanity (no ignore files)'
	@echo 'make units        pytest tests/unit'
	@echo 'make integration  pytest tests/integration (playbooks against the emulator)'
	@echo 'make contract     pytest tests/contract (the provider contract, modules in process, against every provider'"'"'s stack)'
	@echo '                  (units and integration: SHUFFLE=1 runs the tests in a shuffled order and prints its seed, SHUFFLE=<seed> repeats it)'
	@echo 'make property-long  the long variant of the property test (tests/integration/test_properties.py; not in make test)'
	@echo 'make lint         ansible-lint --profile production on roles/ and playbooks/'
	@echo 'make bench        every transfer benchmark (CECloud, Glance, huaweicloud OBS, resume, replicate) and one table of ratios,'
	@echo '                  CPU per GiB and peak RSS against the goals (BENCH_ARGS=--quick: a 16 MiB run of the harness)'
	@echo 'make bench-glance run tests/bench/bench_glance.py alone (Keystone + Glance, vs openstacksdk in $$BENCH_VENV)'
	@echo 'make bench-replicate  run tests/bench/bench_replicate.py (ims_image_replicate: CECloud -> Glance vs download + openstacksdk, 1 -> 3 targets)'
	@echo 'make build        ansible-galaxy collection build into build/'
	@echo 'make docs         the HTML docsite (antsibull-docs + Sphinx, warnings fail) in build/docsite/html'
	@echo 'make release-check  antsibull-docs lint-collection-docs --plugin-docs and galaxy-importer on the tarball (in make test)'
	@echo 'make changelog    antsibull-changelog lint'
	@echo 'make release VERSION=X.Y.Z  set galaxy.yml'"'"'s version and run antsibull-changelog release (no commit, no tag)'
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
	@$(SHUFFLE_NOTE)
	$(TEST_ENV) scripts/pytest.sh tests/unit $(PYTEST_ARGS) $(PYTEST_XDIST) $(UNITS_ARGS_$(IMS_CORE)) $(SHUFFLE_ARGS)

integration: venv openstack-venv collection-link
	@$(SHUFFLE_NOTE)
	$(TEST_ENV) $(CORE_CHECK_ENV) scripts/pytest.sh tests/integration $(PYTEST_ARGS) $(INTEGRATION_ARGS_$(IMS_CORE)) $(SHUFFLE_ARGS)

# The provider contract (tests/contract): one process, the modules run in it, each provider's stack started once
# (about 2.5 min, half of it starting and stopping the stacks). `make test` runs it on the newest core only: the
# modules' behaviour on the oldest is what its integration slice checks.
contract: venv openstack-venv collection-link
	$(TEST_ENV) scripts/pytest.sh tests/contract $(PYTEST_ARGS) --durations=5

# The property test's long variant (marked long, so left out of `make integration`): one process, prints its FIGURES.
property-long: venv collection-link
	$(TEST_ENV) $(BIN)/python -m pytest tests/integration/test_properties.py -m long -s $(PYTEST_ARGS)

lint: venv collection-link
ifeq ($(strip $(LINT_DIRS)),)
	@echo 'lint: no roles/ or playbooks/ yet: nothing to lint'
else
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/ansible-lint --profile production $(LINT_DIRS)
endif

test:
	@mkdir -p $(dir $(PHASE_LOG)); : > $(PHASE_LOG)
	@$(call one_core,newest)
	@$(call timed,newest contract,contract IMS_CORE=newest VENV=$(VENV_newest))
	@$(call one_core,oldest)
	@$(call timed,lint,lint IMS_CORE=newest VENV=$(VENV_newest))
	@$(call timed,release checks,release-check IMS_CORE=newest VENV=$(VENV_newest))
	@echo 'make test: sanity, units, integration on ansible-core' \
		"$$($(VENV_oldest)/bin/ansible --version | sed -n 1p) and $$($(VENV_newest)/bin/ansible --version | sed -n 1p), and lint, all passed:"
	@cat $(PHASE_LOG)

test-newest:
	@mkdir -p $(dir $(PHASE_LOG)); : > $(PHASE_LOG)
	@$(call one_core,newest)
	@$(call timed,newest contract,contract IMS_CORE=newest VENV=$(VENV_newest))
	@$(call timed,lint,lint IMS_CORE=newest VENV=$(VENV_newest))
	@$(call timed,release checks,release-check IMS_CORE=newest VENV=$(VENV_newest))
	@cat $(PHASE_LOG)

test-oldest:
	@mkdir -p $(dir $(PHASE_LOG)); : > $(PHASE_LOG)
	@$(call one_core,oldest)
	@cat $(PHASE_LOG)

# PROVIDER=openstack (the real Keystone + Glance of $(OPENSTACK_VENV)) or huaweicloud (the Huawei emulator in two
# regions): playbooks/demo_cloud.yml against tests/demo_stack.py; cecloud: playbooks/demo.yml against the IMS emulator.
PROVIDER ?= cecloud
ifeq ($(PROVIDER),cecloud)
demo: venv collection-link
	@mkdir -p build && rm -f $(DEMO_SUMMARY)
	@echo 'demo: starting the IMS emulator + S3 server, then running playbooks/demo.yml (only the tasks that change something are shown)'
	@$(DEMO_ENV) $(BIN)/python -m tests.emulator.stack -- \
		$(BIN)/ansible-playbook playbooks/demo.yml -e demo_summary_file=$(DEMO_SUMMARY)
	@echo; echo 'Summary'; sed 's/^/  - /' $(DEMO_SUMMARY)

stack: venv collection-link
	@mkdir -p build
	@$(TEST_ENV) $(BIN)/python -m tests.emulator.stack --env-file $(STACK_ENV_FILE) $(STACK_ARGS)
else
demo: venv collection-link $(if $(filter openstack,$(PROVIDER)),openstack-venv)
	@mkdir -p build && rm -f $(DEMO_SUMMARY)
	@echo 'demo: starting the $(PROVIDER) stack, then running playbooks/demo_cloud.yml (only the tasks that change something are shown)'
	@$(DEMO_ENV) $(BIN)/python -m tests.demo_stack $(PROVIDER) -- \
		$(BIN)/ansible-playbook playbooks/demo_cloud.yml -e demo_summary_file=$(DEMO_SUMMARY)
	@echo; echo 'Summary'; sed 's/^/  - /' $(DEMO_SUMMARY)

stack: venv collection-link $(if $(filter openstack,$(PROVIDER)),openstack-venv)
	@mkdir -p build
	@$(TEST_ENV) $(BIN)/python -m tests.demo_stack $(PROVIDER) --env-file $(STACK_ENV_FILE)
endif

# Every transfer benchmark and one table (tests/bench/bench_all.py; README "Performance"): CECloud, Glance (against
# openstacksdk in $(BENCH_VENV), Keystone + Glance from $(OPENSTACK_VENV)), huaweicloud OBS staging, resume and replication.
# `make bench BENCH_ARGS=--quick` exercises the harness in a minute; BENCH_ARGS='--runs 1 --big' adds 4 GiB runs.
BENCH_ARGS ?=
bench: venv openstack-venv bench-venv collection-link
	$(TEST_ENV) $(BIN)/python tests/bench/bench_all.py --sdk-python $(BENCH_VENV)/bin/python $(BENCH_ARGS)

.PHONY: bench-venv bench-glance bench-replicate
bench-venv:
	@scripts/bench-venv.sh

# The Glance benchmark alone (make bench runs it too).
bench-glance: venv openstack-venv bench-venv collection-link
	$(TEST_ENV) $(BIN)/python tests/bench/bench_glance.py --sdk-python $(BENCH_VENV)/bin/python $(BENCH_ARGS)

bench-replicate: venv openstack-venv bench-venv collection-link
	$(TEST_ENV) $(BIN)/python tests/bench/bench_replicate.py --sdk-python $(BENCH_VENV)/bin/python $(BENCH_ARGS)

build: venv
	@mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

changelog: venv
	$(BIN)/antsibull-changelog lint

docs-venv:
	@scripts/docs-venv.sh

# The docsite: every module, plugin and role of the collection as installed (the link) and the guides.
docs: venv docs-venv collection-link
	@PATH=$(DOCS_VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) scripts/docs.sh $(CURDIR)/build/docsite

# The guides' pages are current (scripts/docsite.py), then antsibull-docs' lint of the plugins' docs and the extra
# docs; it prints one line per problem, so any output fails.
docs-lint: venv docs-venv collection-link
	$(BIN)/python scripts/docsite.py --check
	@cd $(COLLECTION_LINK) && out=$$(PATH=$(DOCS_VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) \
		antsibull-docs lint-collection-docs --plugin-docs . 2>&1) || { echo "$$out"; exit 1; }; \
		if [ -n "$$out" ]; then echo "$$out"; echo 'docs-lint: antsibull-docs warned (above)'; exit 1; fi; \
		echo 'docs-lint: antsibull-docs lint-collection-docs --plugin-docs: no warning'

# galaxy-importer on the tarball `make build` writes (scripts/galaxy-importer.cfg: ansible-lint on, offline).
import-check: build docs-venv
	@PATH=$(DOCS_VENV)/bin:$$PATH scripts/import-check.sh \
		build/cecloud-ims-$$(sed -n 's/^version: *//p' galaxy.yml).tar.gz

release-check:
	@$(MAKE) docs-lint
	@$(MAKE) import-check

# `make release VERSION=1.0.0`: galaxy.yml's version and antsibull-changelog release; commit and tag by hand.
release: venv
	@test -n "$(VERSION)" || { echo 'make release VERSION=X.Y.Z'; exit 2; }
	scripts/release.sh $(VERSION)

clean:
	rm -rf build tests/output
