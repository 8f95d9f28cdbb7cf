#!/usr/bin/env bash
# nsctl never takes over what is not its own: a host interface or a namespace that already has
# a name nsctl wants makes up refuse (and down leaves it alone); the per-lab lock serialises
# concurrent runs; up/down cycles leave nothing behind; down's argument checks. Needs root.
set -u
. "${NSCTL_SRCDIR:-.}/tests/lib.sh"
. "$SRC/tests/e2e/lablib.sh"

HOSTACC=$SRC/examples/host-access.yaml
ROUTED=$SRC/examples/routed.yaml

# A small lab with one host end, written here so the case does not depend on an example.
small_lab() { # NAME HOSTIF
	cat <<EOF
name: $1
nodes:
  a:
    interfaces:
      eth0: {addresses: [192.0.2.1/24]}
      eth1: {addresses: [203.0.113.2/24]}
  b:
    interfaces:
      eth0: {addresses: [192.0.2.2/24]}
links:
  - endpoints: [a:eth0, b:eth0]
  - endpoints: [a:eth1, host:$2]
host:
  interfaces:
    $2: {addresses: [203.0.113.1/24]}
EOF
}

# A foreign host interface with the name of a host: end: up refuses, changes nothing.
c_host_collision() {
	need_root_tools
	local lab=${TAG}x1 hostif=${TAG}h1 peer=${TAG}v1 file=$WORK/hc.yaml
	reg lab "$lab"
	small_lab "$lab" "$hostif" >"$file"
	reg link "$hostif"
	ip link add "$hostif" type veth peer name "$peer"
	ip -d link show dev "$hostif" >"$WORK/foreign.before"
	ip -j link show dev "$hostif" >"$WORK/foreign.json"
	snapshot "$WORK/snap.before"
	expect_exit 1 nsctl up "$file" 2>"$WORK/err"
	cat "$WORK/err"
	grep -q "host interface '$hostif' already exists" "$WORK/err" || fail "no collision message"
	ip -d link show dev "$hostif" >"$WORK/foreign.after" || fail "foreign veth $hostif is gone"
	diff "$WORK/foreign.before" "$WORK/foreign.after" || fail "foreign veth $hostif changed"
	ip -j link show dev "$hostif" | grep -q '"ifalias"' && fail "foreign veth got an alias"
	ip link show dev "$peer" >/dev/null || fail "foreign veth's peer $peer is gone"
	same_snapshot "$WORK/snap.before" "(refused up)"
	[ ! -e "$STATE/$lab" ] || fail "refused up left $STATE/$lab"
	# down of the never-deployed lab leaves the foreign interface alone too.
	nsctl down "$lab" 2>"$WORK/err" || fail "down $lab"
	ip link show dev "$hostif" >/dev/null || fail "down removed the foreign $hostif"
	same_snapshot "$WORK/snap.before" "(down)"
	ip link del dev "$hostif"
}

# A foreign netns with a node's name: up refuses; neither up nor down touches it.
c_netns_collision() {
	need_root_tools
	local lab=${TAG}x2 file ns ino
	file=$(lab_file "$ROUTED" 2)
	ns=$lab-h2 # the last node: a planner without the preflight would have made the others
	reg netns "$ns"
	ip netns add "$ns"
	ip -n "$ns" addr add 10.99.0.1/32 dev lo # a mark of our own inside
	ino=$(stat -L -c %i "/run/netns/$ns")
	snapshot "$WORK/snap.before"
	expect_exit 1 nsctl up "$file" 2>"$WORK/err"
	cat "$WORK/err"
	grep -q "network namespace '$ns' already exists" "$WORK/err" || fail "no collision message"
	same_snapshot "$WORK/snap.before" "(refused up)"
	[ "$(stat -L -c %i "/run/netns/$ns")" = "$ino" ] || fail "netns $ns was replaced"
	ip -n "$ns" -br addr show dev lo | grep -q 10.99.0.1 || fail "netns $ns lost our mark"
	nsctl down "$lab" 2>"$WORK/err" || fail "down $lab"
	grep -q "not up" "$WORK/err" || fail "down: no 'not up' note: $(cat "$WORK/err")"
	[ -e "/run/netns/$ns" ] || fail "down deleted the foreign netns $ns"
	[ "$(stat -L -c %i "/run/netns/$ns")" = "$ino" ] || fail "netns $ns was replaced by down"
	same_snapshot "$WORK/snap.before" "(down)"
	ip netns del "$ns"
}

# Two concurrent ups of one lab: exactly one wins; the loser changes nothing.
c_lock() {
	need_root_tools
	local lab=${TAG}x3 file=$WORK/lock.yaml p1 p2 r1=0 r2=0 i
	reg lab "$lab"
	$LABCHECK chain 40 "$lab" "${TAG}h3" >"$file"
	snapshot "$WORK/snap.before"
	for i in 1 2 3; do
		r1=0 r2=0
		"$NSCTL" up "$file" >/dev/null 2>"$WORK/err1" &
		p1=$!
		reg pid $p1
		"$NSCTL" up "$file" >/dev/null 2>"$WORK/err2" &
		p2=$!
		reg pid $p2
		wait $p1 || r1=$?
		wait $p2 || r2=$?
		echo "round $i: exits $r1 and $r2"
		cat "$WORK/err1" "$WORK/err2"
		[ $((r1 + r2)) -eq 1 ] && [ $((r1 * r2)) -eq 0 ] || fail "want one 0 and one 1, got $r1 and $r2"
		grep -qE "being changed by another nsctl|already up" "$WORK/err1" "$WORK/err2" ||
			fail "the loser did not say why"
		$LABCHECK verify "$file" >"$WORK/verify" || { cat "$WORK/verify"; fail "lab after the race"; }
		nsctl down "$lab" || fail "down $lab"
		same_snapshot "$WORK/snap.before" "(race $i)"
	done
}

# Two different labs brought up at the same time both succeed, and both go down.
c_two_labs() {
	need_root_tools
	local f1 f2 p1 p2 r1=0 r2=0
	f1=$(lab_file "$ROUTED" 4)
	f2=$(lab_file "$HOSTACC" 5)
	snapshot "$WORK/snap.before"
	"$NSCTL" up "$f1" >/dev/null 2>"$WORK/err1" &
	p1=$!
	reg pid $p1
	"$NSCTL" up "$f2" >/dev/null 2>"$WORK/err2" &
	p2=$!
	reg pid $p2
	wait $p1 || r1=$?
	wait $p2 || r2=$?
	cat "$WORK/err1" "$WORK/err2"
	[ $r1 -eq 0 ] && [ $r2 -eq 0 ] || fail "exits $r1 and $r2, want 0 and 0"
	$LABCHECK verify "$f1" && $LABCHECK verify "$f2" || fail "verify"
	$LABCHECK ping "$f1" >/dev/null && $LABCHECK ping "$f2" >/dev/null || fail "ping"
	nsctl down "${TAG}x4" && nsctl down "${TAG}x5" || fail "down"
	same_snapshot "$WORK/snap.before"
}

# down, down again, up again at once; then 20 up/down cycles in a row.
c_cycles() {
	need_root_tools
	local file lab i
	file=$(lab_file "$HOSTACC" 6)
	lab=$(lab_name "$file")
	snapshot "$WORK/snap.before"
	nsctl up "$file" >/dev/null || fail "up"
	nsctl down "$lab" || fail "down"
	nsctl down "$lab" 2>"$WORK/err" || fail "second down"
	grep -q "not up" "$WORK/err" || fail "second down: no 'not up' note"
	nsctl up "$file" >/dev/null || fail "up right after down"
	nsctl down "$file" || fail "down FILE"
	same_snapshot "$WORK/snap.before" "(down/down/up/down)" || exit 1
	for i in $(seq 1 20); do
		nsctl up "$file" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "cycle $i: up"; }
		nsctl down "$lab" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "cycle $i: down"; }
	done
	same_snapshot "$WORK/snap.before" "(20 cycles)"
	# And the lab still works after all that.
	nsctl up "$file" >/dev/null || fail "up after the cycles"
	$LABCHECK ping "$file" || fail "ping after the cycles"
	nsctl down "$lab" >/dev/null || fail "down after the cycles"
	same_snapshot "$WORK/snap.before" "(final)"
}

# Lab "X-" with a node "fabric" would want the netns "X--fabric", lab X's fabric namespace.
# Validation refuses such a name (exit 2; docs/decisions.md 10); should it ever get through, the
# preflight must (exit 1). Either way nothing of lab X is touched, neither by up nor by down.
c_cross_lab_names() {
	need_root_tools
	local a=${TAG}x8 f1 f2=$WORK/dash.yaml rc=0
	f1=$(lab_file "$SRC/examples/lan.yaml" 8)
	reg lab "$a-"
	printf 'name: %s-\nnodes:\n  fabric: {}\n' "$a" >"$f2"
	snapshot "$WORK/snap.before"
	nsctl up "$f1" >/dev/null || fail "up $a"
	snapshot "$WORK/snap.up"
	nsctl up "$f2" 2>"$WORK/err" || rc=$?
	cat "$WORK/err"
	[ $rc -eq 1 ] || [ $rc -eq 2 ] || fail "up of lab '$a-' exited $rc, want 1 or 2"
	same_snapshot "$WORK/snap.up" "(refused up of '$a-')"
	nsctl down "$a-" 2>/dev/null || true
	same_snapshot "$WORK/snap.up" "(down of '$a-')"
	$LABCHECK verify "$f1" || fail "lab $a damaged"
	nsctl down "$a" >/dev/null || fail "down $a"
	same_snapshot "$WORK/snap.before"
}

c_down_args() {
	need_root_tools
	snapshot "$WORK/snap.before"
	nsctl down "${TAG}x7" 2>"$WORK/err" || fail "down of a never-deployed lab exited non-zero"
	grep -q "not up" "$WORK/err" || fail "no 'not up' note: $(cat "$WORK/err")"
	expect_exit 2 nsctl down "../x" 2>/dev/null
	expect_exit 2 nsctl down "a--b" 2>/dev/null # docs/decisions.md 10: never a lab name
	expect_exit 2 nsctl down "ab-" 2>/dev/null
	expect_exit 2 nsctl down "Bad" 2>/dev/null
	expect_exit 2 nsctl down "" 2>/dev/null
	expect_exit 2 nsctl down "$(printf 'a%.0s' $(seq 1 33))" 2>/dev/null
	same_snapshot "$WORK/snap.before"
}

t_case "host interface collision: up exits 1, foreign veth untouched, nothing created" c_host_collision
t_case "netns collision: up exits 1, foreign netns untouched by up and down" c_netns_collision
t_case "two concurrent ups of one lab: one exits 0, the other 1" c_lock
t_case "two different labs up at once: both succeed" c_two_labs
t_case "down, down, up; 20 up/down cycles: no residue" c_cycles
t_case "lab 'X-' with node 'fabric' (X's fabric netns name): refused, X untouched" c_cross_lab_names
t_case "down: never-deployed lab exits 0 with a note; bad names (../x, a--b, ab-) exit 2" c_down_args
t_done e2e-safety
