/* bench-floor: the raw-rtnetlink floor for the nsctl benchmark (tests/bench/). Not part of
 * nsctl: it only shows how fast the kernel builds a lab when a program does nothing but send
 * the requests and start one process per node.
 *
 *     bench-floor [--no-procs] [--no-launch-ns] [--report-pipe] [--pause PATH | --init PATH]
 *                 SPEC                    (SPEC: tests/bench/ipbatch.py's floor.spec)
 *
 * builds the lab, prints {"up_seconds":…,"down_seconds":…,"net_up_seconds":…,"phases":{…}}
 * and removes everything again.
 *
 * Network: namespaces the iproute2 way (an nsfs bind mount on /run/netns/<name>, made after
 * unshare(CLONE_NEWNET) in this process, which opens one rtnetlink socket inside each before
 * going back); veths created from the first end's socket with the peer placed by
 * IFLA_NET_NS_FD and both ifindexes chosen by us (a fresh netns has only lo=1), so no request
 * ever waits for a lookup. Requests are pipelined: up to 60 KiB or 256 messages per sendmsg(),
 * one ACK per request read and checked after each send. Down: umount2(MNT_DETACH) + unlink of
 * each name it created.
 *
 * Processes (the "proc NS" lines; --no-procs skips them): for each node, a cgroup of its own on
 * every hierarchy nsctl uses (v1: <ctrl>/benchfloor-<pid>/<ns> for memory, cpu, cpuacct, pids
 * and freezer, co-mounted ones once; v2: one directory), then the start nsctl uses
 * (nsctl/spawn.c), as posix_spawn() does it: clone(CLONE_VM|CLONE_VFORK) into new PID, mount,
 * UTS and IPC namespaces, on a stack of our own, with every signal blocked. The child runs in
 * our memory while we are suspended (no page tables copied, no copy-on-write faults): it writes
 * "0" into the node's cgroup.procs on each hierarchy (moving itself), setns()es into the node's
 * netns and execs bench-pause (tests/bench/pause.c, static; --pause PATH, default: next to
 * this program), which sleeps until killed. We resume at its exec; a failure before it comes
 * back in the memory we share, as posix_spawn() does it (--report-pipe: also on a close-on-exec
 * pipe, EOF = exec'd; see struct child_args). Up ends when the last node has exec'd. No
 * signal handler is reset in the child: the mask stays full until the exec, which resets the
 * handlers, and bench-pause sets its own mask. Nor is there a setsid(): these processes do not
 * outlive us (bench-pause also asks for SIGKILL when we die). Before the first clone the
 * launcher moves into a mount namespace of its own (slave of the host's) without the
 * /run/netns nsfs mounts, so that each clone copies a small mount table rather than one that
 * grows with the lab (--no-launch-ns: clone from the host's). Down: SIGKILL each child by pid,
 * reap it, rmdir the cgroups, back to the host's mount namespace, then the network as above.
 * Everything made is undone on every exit path (atexit; SIGINT/SIGTERM/SIGHUP are turned into
 * exit).
 *
 * --init PATH (nsctl's build/<cc>/nsctl-init): each node's process is nsctl's own init instead
 * of bench-pause, configured as nsctl configures it for a `rootfs: host` node (hostname, the
 * lab's read-only host root copy, built once in the launch namespace with nsctl's own
 * nsctl/init/mountinfo.h), with no log and no state files: it pivots into the copy, mounts
 * the node's /run, /proc, /sys, /dev, devpts, /dev/shm, /tmp, /var/tmp, binds /etc/hostname and
 * /etc/hosts, and reports ready. All start before any report is read; up ends with the last
 * report. This floor does the kernel work of nsctl's isolated nodes, without nsctl's planning,
 * journal, state files or one-request-at-a-time netlink.
 *
 * BENCH_FLOOR_CGROUP overrides /sys/fs/cgroup (e.g. /sys/fs/cgroup/unified to try the v2 path on
 * a hybrid host). BENCH_FLOOR_CHECK=cmd runs cmd between up and down, untimed, for tests; it
 * runs in the launch mount namespace (no /run/netns names there: `nsenter -t
 * $BENCH_FLOOR_PID0 -n …` enters the first node). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nsctl/init/mountinfo.h"
#include "nsctl/init/proto.h"

#define NETNS_DIR "/run/netns"
#define CG_ROOT	  "/sys/fs/cgroup"
#define CHUNK	  (60 * 1024)
#define MAX_MSGS  256 /* per sendmsg: bounds the ACKs queued on the socket */
#define MAX_HIER  5
#define STACK	  (64 * 1024) /* the children's stack: a few system calls, then exec */

struct ifc {
	char name[IFNAMSIZ];
	int index;
};

struct ns {
	char name[64];
	int fd;
	struct mnl_socket *nl;
	int next_index;
	struct ifc *ifs;
	size_t n_ifs;
	char *buf; /* pending messages */
	size_t len, n_msgs;
	unsigned seq;
	int created; /* the /run/netns file is ours */
};

/* a node's process */
struct proc {
	struct ns *ns;
	pid_t pid;	  /* > 0: our child, not reaped yet */
	unsigned cg_made; /* the node's cgroup exists in hier[0 .. cg_made - 1] */
	int report_rd;	  /* --init: the init's status pipe, until its report is read */
};

/* a cgroup hierarchy: <root>/benchfloor-<pid> */
struct hier {
	char path[256]; /* <hierarchy>/benchfloor-<pid> */
	int made;	/* the directory is ours */
	int fd;		/* O_PATH of it, or -1 */
};

static struct ns *nss;
static size_t n_ns;
static char **lines;
static size_t n_lines;
static struct proc *procs;
static size_t n_procs;
static struct hier hier[MAX_HIER];
static size_t n_hier;
static int cg_v2;
static int host_mnt = -1;		 /* the host's mount namespace while we are in our own */
static char pause_path[PATH_MAX];	 /* what each node's process execs (tests/bench/pause.c) */
static char *stack;			 /* the children's stack, one at a time */
static int report_pipe;			 /* --report-pipe: see struct child_args */
static const char *init_path;		 /* --init: nsctl-init instead of bench-pause */
static char init_dir[64], init_root[80]; /* --init: its state dir; the host root copy in it */
static int init_dir_made;
static volatile sig_atomic_t stop_signal;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* A SIGINT/SIGTERM/SIGHUP seen: leave through exit(), so that the atexit cleanup runs. */
static void check_stop(void)
{
	if (stop_signal) {
		fprintf(stderr, "bench-floor: signal %d: cleaning up\n", (int)stop_signal);
		exit(128 + stop_signal);
	}
}

static struct ns *ns_get(const char *name)
{
	for (size_t i = 0; i < n_ns; i++)
		if (!strcmp(nss[i].name, name))
			return &nss[i];
	fprintf(stderr, "bench-floor: unknown netns '%s'\n", name);
	exit(1);
}

static int if_index(struct ns *s, const char *name, int create)
{
	for (size_t i = 0; i < s->n_ifs; i++)
		if (!strcmp(s->ifs[i].name, name))
			return s->ifs[i].index;
	if (!strcmp(name, "lo"))
		return 1;
	if (!create) {
		fprintf(stderr, "bench-floor: no interface '%s' in '%s'\n", name, s->name);
		exit(1);
	}
	s->ifs = realloc(s->ifs, (s->n_ifs + 1) * sizeof(*s->ifs));
	if (!s->ifs)
		die("realloc");
	snprintf(s->ifs[s->n_ifs].name, IFNAMSIZ, "%s", name);
	s->ifs[s->n_ifs].index = s->next_index++;
	return s->ifs[s->n_ifs++].index;
}

/* Sends the pending requests of @s, then reads one ACK per request; any error is fatal. */
static void flush(struct ns *s)
{
	char rx[MNL_SOCKET_BUFFER_SIZE * 4];
	size_t acked = 0;

	if (!s->len)
		return;
	if (mnl_socket_sendto(s->nl, s->buf, s->len) < 0)
		die("sendto");
	while (acked < s->n_msgs) {
		ssize_t r = mnl_socket_recvfrom(s->nl, rx, sizeof(rx));
		if (r < 0 && errno == EINTR) {
			check_stop();
			continue;
		}
		if (r < 0)
			die("recvfrom");
		for (struct nlmsghdr *h = (struct nlmsghdr *)rx; mnl_nlmsg_ok(h, (int)r);
		     h = mnl_nlmsg_next(h, (int *)&r)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				if (e->error) {
					fprintf(stderr, "bench-floor: %s: request %u: %s\n",
						s->name, h->nlmsg_seq, strerror(-e->error));
					exit(1);
				}
				acked++;
			}
		}
	}
	s->len = s->n_msgs = 0;
}

static struct nlmsghdr *msg(struct ns *s, int type, int flags)
{
	struct nlmsghdr *h;

	if (s->len > CHUNK - 1024 || s->n_msgs >= MAX_MSGS)
		flush(s);
	if (!s->buf && !(s->buf = malloc(CHUNK)))
		die("malloc");
	h = mnl_nlmsg_put_header(s->buf + s->len);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++s->seq;
	return h;
}

static void done(struct ns *s, struct nlmsghdr *h)
{
	s->len += h->nlmsg_len;
	s->n_msgs++;
}

static struct ifinfomsg *ifi(struct nlmsghdr *h, int index)
{
	struct ifinfomsg *i = mnl_nlmsg_put_extra_header(h, sizeof(*i));
	i->ifi_family = AF_UNSPEC;
	i->ifi_index = index;
	return i;
}

static void put_no_ll(struct nlmsghdr *h)
{
	struct nlattr *af = mnl_attr_nest_start(h, IFLA_AF_SPEC);
	struct nlattr *in6 = mnl_attr_nest_start(h, AF_INET6);
	mnl_attr_put_u8(h, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(h, in6);
	mnl_attr_nest_end(h, af);
}

static void ns_create(struct ns *s, int host)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", s->name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		die(path);
	close(fd);
	s->created = 1;
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare");
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		die("mount");
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	s->nl = mnl_socket_open(NETLINK_ROUTE);
	if (s->fd < 0 || !s->nl || mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netns socket");
	{
		int one = 1, rcv = 4 << 20;
		setsockopt(mnl_socket_get_fd(s->nl), SOL_NETLINK, NETLINK_CAP_ACK, &one,
			   sizeof(one));
		setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	}
	if (setns(host, CLONE_NEWNET) < 0)
		die("setns back");
	s->next_index = 2;
}

/* ---- processes ---- */

static int is_fs(const char *path, long magic)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == magic;
}

/* The hierarchies nsctl uses: v2's one tree, or v1's memory, cpu, cpuacct, pids and freezer
 * trees (co-mounted controllers count once: the same device and root inode). */
static void cg_detect(void)
{
	static const char *const ctrls[] = { "memory", "cpu", "cpuacct", "pids", "freezer" };
	const char *root = getenv("BENCH_FLOOR_CGROUP") ? getenv("BENCH_FLOOR_CGROUP") : CG_ROOT;
	struct stat seen[MAX_HIER];

	if (strlen(root) > 128) {
		fprintf(stderr, "bench-floor: cgroup root too long: %s\n", root);
		exit(1);
	}
	if (is_fs(root, CGROUP2_SUPER_MAGIC)) {
		cg_v2 = 1;
		snprintf(hier[0].path, sizeof(hier[0].path), "%s/benchfloor-%d", root,
			 (int)getpid());
		n_hier = 1;
		return;
	}
	for (size_t c = 0; c < sizeof(ctrls) / sizeof(*ctrls); c++) {
		char path[160];
		struct stat st;
		size_t h;

		snprintf(path, sizeof(path), "%s/%s", root, ctrls[c]);
		if (!is_fs(path, CGROUP_SUPER_MAGIC) || stat(path, &st) < 0)
			continue;
		for (h = 0; h < n_hier; h++)
			if (seen[h].st_dev == st.st_dev && seen[h].st_ino == st.st_ino)
				break;
		if (h < n_hier)
			continue;
		seen[n_hier] = st;
		snprintf(hier[n_hier].path, sizeof(hier[0].path), "%s/benchfloor-%d", path,
			 (int)getpid());
		n_hier++;
	}
	if (!n_hier) {
		fprintf(stderr, "bench-floor: no cgroup hierarchy under %s\n", root);
		exit(1);
	}
}

/* bench-pause: --pause PATH, or next to this program */
static void pause_find(void)
{
	if (!pause_path[0]) {
		char self[PATH_MAX - 16], *slash;
		ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (k < 0)
			die("/proc/self/exe");
		self[k] = 0;
		slash = strrchr(self, '/');
		if (slash)
			slash[1] = 0;
		snprintf(pause_path, sizeof(pause_path), "%sbench-pause", slash ? self : "./");
	}
	if (access(pause_path, X_OK) < 0)
		die(pause_path);
}

/* The launch mount namespace: a copy of the host's, slave to it (nothing we unmount goes back),
 * without the nsfs mounts (/run/netns/<name>: one per namespace of every lab on the host). A
 * clone(CLONE_NEWNS) copies the caller's whole mount table, so without this each node's copy
 * grows with the number of named namespaces: O(N) per node, O(N^2) per lab. /run/netns goes in
 * one umount2() when it is a mount point (each umount waits for an RCU grace period). */
static void launch_ns_enter(void)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	host_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (host_mnt < 0)
		die("/proc/self/ns/mnt");
	if (unshare(CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		die("make the launch namespace a slave");
	if (umount2(NETNS_DIR, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		die("detach " NETNS_DIR);
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		die("/proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		/* id parent maj:min root MOUNTPOINT options [optional…] - FSTYPE source super */
		char *save = NULL, *mp = NULL, *t, *sep = strstr(line, " - ");
		char *w, *r;

		if (!sep || strncmp(sep + 3, "nsfs ", 5))
			continue;
		t = strtok_r(line, " ", &save);
		for (int i = 0; t && i < 4; i++)
			t = mp = strtok_r(NULL, " ", &save);
		if (!mp)
			continue;
		for (w = r = mp; *r; r++, w++) /* undo the \ooo escapes */
			if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] && r[3]) {
				*w = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) |
					    (r[3] - '0'));
				r += 3;
			} else {
				*w = *r;
			}
		*w = 0;
		if (umount2(mp, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			die(mp);
	}
	free(line);
	fclose(f);
}

/* Back to the host's mount namespace, where the /run/netns names are. */
static void launch_ns_leave(void)
{
	if (host_mnt < 0)
		return;
	if (setns(host_mnt, CLONE_NEWNS) < 0)
		perror("bench-floor: setns back to the host's mount namespace");
	close(host_mnt);
	host_mnt = -1;
}

struct pt {
	double launch_ns, mkdir, clone, join, setns, exec, ready, kill, rmdir;
};

enum step { STEP_JOIN, STEP_SETNS, STEP_EXEC };
static const char *const step_name[] = { "join its cgroup", "setns", "exec" };

/* a failure before the exec: errno and the step */
struct report {
	int err;
	int step;
};

/* One child's start. The child shares our memory until its exec: it reads this, and writes a
 * failure and its timestamps here (clock_gettime() is in the vDSO), which we read once it has
 * exec'd or _exit()ed: glibc's posix_spawn() reports the same way. With --report-pipe it also
 * writes the failure to report_wr, close-on-exec (EOF = exec'd): nsctl's way, for its init
 * reports later on that pipe; here it only makes us wait for the exec to reach its
 * close-on-exec step, since CLONE_VFORK lets us go on as soon as the child's old memory is
 * released. Both tell the same: a child killed later in the exec (or by a bug before it)
 * shows as an exec'd one either way. */
struct child_args {
	const char *procs; /* "<node>/cgroup.procs", under each hierarchy's fd */
	int netns_fd, report_wr;
	int cfg_fd, status_wr; /* --init: its configuration and status pipe, for fds 3 and 4 */
	const char *hostname;
	struct report rep;
	double started, joined, entered;
};

static _Noreturn void child_fail(struct child_args *a, int err, enum step step)
{
	a->rep = (struct report){ .err = err ? err : EIO, .step = step };
	if (a->report_wr >= 0)
		(void)!write(a->report_wr, &a->rep, sizeof(a->rep));
	_exit(127);
}

/* The node's process until its exec, PID 1 of its new PID namespace: only system calls (no
 * allocation, no stdio), every signal still blocked. Joins the cgroups first ("0" is the
 * writer), so that nothing of the node runs outside them, then the netns. */
static int child(void *arg)
{
	struct child_args *a = arg;
	char *const argv[] = { (char *)"bench-pause", NULL };
	char *const envp[] = { NULL };

	a->started = now();
	for (size_t h = 0; h < n_hier; h++) {
		int fd = openat(hier[h].fd, a->procs, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "0", 1) != 1)
			child_fail(a, errno, STEP_JOIN);
		close(fd);
	}
	a->joined = now();
	if (setns(a->netns_fd, CLONE_NEWNET) < 0)
		child_fail(a, errno, STEP_SETNS);
	a->entered = now();
	if (init_path) {
		/* nsctl's way (nsctl/spawn.c): stdio to /dev/null, fds 3 and 4 for the init */
		char *const init_argv[] = { (char *)"nsctl-init", (char *)a->hostname, NULL };
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		int cfg = fcntl(a->cfg_fd, F_DUPFD_CLOEXEC, 10);
		int st = fcntl(a->status_wr, F_DUPFD_CLOEXEC, 10);

		if (null < 0 || cfg < 0 || st < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(null, 2) < 0 || dup2(cfg, NSCTL_INIT_CONFIG_FD) < 0 ||
		    dup2(st, NSCTL_INIT_STATUS_FD) < 0)
			child_fail(a, errno, STEP_EXEC);
		execve(init_path, init_argv, envp);
		child_fail(a, errno, STEP_EXEC);
	}
	execve(pause_path, argv, envp);
	child_fail(a, errno, STEP_EXEC);
}

/* --init: the init's configuration (nsctl/init/proto.h) in a memfd: its hostname, the shared
 * state dir (it exists: nothing is created per node) and the lab's host root copy. */
static int init_config(const char *hostname)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s%c%s=%s%c%s=%s%c%s=%s", NSCTL_INIT_MAGIC, 0,
			 NSCTL_INIT_K_HOSTNAME, hostname, 0, NSCTL_INIT_K_STATE, init_dir, 0,
			 NSCTL_INIT_K_HOST_ROOT, init_root); /* its NUL ends the last record */
	int fd = memfd_create("bench-floor-init", MFD_CLOEXEC);

	if (fd < 0 || n < 0 || (size_t)n >= sizeof(buf) || write(fd, buf, (size_t)n + 1) != n + 1)
		die("init configuration");
	return fd;
}

/* --init: every init's report, once all are started (they build their roots meanwhile). */
static void init_reports(void)
{
	for (size_t i = 0; i < n_procs; i++) {
		struct nsctl_init_report rep;
		size_t got = 0;
		ssize_t k;

		while (got < sizeof(rep)) {
			k = read(procs[i].report_rd, (char *)&rep + got, sizeof(rep) - got);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			got += (size_t)k;
		}
		close(procs[i].report_rd);
		procs[i].report_rd = -1;
		if (got != sizeof(rep) || rep.err) {
			rep.step[sizeof(rep.step) - 1] = 0;
			fprintf(stderr, "bench-floor: %s: nsctl-init: %s: %s\n", procs[i].ns->name,
				got == sizeof(rep) ? rep.step : "no report",
				strerror(got == sizeof(rep) ? rep.err : EPROTO));
			exit(1);
		}
	}
}

/* The node's cgroups, then its process (called with every signal blocked). On cgroup v2 the
 * child joins by cgroup.procs as on v1: clone3(CLONE_INTO_CGROUP) would save that write, but
 * with CLONE_VM the child needs a stack of its own, and clone3 has no libc wrapper that runs a
 * function there (glibc's clone() is clone(2)). */
static void proc_start(struct proc *p, struct pt *pt)
{
	const int flags = CLONE_VM | CLONE_VFORK | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
			  CLONE_NEWIPC | SIGCHLD;
	struct child_args a = { .netns_fd = p->ns->fd, .report_wr = -1 };
	char procs_rel[96];
	double t0 = now(), t1, t2, t3;
	int rp[2] = { -1, -1 };
	pid_t pid;

	for (size_t h = 0; h < n_hier; h++) {
		if (mkdirat(hier[h].fd, p->ns->name, 0755) < 0)
			die(p->ns->name);
		p->cg_made = (unsigned)h + 1;
	}
	snprintf(procs_rel, sizeof(procs_rel), "%s/cgroup.procs", p->ns->name);
	a.procs = procs_rel;
	t1 = now();
	if (report_pipe && pipe2(rp, O_CLOEXEC) < 0)
		die("pipe");
	a.report_wr = rp[1];
	a.cfg_fd = a.status_wr = -1;
	if (init_path) {
		int sp[2];

		a.cfg_fd = init_config(p->ns->name);
		if (pipe2(sp, O_CLOEXEC) < 0)
			die("pipe");
		p->report_rd = sp[0];
		a.status_wr = sp[1];
		a.hostname = p->ns->name;
	}
	t2 = now();
	pid = clone(child, stack + STACK, flags, &a);
	t3 = now();
	if (pid < 0)
		die("clone");
	if (init_path) {
		close(a.cfg_fd);
		close(a.status_wr);
	}
	/* here the child has exec'd, or failed and _exit()ed */
	p->pid = pid;
	if (report_pipe) {
		ssize_t k;

		close(rp[1]);
		do
			k = read(rp[0], &a.rep, sizeof(a.rep));
		while (k < 0 && errno == EINTR);
		close(rp[0]);
		if (k != 0 && k != (ssize_t)sizeof(a.rep))
			a.rep = (struct report){ .err = k < 0 ? errno : EPROTO, .step = STEP_EXEC };
	}
	if (a.rep.err) {
		fprintf(stderr, "bench-floor: %s: the node's process: %s: %s\n", p->ns->name,
			step_name[a.rep.step], strerror(a.rep.err));
		exit(1);
	}
	pt->mkdir += t1 - t0;
	pt->clone += a.started - t2;
	pt->join += a.joined - a.started;
	pt->setns += a.entered - a.joined;
	pt->exec += t3 - a.entered;
	pt->ready += (t2 - t1) + (now() - t3);
}

static void procs_start(int launch_ns, struct pt *pt)
{
	sigset_t all, old;
	double t = now();

	if (!n_procs)
		return;
	if (launch_ns)
		launch_ns_enter();
	pt->launch_ns = now() - t;
	t = now();
	for (size_t h = 0; h < n_hier; h++) {
		if (mkdir(hier[h].path, 0755) < 0)
			die(hier[h].path);
		hier[h].made = 1;
		hier[h].fd = open(hier[h].path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (hier[h].fd < 0)
			die(hier[h].path);
	}
	stack = malloc(STACK);
	if (!stack)
		die("malloc");
	if (init_path) {
		/* nsctl's host root copy (nsctl/init/mountinfo.h), a mount in the launch namespace
		 * only: on the host, empty directories that cleanup() removes */
		char failed[PATH_MAX];
		int r;

		snprintf(init_dir, sizeof(init_dir), "/run/benchfloor-%d", (int)getpid());
		snprintf(init_root, sizeof(init_root), "%s/root", init_dir);
		if (mkdir(init_dir, 0700) < 0)
			die(init_dir);
		init_dir_made = 1;
		if (mkdir(init_root, 0700) < 0)
			die(init_root);
		r = mountinfo_host_root(init_root, failed);
		if (r < 0) {
			errno = -r;
			die(failed);
		}
	}
	pt->mkdir += now() - t;
	/* Every signal blocked across the clones, so that none of our handlers runs in a child
	 * (on our memory); let through every 64 nodes, so that a ^C is seen. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	for (size_t i = 0; i < n_procs; i++) {
		if (i % 64 == 63) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			check_stop();
			sigprocmask(SIG_SETMASK, &all, NULL);
		}
		proc_start(&procs[i], pt);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (init_path) {
		t = now();
		init_reports();
		pt->ready += now() - t;
	}
}

/* rmdir <h>/<name>; EBUSY: a reaped task may still be leaving the cgroup (2 s at most) */
static void rmdir_at(const struct hier *h, const char *name)
{
	for (int tries = 0; unlinkat(h->fd, name, AT_REMOVEDIR) < 0; tries++) {
		if (errno != EBUSY || tries == 2000) {
			fprintf(stderr, "bench-floor: rmdir %s/%s: %s\n", h->path, name,
				strerror(errno));
			return;
		}
		usleep(1000);
	}
}

/* SIGKILL every child by pid (ours and not reaped, so the pid cannot have been reused), reap
 * them, remove the node cgroups, then the benchfloor-<pid> directories. */
static void procs_stop(struct pt *pt)
{
	double t = now();

	for (size_t i = 0; i < n_procs; i++)
		if (procs[i].pid > 0)
			(void)kill(procs[i].pid, SIGKILL);
	for (size_t i = 0; i < n_procs; i++) {
		if (procs[i].report_rd >= 0)
			close(procs[i].report_rd);
		procs[i].report_rd = -1;
		if (procs[i].pid <= 0)
			continue;
		while (waitpid(procs[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
		procs[i].pid = 0;
	}
	if (pt)
		pt->kill = now() - t;
	t = now();
	for (size_t i = 0; i < n_procs; i++)
		for (struct proc *p = &procs[i]; p->cg_made > 0; p->cg_made--)
			rmdir_at(&hier[p->cg_made - 1], p->ns->name);
	for (size_t h = 0; h < n_hier; h++) {
		if (hier[h].fd >= 0)
			close(hier[h].fd);
		hier[h].fd = -1;
		if (hier[h].made && rmdir(hier[h].path) < 0)
			perror(hier[h].path);
		hier[h].made = 0;
	}
	free(stack);
	stack = NULL;
	if (pt)
		pt->rmdir = now() - t;
}

/* ---- network down ---- */

/* The sockets, request buffers and spec lines are not needed after up: freed before the
 * processes start (60 KiB of buffer per namespace alone is 60 MiB at N = 1000). The clones share
 * our memory, so this no longer changes their cost (a fork's grew with what we had touched). */
static void net_release(void)
{
	for (size_t i = 0; i < n_ns; i++) {
		if (nss[i].nl)
			mnl_socket_close(nss[i].nl);
		nss[i].nl = NULL;
		free(nss[i].buf);
		nss[i].buf = NULL;
		free(nss[i].ifs);
		nss[i].ifs = NULL;
		nss[i].n_ifs = 0;
	}
	for (size_t k = 0; k < n_lines; k++)
		free(lines[k]);
	free(lines);
	lines = NULL;
	n_lines = 0;
	malloc_trim(0);
}

static void net_down(void)
{
	net_release();
	for (size_t i = 0; i < n_ns; i++) {
		char path[128];
		if (nss[i].fd >= 0)
			close(nss[i].fd);
		nss[i].fd = -1;
		if (!nss[i].created)
			continue;
		snprintf(path, sizeof(path), NETNS_DIR "/%s", nss[i].name);
		(void)umount2(path, MNT_DETACH);
		if (unlink(path) < 0)
			perror(path);
		nss[i].created = 0;
	}
}

/* every exit path: processes, cgroups, back to the host's mount namespace, namespaces */
static void cleanup(void)
{
	procs_stop(NULL);
	launch_ns_leave();
	if (init_dir_made) {
		(void)rmdir(init_root);
		if (rmdir(init_dir) < 0)
			perror(init_dir);
		init_dir_made = 0;
	}
	net_down();
}

static void on_exit_cleanup(void)
{
	cleanup();
}

int main(int argc, char **argv)
{
	char a[6][128], *line = NULL;
	size_t cap = 0;
	double t0, t1, t2, t3, t4, t5, t6, t7, t8, t9;
	struct pt pt = { 0 };
	const char *cgv = "v1";
	int host, procs_on = 1, launch_ns = 1, argi = 1;
	struct sigaction sa;
	FILE *f;

	for (; argi < argc && argv[argi][0] == '-'; argi++) {
		if (!strcmp(argv[argi], "--no-procs"))
			procs_on = 0;
		else if (!strcmp(argv[argi], "--no-launch-ns"))
			launch_ns = 0;
		else if (!strcmp(argv[argi], "--report-pipe"))
			report_pipe = 1;
		else if (!strcmp(argv[argi], "--pause") && argi + 1 < argc)
			snprintf(pause_path, sizeof(pause_path), "%s", argv[++argi]);
		else if (!strcmp(argv[argi], "--init") && argi + 1 < argc)
			init_path = argv[++argi];
		else
			break;
	}
	if (argi != argc - 1) {
		fprintf(stderr, "usage: bench-floor [--no-procs] [--no-launch-ns] [--report-pipe] "
				"[--pause PATH | --init PATH] SPEC\n");
		return 2;
	}
	if (init_path && (!launch_ns || access(init_path, X_OK) < 0)) {
		fprintf(stderr, "bench-floor: --init needs the launch namespace and an executable "
				"nsctl-init\n");
		return 2;
	}
	if (!(f = fopen(argv[argi], "r")))
		die(argv[argi]);
	while (getline(&line, &cap, f) > 0) {
		lines = realloc(lines, (n_lines + 1) * sizeof(*lines));
		if (!lines || !(lines[n_lines++] = strdup(line)))
			die("malloc");
		if (!strncmp(line, "ns ", 3)) {
			nss = realloc(nss, (n_ns + 1) * sizeof(*nss));
			if (!nss)
				die("realloc");
			memset(&nss[n_ns], 0, sizeof(*nss));
			nss[n_ns].fd = -1;
			sscanf(line, "ns %63s", nss[n_ns].name);
			n_ns++;
		}
	}
	free(line);
	fclose(f);
	/* "proc NS": a node, which gets a process (the bridges' namespace gets none) */
	for (size_t k = 0; procs_on && k < n_lines; k++) {
		if (sscanf(lines[k], "proc %127s", a[0]) != 1)
			continue;
		procs = realloc(procs, (n_procs + 1) * sizeof(*procs));
		if (!procs)
			die("realloc");
		memset(&procs[n_procs], 0, sizeof(*procs));
		procs[n_procs].ns = ns_get(a[0]);
		procs[n_procs].report_rd = -1;
		n_procs++;
	}
	for (size_t h = 0; h < MAX_HIER; h++)
		hier[h].fd = -1;
	if (n_procs) {
		cg_detect();
		if (!init_path)
			pause_find();
	}
	host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host < 0)
		die("host netns");
	(void)mkdir(NETNS_DIR, 0755);
	atexit(on_exit_cleanup);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocking call returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	t0 = now();
	for (size_t i = 0; i < n_ns; i++) {
		check_stop();
		ns_create(&nss[i], host);
	}
	t1 = now();
	/* links: bridges and veths, each from its (first) namespace's own socket */
	for (size_t k = 0; k < n_lines; k++) {
		int n = sscanf(lines[k], "%127s %127s %127s %127s %127s", a[0], a[1], a[2], a[3],
			       a[4]);

		check_stop();
		if (n == 3 && !strcmp(a[0], "bridge")) {
			struct ns *s = ns_get(a[1]);
			struct nlmsghdr *h = msg(s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
			struct nlattr *li;
			ifi(h, if_index(s, a[2], 1));
			mnl_attr_put_strz(h, IFLA_IFNAME, a[2]);
			li = mnl_attr_nest_start(h, IFLA_LINKINFO);
			mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
			mnl_attr_nest_end(h, li);
			done(s, h);
		} else if (n == 5 && !strcmp(a[0], "veth")) {
			struct ns *s = ns_get(a[1]), *p = ns_get(a[3]);
			struct nlmsghdr *h = msg(s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
			struct nlattr *li, *data, *peer;
			ifi(h, if_index(s, a[2], 1));
			mnl_attr_put_strz(h, IFLA_IFNAME, a[2]);
			li = mnl_attr_nest_start(h, IFLA_LINKINFO);
			mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
			data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
			peer = mnl_attr_nest_start(h, VETH_INFO_PEER);
			ifi(h, if_index(p, a[4], 1));
			mnl_attr_put_strz(h, IFLA_IFNAME, a[4]);
			mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)p->fd);
			mnl_attr_nest_end(h, peer);
			mnl_attr_nest_end(h, data);
			mnl_attr_nest_end(h, li);
			done(s, h);
		}
	}
	for (size_t i = 0; i < n_ns; i++)
		flush(&nss[i]);
	t2 = now();
	/* per namespace, in spec order: addrgenmode none on every link, ports, addresses, up,
	 * routes */
	for (size_t i = 0; i < n_ns; i++)
		for (size_t j = 0; j < nss[i].n_ifs; j++) {
			struct nlmsghdr *h = msg(&nss[i], RTM_SETLINK, 0);
			ifi(h, nss[i].ifs[j].index);
			put_no_ll(h);
			done(&nss[i], h);
		}
	for (size_t k = 0; k < n_lines; k++) {
		int n = sscanf(lines[k], "%127s %127s %127s %127s", a[0], a[1], a[2], a[3]);
		struct ns *s = n >= 2 ? ns_get(a[1]) : NULL;
		struct nlmsghdr *h;

		check_stop();

		if (n == 4 && !strcmp(a[0], "master")) {
			h = msg(s, RTM_SETLINK, 0);
			ifi(h, if_index(s, a[2], 0));
			mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)if_index(s, a[3], 0));
			done(s, h);
		} else if (n == 4 && !strcmp(a[0], "addr")) {
			struct ifaddrmsg *m;
			struct in_addr in;
			char *slash = strchr(a[3], '/');
			*slash = 0;
			if (inet_pton(AF_INET, a[3], &in) != 1) {
				fprintf(stderr, "bench-floor: IPv4 only: %s\n", a[3]);
				return 1;
			}
			h = msg(s, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
			m = mnl_nlmsg_put_extra_header(h, sizeof(*m));
			m->ifa_family = AF_INET;
			m->ifa_prefixlen = (unsigned char)atoi(slash + 1);
			m->ifa_index = (unsigned)if_index(s, a[2], 0);
			mnl_attr_put(h, IFA_LOCAL, 4, &in);
			mnl_attr_put(h, IFA_ADDRESS, 4, &in);
			done(s, h);
		} else if (n == 3 && !strcmp(a[0], "up")) {
			struct ifinfomsg *m;
			h = msg(s, RTM_SETLINK, 0);
			m = ifi(h, if_index(s, a[2], 0));
			m->ifi_flags = IFF_UP;
			m->ifi_change = IFF_UP;
			done(s, h);
		} else if (n == 4 && !strcmp(a[0], "route")) {
			struct rtmsg *m;
			struct in_addr dst, gw;
			char *slash = strchr(a[2], '/');
			*slash = 0;
			if (inet_pton(AF_INET, a[2], &dst) != 1 ||
			    inet_pton(AF_INET, a[3], &gw) != 1) {
				fprintf(stderr, "bench-floor: IPv4 routes with via only\n");
				return 1;
			}
			h = msg(s, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
			m = mnl_nlmsg_put_extra_header(h, sizeof(*m));
			m->rtm_family = AF_INET;
			m->rtm_dst_len = (unsigned char)atoi(slash + 1);
			m->rtm_table = RT_TABLE_MAIN;
			m->rtm_protocol = RTPROT_BOOT;
			m->rtm_scope = RT_SCOPE_UNIVERSE;
			m->rtm_type = RTN_UNICAST;
			if (m->rtm_dst_len)
				mnl_attr_put(h, RTA_DST, 4, &dst);
			mnl_attr_put(h, RTA_GATEWAY, 4, &gw);
			done(s, h);
		}
		/* addresses must be there before routes use them: flush a namespace's batch
		 * before its first route (the messages are processed in order anyway; this
		 * only bounds the buffer) */
	}
	for (size_t i = 0; i < n_ns; i++)
		flush(&nss[i]);
	t3 = now();
	/* sysctls: written from inside the namespace (/proc/sys/net follows the reader's netns) */
	for (size_t k = 0; k < n_lines; k++) {
		char path[256];
		int fd;
		if (sscanf(lines[k], "sysctl %127s %127s %127s", a[0], a[1], a[2]) != 3)
			continue;
		check_stop();
		if (setns(ns_get(a[0])->fd, CLONE_NEWNET) < 0)
			die("setns");
		snprintf(path, sizeof(path), "/proc/sys/%s", a[1]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, a[2], strlen(a[2])) < 0)
			die(path);
		close(fd);
		if (setns(host, CLONE_NEWNET) < 0)
			die("setns back");
	}
	t4 = now();
	net_release();
	procs_start(launch_ns, &pt);
	t5 = now();
	/* BENCH_FLOOR_CHECK: a shell command run between up and down (untimed), for tests; it runs
	 * in the launch mount namespace, which has no /run/netns names: use nsenter -t PID */
	if (getenv("BENCH_FLOOR_CHECK")) {
		char pids[32];
		snprintf(pids, sizeof(pids), "%d", n_procs ? (int)procs[0].pid : 0);
		setenv("BENCH_FLOOR_PID0", pids, 1);
		if (system(getenv("BENCH_FLOOR_CHECK")) != 0)
			fprintf(stderr, "bench-floor: BENCH_FLOOR_CHECK failed\n");
	}
	check_stop();
	t6 = now();
	procs_stop(&pt);
	t7 = now();
	launch_ns_leave();
	t8 = now();
	net_down();
	t9 = now();
	if (!n_procs)
		cgv = "none";
	else if (cg_v2)
		cgv = "v2";
	printf("{\"tool\":\"floor\",\"namespaces\":%zu,\"procs\":%zu,\"cgroup\":\"%s\","
	       "\"hierarchies\":%zu,\"launch_ns\":%s,"
	       "\"up_seconds\":%.6f,\"down_seconds\":%.6f,"
	       "\"net_up_seconds\":%.6f,\"net_down_seconds\":%.6f,"
	       "\"phases\":{\"netns\":%.6f,\"links\":%.6f,\"config\":%.6f,\"sysctl\":%.6f,"
	       "\"procs-start\":%.6f,\"procs-stop\":%.6f,\"netns-del\":%.6f},"
	       "\"procs_detail\":{\"launch-ns\":%.6f,\"cgroup-mkdir\":%.6f,\"clone\":%.6f,"
	       "\"cgroup-join\":%.6f,\"setns\":%.6f,\"exec\":%.6f,\"ready\":%.6f,\"kill-reap\":%."
	       "6f,\"cgroup-rmdir\":%.6f,"
	       "\"launch-ns-leave\":%.6f}}\n",
	       n_ns, n_procs, cgv, n_procs ? n_hier : 0, n_procs && launch_ns ? "true" : "false",
	       t5 - t0, t9 - t6, t4 - t0, t9 - t8, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4,
	       t8 - t6, t9 - t8, pt.launch_ns, pt.mkdir, pt.clone, pt.join, pt.setns, pt.exec,
	       pt.ready, pt.kill, pt.rmdir, t8 - t7);
	return 0;
}
