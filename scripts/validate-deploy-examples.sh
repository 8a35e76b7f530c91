#!/usr/bin/env bash
# Validates the examples people deploy (deploy/) against Kubernetes' and GitHub's schemas,
# offline: kubernetes-validate and check-jsonschema (PyPI) carry the schemas. They are
# installed into a virtual environment under .build/ the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh python3 python3-venv
venv=.build/deploy-validators
if [ ! -x "$venv/bin/kubernetes-validate" ] || [ ! -x "$venv/bin/check-jsonschema" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "kubernetes-validate>=1.31" "check-jsonschema>=0.29"
fi
# Strict: a misspelt key (`completionz`) is an error, not a field Kubernetes silently drops.
"$venv/bin/kubernetes-validate" --strict --quiet deploy/kubernetes/*.yaml
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows deploy/github/*.yml
echo "deploy examples: valid"
