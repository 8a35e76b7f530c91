#!/usr/bin/env bash
# The JSON Schemas in schema/ checked by a reference validator (check-jsonschema, from PyPI),
# not only by the small validator in the unit tests: each schema against its metaschema, every
# example scenario against schema/scenario.schema.json, and GitHub's own schemas (which
# check-jsonschema carries offline) against action.yml and the example workflows.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(./scripts/python-tools.sh)"
shopt -s globstar nullglob
"$bin/check-jsonschema" --check-metaschema schema/*.schema.json
examples=(scenarios/**/*.yaml scenarios/**/*.yml Benchmarks/scenarios/**/*.yaml examples/**/*.yaml)
echo "${#examples[@]} example scenarios"
"$bin/check-jsonschema" --schemafile schema/scenario.schema.json "${examples[@]}"
# The check is not vacuous: a scenario with an unknown top-level key must fail it.
if "$bin/check-jsonschema" -o text --schemafile schema/scenario.schema.json \
  Tests/RehearseUnitTests/Fixtures/invalid/unknown-top-key.yaml >/dev/null 2>&1; then
  echo "schema/scenario.schema.json accepts an unknown top-level key" >&2
  exit 1
fi
# The GitHub Action and the example workflows against GitHub's schemas (carried by check-jsonschema).
"$bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
"$bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
