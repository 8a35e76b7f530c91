#!/usr/bin/env python3
"""Writes mannwhitney.json: reference values for MannWhitneyTests.

Each case is scipy.stats.mannwhitneyu(x, y, alternative='two-sided') with the
default method='auto' (exact when a sample has at most 8 values and there are
no ties, else the normal approximation with tie and continuity corrections).
Regenerate with: python3 Tests/RehearseUnitTests/Fixtures/mannwhitney.py
"""
import json, os, random
import scipy
from scipy.stats import mannwhitneyu

rng = random.Random(20261122)
cases = []

def add(x, y, note):
    r = mannwhitneyu(x, y, alternative="two-sided")
    cases.append({"note": note, "x": x, "y": y, "u": float(r.statistic), "p": float(r.pvalue)})

add([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], "separated, exact")
add([3.0], [1.0, 2.0], "one value, exact")
add([1.1, 2.2, 3.3, 4.4, 5.5], [1.0, 2.5, 3.1, 4.9, 5.2], "interleaved, exact")
add([1, 2, 2, 3, 3, 3, 4], [3, 4, 4, 5, 5, 6, 7], "ties, asymptotic")
add([5, 5, 5, 5, 5], [5, 5, 5, 5, 5], "all equal")
add(list(range(20)), list(range(5, 25)), "20 vs 20, ties")
# Small samples without ties (exact), sizes 1..10 against 1..10.
for n1, n2 in [(2, 3), (3, 3), (4, 6), (5, 5), (6, 5), (7, 8), (8, 8), (8, 12), (9, 9), (10, 10), (5, 15), (12, 4)]:
    shift = rng.choice([0, 0.5, 1.5])
    x = [round(rng.gauss(10, 1), 4) for _ in range(n1)]
    y = [round(rng.gauss(10 + shift, 1), 4) for _ in range(n2)]
    add(x, y, f"{n1} vs {n2}, gaussian shift {shift}")
# Latency-like values with ties (rounded to 0.1 ms).
for n1, n2 in [(5, 5), (6, 7), (10, 10), (30, 25)]:
    x = [round(rng.lognormvariate(1.0, 0.3), 1) for _ in range(n1)]
    y = [round(rng.lognormvariate(1.2, 0.3), 1) for _ in range(n2)]
    add(x, y, f"{n1} vs {n2}, lognormal rounded (ties likely)")
# Larger samples, asymptotic.
for n1, n2 in [(40, 40), (100, 80)]:
    x = [round(rng.gauss(50, 5), 3) for _ in range(n1)]
    y = [round(rng.gauss(51, 5), 3) for _ in range(n2)]
    add(x, y, f"{n1} vs {n2}, gaussian")

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mannwhitney.json")
with open(out, "w") as f:
    json.dump({"generator": f"scipy {scipy.__version__} mannwhitneyu(x, y, alternative='two-sided')", "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases to {out}")
