# Shared helpers for the live-lab tiers (tests/e2e/lab-*.sh); sourced after tests/lib.sh.
#
# Every object a tier makes carries the tag t<pid of the tier> followed by a letter: labs are
# t<pid>x<N> (so their namespaces are t<pid>x<N>-<node>), host-side interfaces t<pid>h<N>...,
# the tier's own veths and namespaces t<pid>v<N>. The tier touches no name without its tag, so
# it can run next to real labs. Host-side addresses move to a subnet of the run's own in
# 10.200.0.0-10.255.255.255 (labcheck.py host_net24), so two runs hardly ever share a host route.
#
# Snapshots: the host as the tiers compare it before and after (netns list, host links,
# /run/netns, the state dir, mount points, nsctl's cgroups in every hierarchy, live nsctl-init
# processes with their cgroup). They must be identical. On a machine where others bring labs
# up and down at the same time, NSCTL_TEST_SHARED_HOST=1 restricts the comparison to lines
# that carry this tier's tag (a leak of nsctl's always does: every name it makes starts with
# the lab name or a host: interface name, and a node's cgroup is nsctl/<lab>/<node>).

TAG=t$$
STATE=${NSCTL_STATE_DIR:-/run/nsctl} # nsctl's state root (NSCTL_STATE_DIR moves it)
CG=/sys/fs/cgroup                    # nsctl/cgroup.h CG_ROOT
# The distribution's python3 first: a version-manager shim on PATH can cost 0.4 s per start.
PYTHON=${PYTHON:-}
for p in /usr/bin/python3 python3; do
	[ -z "$PYTHON" ] && "$p" -c 'import yaml' 2>/dev/null && PYTHON=$p
done
LABCHECK="${PYTHON:-python3} $SRC/tests/e2e/labcheck.py"
WORK=$(mktemp -d /tmp/nsctl-lab.XXXXXX)
T_LOG=$WORK/case.log
REG=$WORK/registry # "lab NAME", "netns NAME", "link NAME", "pid PID": what cleanup undoes
: >"$REG"
exec 3>&1 # a case's own output goes to T_LOG; skip reasons go here

note() { echo "#   $*" >&3; }
fail() { echo "FAIL: $*"; exit 1; }
skip() { note "skip: $*"; echo "skip: $*"; exit 77; }

# need_root_tools TOOL...: exit 77 (skip) unless root and every tool is there.
need_root_tools() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$NSCTL" ] || skip "no nsctl binary at $NSCTL"
	local t
	for t in ip tc ping timeout "$@"; do
		command -v "$t" >/dev/null || skip "needs $t"
	done
	[ -n "$PYTHON" ] || skip "needs python3 with PyYAML (python3-yaml)"
	prime_netns_dir
}

# The first named netns on a host turns /run/netns into a shared bind mount of itself, which
# stays (iproute2 does the same; nsctl/netns.c explains why). Make it one before any snapshot,
# the iproute2 way, so the comparison is about labs, not about that one-time change.
prime_netns_dir() {
	grep -q ' /run/netns ' /proc/self/mountinfo && return 0
	note "/run/netns was not a mount point yet: making it one with ip netns add/del ${TAG}v0"
	reg netns "${TAG}v0"
	ip netns add "${TAG}v0" && ip netns del "${TAG}v0"
}

reg() { echo "$1 $2" >>"$REG"; }

# Undo everything the registry names: pids we started, labs we brought up, then the
# namespaces and links the tier made itself. Only exact names, only ours.
lab_cleanup() {
	local kind name
	[ -s "$REG" ] || return 0
	while read -r kind name; do
		# Only if that pid is still one of our nsctl runs (pids get reused).
		[ "$kind" = pid ] && tr '\0' ' ' 2>/dev/null <"/proc/$name/cmdline" |
			grep -qF -- "$NSCTL up" && kill -KILL "$name" 2>/dev/null
	done <"$REG"
	while read -r kind name; do
		[ "$kind" = lab ] || continue
		# A second and third try: the binary may be in the middle of a rebuild.
		for _ in 1 2 3; do
			timeout -k 5 60 "$NSCTL" down "$name" >/dev/null 2>&1 && break
			sleep 1
		done
	done <"$REG"
	while read -r kind name; do
		case "$kind" in
		netns) [ -e "/run/netns/$name" ] && ip netns del "$name" 2>/dev/null ;;
		link) ip link show dev "$name" >/dev/null 2>&1 && ip link del dev "$name" 2>/dev/null ;;
		esac
	done <"$REG"
	return 0
}
trap 'lab_cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

nsctl() { timeout -k 5 120 "$NSCTL" "$@"; }

# has_verb VERB: does this build of nsctl have the verb yet?
has_verb() { "$NSCTL" --help 2>&1 | grep -Eq "^[[:space:]]+$1[[:space:]]"; }

# The cgroup directories nsctl makes: nsctl/<lab>/<node> under each v1 hierarchy
# (/sys/fs/cgroup/<controller>/nsctl) or on the v2 tree (/sys/fs/cgroup/nsctl).
cgroup_dirs() {
	local d
	for d in "$CG"/*/nsctl "$CG"/nsctl; do
		[ -d "$d" ] && find "$d" -type d 2>/dev/null
	done | sort
}

# Live nsctl-init processes (zombies excluded: exited, waiting for whoever reaps them), one
# line each: pid, command line, and the node cgroup it is in (nsctl/<lab>/<node>, which names
# the lab, so that NSCTL_TEST_SHARED_HOST=1 can tell this tier's from others'). Builtins only
# for the scan: it reads every process's comm.
init_procs() {
	local p comm stat st cmd cg line
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[ "$comm" = nsctl-init ] || continue
		read -r stat 2>/dev/null <"$p/stat" || continue
		st=${stat##*) }
		[ "${st%% *}" = Z ] && continue
		cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")
		cg=-
		while read -r line; do
			case "$line" in *:/nsctl/*) cg=/nsctl/${line#*:/nsctl/}; break ;; esac
		done 2>/dev/null <"$p/cgroup"
		echo "${p#/proc/} ${cmd% } cgroup=$cg"
	done | sort -n
}

snapshot() {
	{
		echo "## ip netns list"
		ip netns list | sed 's/ (id: [0-9]*)//' | sort
		echo "## ip -br link"
		ip -br link | sort
		echo "## ls /run/netns"
		ls -A /run/netns 2>&1 | sort
		echo "## ls -R $STATE"
		if [ -e "$STATE" ]; then ls -AR "$STATE" 2>&1; else echo "(absent)"; fi
		echo "## mount points"
		awk '{print $5}' /proc/self/mountinfo | sort
		echo "## cgroup dirs under $CG/*/nsctl, $CG/nsctl"
		cgroup_dirs
		echo "## live nsctl-init processes"
		init_procs
	} >"$1"
}

# same_snapshot BEFORE [WHAT]: takes a new snapshot and fails if it differs from BEFORE.
same_snapshot() {
	local before=$1 what=${2:-}
	local after=$WORK/snap.after diffs=$WORK/snap.diff
	snapshot "$after"
	diff -u "$before" "$after" | tail -n +3 | grep '^[-+]' >"$diffs" || true
	if [ -s "$diffs" ]; then
		# Once more after a moment: a killed init leaves its cgroup (and cg_node_kill's
		# count) a little before it becomes a zombie.
		sleep 0.3
		snapshot "$after"
		diff -u "$before" "$after" | tail -n +3 | grep '^[-+]' >"$diffs" || true
	fi
	if [ -n "${NSCTL_TEST_SHARED_HOST:-}" ] && [ -s "$diffs" ]; then
		grep -E "${TAG}[a-z]" "$diffs" >"$diffs.mine" || true
		if [ ! -s "$diffs.mine" ]; then
			echo "note: host changed meanwhile, not by this tier:"
			sed 's/^/    /' "$diffs"
			return 0
		fi
		mv "$diffs.mine" "$diffs"
	fi
	if [ -s "$diffs" ]; then
		echo "FAIL: host state differs from the snapshot before${what:+ $what} (- before, + after):"
		sed 's/^/    /' "$diffs"
		[ -n "${NSCTL_TEST_SHARED_HOST:-}" ] ||
			echo "(if something else changed this host meanwhile, NSCTL_TEST_SHARED_HOST=1 compares only this tier's own names)"
		return 1
	fi
}

# lab_file EXAMPLE N: copies the example to $WORK with a unique lab name and unique host
# interface names; prints the new path. The lab is registered for cleanup.
lab_file() {
	local src=$1 n=$2 base
	base=$(basename "$src" .yaml)
	$LABCHECK rewrite "$src" "$WORK/$base-$n.yaml" "${TAG}x$n" "${TAG}h${n}i" || return 1
	reg lab "${TAG}x$n"
	echo "$WORK/$base-$n.yaml"
}

# up_or_skip FILE: `nsctl up FILE`, or skip the case (exit 77) if the kernel or nsctl lacks a
# feature the file uses, after checking that nothing was created. Needs $WORK/snap.before.
up_or_skip() {
	local file=$1 rc=0
	nsctl up "$file" >"$WORK/up.out" 2>"$WORK/up.err" || rc=$?
	cat "$WORK/up.out" "$WORK/up.err"
	[ $rc -eq 0 ] && return 0
	local why="" lacks=""
	if [ $rc -eq 1 ]; then
		grep -q CONFIG_DUMMY "$WORK/up.err" && lacks="dummy interfaces (CONFIG_DUMMY)"
		grep -q CONFIG_NET_SCH_NETEM "$WORK/up.err" &&
			lacks="${lacks:+$lacks and }the netem qdisc (CONFIG_NET_SCH_NETEM)"
	fi
	if [ -n "$lacks" ]; then
		why="this kernel lacks $lacks"
	elif [ $rc -eq 2 ] && grep -q "not supported yet" "$WORK/up.err"; then
		why="nsctl refuses the file: $(sed -n 's/^.*: warning: \(.*not supported yet\).*/\1/p' "$WORK/up.err" | head -n 1)"
	fi
	[ -n "$why" ] || fail "up $file exited $rc"
	same_snapshot "$WORK/snap.before" "(refused up)" || exit 1
	[ ! -e "$STATE/$(lab_name "$file")" ] || fail "refused up left $STATE/$(lab_name "$file")"
	skip "$why"
}

lab_name() { sed -n 's/^name:[[:space:]]*//p' "$1" | head -n 1; }

# plan_steps FILE: the number of steps `nsctl plan` lists.
plan_steps() { "$NSCTL" plan "$1" | awk '$1 ~ /^[0-9]+$/ { n = $1 } END { print n + 0 }'; }
