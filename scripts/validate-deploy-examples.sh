#!/usr/bin/env bash
# Validates the examples people deploy (deploy/) against Kubernetes' and GitHub's schemas,
# offline: kubernetes-validate and check-jsonschema (PyPI, scripts/python-tools.txt) carry them.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(./scripts/python-tools.sh)"
# Strict: a misspelt key (`completionz`) is an error, not a field Kubernetes silently drops.
"$bin/kubernetes-validate" --strict --quiet deploy/kubernetes/*.yaml
"$bin/check-jsonschema" --builtin-schema vendor.github-workflows deploy/github/*.yml
# The check is not vacuous: the Job with a misspelt key must fail it.
bad="$(mktemp --suffix=.yaml)"
trap 'rm -f "$bad"' EXIT
sed '/^  completionMode: Indexed$/a\  completionz: 1' deploy/kubernetes/rehearse-shards.yaml >"$bad"
if "$bin/kubernetes-validate" --strict --quiet "$bad" >/dev/null 2>&1; then
  echo "kubernetes-validate accepts a Job with an unknown key" >&2
  exit 1
fi
echo "deploy examples: valid"
