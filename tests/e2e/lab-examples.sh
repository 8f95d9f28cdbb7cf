#!/usr/bin/env bash
# Live labs: every example goes up under a name of its own, is checked by independent witnesses
# (ip -j addr/route/link, real pings, /proc/sys), then goes down leaving the host as it was.
# Needs root; each case skips (77) without it, or when the kernel lacks a feature the file uses.
set -u
. "${NSCTL_SRCDIR:-.}/tests/lib.sh"
. "$SRC/tests/e2e/lablib.sh"

N=0

# example_case FILE: up, verify, ping, test (if the verb exists), down, snapshot.
example_case() {
	local src=$EXAMPLE file lab rc
	need_root_tools
	file=$(lab_file "$src" "$N")
	lab=$(lab_name "$file")
	echo "== $src as lab $lab ($file)"
	snapshot "$WORK/snap.before"
	up_or_skip "$file"
	[ -f "/run/nsctl/$lab/journal" ] || fail "no journal under /run/nsctl/$lab"

	rc=0
	$LABCHECK verify "$file" || rc=1
	$LABCHECK ping "$file" || rc=1
	if has_verb test; then
		nsctl test "$file" || { echo "FAIL: nsctl test $file"; rc=1; }
	else
		note "nsctl has no 'test' verb yet: its check is skipped"
	fi
	# A second up of a lab that is up changes nothing and fails.
	expect_exit 1 nsctl up "$file" 2>"$WORK/err" || rc=1
	grep -q "already up" "$WORK/err" || { echo "FAIL: second up: $(cat "$WORK/err")"; rc=1; }

	nsctl down "$lab" || fail "down $lab"
	[ ! -e "/run/nsctl/$lab" ] || fail "down left /run/nsctl/$lab"
	same_snapshot "$WORK/snap.before" "up" || rc=1
	return $rc
}

for EXAMPLE in "$SRC"/examples/*.yaml; do
	N=$((N + 1))
	t_case "example $(basename "$EXAMPLE"): up, addresses/routes/mtu/mac, pings, down, no residue" example_case
done
t_done e2e-labs
