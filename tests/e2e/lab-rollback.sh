#!/usr/bin/env bash
# Atomicity of up: an injected failure at every step of every example, SIGKILL at several
# depths of a bigger lab (then down cleans up from the journal), SIGTERM during up. After each,
# the host must look exactly as before. Needs root.
set -u
. "${NSCTL_SRCDIR:-.}/tests/lib.sh"
. "$SRC/tests/e2e/lablib.sh"

N=0
CHAIN_NODES=60

# fail_matrix: NSCTL_FAIL_AT=k for k = 1..steps; each up exits 1, names step k, leaves nothing.
fail_matrix() {
	local src=$EXAMPLE file lab steps k rc bad=0
	need_root_tools
	file=$(lab_file "$src" "$N")
	lab=$(lab_name "$file")
	snapshot "$WORK/snap.before"
	# Only files this kernel and this nsctl can bring up at all.
	up_or_skip "$file"
	nsctl down "$lab" >/dev/null || fail "down $lab"
	same_snapshot "$WORK/snap.before" "(plain up/down)" || exit 1
	steps=$(plan_steps "$file")
	[ "$steps" -gt 0 ] || fail "plan lists no steps"
	echo "== $src as $lab: $steps steps"
	for k in $(seq 1 "$steps"); do
		rc=0
		NSCTL_FAIL_AT=$k nsctl up "$file" >"$WORK/out" 2>"$WORK/err" || rc=$?
		if [ $rc -ne 1 ]; then
			echo "FAIL: NSCTL_FAIL_AT=$k: exit $rc, want 1"; cat "$WORK/err"; bad=1
		elif ! grep -q "step $k/$steps .*injected failure" "$WORK/err"; then
			echo "FAIL: NSCTL_FAIL_AT=$k: stderr does not name step $k/$steps:"; cat "$WORK/err"; bad=1
		fi
		if [ -e "$STATE/$lab" ]; then
			echo "FAIL: NSCTL_FAIL_AT=$k: $STATE/$lab left behind"; bad=1
		fi
		if ! same_snapshot "$WORK/snap.before" "(NSCTL_FAIL_AT=$k)"; then
			bad=1
			nsctl down "$lab" >/dev/null 2>&1 || true # start the next k from a clean host
		fi
	done
	echo "fail-at 1..$steps done"
	return $bad
}

# signal_case SIG RECORDS: up of a $CHAIN_NODES-node chain (with one host end), SIG by pid once
# its journal holds RECORDS records.
signal_case() {
	local sig=$1 want=$2 file lab hostif res rc tries=0
	need_root_tools
	N=$((N + 1))
	lab=${TAG}x$N hostif=${TAG}h${N}
	reg lab "$lab"
	file=$WORK/chain-$N.yaml
	$LABCHECK chain "$CHAIN_NODES" "$lab" "$hostif" >"$file"
	snapshot "$WORK/snap.before"
	while :; do
		tries=$((tries + 1))
		res=$(LABCHECK_STDERR=$WORK/err $LABCHECK signal-at "$NSCTL" "$file" "$lab" "$want" "$sig") || rc=$?
		echo "try $tries: SIG$sig at >= $want records: $res"
		case "$res" in *"sent=yes"*) break ;; *"sent=no"*) ;; *) fail "labcheck signal-at failed" ;; esac
		# up finished before the journal got that far: clean up and try again.
		nsctl down "$lab" >/dev/null 2>&1 || true
		[ $tries -lt 3 ] || fail "could not catch up before $want journal records in $tries tries"
	done
	cat "$WORK/err"
	rc=${res##*rc=}
	if [ "$sig" = KILL ]; then
		[ "$rc" = -9 ] || fail "up was not killed by SIGKILL (status $rc)"
		[ -f "$STATE/$lab/journal" ] || fail "no journal after SIGKILL"
		! grep -qx complete "$STATE/$lab/journal" || fail "journal says complete: SIGKILL came too late"
		# The lab is half up: a new up must refuse, down must clean up from the journal.
		expect_exit 1 nsctl up "$file" 2>/dev/null
		nsctl down "$lab" 2>"$WORK/err" || { cat "$WORK/err"; fail "down after SIGKILL"; }
		cat "$WORK/err"
		# up sets the owner mark (alias) of a host-side veth in a second request after creating
		# it; killed in between, down finds it unmarked and leaves it to the netns deletion,
		# which takes the pair. The snapshot below proves it is gone; say that it happened.
		if grep -q "does not carry nsctl's mark" "$WORK/err"; then
			note "down found host veth $hostif without nsctl's mark (SIGKILL between create and alias)"
		fi
		nsctl down "$lab" 2>"$WORK/err" || fail "second down after SIGKILL"
		grep -q "not up" "$WORK/err" || fail "second down: no 'not up' note: $(cat "$WORK/err")"
		same_snapshot "$WORK/snap.before" "(down after SIGKILL)" || exit 1
		# Every name is free again at once: the same lab comes up and goes down cleanly.
		nsctl up "$file" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "up right after down"; }
		nsctl down "$lab" >/dev/null || fail "down of the new up"
	else
		[ "$rc" = 1 ] || fail "up after SIG$sig exited $rc, want 1"
		grep -q "interrupted by a signal" "$WORK/err" || fail "no 'interrupted by a signal' on stderr"
		grep -q "rolled back" "$WORK/err" || fail "no 'rolled back' on stderr"
		[ ! -e "$STATE/$lab" ] || fail "$STATE/$lab left behind after SIG$sig"
	fi
	same_snapshot "$WORK/snap.before" "(SIG$sig after $want records)"
}

# SIGTERM while up holds the lab's lock but has not journaled its first step (the preflight):
# up must still end non-zero and leave nothing, not even its state dir. (It once died by the
# signal and left $STATE/<lab>/lock: the handlers now go in before the lock is taken.)
term_early() {
	local lab file res rc tries=0
	need_root_tools
	N=$((N + 1))
	lab=${TAG}x$N
	reg lab "$lab"
	file=$WORK/chain-$N.yaml
	$LABCHECK chain "$CHAIN_NODES" "$lab" "${TAG}h$N" >"$file"
	snapshot "$WORK/snap.before"
	until [ $tries -ge 3 ]; do
		tries=$((tries + 1))
		res=$(LABCHECK_STDERR=$WORK/err $LABCHECK signal-at "$NSCTL" "$file" "$lab" 0 TERM) || true
		echo "try $tries: SIGTERM before the first step: $res"
		case "$res" in *"sent=yes"*) break ;; esac
		nsctl down "$lab" >/dev/null 2>&1 || true
	done
	case "$res" in *"sent=yes"*) ;; *) fail "could not catch up before its first step" ;; esac
	cat "$WORK/err"
	rc=${res##*rc=}
	[ "$rc" != 0 ] || fail "up exited 0 after SIGTERM"
	[ "$rc" = 1 ] || echo "FAIL: up died by the signal (status $rc) instead of exiting 1"
	[ ! -e "$STATE/$lab" ] || { ls -la "$STATE/$lab"; fail "$STATE/$lab left behind"; }
	same_snapshot "$WORK/snap.before" "(SIGTERM before the first step)"
	[ "$rc" = 1 ]
}

for EXAMPLE in "$SRC"/examples/*.yaml; do
	N=$((N + 1))
	t_case "rollback $(basename "$EXAMPLE"): NSCTL_FAIL_AT=1..steps each exit 1, no residue" fail_matrix
done
N=100
kill_1() { signal_case KILL 1; }
kill_5() { signal_case KILL 5; }
kill_20() { signal_case KILL 20; }
kill_host() { signal_case KILL $((CHAIN_NODES + 1)); }
term_5() { signal_case TERM 5; }
term_host() { signal_case TERM $((CHAIN_NODES + 1)); }
# Past the namespaces and the host end, each node start journals 2 records (node dir, cgroup)
# before its init runs: these land mid-way through the nodes, with inits and cgroups live.
kill_nodes() { signal_case KILL $((CHAIN_NODES + 1 + 2 * 10 + 1)); }
term_nodes() { signal_case TERM $((CHAIN_NODES + 1 + 2 * 10 + 1)); }
t_case "SIGKILL up after 1 journal record: down exits 0, no residue" kill_1
N=110
t_case "SIGKILL up after 5 journal records: down exits 0, no residue" kill_5
N=120
t_case "SIGKILL up after 20 journal records: down exits 0, no residue" kill_20
N=130
t_case "SIGKILL up after the host-side veth: down removes it, no residue" kill_host
N=140
t_case "SIGTERM during up: exit 1, rolled back, no residue" term_5
N=150
t_case "SIGTERM after the host-side veth: exit 1, rolled back, no residue" term_host
N=160
t_case "SIGKILL up while nodes start: down stops inits, removes cgroups, no residue" kill_nodes
N=170
t_case "SIGTERM up while nodes start: exit 1, inits and cgroups rolled back" term_nodes
N=180
t_case "SIGTERM before up's first step: exit 1, no state dir left" term_early
t_done e2e-rollback
