#!/usr/bin/env bash
# make demo: the main job on the default example, as a newcomer would run it.
set -euo pipefail
nsctl=$1 file=$2
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$nsctl" validate -v "$file"
step "$nsctl" plan "$file"
step "$nsctl" graph "$file"
if command -v dot >/dev/null; then
	out=build/$(basename "$file" .yaml).svg
	"$nsctl" graph "$file" | dot -Tsvg -o "$out"
	printf '\nwrote %s (graphviz rendering of the topology)\n' "$out"
fi
