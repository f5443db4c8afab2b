#!/usr/bin/env python3
"""The same finding as `bbounty bench` (mask of a three-condition group, error counts in the group and its
complement on the confirmation part, pooled two-proportion z), computed with pandas boolean masks.

Usage: /usr/bin/python3 pandas_finding.py HOLDOUT.csv [repeats]   (Debian: apt-get install python3-pandas)

Setup, excluded from the timing like the engine's cached predictions: loading the CSV, the base model's per-row
errors (the synthetic data's base rule, income - debt - 30 > 0, against the label) and a 40/60 feedback split.
Text columns are converted to pandas' 'category' dtype first, which is pandas' fastest option; the figure with
plain object (string) columns is printed too.
"""
import json
import math
import statistics
import sys
import time

import numpy as np
import pandas as pd


def finding(df, errors, confirmation):
    mask = (df["region"] == "South") & (df["age"] >= 60) & (df["income"] < 80)
    group = mask & confirmation
    complement = ~mask & confirmation
    n_g, n_c = int(group.sum()), int(complement.sum())
    e_g, e_c = int((errors & group).sum()), int((errors & complement).sum())
    p_g, p_c = e_g / n_g, e_c / n_c
    pooled = (e_g + e_c) / (n_g + n_c)
    z = (p_g - p_c) / math.sqrt(pooled * (1 - pooled) * (1 / n_g + 1 / n_c))
    return n_g, e_g, 0.5 * math.erfc(z / math.sqrt(2))


def time_it(df, errors, confirmation, repeats):
    finding(df, errors, confirmation)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        finding(df, errors, confirmation)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    df = pd.read_csv(path)
    prediction = (df["income"] - df["debt"] - 30) > 0
    errors = pd.Series(prediction.values != (df["approved"] == "yes").values)
    confirmation = pd.Series(np.random.default_rng(1).random(len(df)) >= 0.4)
    object_median, object_min = time_it(df, errors, confirmation, repeats)
    for column in ["education", "region", "sex", "approved"]:
        df[column] = df[column].astype("category")
    median, minimum = time_it(df, errors, confirmation, repeats)
    print(json.dumps({
        "rows": len(df), "repeat": repeats, "pandas": pd.__version__, "numpy": np.__version__,
        "finding_ms": round(median, 3), "finding_ms_min": round(minimum, 3),
        "object_columns_finding_ms": round(object_median, 3), "object_columns_finding_ms_min": round(object_min, 3),
    }, indent=2))


if __name__ == "__main__":
    main()
