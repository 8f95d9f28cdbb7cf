#!/bin/sh
# The nsctl scale benchmark (make bench). BENCH_N="50 200 1000" BENCH_TOPO="star ring"
# BENCH_RUNS=3 BENCH_TOOLS="nsctl ip floor mininet" (mininet only if installed: make bench-deps);
# writes build/bench/results.md, results.csv, plot.svg, raw.json. Root only.
set -e
[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces)"; exit 1; }
exec python3 "$(dirname "$0")/bench.py" "$@"
