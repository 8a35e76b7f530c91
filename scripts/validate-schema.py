#!/usr/bin/env python3
"""Cross-checks schema/scenario.schema.json with the reference jsonschema library:
every scenario given (default: scenarios/*.yaml) must validate."""
import glob, json, sys
import jsonschema, yaml

schema = json.load(open("schema/scenario.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
files = sys.argv[1:] or sorted(glob.glob("scenarios/*.yaml"))
failed = 0
for f in files:
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(open(f))))
    for e in errors:
        print(f"{f}: {'/'.join(map(str, e.path))}: {e.message}")
    failed += bool(errors)
print(f"{len(files) - failed} valid, {failed} invalid")
sys.exit(1 if failed else 0)
