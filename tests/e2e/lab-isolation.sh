#!/usr/bin/env bash
# Container isolation, proved on a live copy of examples/isolation.yaml through the real nsctl
# binary: UTS, PID and mount namespaces, pivot_root against the chroot escape, the overlay root
# (build/rootfs-busybox stays untouched, whiteouts, the upper layer gone on down), memory, cpu
# and pids limits of the node cgroups, zombie reaping by nsctl-init, `exec:` entries (and the
# rollback of a failing one), and a `down` that leaves no process, cgroup, mount or state.
#
# The main lab goes up in the first case and down in the last; the cases between use it in
# order (the fork bomb fills box's pids limit, so it comes last before `down`). Each case
# skips (77) without root, without build/rootfs-busybox (make rootfs) or, for the cases that
# run a test program inside a node, without a static libc (cc -static).
set -u
. "${NSCTL_SRCDIR:-.}/tests/lib.sh"
. "$SRC/tests/e2e/lablib.sh"

ROOTFS=$SRC/build/rootfs-busybox
LAB=${TAG}x1                    # the main lab: examples/isolation.yaml, renamed
FILE=$WORK/isolation-1.yaml     # its copy, with the rootfs path made absolute
PROG=$WORK/isoprog              # the test program (isoprog.c below), static
MARKER=$WORK/host-only-marker   # exists only on the host (under /tmp: not in any node)

# ---- helpers ----

need_lab() {
	need_root_tools
	[ -e "$STATE/$LAB/journal" ] || skip "the lab $LAB is not up (see the first case)"
}

need_prog() {
	[ -x "$PROG" ] || skip "no static test program (cc -static failed: no static libc?)"
}

# x NODE CMD...: nsctl exec into the main lab.
x() {
	local node=$1
	shift
	nsctl exec "$LAB/$node" -- "$@"
}

# put_prog NODE: copies the test program to /tmp/isoprog inside NODE, through stdin.
put_prog() {
	x "$1" sh -c 'cat >/tmp/isoprog && chmod 755 /tmp/isoprog' <"$PROG" ||
		fail "cannot copy the test program into $1"
}

cg_v2() { [ -e "$CG/cgroup.controllers" ]; }

# cg_dir CONTROLLER NODE: the node's cgroup directory in the hierarchy of CONTROLLER.
cg_dir() {
	local c
	if cg_v2; then
		echo "$CG/nsctl/$LAB/$2"
		return
	fi
	for c in "$1" "cpu,cpuacct" "cpuacct,cpu"; do
		[ -d "$CG/$c/nsctl/$LAB/$2" ] && { echo "$CG/$c/nsctl/$LAB/$2"; return; }
		[ "$1" = cpuacct ] || [ "$1" = cpu ] || break
	done
	echo "$CG/$1/nsctl/$LAB/$2"
}

# cpu_ns NODE: cpu time the node's cgroup used, in nanoseconds.
cpu_ns() {
	if cg_v2; then
		awk '$1 == "usage_usec" { printf "%d\n", $2 * 1000 }' "$(cg_dir cpu "$1")/cpu.stat"
	else
		cat "$(cg_dir cpuacct "$1")/cpuacct.usage"
	fi
}

now_ns() { date +%s%N; }

init_pid() { cat "$STATE/$LAB/nodes/$1/pid"; }

# A fingerprint of a directory tree: every entry with type, mode, size, link target and a
# checksum of regular files.
tree_sum() {
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 md5sum)
}

# lab_residue LAB: prints whatever of LAB is left: live nsctl-init processes in its cgroups,
# cgroup dirs, mounts naming it, its state dir.
lab_residue() {
	local lab=$1
	init_procs | grep -F "/nsctl/$lab/" | sed 's/^/process: /'
	cgroup_dirs | grep -F "/nsctl/$lab" | sed 's/^/cgroup: /'
	grep -F "$lab" /proc/self/mountinfo | sed 's/^/mount: /'
	[ ! -e "$STATE/$lab" ] || echo "state: $STATE/$lab"
}

# ---- the test program: one static binary, four lessons ----

cat >"$WORK/isoprog.c" <<'EOF'
/* isoprog esc MARKER: the classic chroot escape; 0 contained, 1 escaped (MARKER visible).
 * isoprog eat MIB: allocates and touches MIB MiB; 0 if it got them all.
 * isoprog forks MAX: forks children that pause() until fork fails; 0 on EAGAIN.
 * isoprog orphans N: N grandchildren that outlive their parent, until /tmp/isoprog-release
 * exists (at most 10 s). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);
	dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
}

static int esc(const char *marker)
{
	struct stat st;
	char host[256] = "";
	int fd;

	if (chdir("/tmp") < 0 || (mkdir("isoprog-jail", 0755) < 0 && errno != EEXIST)) {
		perror("mkdir /tmp/isoprog-jail");
		return 2;
	}
	/* A chroot that leaves the working directory outside the new root ... */
	if (chroot("isoprog-jail") < 0) {
		perror("chroot isoprog-jail");
		return 2;
	}
	/* ... lets ".." climb to the real root of the mount namespace ... */
	for (int i = 0; i < 256; i++)
		if (chdir("..") < 0) {
			perror("chdir ..");
			return 2;
		}
	/* ... which becomes our root again. */
	if (chroot(".") < 0 || chdir("/") < 0) {
		perror("chroot .");
		return 2;
	}
	fd = open("/etc/hostname", O_RDONLY);
	if (fd >= 0) {
		ssize_t k = read(fd, host, sizeof(host) - 1);
		host[k > 0 ? k : 0] = '\0';
		host[strcspn(host, "\n")] = '\0';
		close(fd);
	}
	printf("after the escape, / has /etc/hostname '%s'\n", host);
	if (stat(marker, &st) == 0) {
		printf("ESCAPED: %s is visible\n", marker);
		return 1;
	}
	printf("contained: %s: %s\n", marker, strerror(errno));
	return 0;
}

static int eat(long mib)
{
	for (long i = 1; i <= mib; i++) {
		/* volatile: a malloc whose memory is never read may be elided entirely (clang -O2
		 * does), and then nothing is allocated at all. */
		volatile char *p = malloc(1 << 20);
		if (!p) {
			printf("malloc failed at %ld MiB\n", i);
			return 3;
		}
		for (long j = 0; j < (1 << 20); j += 4096)
			p[j] = (char)i;
		if (i % 8 == 0) {
			printf("%ld MiB\n", i);
			fflush(stdout);
		}
	}
	printf("got all %ld MiB: no limit\n", mib);
	return 0;
}

static int forks(long max)
{
	long n;

	fflush(stdout);
	for (n = 0; n < max; n++) {
		pid_t p = fork();
		if (p < 0) {
			int e = errno;
			printf("forked %ld, then fork: %s\n", n, strerror(e));
			return e == EAGAIN ? 0 : 2;
		}
		if (p == 0) {
			detach_stdio();
			for (;;)
				pause();
		}
	}
	printf("forked %ld: no limit hit\n", n);
	return 1;
}

static int orphans(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			return 2;
		if (p == 0) {
			if (fork() == 0) {
				detach_stdio();
				for (int t = 0; t < 1000; t++) {
					if (access("/tmp/isoprog-release", F_OK) == 0)
						break;
					usleep(10000);
				}
				_exit(0);
			}
			_exit(0); /* its child is an orphan now: reparented to PID 1 */
		}
		waitpid(p, NULL, 0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "esc") == 0)
		return esc(argv[2]);
	if (argc == 3 && strcmp(argv[1], "eat") == 0)
		return eat(atol(argv[2]));
	if (argc == 3 && strcmp(argv[1], "forks") == 0)
		return forks(atol(argv[2]));
	if (argc == 3 && strcmp(argv[1], "orphans") == 0)
		return orphans(atol(argv[2]));
	fprintf(stderr, "usage: isoprog esc MARKER | eat MIB | forks MAX | orphans N\n");
	return 2;
}
EOF

# ---- cases ----

case_up() {
	need_root_tools
	[ -x "$ROOTFS/bin/busybox" ] || skip "no $ROOTFS (make rootfs)"
	${CC:-cc} -static -O1 -o "$PROG" "$WORK/isoprog.c" ||
		note "cc -static failed: the cases that need the test program skip"
	# The copy lives in $WORK: labcheck.py rewrite makes the relative rootfs absolute.
	[ "$(lab_file "$SRC/examples/isolation.yaml" 1)" = "$FILE" ] || fail "lab_file"
	grep -q "^    rootfs: $(realpath "$ROOTFS")\$" "$FILE" ||
		fail "the copy does not use $ROOTFS: $(grep rootfs: "$FILE")"
	tree_sum "$ROOTFS" >"$WORK/rootfs.sum"
	hostname >"$WORK/hostname.before"
	snapshot "$WORK/snap.main"
	cp "$WORK/snap.main" "$WORK/snap.before"
	up_or_skip "$FILE"
	cp "$WORK/up.out" "$WORK/up-main.out"
	nsctl test "$FILE" || fail "nsctl test $FILE"
}

case_hostname() {
	need_lab
	local in host
	host=$(hostname)
	in=$(x box hostname) || fail "exec hostname"
	echo "box: '$in', host: '$host'"
	[ "$in" = box.isolation ] || fail "box's hostname is '$in', want box.isolation"
	[ "$in" != "$host" ] || fail "box has the host's hostname"
	[ "$(x box cat /etc/hostname)" = box.isolation ] || fail "box's /etc/hostname"
	# No hostname: key: the node's name; host-rootfs nodes too.
	[ "$(x mem hostname)" = mem ] || fail "mem's hostname is '$(x mem hostname)'"
	[ "$(hostname)" = "$(cat "$WORK/hostname.before")" ] || fail "the host's hostname changed"
	# env: reaches `nsctl exec` (as it does cmd and exec: entries); not other nodes.
	[ "$(x box sh -c 'echo "$LESSON"')" = isolation ] || fail "box's env: LESSON not set"
	[ -z "$(x mem sh -c 'echo "$LESSON"')" ] || fail "mem sees box's env"
}

case_pid1() {
	need_lab
	local pids comm n node
	for node in box mem; do
		comm=$(x "$node" cat /proc/1/comm) || fail "exec $node"
		[ "$comm" = nsctl-init ] || fail "$node: PID 1 is '$comm', want nsctl-init"
		# Every process the node's /proc shows: its init and the ls listing them.
		pids=$(x "$node" ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\n' ' ')
		echo "$node: /proc holds pids: $pids"
		n=$(echo "$pids" | wc -w)
		[ "$n" -le 2 ] || fail "$node sees $n processes: $pids"
		case " $pids" in *" 1 "*) ;; *) fail "$node: no PID 1 in /proc" ;; esac
		# The init's host pid means nothing inside.
		[ "$(cat "/proc/$(init_pid "$node")/comm")" = nsctl-init ] || fail "$node: host pid file"
	done
	x box ps >"$WORK/ps" || fail "ps in box"
	cat "$WORK/ps"
	[ "$(awk 'NR > 1' "$WORK/ps" | wc -l)" -eq 2 ] || fail "box's ps lists more than init and ps"
	grep -Eq '^ +1 .*nsctl-init' "$WORK/ps" || fail "box's ps has no PID 1 nsctl-init"
	[ "$(readlink "/proc/$(init_pid box)/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] ||
		fail "box shares the host's PID namespace"
}

case_chroot_escape() {
	need_lab
	need_prog
	local rc node
	echo marker >"$MARKER"
	# The control: the same program in a plain chroot on the host does escape, so a
	# "contained" below means something.
	mkdir -p "$WORK/jail/tmp"
	cp "$PROG" "$WORK/jail/isoprog"
	rc=0
	chroot "$WORK/jail" /isoprog esc "$MARKER" || rc=$?
	[ $rc -eq 1 ] || fail "control: the escape from a plain chroot exited $rc, want 1 (escaped)"
	for node in box mem; do
		put_prog "$node"
		rc=0
		x "$node" /tmp/isoprog esc "$MARKER" || rc=$?
		[ $rc -eq 0 ] || fail "$node: the chroot escape exited $rc, want 0 (contained)"
	done
	rm -f "$MARKER"
}

case_overlay_write() {
	need_lab
	local upper=$STATE/$LAB/nodes/box/upper
	x box sh -c 'echo written >/etc/motd && echo lab:x:1000:1000::/:/bin/sh >>/etc/passwd &&
		echo new >/bin/newfile && chmod 700 /bin/busybox' || fail "writes inside box"
	[ "$(x box cat /etc/motd)" = written ] || fail "box does not read its own write"
	tree_sum "$ROOTFS" >"$WORK/rootfs.now"
	diff "$WORK/rootfs.sum" "$WORK/rootfs.now" || fail "$ROOTFS changed"
	[ -f "$upper/etc/motd" ] && [ -f "$upper/bin/newfile" ] || fail "no copy-up in $upper"
	grep -q '^lab:' "$upper/etc/passwd" || fail "$upper/etc/passwd lacks the appended line"
	! grep -q '^lab:' "$ROOTFS/etc/passwd" || fail "$ROOTFS/etc/passwd changed"
}

case_whiteout() {
	need_lab
	local upper=$STATE/$LAB/nodes/box/upper
	[ -e "$ROOTFS/bin/vi" ] || skip "busybox has no vi applet to delete"
	x box rm /bin/vi || fail "rm /bin/vi inside box"
	! x box test -e /bin/vi || fail "/bin/vi still there inside box"
	[ -L "$ROOTFS/bin/vi" ] || fail "$ROOTFS/bin/vi is gone"
	[ -c "$upper/bin/vi" ] || fail "no whiteout: $(ls -l "$upper/bin/vi" 2>&1)"
	[ "$(stat -c '%t:%T' "$upper/bin/vi")" = 0:0 ] ||
		fail "$upper/bin/vi is a character device $(stat -c '%t:%T' "$upper/bin/vi"), want 0:0"
}

case_mounts() {
	need_lab
	local node bad
	for node in box mem; do
		x "$node" cat /proc/self/mountinfo >"$WORK/mi.$node" || fail "mountinfo of $node"
		# Fields: id parent dev root mount-point options [optional...] - type source ...
		awk '{ for (i = 7; i < NF && $i != "-"; i++); print $5, $(i + 1) }' \
			"$WORK/mi.$node" >"$WORK/mp.$node"
		cat "$WORK/mp.$node"
		bad=$(awk -v state="$STATE" '$1 ~ /^\/run\/netns(\/|$)/ || index($1, state) == 1 ||
			$1 ~ /^\/sys\/fs\/cgroup/ || $2 == "cgroup" || $2 == "cgroup2"' "$WORK/mp.$node")
		[ -z "$bad" ] || fail "$node sees host mounts: $bad"
		[ "$(awk '$2 == "proc"' "$WORK/mp.$node")" = "/proc proc" ] || fail "$node: proc mounts"
		[ "$(awk '$2 == "sysfs"' "$WORK/mp.$node")" = "/sys sysfs" ] || fail "$node: sysfs mounts"
	done
	# A mount made inside stays inside.
	for node in box mem; do
		x "$node" sh -c "mkdir -p /tmp/mnt && mount -t tmpfs ${TAG}-in-$node /tmp/mnt" ||
			fail "mount inside $node"
		x "$node" grep -q "${TAG}-in-$node" /proc/self/mountinfo || fail "$node lost its mount"
		! grep -q "${TAG}-in-" /proc/self/mountinfo || fail "$node's mount shows on the host"
		! grep -q "${TAG}-in-" "/proc/1/mountinfo" || fail "$node's mount shows in host PID 1"
	done
	[ "$(readlink "/proc/$(init_pid box)/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] ||
		fail "box shares the host's mount namespace"
}

case_zombies() {
	need_lab
	need_prog
	local z stats='for s in /proc/[0-9]*/stat; do read -r l <$s && echo "$l"; done 2>/dev/null'
	put_prog box
	x box rm -f /tmp/isoprog-release
	x box /tmp/isoprog orphans 5 || fail "orphans"
	# Their parent is gone: they are the node's PID 1's children now.
	x box sh -c "$stats" >"$WORK/stat1"
	awk '$2 == "(isoprog)" && $4 != 1 { bad = 1 } $2 == "(isoprog)" { n++ }
		END { exit bad || n != 5 }' "$WORK/stat1" ||
		{ cat "$WORK/stat1"; fail "want 5 orphans with parent 1"; }
	# Once they exit, PID 1 reaps them: no process of theirs is left, not even a zombie.
	x box touch /tmp/isoprog-release
	for _ in $(seq 40); do
		x box sh -c "$stats" >"$WORK/stat2"
		grep -q '(isoprog)' "$WORK/stat2" || break
		sleep 0.05
	done
	z=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " ") } f[1] == "Z"' "$WORK/stat2")
	[ -z "$z" ] || fail "zombies inside box: $z"
	! grep -q '(isoprog)' "$WORK/stat2" || fail "the orphans are still there: $(grep '(isoprog)' "$WORK/stat2")"
}

case_exec_entry() {
	need_lab
	grep -qF '[box] $ echo hello > /tmp/x' "$WORK/up-main.out" || fail "up did not show the exec entry"
	[ "$(x box cat /tmp/x)" = hello ] || fail "box's /tmp/x: $(x box cat /tmp/x 2>&1)"
	# The node's /tmp is its own.
	! x mem test -e /tmp/x || fail "mem sees box's /tmp/x"
}

case_memory() {
	need_lab
	need_prog
	local dir rc ip
	dir=$(cg_dir memory mem)
	if cg_v2; then
		[ "$(cat "$dir/memory.max")" = 33554432 ] || fail "memory.max: $(cat "$dir/memory.max")"
	else
		[ "$(cat "$dir/memory.limit_in_bytes")" = 33554432 ] ||
			fail "memory.limit_in_bytes: $(cat "$dir/memory.limit_in_bytes")"
	fi
	# A host process outside the lab, which a host-wide OOM could take.
	sleep 30 >/dev/null 2>&1 &
	CANARY=$!
	trap 'kill $CANARY 2>/dev/null' EXIT # this case runs in a subshell of its own
	ip=$(init_pid mem)
	put_prog mem
	rc=0
	x mem /tmp/isoprog eat 256 || rc=$?
	[ $rc -eq 137 ] || fail "allocating 256 MiB in mem exited $rc, want 137 (SIGKILL)"
	if cg_v2; then
		grep -E '^oom_kill [1-9]' "$dir/memory.events" || fail "memory.events: $(cat "$dir/memory.events")"
	else
		grep -E '^oom_kill [1-9]' "$dir/memory.oom_control" ||
			fail "memory.oom_control: $(cat "$dir/memory.oom_control")"
	fi
	[ "$(cat "/proc/$ip/comm" 2>/dev/null)" = nsctl-init ] || fail "mem's init died"
	x mem true || fail "mem no longer runs commands"
	x box true && x cpu true || fail "another node died"
	kill -0 "$CANARY" 2>/dev/null || fail "a host process died"
}

case_cpu() {
	need_lab
	local dir bg u0 u1 t0 t1 pct
	dir=$(cg_dir cpu cpu)
	if cg_v2; then
		[ "$(cat "$dir/cpu.max")" = "20000 100000" ] || fail "cpu.max: $(cat "$dir/cpu.max")"
	else
		[ "$(cat "$dir/cpu.cfs_quota_us")/$(cat "$dir/cpu.cfs_period_us")" = 20000/100000 ] ||
			fail "quota/period: $(cat "$dir/cpu.cfs_quota_us")/$(cat "$dir/cpu.cfs_period_us")"
	fi
	x cpu timeout 2.2 sh -c 'while :; do :; done' &
	bg=$!
	sleep 0.4
	u0=$(cpu_ns cpu) t0=$(now_ns)
	sleep 1.5
	u1=$(cpu_ns cpu) t1=$(now_ns)
	wait $bg || true
	pct=$(((u1 - u0) * 100 / (t1 - t0)))
	echo "cpu: $((u1 - u0)) ns of cpu in $((t1 - t0)) ns of time: ${pct}% of a core"
	[ "$pct" -ge 10 ] && [ "$pct" -le 35 ] || fail "a busy loop under cpu: 0.2 used ${pct}% of a core"
}

# Separate small labs: exec entries that fail.
exec_lab() {
	local n=$1 entries=$2
	printf 'name: %s\nnodes:\n  a:\n    exec: %s\n' "${TAG}x$n" "$entries" >"$WORK/exec-$n.yaml"
	reg lab "${TAG}x$n"
	echo "$WORK/exec-$n.yaml"
}

case_exec_fails() {
	need_root_tools
	local f lab rc=0
	f=$(exec_lab 2 '["echo one > /tmp/one", "exit 3", "echo never"]')
	lab=${TAG}x2
	snapshot "$WORK/snap.before"
	nsctl up "$f" >"$WORK/out" 2>&1 || rc=$?
	cat "$WORK/out"
	[ $rc -eq 1 ] || fail "up with a failing exec entry exited $rc, want 1"
	grep -q 'exit 3' "$WORK/out" && grep -q 'status 3' "$WORK/out" || fail "the error does not name the entry and its status"
	! grep -q 'echo never' "$WORK/out" || fail "an entry after the failing one ran"
	[ -z "$(lab_residue "$lab")" ] || fail "rollback left: $(lab_residue "$lab")"
	same_snapshot "$WORK/snap.before" "the failed up"
}

case_exec_optional() {
	need_root_tools
	local f lab rc=0
	f=$(exec_lab 3 '[{cmd: "exit 3", optional: true}, "echo after > /tmp/after"]')
	lab=${TAG}x3
	snapshot "$WORK/snap.before"
	nsctl up "$f" >"$WORK/out" 2>&1 || rc=$?
	cat "$WORK/out"
	[ $rc -eq 0 ] || fail "up with a failing optional exec entry exited $rc, want 0"
	grep -q 'optional' "$WORK/out" || fail "up did not report the optional failure"
	[ "$(nsctl exec "$lab/a" -- cat /tmp/after)" = after ] || fail "the entry after it did not run"
	nsctl down "$lab" || fail "down $lab"
	[ -z "$(lab_residue "$lab")" ] || fail "down left: $(lab_residue "$lab")"
	same_snapshot "$WORK/snap.before" "up (after down)"
}

case_forkbomb() {
	need_lab
	need_prog
	local dir rc=0 out cur
	dir=$(cg_dir pids box)
	[ "$(cat "$dir/pids.max")" = 32 ] || fail "pids.max: $(cat "$dir/pids.max")"
	put_prog box
	out=$(x box /tmp/isoprog forks 1000) || rc=$?
	echo "$out"
	[ $rc -eq 0 ] || fail "the fork bomb exited $rc, want 0 (fork failed with EAGAIN)"
	cur=$(cat "$dir/pids.current")
	echo "pids.current $cur; pids.events: $(cat "$dir/pids.events" 2>/dev/null)"
	[ "$cur" -le 32 ] && [ "$cur" -ge 30 ] || fail "pids.current is $cur, want 30..32"
	if [ -e "$dir/pids.events" ]; then
		grep -Eq '^max [1-9]' "$dir/pids.events" || fail "pids.events: $(cat "$dir/pids.events")"
	fi
	# The forks stay (pause()) for down to kill; the other nodes are not affected.
	x mem true || fail "mem cannot run commands"
}

case_down() {
	need_lab
	local pids p upper=$STATE/$LAB/nodes/box/upper left
	pids=$(cat "$STATE/$LAB"/nodes/*/pid)
	[ -d "$upper" ] || fail "no upper dir $upper before down"
	nsctl down "$LAB" || fail "down $LAB"
	for _ in $(seq 30); do
		left=
		for p in $pids; do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = nsctl-init ] && left="$left $p"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || fail "nsctl-init processes left (maybe unreaped):$left"
	[ ! -e "$upper" ] || fail "down left the upper dir $upper"
	[ -z "$(lab_residue "$LAB")" ] || fail "down left: $(lab_residue "$LAB")"
	tree_sum "$ROOTFS" >"$WORK/rootfs.now"
	diff "$WORK/rootfs.sum" "$WORK/rootfs.now" || fail "$ROOTFS changed"
	same_snapshot "$WORK/snap.main" "up (after down)"
}

START=$(date +%s%N)
t_case "up: examples/isolation.yaml (rootfs build/rootfs-busybox), nsctl test" case_up
t_case "uts: the node's hostname is its own, the host's is unchanged" case_hostname
t_case "pid: PID 1 is nsctl-init, /proc and ps show only the node's processes" case_pid1
t_case "root: the chroot escape ends at the node's root (a plain chroot's does not)" case_chroot_escape
t_case "overlay: writes inside box land in its upper dir, build/rootfs-busybox unchanged" case_overlay_write
t_case "overlay: a deleted lower file is a 0/0 whiteout in the upper dir" case_whiteout
t_case "mnt: no host netns/cgroup/state mounts inside, a mount inside stays inside" case_mounts
t_case "init: orphans are reparented to PID 1 and reaped (no zombies)" case_zombies
t_case "exec: box's exec entry ran inside the node after wiring" case_exec_entry
t_case "memory: past 32MiB the allocator is OOM-killed (137); init, nodes, host live on" case_memory
t_case "cpu: a busy loop under cpu: 0.2 uses 10-35% of a core (cgroup cpu usage)" case_cpu
t_case "exec: a failing entry fails up (exit 1), rolled back without residue" case_exec_fails
t_case "exec: a failing optional entry does not fail up" case_exec_optional
t_case "pids: a fork bomb in box stops at pids: 32 (EAGAIN)" case_forkbomb
t_case "down: no nsctl-init, cgroup, mount, upper dir or state left; rootfs unchanged" case_down
note "e2e-isolation took $((($(date +%s%N) - START) / 1000000)) ms"
t_done e2e-isolation
