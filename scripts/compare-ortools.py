#!/usr/bin/env python3
"""Runs Google OR-Tools' SimpleMinCostFlow (cost scaling, C++) and Trellis's solver on the same
sparse candidate graph, side by side, and prints the ratio of their solve times.

    swift build -c release --product trellis-bench
    .build/release/trellis-bench --sizes 100000 --export-graph /tmp/graph.txt
    python3 -m venv /tmp/ortools && /tmp/ortools/bin/pip install ortools
    /tmp/ortools/bin/python scripts/compare-ortools.py /tmp/graph.txt

The graph file: a line "mentees mentors", one capacity per mentor, then "mentee mentor score"
per pair (scores in millionths). Both solvers maximise the total score; a mentee may stay
unmatched. Each is timed on its solve alone, best of three, and both totals must agree.
"""
import subprocess
import sys
import time
from pathlib import Path

from ortools.graph.python import min_cost_flow


def load(path):
    lines = Path(path).read_text().split("\n")
    mentees, mentors = map(int, lines[0].split())
    capacities = [int(x) for x in lines[1:1 + mentors]]
    pairs = [tuple(map(int, line.split())) for line in lines[1 + mentors:] if line.strip()]
    return mentees, mentors, capacities, pairs


def ortools_total(mentees, mentors, capacities, pairs):
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink, unmatched = mentees + mentors, mentees + mentors + 1, mentees + mentors + 2
    for e in range(mentees):
        flow.add_arc_with_capacity_and_unit_cost(source, e, 1, 0)
        flow.add_arc_with_capacity_and_unit_cost(e, unmatched, 1, 0)   # staying unmatched costs nothing
    arcs = []
    for e, m, score in pairs:
        arcs.append(flow.add_arc_with_capacity_and_unit_cost(e, mentees + m, 1, -score))
    for m, capacity in enumerate(capacities):
        flow.add_arc_with_capacity_and_unit_cost(mentees + m, sink, capacity, 0)
    flow.add_arc_with_capacity_and_unit_cost(unmatched, sink, mentees, 0)
    flow.set_node_supply(source, mentees)
    flow.set_node_supply(sink, -mentees)
    start = time.perf_counter()
    status = flow.solve()
    elapsed = time.perf_counter() - start
    assert status == flow.OPTIMAL, status
    return -flow.optimal_cost(), elapsed


def main():
    path = sys.argv[1]
    binary = sys.argv[2] if len(sys.argv) > 2 else ".build/release/trellis-bench"
    mentees, mentors, capacities, pairs = load(path)
    print(f"graph: {mentees} mentees, {mentors} mentors, {len(pairs)} pairs")
    best = None
    for _ in range(3):
        total, elapsed = ortools_total(mentees, mentors, capacities, pairs)
        best = elapsed if best is None else min(best, elapsed)
    print(f"OR-Tools SimpleMinCostFlow: total {total / 1e6:.6f}, best of 3: {best:.3f} s")
    output = subprocess.run([binary, "--solve-graph", path], capture_output=True, text=True, check=True).stdout.strip()
    print(output)
    trellis_seconds = float(output.rsplit(":", 1)[1].strip().split()[0])
    trellis_total = output.split("total ")[1].split(",")[0]
    assert abs(float(trellis_total) - total / 1e6) < 1e-6, (trellis_total, total)
    print(f"ratio (Trellis time / OR-Tools time): {trellis_seconds / best:.2f}")


if __name__ == "__main__":
    main()
