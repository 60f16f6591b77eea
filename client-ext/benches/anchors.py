#!/usr/bin/env python3
"""What a Python script does with the same stats bodies the anchors bench decodes.

    ADSTERRA_BENCH_DUMP=$PWD/target/bench-bodies cargo bench -p adsterra --bench anchors
    python3 client-ext/benches/anchors.py target/bench-bodies

Times `json.load` of the JSON body and `csv.DictReader` over the CSV body with each value
converted to its type (as a script that sums spend must), the median of 5 runs each, and
prints them in the bench's table shape. Standard library only.
"""

import csv
import json
import statistics
import sys
import time
from datetime import date

RUNS = 5
INTEGERS = ("impressions", "clicks", "conversions", "placement", "campaign", "banner")
FLOATS = ("ctr", "cpm", "spent")


def json_load(folder):
    with open(f"{folder}/stats.json", "rb") as body:
        return len(json.load(body)["items"])


def csv_typed(folder):
    rows = 0
    with open(f"{folder}/stats.csv", newline="", encoding="utf-8") as body:
        for row in csv.DictReader(body, delimiter=";"):
            typed = {}
            for key, text in row.items():
                if text == "":
                    typed[key] = None
                elif key == "date":
                    typed[key] = date.fromisoformat(text)
                elif key in INTEGERS:
                    typed[key] = int(text)
                elif key in FLOATS:
                    typed[key] = float(text)
                else:
                    typed[key] = text
            rows += 1
    return rows


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "target/bench-bodies"
    print(f"python {sys.version.split()[0]}, median of {RUNS} runs")
    for name, run in (("json.load", json_load), ("csv.DictReader, typed", csv_typed)):
        seconds = []
        for _ in range(RUNS):
            started = time.perf_counter()
            rows = run(folder)
            seconds.append(time.perf_counter() - started)
        median = statistics.median(seconds)
        print(f"{name:<28} {median:>8.3f} s {rows / median:>12.0f} rows/s")


if __name__ == "__main__":
    main()
