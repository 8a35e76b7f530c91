#!/usr/bin/env python3
"""Fails when a target that must not reach a database depends, directly or not, on the
client, libpq or jemalloc (README, *Architecture*). Reads `swift package describe`."""
import json, subprocess, sys

PURE = ["RehearseSupport", "RehearseSQL", "RehearseScenario", "RehearseHistogram", "RehearseResults", "RehearseReport", "RehearseVerdict"]
FORBIDDEN = {"PostgresClient", "CLibPQ", "CJemalloc", "RehearseEngine"}

described = json.loads(subprocess.run(["swift", "package", "describe", "--type", "json"],
                                      check=True, capture_output=True, text=True).stdout)
deps = {t["name"]: t.get("target_dependencies", []) + t.get("product_dependencies", []) for t in described["targets"]}

def reach(name, seen):
    for d in deps.get(name, []):
        if d not in seen:
            seen.add(d)
            reach(d, seen)
    return seen

failed = False
# The unit tests pass where no PostgreSQL can be found: they may not have the test servers.
bad = "TestSupport" in reach("RehearseUnitTests", set())
print(f"RehearseUnitTests: {'reaches TestSupport (real servers)' if bad else 'no test servers'}")
failed |= bad
for target in PURE:
    bad = reach(target, set()) & FORBIDDEN
    print(f"{target}: {'reaches ' + ', '.join(sorted(bad)) if bad else 'no client, libpq or jemalloc'}")
    failed |= bool(bad)
sys.exit(1 if failed else 0)
