/* SPDX-License-Identifier: MIT */
/* The node launcher (see spawn.h): the host side of a node's PID 1.
 *
 * spawn_node() clones a child straight into new mount, PID, UTS and IPC namespaces with
 * CLONE_VM|CLONE_VFORK, as posix_spawn() does: the child runs on a stack of its own in our memory
 * while we wait, so nothing of our address space is copied. It moves itself into the node's
 * cgroups (so not one instruction of the node runs outside its limits), into the node's netns,
 * unshares its cgroup namespace (whose root is then the node's cgroup) and execs nsctl-init
 * with the configuration on fd 3 and a status pipe on fd 4. The init does all the mount work in
 * the new mount namespace and writes one report: ready, or errno + step. spawn_node_begin()
 * returns at the exec; spawn_node_end() reads the report, so a caller can start the next node
 * while this one's init works.
 *
 * spawn_enter() goes the other way: fork, join the cgroups, setns() into each namespace of the
 * running init (mnt last, then its root), fork again (a PID namespace applies to children
 * only), exec. Reports travel over close-on-exec pipes, so an exec that succeeds closes them. */
#include "nsctl/spawn.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"
#include "nsctl/init/execpath.h"
#include "nsctl/init/mountinfo.h"
#include "nsctl/init/proto.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define READY_TIMEOUT_MS 30000
#define KILL_TIMEOUT_MS	 5000
#define DEFAULT_PATH	 "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static _Thread_local char last_error[256];

const char *spawn_last_error(void)
{
	return last_error;
}

static int _printf_(2, 3) fail(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return r;
}

/* ---- helpers shared by the children (no allocation, no stdio after fork) ---- */

/* The report a child sends before it _exit()s: errno, the step, and for spawn_enter() the
 * program's wait status. Smaller than PIPE_BUF, so each write is atomic. */
struct child_report {
	int32_t err;
	int32_t status;
	char step[200];
};

/* Copies "<what><obj>" into @step (zeroed, @len bytes), truncated. */
static void step_put(char *step, size_t len, const char *what, const char *obj)
{
	size_t n = 0;

	for (const char *s = what; s && *s && n + 1 < len; s++)
		step[n++] = *s;
	for (const char *s = obj; s && *s && n + 1 < len; s++)
		step[n++] = *s;
}

static _Noreturn void child_fail(int fd, int err, const char *what, const char *obj)
{
	struct child_report rep = { .err = err > 0 ? err : EIO };

	step_put(rep.step, sizeof(rep.step), what, obj);
	(void)!write(fd, &rep, sizeof(rep));
	_exit(127);
}

/* child_fail() for a node's child before its exec: the report is the one the init would send
 * (nsctl/init/proto.h), so the launcher reads either the same way. */
static _Noreturn void node_child_fail(int fd, int err, const char *what, const char *obj)
{
	struct nsctl_init_report rep = { .err = err > 0 ? err : EIO };

	step_put(rep.step, sizeof(rep.step), what, obj);
	(void)!write(fd, &rep, sizeof(rep));
	_exit(127);
}

/* Back to default signal dispositions and an empty mask: exec keeps ignored signals ignored and
 * the mask as it is, and nsctl's own handlers (rollback on SIGINT) must not run in a node. */
static void signals_reset(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL); /* EINVAL for libc's reserved ones */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Marks every descriptor from @from up close-on-exec: nsctl's netlink sockets, journal and
 * lock must not reach a node. close_range(2) is Linux 5.11; before it, a bounded loop. */
static void fds_cloexec_from(unsigned from)
{
	if (syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	for (int fd = (int)from; fd < 4096; fd++)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Writes @pid into the cgroup.procs file @path. Returns 0 or a negative errno. */
static int cgroup_join(const char *path, pid_t pid)
{
	char num[24];
	int fd, len, r = 0;

	len = snprintf(num, sizeof(num), "%d\n", (int)pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, num, (size_t)len) != len)
		r = -errno;
	close(fd);
	return r;
}

/* ---- spawn_node ---- */

static int mkdir_p(const char *path, mode_t mode)
{
	char p[PATH_MAX];

	if (strlen(path) >= sizeof(p))
		return -ENAMETOOLONG;
	/* The leaf first: its parents exist for every node but the first. */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	strcpy(p, path);
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

struct cfg {
	char *buf;
	size_t len, cap;
	int err;
};

static void cfg_add(struct cfg *c, const char *key, const char *val)
{
	size_t k = key ? strlen(key) : 0, v = strlen(val), need = c->len + k + v + 2;

	if (c->err)
		return;
	if (need > c->cap) {
		size_t cap = need < 4096 ? 4096 : need * 2;
		char *p = realloc(c->buf, cap);

		if (!p) {
			c->err = -ENOMEM;
			return;
		}
		c->buf = p;
		c->cap = cap;
	}
	if (key) {
		memcpy(c->buf + c->len, key, k);
		c->buf[c->len + k] = '=';
		c->len += k + 1;
	}
	memcpy(c->buf + c->len, val, v + 1);
	c->len += v + 1;
}

/* Splits a bind "src:dst[:ro|:rw]" and resolves src on the host. */
static int bind_parse(const char *spec, char *src, char *dst, bool *ro)
{
	const char *colon = strchr(spec, ':');
	char raw[PATH_MAX];
	size_t n, dlen;

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(raw))
		return fail(-EINVAL, "bind '%s': expected src:dst[:ro]", spec);
	memcpy(raw, spec, (size_t)(colon - spec));
	raw[colon - spec] = '\0';
	dlen = strlen(colon + 1);
	*ro = false;
	if (dlen > 3 &&
	    (streq(colon + 1 + dlen - 3, ":ro") || streq(colon + 1 + dlen - 3, ":rw"))) {
		*ro = streq(colon + 1 + dlen - 3, ":ro");
		dlen -= 3;
	}
	if (dlen == 0 || colon[1] != '/' || dlen >= PATH_MAX)
		return fail(-EINVAL, "bind '%s': the destination must be an absolute path", spec);
	memcpy(dst, colon + 1, dlen);
	dst[dlen] = '\0';
	if (raw[0] != '/')
		return fail(-EINVAL, "bind '%s': the source must be an absolute path", spec);
	if (!realpath(raw, src))
		return fail(-errno, "bind source %s", raw);
	n = strlen(dst);
	while (n > 1 && dst[n - 1] == '/')
		dst[--n] = '\0';
	return 0;
}

/* Builds the init's configuration (nsctl/init/proto.h) in a memfd. */
static int config_build(const struct spawn_spec *s, const char *state, int *ret_fd)
{
	_cleanup_close_ int fd = -EBADF;
	struct cfg c = { 0 };
	char src[PATH_MAX], dst[PATH_MAX];
	int r = 0;

	cfg_add(&c, NULL, NSCTL_INIT_MAGIC);
	cfg_add(&c, NSCTL_INIT_K_HOSTNAME, s->hostname);
	cfg_add(&c, NSCTL_INIT_K_STATE, state);
	if (s->rootfs)
		cfg_add(&c, NSCTL_INIT_K_ROOTFS, s->rootfs);
	else if (s->host_root)
		cfg_add(&c, NSCTL_INIT_K_HOST_ROOT, s->host_root);
	if (s->hosts)
		cfg_add(&c, NSCTL_INIT_K_HOSTS, s->hosts);
	if (s->exit_with_cmd)
		cfg_add(&c, NSCTL_INIT_K_EXIT, "1");
	if (s->log_path)
		cfg_add(&c, NSCTL_INIT_K_LOG, s->log_path);
	if (s->pid_path)
		cfg_add(&c, NSCTL_INIT_K_PID_FILE, s->pid_path);
	for (size_t i = 0; s->binds && s->binds[i]; i++) {
		bool ro = false;

		r = bind_parse(s->binds[i], src, dst, &ro);
		if (r < 0)
			goto out;
		cfg_add(&c, NSCTL_INIT_K_BIND_SRC, src);
		cfg_add(&c, NSCTL_INIT_K_BIND_DST, dst);
		cfg_add(&c, NSCTL_INIT_K_BIND_RO, ro ? "1" : "0");
	}
	for (size_t i = 0; s->cmd && s->cmd[i]; i++)
		cfg_add(&c, NSCTL_INIT_K_ARG, s->cmd[i]);
	for (size_t i = 0; s->env && s->env[i]; i++) {
		if (!strchr(s->env[i], '=') || s->env[i][0] == '=') {
			r = fail(-EINVAL, "env entry '%s' is not K=V", s->env[i]);
			goto out;
		}
		cfg_add(&c, NSCTL_INIT_K_ENV, s->env[i]);
	}
	if (c.err) {
		r = fail(c.err, "init configuration");
		goto out;
	}
	fd = memfd_create("nsctl-init-config", MFD_CLOEXEC);
	if (fd < 0) {
		r = fail(-errno, "memfd_create");
		goto out;
	}
	for (size_t off = 0; off < c.len;) {
		ssize_t k = write(fd, c.buf + off, c.len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = fail(k < 0 ? -errno : -EIO, "write init configuration");
			goto out;
		}
		off += (size_t)k;
	}
	*ret_fd = TAKE_FD(fd);
out:
	free(c.buf);
	return r;
}

/* Creates the state dir with merged/ (and upper/, work/ for an overlay; nothing with the lab's
 * host root copy, which the init pivots into as it is); returns its path for the init, the
 * real one (the spelling mountinfo uses) when the init compares it with mountinfo. */
static int state_prepare(const struct spawn_spec *s, char *state)
{
	static const char *const subdirs[] = { "merged", "upper", "work" };
	char sub[PATH_MAX];
	struct stat lower = { 0 };
	int r;

	/* With the lab's host root copy there is nothing to prepare: the init makes the dir (and
	 * the log and pid files in it) after the exec, on the other core, while we clone the
	 * next node. On ext4 (a /run that is no tmpfs) those creations were a fifth of our time
	 * per node. */
	if (!s->rootfs && s->host_root) {
		if (strlen(s->state_dir) >= PATH_MAX)
			return fail(-ENAMETOOLONG, "state dir %s", s->state_dir);
		strcpy(state, s->state_dir);
		return 0;
	}
	r = mkdir_p(s->state_dir, 0700);
	if (r < 0)
		return fail(r, "create state dir %s", s->state_dir);
	/* Only an init that prunes its own copy of the host's root compares paths with mountinfo;
	 * realpath() costs a readlink per component. */
	if (!s->rootfs && !s->host_root) {
		if (!realpath(s->state_dir, state))
			return fail(-errno, "state dir %s", s->state_dir);
	} else if (strlen(s->state_dir) >= PATH_MAX) {
		return fail(-ENAMETOOLONG, "state dir %s", s->state_dir);
	} else {
		strcpy(state, s->state_dir);
	}
	if (s->rootfs && stat(s->rootfs, &lower) < 0)
		return fail(-errno, "rootfs %s", s->rootfs);
	for (size_t i = 0; i < (s->rootfs ? 3u : 1u); i++) {
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", state, subdirs[i]) >= sizeof(sub))
			return fail(-ENAMETOOLONG, "state dir %s", state);
		if (mkdir(sub, 0700) < 0 && errno != EEXIST)
			return fail(-errno, "create %s", sub);
		/* The upper dir's root is the node's "/": give it the rootfs's owner and mode, not
		 * 0700, or nobody but root could look around in the node. */
		if (i == 1 && (chmod(sub, lower.st_mode & 07777) < 0 ||
			       chown(sub, lower.st_uid, lower.st_gid) < 0))
			return fail(-errno, "chmod %s", sub);
	}
	return 0;
}

static int spec_check(const struct spawn_spec *s)
{
	struct stat st;

	if (!s || !s->init_path || !s->hostname || !s->state_dir || s->netns_fd < 0)
		return fail(-EINVAL, "spawn spec: init_path, hostname, state_dir, netns_fd needed");
	if (!*s->hostname || strlen(s->hostname) > 64)
		return fail(-EINVAL, "hostname '%s': 1 to 64 bytes", s->hostname);
	if (s->state_dir[0] != '/')
		return fail(-EINVAL, "state dir '%s' is not absolute", s->state_dir);
	if (s->rootfs) {
		if (s->rootfs[0] != '/')
			return fail(-EINVAL, "rootfs '%s' is not absolute", s->rootfs);
		if (stat(s->rootfs, &st) < 0)
			return fail(-errno, "rootfs %s", s->rootfs);
		if (!S_ISDIR(st.st_mode))
			return fail(-ENOTDIR, "rootfs %s", s->rootfs);
	}
	if (access(s->init_path, X_OK) < 0)
		return fail(-errno, "init %s", s->init_path);
	return 0;
}

struct node_child_args {
	const struct spawn_spec *s;
	int status_wr, cfg_fd;
};

/* The cloned child: PID 1 of the new PID namespace until it execs the init. It shares our memory
 * (CLONE_VM) while we are suspended (CLONE_VFORK) until its execve(): no page tables copied,
 * no copy-on-write faults, and @p stays valid. Only system calls here, no allocation; errors
 * travel as a report on the status pipe. */
static int node_child(void *p)
{
	const struct node_child_args *a = p;
	const struct spawn_spec *s = a->s;
	char *const argv[] = { "nsctl-init", (char *)s->hostname, NULL };
	char *const envp[] = { NULL };
	int cfg, st, fd, r;

	/* Every signal stays blocked, as across the clone, until the exec: none of our handlers
	 * can run here, and exec resets them. What exec keeps (ignored signals, the mask) the
	 * init resets first thing; 64 sigaction() calls here would be paid with us waiting. */
	/* Into the node's cgroups before anything of the node runs: "0" is the writer itself. */
	for (size_t i = 0; s->cgroup_procs && s->cgroup_procs[i]; i++) {
		r = cgroup_join(s->cgroup_procs[i], 0);
		if (r < 0)
			node_child_fail(a->status_wr, -r, "join cgroup ", s->cgroup_procs[i]);
	}
	/* Out of nsctl's session and process group: a ^C meant for `nsctl up` must not reach the
	 * node, and the node outlives nsctl. */
	if (setsid() < 0)
		node_child_fail(a->status_wr, errno, "setsid", NULL);
	/* The network namespace first: the init mounts sysfs, and sysfs shows the netns of the
	 * mounting process (fs/sysfs/mount.c). */
	if (setns(s->netns_fd, CLONE_NEWNET) < 0)
		node_child_fail(a->status_wr, errno, "setns into the node's network namespace",
				NULL);
	/* After the cgroup.procs writes: a cgroup namespace is rooted at the cgroups of the
	 * process that creates it, so the node sees its own cgroup as "/". */
	if (unshare(CLONE_NEWCGROUP) < 0)
		node_child_fail(a->status_wr, errno, "unshare the cgroup namespace", NULL);

	/* Park the two descriptors the init needs above the stdio range, then put them at 3 and 4;
	 * dup2() clears close-on-exec on the copies. */
	cfg = fcntl(a->cfg_fd, F_DUPFD_CLOEXEC, 10);
	st = fcntl(a->status_wr, F_DUPFD_CLOEXEC, 10);
	if (cfg < 0 || st < 0)
		node_child_fail(a->status_wr, errno, "dup", NULL);
	/* None of our stdio reaches the node: the init opens the log itself, after the exec. */
	if (s->log_path) {
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
		    dup2(fd, STDERR_FILENO) < 0)
			node_child_fail(st, errno, "open /dev/null", NULL);
	}
	if (dup2(cfg, NSCTL_INIT_CONFIG_FD) < 0 || dup2(st, NSCTL_INIT_STATUS_FD) < 0)
		node_child_fail(st, errno, "dup2", NULL);
	fds_cloexec_from(NSCTL_INIT_STATUS_FD + 1);

	execve(s->init_path, argv, envp);
	node_child_fail(NSCTL_INIT_STATUS_FD, errno, "exec init ", s->init_path);
}

static void kill_reap(pid_t pid)
{
	int st;

	(void)kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Reads one fixed-size report from @fd within @timeout_ms. Returns 1 (got it), 0 (EOF first),
 * or a negative errno (-ETIMEDOUT). */
static int report_read(int fd, void *rep, size_t size, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < size) {
		int n = poll(&p, 1, timeout_ms);
		ssize_t k;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		k = read(fd, (char *)rep + got, size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return got ? -EPROTO : 0;
		got += (size_t)k;
	}
	return 1;
}

/* The child's stack while it shares our memory: it runs a few system calls, then execs. */
#define CHILD_STACK_SIZE (64 * 1024)

int spawn_node_begin(const struct spawn_spec *s, struct spawn_pending *ret)
{
	_cleanup_close_ int cfg = -EBADF, st_rd = -EBADF, st_wr = -EBADF;
	_cleanup_free_ void *stack = NULL;
	struct node_child_args args;
	sigset_t all, old;
	char state[PATH_MAX];
	int p[2], r;
	pid_t pid;

	last_error[0] = '\0';
	if (!ret)
		return fail(-EINVAL, "spawn_node_begin: ret is NULL");
	*ret = (struct spawn_pending){ .pid = 0, .report_fd = -EBADF };
	r = spec_check(s);
	if (r < 0)
		return r;
	r = state_prepare(s, state);
	if (r < 0)
		return r;
	r = config_build(s, state, &cfg);
	if (r < 0)
		return r;
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(-errno, "pipe");
	st_rd = p[0];
	st_wr = p[1];
	stack = malloc(CHILD_STACK_SIZE);
	if (!stack)
		return fail(-ENOMEM, "child stack");
	args = (struct node_child_args){ .s = s, .status_wr = st_wr, .cfg_fd = cfg };

	/* No CLONE_NEWNET: the netns exists already and is joined with setns(). No CLONE_NEWCGROUP
	 * either: it must wait for the cgroup.procs writes. Every signal is blocked across the
	 * clone, so none of our handlers runs in the child (which resets them) on our memory. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = clone(node_child, (char *)stack + CHILD_STACK_SIZE,
		    CLONE_VM | CLONE_VFORK | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
			    CLONE_NEWIPC | SIGCHLD,
		    &args);
	r = -errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return fail(r, "clone the node's init");
	/* Here the child has exec'd the init or failed (its report is in the pipe). */
	ret->pid = pid;
	ret->report_fd = TAKE_FD(st_rd);
	return 0;
}

int spawn_node_end(struct spawn_pending *p, pid_t *ret_pid)
{
	struct nsctl_init_report rep;
	pid_t pid = p->pid;
	int r, st = 0;

	last_error[0] = '\0';
	if (pid <= 0 || p->report_fd < 0)
		return fail(-EINVAL, "spawn_node_end: no node start in flight");
	r = report_read(p->report_fd, &rep, sizeof(rep), READY_TIMEOUT_MS);
	close(p->report_fd);
	*p = (struct spawn_pending){ .pid = 0, .report_fd = -EBADF };
	if (r == 1 && rep.err == 0) {
		*ret_pid = pid;
		return 0;
	}
	if (r == 1) {
		rep.step[sizeof(rep.step) - 1] = '\0';
		kill_reap(pid);
		return fail(-rep.err, "%s", rep.step);
	}
	if (r < 0) {
		kill_reap(pid);
		return fail(r, "wait for the node's init to report");
	}
	/* EOF without a report: the init crashed or was killed. */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return fail(-ECHILD, "the node's init ended (%s %d) before reporting",
		    WIFSIGNALED(st) ? "signal" : "status",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

void spawn_node_abort(struct spawn_pending *p)
{
	/* pid 0 = empty, whatever report_fd says (a zeroed struct is empty too). */
	if (p->pid <= 0)
		return;
	kill_reap(p->pid);
	close(p->report_fd);
	*p = (struct spawn_pending){ .pid = 0, .report_fd = -EBADF };
}

int spawn_node(const struct spawn_spec *s, pid_t *ret_pid)
{
	struct spawn_pending p;
	int r;

	if (!ret_pid)
		return fail(-EINVAL, "spawn_node: ret_pid is NULL");
	r = spawn_node_begin(s, &p);
	return r < 0 ? r : spawn_node_end(&p, ret_pid);
}

/* ---- spawn_enter ---- */

struct enter_args {
	pid_t init_pid;
	char *const *cgroup_procs;
	char *const *argv;
	char *const *env;
	const char *term;
	bool tty;	   /* our terminal: give the program the foreground there */
	bool pty;	   /* a pty of the node's own for the program; master over @sock */
	struct winsize ws; /* the pty's first size (ours) */
	int sock;
	int report;
};

static const struct {
	const char *name;
	int type;
} node_namespaces[] = {
	/* user first: joining it grants the capabilities the other setns() calls need in there.
	 * mnt last, as nsenter(1) does: from then on paths resolve inside the node (the fds were
	 * all opened before), and the cgroup namespace is joined while our cgroups still show. */
	{ "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET },   { "pid", CLONE_NEWPID }, { "cgroup", CLONE_NEWCGROUP },
	{ "mnt", CLONE_NEWNS },
};

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Sends @fd over the socket @sock (SCM_RIGHTS). Returns 0 or -1 with errno set. */
static int fd_send(int sock, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl = { 0 };
	char byte = 'm';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* In the node (its mount namespace and root): opens a pty pair of the node's own devpts
 * instance, sizes it, and sends the master to our parent. Returns the slave. The master is
 * ours only until it is sent: the program must never hold it, or the parent would not see EIO
 * when the program ends. */
static int pty_open(const struct enter_args *a)
{
	char name[64];
	int master, slave;

	/* /dev/ptmx is the node's (a symlink to pts/ptmx of its devpts newinstance, made by
	 * nsctl-init), so the pty shows as /dev/pts/N in the node and nowhere on the host. */
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		child_fail(a->report, errno, "open the node's /dev/ptmx", NULL);
	if (unlockpt(master) < 0)
		child_fail(a->report, errno, "unlockpt", NULL);
	/* TIOCGPTPEER (Linux 4.13) opens the slave through the master, with no path lookup that a
	 * node could redirect; ptsname + open before it. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 && (errno == EINVAL || errno == ENOTTY)) {
		if (ptsname_r(master, name, sizeof(name)) != 0)
			child_fail(a->report, errno, "ptsname", NULL);
		slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	}
	if (slave < 0)
		child_fail(a->report, errno, "open the pty's slave", NULL);
	if ((a->ws.ws_row || a->ws.ws_col) && ioctl(master, TIOCSWINSZ, &a->ws) < 0)
		child_fail(a->report, errno, "set the pty's window size", NULL);
	if (fd_send(a->sock, master) < 0)
		child_fail(a->report, errno, "send the pty to nsctl", NULL);
	close(master);
	close(a->sock);
	return slave;
}

static _Noreturn void enter_child(const struct enter_args *a)
{
	int fds[ELEMENTSOF(node_namespaces)], root, st;
	char path[64], hostname[72], host_env[96], term_env[128];
	size_t n_env = 0, n;
	const char *node_path = DEFAULT_PATH;
	bool has_path = false, has_host = false, has_term = false, has_home = false;
	int slave = -1;
	pid_t pid;

	for (size_t i = 0; a->cgroup_procs && a->cgroup_procs[i]; i++)
		if (cgroup_join(a->cgroup_procs[i], getpid()) < 0)
			child_fail(a->report, errno, "cgroup ", a->cgroup_procs[i]);

	/* Open every namespace before joining any: after setns(CLONE_NEWNS) our /proc is the
	 * node's and /proc/<init_pid> means something else, or nothing. */
	for (size_t i = 0; i < ELEMENTSOF(node_namespaces); i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)a->init_pid,
			 node_namespaces[i].name);
		fds[i] = -1;
		/* Joining our own user namespace is EINVAL; nodes normally share it. */
		if (node_namespaces[i].type == CLONE_NEWUSER &&
		    same_file(path, "/proc/self/ns/user"))
			continue;
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			child_fail(a->report, errno, "open ", path);
	}
	snprintf(path, sizeof(path), "/proc/%d/root", (int)a->init_pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		child_fail(a->report, errno, "open ", path);
	for (size_t i = 0; i < ELEMENTSOF(node_namespaces); i++)
		if (fds[i] >= 0 && setns(fds[i], node_namespaces[i].type) < 0)
			child_fail(a->report, errno, "setns ", node_namespaces[i].name);
	/* setns(CLONE_NEWNS) puts us at the namespace's root mount; the init's root (after its
	 * pivot_root) is the one it sees, so take exactly that one, as nsenter --root does. */
	if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0)
		child_fail(a->report, errno, "chroot into the node's root", NULL);

	for (n = 0; a->env && a->env[n]; n++) {
		has_path |= strncmp(a->env[n], "PATH=", 5) == 0;
		has_host |= strncmp(a->env[n], "HOSTNAME=", 9) == 0;
		has_term |= strncmp(a->env[n], "TERM=", 5) == 0;
		has_home |= strncmp(a->env[n], "HOME=", 5) == 0;
		if (strncmp(a->env[n], "PATH=", 5) == 0)
			node_path = a->env[n] + 5;
	}

	char *envp[n + 5];

	for (size_t i = 0; i < n; i++)
		envp[n_env++] = a->env[i];
	if (!has_path)
		envp[n_env++] = "PATH=" DEFAULT_PATH;
	if (!has_host && gethostname(hostname, sizeof(hostname)) == 0) {
		hostname[sizeof(hostname) - 1] = '\0';
		snprintf(host_env, sizeof(host_env), "HOSTNAME=%s", hostname);
		envp[n_env++] = host_env;
	}
	if (!has_home)
		envp[n_env++] = "HOME=/root";
	if (!has_term && a->term) {
		snprintf(term_env, sizeof(term_env), "TERM=%s", a->term);
		envp[n_env++] = term_env;
	}
	envp[n_env] = NULL;

	if (a->pty)
		slave = pty_open(a);

	/* A PID namespace applies to the children of the process that joins it. */
	pid = fork();
	if (pid < 0)
		child_fail(a->report, errno, "fork", NULL);
	if (pid == 0) {
		if (a->pty) {
			/* A session of its own with the pty as controlling terminal, as login(1)
			 * and sshd do; its line discipline then turns ^C, ^Z into signals for
			 * the node's foreground job, and the shell has job control. */
			if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
				child_fail(a->report, errno,
					   "make the pty the controlling terminal", NULL);
			for (int fd = 0; fd < 3; fd++)
				if (dup2(slave, fd) < 0)
					child_fail(a->report, errno, "dup2 the pty", NULL);
			if (slave > 2)
				close(slave);
		}
		if (a->tty) {
			sigset_t ttou;

			/* Our own process group in the terminal's foreground: job control and ^C
			 * work for an interactive shell. tcsetpgrp() from a background group
			 * raises SIGTTOU unless it is blocked (tcsetpgrp(3)). */
			sigemptyset(&ttou);
			sigaddset(&ttou, SIGTTOU);
			(void)sigprocmask(SIG_BLOCK, &ttou, NULL);
			(void)setpgid(0, 0);
			(void)tcsetpgrp(STDIN_FILENO, getpid());
		}
		signals_reset();
		fds_cloexec_from(3);
		exec_in_path(a->argv, envp, node_path);
		child_fail(a->report, errno, "exec ", a->argv[0]);
	}
	/* Only the program (and what it starts) holds the pty now: when they are gone, our parent
	 * reads EIO from the master. */
	if (slave >= 0)
		close(slave);
	for (;;) {
		pid_t w = waitpid(pid, &st, WUNTRACED);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			child_fail(a->report, errno, "wait", NULL);
		/* Stopped (^Z): nobody here does job control, so let it go on instead of hanging.
		 */
		if (WIFSTOPPED(st)) {
			(void)kill(pid, SIGCONT);
			continue;
		}
		break;
	}
	{
		struct child_report rep = { .err = 0, .status = st };

		(void)!write(a->report, &rep, sizeof(rep));
	}
	_exit(0);
}

/* Receives one descriptor sent with fd_send(). Returns it (close-on-exec), or -1 when the
 * sender closed the socket without sending one (it failed and reports why on its pipe). */
static int fd_recv(int sock)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* ---- the pty relay (nsctl's side of spawn_enter_tty) ---- */

/* The signals that end the relay (the terminal is restored first, then they are delivered as
 * they would have been) and SIGWINCH, which resizes the pty. */
static const int relay_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH };

static volatile sig_atomic_t relay_sig, relay_winch;

static void relay_on_signal(int sig)
{
	if (sig == SIGWINCH)
		relay_winch = 1;
	else
		relay_sig = sig;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t k = write(fd, buf, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Copies stdin to @master and @master to stdout, with our terminal in raw mode (the node's pty
 * does the line editing and signal keys now), until the program and whatever holds the pty in
 * the node are gone (EIO or EOF on the master), or, once the program has reported (@report
 * readable), until the pty stays quiet for a moment: a daemon it left running may hold the pty
 * for ever. The terminal's mode is restored on every way out; a terminating signal ends the
 * relay and is delivered after that. */
static void relay(int master, int report)
{
	struct sigaction sa = { .sa_handler = relay_on_signal }, old_sa[ELEMENTSOF(relay_signals)];
	struct termios saved, raw;
	sigset_t block, old_mask;
	char in_buf[4096], out_buf[4096];
	size_t in_len = 0, in_off = 0;
	bool raw_set = false, stdin_open = true, done = false;
	struct winsize ws;

	relay_sig = 0;
	relay_winch = 0;
	sigemptyset(&block);
	for (size_t i = 0; i < ELEMENTSOF(relay_signals); i++)
		sigaddset(&block, relay_signals[i]);
	/* Blocked outside ppoll(): a signal can only arrive while we wait, never between a check
	 * of the flags and the wait. */
	(void)sigprocmask(SIG_BLOCK, &block, &old_mask);
	for (size_t i = 0; i < ELEMENTSOF(relay_signals); i++)
		(void)sigaction(relay_signals[i], &sa, &old_sa[i]);
	(void)fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

	/* Raw only when we own the terminal's foreground: tcsetattr() from a background process
	 * group would stop us with SIGTTOU. */
	if (tcgetpgrp(STDIN_FILENO) == getpgrp() && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		raw_set = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
	}

	while (!relay_sig) {
		struct pollfd p[3] = {
			{ .fd = -1, .events = POLLIN },
			{ .fd = master, .events = POLLIN },
			{ .fd = done ? -1 : report, .events = POLLIN },
		};
		struct timespec quiet = { 0, 200 * 1000000L };
		ssize_t k;
		int n;

		if (relay_winch) {
			relay_winch = 0;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				(void)ioctl(master, TIOCSWINSZ, &ws);
		}
		/* Read stdin only when the last chunk is in the pty: no buffering without bound,
		 * and a program that does not read its input cannot block our output side. */
		if (in_len > in_off)
			p[1].events |= POLLOUT;
		else if (stdin_open)
			p[0].fd = STDIN_FILENO;
		n = ppoll(p, ELEMENTSOF(p), done ? &quiet : NULL, &old_mask);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* quiet for 200 ms after the program ended, or poll failed */
		if (p[2].revents)
			done = true; /* the program's status (or an error) is there: it ended */
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			k = read(master, out_buf, sizeof(out_buf));
			if (k < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			/* EIO: no slave left open. Everything written before is read first (the
			 * tty layer flushes its buffer before it reports EIO). */
			if (k <= 0 || write_all(STDOUT_FILENO, out_buf, (size_t)k) < 0)
				break;
		}
		if (p[1].revents & POLLOUT) {
			k = write(master, in_buf + in_off, in_len - in_off);
			if (k < 0 && errno != EINTR && errno != EAGAIN)
				break;
			if (k > 0)
				in_off += (size_t)k;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			k = read(STDIN_FILENO, in_buf, sizeof(in_buf));
			if (k < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (k <= 0) {
				stdin_open = false; /* EOF: the pty keeps going without input */
				continue;
			}
			in_len = (size_t)k;
			in_off = 0;
		}
	}

	if (raw_set)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	for (size_t i = 0; i < ELEMENTSOF(relay_signals); i++)
		(void)sigaction(relay_signals[i], &old_sa[i], NULL);
	/* Pending (it stays blocked until the mask is restored): delivered with the caller's
	 * disposition, which by default ends nsctl; the node's pty then hangs up. */
	if (relay_sig)
		(void)raise(relay_sig);
	(void)sigprocmask(SIG_SETMASK, &old_mask, NULL);
}

static int enter_run(pid_t init_pid, char *const *cgroup_procs, char *const *argv, char *const *env,
		     bool want_pty)
{
	_cleanup_close_ int rd = -EBADF, wr = -EBADF, sock = -EBADF, child_sock = -EBADF,
			    master = -EBADF;
	struct enter_args a = {
		.init_pid = init_pid,
		.cgroup_procs = cgroup_procs,
		.argv = argv,
		.env = env,
		.term = getenv("TERM"),
		.sock = -1,
	};
	struct child_report rep, got = { .err = 0, .status = -1 };
	int p[2], r, st;
	pid_t pid;

	last_error[0] = '\0';
	if (!argv || !argv[0] || init_pid <= 0)
		return fail(-EINVAL, "spawn_enter: a pid and a command are needed");
	if (kill(init_pid, 0) < 0)
		return fail(-errno, "node init %d", (int)init_pid);
	a.pty = want_pty && isatty(STDIN_FILENO);
	a.tty = !a.pty && isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	if (a.pty) {
		if (ioctl(STDIN_FILENO, TIOCGWINSZ, &a.ws) < 0)
			a.ws = (struct winsize){ 0 };
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0)
			return fail(-errno, "socketpair");
		sock = p[0];
		child_sock = p[1];
		a.sock = child_sock;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(-errno, "pipe");
	rd = p[0];
	wr = p[1];
	a.report = wr;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fail(-errno, "fork");
	if (pid == 0)
		enter_child(&a);
	close(TAKE_FD(wr));
	if (a.pty) {
		close(TAKE_FD(child_sock));
		/* No master: the child failed before it had one; its report says why. */
		master = fd_recv(sock);
		if (master >= 0)
			relay(master, rd);
		/* Whatever still holds the slave in the node gets a hangup. */
		close(TAKE_FD(master));
	}

	/* Reports until EOF: the program's exec failure (from the grandchild) comes before the
	 * status its parent sends; the first error wins. */
	while ((r = report_read(rd, &rep, sizeof(rep), -1)) == 1)
		if (got.err == 0)
			got = rep;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (a.tty) {
		sigset_t ttou, old;

		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		(void)sigprocmask(SIG_BLOCK, &ttou, &old);
		(void)tcsetpgrp(STDIN_FILENO, getpgrp());
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (got.err) {
		got.step[sizeof(got.step) - 1] = '\0';
		return fail(-got.err, "%s", got.step);
	}
	if (r < 0 || got.status < 0)
		return fail(r < 0 ? r : -ECHILD, "enter node %d: no status", (int)init_pid);
	return WIFSIGNALED(got.status) ? 128 + WTERMSIG(got.status) : WEXITSTATUS(got.status);
}

int spawn_enter(pid_t init_pid, char *const *cgroup_procs, char *const *argv, char *const *env)
{
	return enter_run(init_pid, cgroup_procs, argv, env, false);
}

int spawn_enter_tty(pid_t init_pid, char *const *cgroup_procs, char *const *argv, char *const *env)
{
	return enter_run(init_pid, cgroup_procs, argv, env, true);
}

/* ---- spawn_stop ---- */

static void reap(pid_t pid)
{
	int st;

	/* Ours: collect it. Not ours (nsctl up exited, this is nsctl down): ECHILD, fine. */
	(void)waitpid(pid, &st, WNOHANG);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits until the process of @pidfd has ended (a zombie counts). Returns true if it did. */
static bool wait_gone(int pidfd, pid_t pid, unsigned timeout_ms)
{
	long deadline = now_ms() + (long)timeout_ms;

	for (;;) {
		long left = deadline - now_ms();
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int n;

		if (pidfd < 0) { /* no pidfd_open (before Linux 5.3): poll with kill(0) */
			if (kill(pid, 0) < 0 && errno == ESRCH)
				return true;
			reap(pid);
			if (left <= 0)
				return false;
			usleep(10000);
			continue;
		}
		n = poll(&p, 1, left > 0 ? (int)left : 0);
		if (n > 0)
			return true;
		if (n == 0 || errno != EINTR)
			return false;
	}
}

int spawn_stop(pid_t init_pid, unsigned timeout_ms)
{
	_cleanup_close_ int pidfd = -EBADF;
	int r;

	last_error[0] = '\0';
	if (init_pid <= 1)
		return fail(-EINVAL, "spawn_stop: bad pid %d", (int)init_pid);
	/* A pidfd pins the process: the signals below cannot hit a recycled pid. */
	pidfd = (int)syscall(SYS_pidfd_open, init_pid, 0);
	if (pidfd < 0 && errno == ESRCH)
		return 0;
	if (pidfd < 0 && errno != ENOSYS)
		return fail(-errno, "pidfd_open %d", (int)init_pid);
	r = pidfd >= 0 ? (int)syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0)
		       : kill(init_pid, SIGTERM);
	if (r < 0 && errno == ESRCH) {
		reap(init_pid);
		return 0;
	}
	if (r < 0)
		return fail(-errno, "SIGTERM to %d", (int)init_pid);
	if (wait_gone(pidfd, init_pid, timeout_ms)) {
		reap(init_pid);
		return 0;
	}
	r = pidfd >= 0 ? (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0)
		       : kill(init_pid, SIGKILL);
	if (r < 0 && errno != ESRCH)
		return fail(-errno, "SIGKILL to %d", (int)init_pid);
	if (!wait_gone(pidfd, init_pid, KILL_TIMEOUT_MS))
		return fail(-ETIMEDOUT, "node init %d survived SIGKILL", (int)init_pid);
	reap(init_pid);
	return 1;
}

/* ---- spawn_find_init ---- */

int spawn_find_init(char *buf, size_t len)
{
	static const char *const rel[] = { "/nsctl-init", "/../libexec/nsctl/nsctl-init" };
	const char *env = getenv("NSCTL_INIT");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		if (strlen(env) >= len)
			return -ENAMETOOLONG;
		strcpy(buf, env);
		return access(buf, X_OK) < 0 ? -errno : 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	for (size_t i = 0; i < ELEMENTSOF(rel); i++) {
		if ((size_t)snprintf(buf, len, "%s%s", exe, rel[i]) >= len)
			return -ENAMETOOLONG;
		if (access(buf, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* ---- the launch namespace ---- */

/* Detaches every nsfs mount (named network namespaces: ours, iproute2's, other tools') from our
 * mount namespace. /run/netns goes in one umount2() when it is a mount point, as `ip netns add`
 * and netns_create() make it: each umount pays an RCU grace period, so one per namespace would
 * cost ~0.3 ms per name. */
static int detach_nsfs_mounts(void)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (umount2("/run/netns", MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return fail(-errno, "detach /run/netns in the launch namespace");
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return fail(-errno, "open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		char *mp, *type;

		line[strcspn(line, "\n")] = '\0';
		if (mountinfo_split(line, &mp, &type) < 0 || !streq(type, "nsfs"))
			continue;
		/* EINVAL/ENOENT: gone with a parent detached before. */
		if (umount2(mp, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT && r == 0)
			r = fail(-errno, "detach %s in the launch namespace", mp);
	}
	return r;
}

int spawn_launchns_enter(struct spawn_launchns *ret)
{
	_cleanup_close_ int host = -EBADF, cwd = -EBADF;
	int r;

	host = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (host < 0)
		return fail(-errno, "open /proc/self/ns/mnt");
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return fail(-errno, "open the working directory");
	if (unshare(CLONE_NEWNS) < 0)
		return fail(-errno, "unshare the launch mount namespace");
	/* Slave, not private: the host's unmounts (a concurrent `ip netns delete`) still reach the
	 * copies the inits make of this namespace. Nothing here propagates back. */
	r = mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0
		    ? fail(-errno, "make the launch namespace a slave")
		    : detach_nsfs_mounts();
	if (r < 0) {
		(void)setns(host, CLONE_NEWNS);
		(void)fchdir(cwd);
		return r;
	}
	ret->host_mnt = TAKE_FD(host);
	ret->cwd = TAKE_FD(cwd);
	ret->host_root[0] = '\0';
	return 0;
}

int spawn_launchns_host_root(struct spawn_launchns *l, const char *dir)
{
	char failed[PATH_MAX];
	int r;

	if (l->host_mnt < 0)
		return fail(-EINVAL, "no launch namespace entered");
	if (l->host_root[0])
		return 0;
	if (strlen(dir) >= sizeof(l->host_root))
		return fail(-ENAMETOOLONG, "host root dir %s", dir);
	/* Made in the host's file system, a mount point in the launch namespace only; removed
	 * again by spawn_launchns_leave(). */
	if (mkdir(dir, 0700) < 0)
		return fail(-errno, "create %s", dir);
	r = mountinfo_host_root(dir, failed);
	if (r < 0) {
		(void)umount2(dir, MNT_DETACH);
		(void)rmdir(dir);
		return fail(r, "%s for the host root on %s", failed, dir);
	}
	strcpy(l->host_root, dir);
	return 0;
}

int spawn_launchns_leave(struct spawn_launchns *l)
{
	int r = 0;

	if (l->host_mnt < 0)
		return 0;
	/* setns() into a mount namespace moves cwd and root to its root: restore cwd. */
	if (setns(l->host_mnt, CLONE_NEWNS) < 0)
		r = fail(-errno, "return to the host's mount namespace");
	else if (fchdir(l->cwd) < 0)
		r = fail(-errno, "return to the working directory");
	/* In the host's namespace the host root dir is an empty directory. */
	if (r == 0 && l->host_root[0] && rmdir(l->host_root) < 0 && errno != ENOENT)
		r = fail(-errno, "remove %s", l->host_root);
	close(l->host_mnt);
	close(l->cwd);
	l->host_mnt = l->cwd = -EBADF;
	l->host_root[0] = '\0';
	return r;
}
