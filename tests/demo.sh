#!/usr/bin/env bash
# make demo: the main job on the default example, as a newcomer would run it: validate, plan,
# bring the lab up, run its tests, look at it, ping across the router, tear it down.
set -euo pipefail
nsctl=$1 file=$2
lab=$(awk '/^name:/ {print $2; exit}' "$file")
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$nsctl" validate -v "$file"
step "$nsctl" plan "$file"
if command -v dot >/dev/null; then
	mkdir -p build
	"$nsctl" graph "$file" | dot -Tsvg -o "build/$lab.svg"
	printf '\n(graph of the topology: build/%s.svg)\n' "$lab"
fi

if [ "$(id -u)" != 0 ]; then
	printf '\nThe live part of the demo (up, test, status, down) needs root: sudo make demo\n'
	exit 0
fi
# Whatever happens below, leave nothing behind.
trap '"$nsctl" down "$lab" >/dev/null 2>&1 || true' EXIT

step "$nsctl" up "$file"
step "$nsctl" test "$lab"
step "$nsctl" status "$lab"
step "$nsctl" exec "$lab/h1" -- ping -c 2 -W 1 198.51.100.10
step "$nsctl" exec "$lab/h1" -- ip route
# Each node is a PID 1 in its own namespaces: its own hostname, its own process list.
step "$nsctl" exec "$lab/h1" -- hostname
step "$nsctl" exec "$lab/h1" -- ps -ef
step "$nsctl" down "$lab"
trap - EXIT
step "$nsctl" status
