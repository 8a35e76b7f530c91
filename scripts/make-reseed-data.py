#!/usr/bin/env python3
"""Writes the reference data of the reseed scenarios (incident 1): 298 occupancies,
40 add-on codes and 121 add-on rates, 8 of which use the four codes the
missing-seed fault removes. Deterministic; run from the repository root."""
import csv, os, random

out = "scenarios/reseed/data"
os.makedirs(out, exist_ok=True)
rng = random.Random(42)
codes = [f"A{n:03d}" for n in range(1, 37)] + ["PASL", "VLIT", "BRKF", "LATE"]
with open(f"{out}/occupancies.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "code", "rate"])
    for i in range(1, 299):
        w.writerow([i, f"OCC{i:03d}", f"{rng.uniform(20, 400):.2f}"])
with open(f"{out}/add_on_master.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["code", "description"])
    for c in codes:
        w.writerow([c, f"Add-on {c}, \"quoted\" and, with commas"])
with open(f"{out}/add_on_rates.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "add_on_code", "occupancy_id", "amount"])
    rid = 1
    for c in ["PASL", "VLIT", "BRKF", "LATE"]:
        for _ in range(2):
            w.writerow([rid, c, rng.randint(1, 298), f"{rng.uniform(5, 50):.2f}"]); rid += 1
    while rid <= 121:
        w.writerow([rid, rng.choice(codes[:36]), rng.randint(1, 298), f"{rng.uniform(5, 50):.2f}"]); rid += 1
