/* SPDX-License-Identifier: MIT */
/* nsctl-init: PID 1 of a lab node. Built on its own, statically, against libc only.
 *
 * nsctl's launcher (nsctl/spawn.c) clones a child into new mount, PID, UTS and IPC namespaces,
 * moves it into the node's network namespace and a fresh cgroup namespace, and execs this
 * program there with its configuration on fd 3 and a status pipe on fd 4 (nsctl/init/proto.h).
 * Everything below happens inside the node's own mount namespace, so it all dies with the node
 * and nothing needs undoing on the host:
 *
 *   1. / becomes a recursive slave: our mounts never propagate to the host, and the host's
 *      unmounts (notably `ip netns delete` on the shared /run/netns) still reach us.
 *   2. The new root: the read-only copy of the host's root that the launcher prepared once per
 *      lab, taken as it is (it is a mount point already); without one, the host's / bound
 *      recursively on <state>/merged and made read-only here (copies of /proc, /sys, /dev, /run,
 *      /tmp, /var/tmp detached first); or an overlay of the rootfs dir (lower) and
 *      <state>/upper on <state>/merged.
 *   3. Bind sources are cloned as detached trees (open_tree) while the host's paths still
 *      resolve; then pivot_root(".", ".") and the old root is detached. From here on every path
 *      resolves inside the node, so a symlink in a rootfs can never point a write at the host.
 *   4. Our own /run (tmpfs; on a read-only root the generated files and overlay upper layers
 *      go in its /run/.nsctl-init), /proc (this PID namespace), /sys (read-only, the node's
 *      netns), /dev (tmpfs with six device nodes, devpts, shm), tmpfs on /tmp and /var/tmp,
 *      /etc/hostname and /etc/hosts, then the binds are attached.
 *   5. cmd starts in its own session; the init reports "ready" and idles: it reaps every child
 *      (orphans are reparented to PID 1), forwards SIGINT, SIGHUP, SIGUSR1 and SIGUSR2 to cmd's
 *      process group, and on SIGTERM sends SIGTERM+SIGCONT to every process of the node and
 *      exits once none is left. When cmd exits by itself the init stays, so the node (its
 *      namespaces, daemons cmd left behind, `nsctl exec`) keeps existing; the exit-with-cmd
 *      option makes it exit with cmd's status instead.
 *
 * Memory: no malloc, no stdio. Built against musl (the Makefile's INIT_CC), the whole binary is
 * ~50 KiB and an idle init keeps ~80 KiB resident, nothing trimmed: dropping pages after setup
 * (madvise) cost a TLB flush each, ~14% of the init's CPU in a 1000-node `up`. Against static
 * glibc it keeps ~700 KiB. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nsctl/init/execpath.h"
#include "nsctl/init/mountinfo.h"
#include "nsctl/init/proto.h"

/* The new mount API (Linux 5.2; mount_setattr 5.12), by number so that older libc headers do.
 * The constants are the kernel's (include/uapi/linux/mount.h, fcntl.h). */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SCRATCH	     "/run/.nsctl-init"

struct bind {
	const char *src, *dst;
	bool ro, dir;
	int tree; /* detached clone of src (open_tree), attached after pivot_root */
};

struct config {
	const char *hostname, *rootfs, *state, *hosts;
	const char *host_root;	    /* the launcher's read-only host root copy, or NULL */
	const char *log, *pid_file; /* host files, or NULL */
	bool exit_with_cmd;
	size_t n_args, n_env, n_binds;
	const char **args; /* NULL-terminated */
	const char **env;  /* room for n_env + 4 */
	struct bind *binds;
};

static int status_fd = NSCTL_INIT_STATUS_FD; /* -1 once "ready" went out */
static bool scratch_made;
static unsigned scratch_seq;

/* ---- small helpers ---- */

static size_t cat(char *buf, size_t len, size_t n, const char *s)
{
	while (s && *s && n + 1 < len)
		buf[n++] = *s++;
	buf[n] = '\0';
	return n;
}

/* Reports the failing step (the NULL-terminated concatenation of the strings after @err) to the
 * launcher and exits; the launcher kills and reaps us and tells the user. After "ready" there
 * is nobody waiting, so the message goes to stderr instead. */
static _Noreturn void die(int err, ...)
{
	struct nsctl_init_report rep = { .err = err > 0 ? err : EIO };
	const char *s;
	size_t n = 0;
	va_list ap;

	va_start(ap, err);
	while ((s = va_arg(ap, const char *)))
		n = cat(rep.step, sizeof(rep.step), n, s);
	va_end(ap);
	if (status_fd >= 0) {
		(void)!write(status_fd, &rep, sizeof(rep));
	} else {
		char msg[sizeof(rep.step) + 128];

		n = cat(msg, sizeof(msg), 0, "nsctl-init: ");
		n = cat(msg, sizeof(msg), n, rep.step);
		n = cat(msg, sizeof(msg), n, ": ");
		n = cat(msg, sizeof(msg), n, strerror(rep.err));
		n = cat(msg, sizeof(msg), n, "\n");
		(void)!write(STDERR_FILENO, msg, n);
	}
	_exit(1);
}

/* @buf (of @len bytes) = @a @b; a result that does not fit is an error, not a truncation. */
static void join(char *buf, size_t len, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + lb >= len)
		die(ENAMETOOLONG, a, b, NULL);
	memmove(buf, a, la);
	memcpy(buf + la, b, lb + 1);
}

#define path_join(buf, a, b) join((buf), PATH_MAX, (a), (b))

static void mnt(const char *src, const char *dst, const char *type, unsigned long flags,
		const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		die(errno, "mount ", type ? type : src, " on ", dst, NULL);
}

static void write_all(int fd, const char *s, size_t len, const char *what)
{
	while (len > 0) {
		ssize_t k = write(fd, s, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			die(k < 0 ? errno : EIO, "write ", what, NULL);
		s += k;
		len -= (size_t)k;
	}
}

/* Appends @s to the mount option buffer, escaping the separators overlayfs splits on ("," between
 * options, ":" between lower layers) with a backslash, as its option parser expects. */
static size_t opt_escaped(char *buf, size_t len, size_t n, const char *s, bool lower)
{
	for (; *s; s++) {
		bool esc = *s == ',' || *s == '\\' || (lower && *s == ':');

		if (n + 2 + esc >= len)
			die(ENAMETOOLONG, "overlay options for ", s, NULL);
		if (esc)
			buf[n++] = '\\';
		buf[n++] = *s;
	}
	buf[n] = '\0';
	return n;
}

static void mount_overlay(const char *lower, const char *upper, const char *work,
			  const char *target)
{
	char opts[4096]; /* mount(2) copies at most one page of options */
	size_t n;

	n = cat(opts, sizeof(opts), 0, "lowerdir=");
	n = opt_escaped(opts, sizeof(opts), n, lower, true);
	n = cat(opts, sizeof(opts), n, ",upperdir=");
	n = opt_escaped(opts, sizeof(opts), n, upper, false);
	n = cat(opts, sizeof(opts), n, ",workdir=");
	(void)opt_escaped(opts, sizeof(opts), n, work, false);
	if (mount("overlay", target, "overlay", 0, opts) < 0)
		die(errno, "mount overlay (lowerdir ", lower, ") on ", target, NULL);
}

/* ---- configuration (fd 3) ---- */

static bool key_is(const char *rec, const char *key, const char **ret_val)
{
	size_t k = strlen(key);

	if (strncmp(rec, key, k) != 0 || rec[k] != '=')
		return false;
	*ret_val = rec + k + 1;
	return true;
}

/* Walks the records; with @c->args set (second pass) it also fills the arrays. */
static void config_walk(const char *buf, size_t len, struct config *c)
{
	bool fill = c->args != NULL;
	size_t na = 0, ne = 0, nb = 0;
	const char *v;

	for (const char *p = buf + strlen(buf) + 1; p < buf + len; p += strlen(p) + 1) {
		if (key_is(p, NSCTL_INIT_K_HOSTNAME, &v))
			c->hostname = v;
		else if (key_is(p, NSCTL_INIT_K_ROOTFS, &v))
			c->rootfs = v;
		else if (key_is(p, NSCTL_INIT_K_HOST_ROOT, &v))
			c->host_root = v;
		else if (key_is(p, NSCTL_INIT_K_STATE, &v))
			c->state = v;
		else if (key_is(p, NSCTL_INIT_K_HOSTS, &v))
			c->hosts = v;
		else if (key_is(p, NSCTL_INIT_K_LOG, &v))
			c->log = v;
		else if (key_is(p, NSCTL_INIT_K_PID_FILE, &v))
			c->pid_file = v;
		else if (key_is(p, NSCTL_INIT_K_EXIT, &v))
			c->exit_with_cmd = *v == '1';
		else if (key_is(p, NSCTL_INIT_K_ARG, &v)) {
			if (fill)
				c->args[na] = v;
			na++;
		} else if (key_is(p, NSCTL_INIT_K_ENV, &v)) {
			if (fill)
				c->env[ne] = v;
			ne++;
		} else if (key_is(p, NSCTL_INIT_K_BIND_SRC, &v)) {
			if (fill)
				c->binds[nb] = (struct bind){ .src = v, .tree = -1 };
			nb++;
		} else if (key_is(p, NSCTL_INIT_K_BIND_DST, &v)) {
			if (nb == 0)
				die(EINVAL, "config: bind-dst before bind-src", NULL);
			if (fill)
				c->binds[nb - 1].dst = v;
		} else if (key_is(p, NSCTL_INIT_K_BIND_RO, &v)) {
			if (nb == 0)
				die(EINVAL, "config: bind-ro before bind-src", NULL);
			if (fill)
				c->binds[nb - 1].ro = *v == '1';
		} else {
			die(EINVAL, "config: unknown record ", p, NULL);
		}
	}
	if (fill) {
		c->args[na] = NULL;
		c->env[ne] = NULL;
	}
	c->n_args = na;
	c->n_env = ne;
	c->n_binds = nb;
}

static const char *config_map(size_t *ret_len)
{
	struct stat st;
	const char *buf;

	if (fstat(NSCTL_INIT_CONFIG_FD, &st) < 0)
		die(errno, "config: fd 3 (nsctl-init is started by nsctl, not by hand)", NULL);
	if (st.st_size <= 0)
		die(EINVAL, "config: empty", NULL);
	buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, NSCTL_INIT_CONFIG_FD, 0);
	if (buf == MAP_FAILED)
		die(errno, "config: mmap", NULL);
	if (buf[st.st_size - 1] != '\0' || strcmp(buf, NSCTL_INIT_MAGIC) != 0)
		die(EPROTO, "config: not " NSCTL_INIT_MAGIC " (nsctl and nsctl-init differ)", NULL);
	*ret_len = (size_t)st.st_size;
	return buf;
}

/* ---- the node's files on the host ---- */

/* mkdir -p @path on the host (before pivot_root); umask is 0, so @mode is exact. */
static void host_mkdir_p(const char *path, mode_t mode)
{
	char p[PATH_MAX];

	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return;
	if (errno != ENOENT)
		die(errno, "mkdir ", path, NULL);
	path_join(p, path, "");
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die(errno, "mkdir ", p, NULL);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		die(errno, "mkdir ", p, NULL);
}

/* The node's state dir, its log (our stdout and stderr from here on, and cmd's; with a cmd
 * only) and the pid file, made here rather than by the launcher: this runs on one core while the
 * launcher clones the next node on the other. Our pid as the launcher knows it is what /proc/self
 * names while /proc is still the launcher's (it shows the PID namespace it was mounted in). */
static void host_files(const struct config *c)
{
	char pid[16];
	ssize_t n;
	int fd;

	host_mkdir_p(c->state, 0700);
	/* The log is cmd's: an idle init writes nothing after its report, so a node without cmd
	 * gets no log file (one inode less per node, and /run/nsctl may be on a disk). */
	if (c->log && c->n_args > 0) {
		fd = open(c->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
		if (fd < 0)
			die(errno, "open log ", c->log, NULL);
		if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
			die(errno, "dup2 log ", c->log, NULL);
		close(fd);
	}
	if (!c->pid_file)
		return;
	n = readlink("/proc/self", pid, sizeof(pid) - 2);
	if (n <= 0)
		die(n < 0 ? errno : EIO, "readlink /proc/self", NULL);
	pid[n++] = '\n';
	fd = open(c->pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		  0600);
	if (fd < 0)
		die(errno, "create ", c->pid_file, NULL);
	write_all(fd, pid, (size_t)n, c->pid_file);
	close(fd);
}

/* ---- the new root ---- */

/* The node's root for the host: the read-only copy of the host's root that the launcher
 * prepared once per lab (@ready: pruned already, and a mount point in our copy of the
 * launcher's mount namespace, so pivot_root() takes it as it is: no bind, no directory), or
 * one built here on @merged. Returns the directory to pivot into. */
static const char *root_from_host(const char *merged, const char *ready)
{
	char failed[PATH_MAX];
	int r;

	if (ready)
		return ready;
	r = mountinfo_host_root(merged, failed);
	if (r < 0)
		die(-r, failed, " for the host root on ", merged, NULL);
	return merged;
}

/* Clones each bind's source as a detached mount tree while host paths still resolve; it is
 * attached inside the node after pivot_root, where a symlink in its destination can only point
 * inside the node. A read-only bind is made so before it is attached. */
static void binds_open(struct config *c)
{
	struct mountinfo_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	for (size_t i = 0; i < c->n_binds; i++) {
		struct bind *b = &c->binds[i];
		struct stat st;

		if (!b->dst || b->dst[0] != '/' || b->src[0] != '/')
			die(EINVAL, "bind ", b->src, ": source and destination must be absolute",
			    NULL);
		if (stat(b->src, &st) < 0)
			die(errno, "bind source ", b->src, NULL);
		b->dir = S_ISDIR(st.st_mode);
		b->tree = (int)syscall(SYS_open_tree, AT_FDCWD, b->src,
				       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (b->tree < 0)
			die(errno, "clone bind source ", b->src, NULL);
		if (b->ro && syscall(SYS_mount_setattr, b->tree, "", AT_EMPTY_PATH | AT_RECURSIVE,
				     &ro, sizeof(ro)) < 0)
			die(errno, "make bind ", b->src, " read-only", NULL);
	}
}

static void pivot(const char *root)
{
	/* pivot_root(".", ".") stacks the old root on top of the new one at "/", and the detach
	 * then takes it away: no put_old directory, which a read-only root could not offer
	 * (pivot_root(2), NOTES). The old root may not be MS_SHARED; step 1 saw to that. */
	if (chdir(root) < 0)
		die(errno, "chdir ", root, NULL);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die(errno, "pivot_root to ", root, NULL);
	if (umount2(".", MNT_DETACH) < 0)
		die(errno, "detach the old root", NULL);
	if (chdir("/") < 0)
		die(errno, "chdir /", NULL);
}

/* ---- inside the new root ---- */

/* The files and overlay upper layers this init lays over a read-only root live in a directory
 * of the node's own /run (a tmpfs mounted first): no mount and no unmount of their own, where a
 * scratch tmpfs cost one of each per node (every unmount waits for an expedited RCU grace
 * period). The binds and overlays keep working if the node removes the directory. */
static void scratch_get(void)
{
	if (scratch_made)
		return;
	if (mkdir(SCRATCH, 0700) < 0 && errno != EEXIST)
		die(errno, "mkdir " SCRATCH, NULL);
	scratch_made = true;
}

/* A fresh name in the scratch directory: SCRATCH/<kind><n>. */
static void scratch_path(char *buf, const char *kind)
{
	char num[12];
	unsigned v = scratch_seq++;
	size_t n = sizeof(num) - 1;

	num[n] = '\0';
	do
		num[--n] = (char)('0' + v % 10);
	while ((v /= 10) && n > 0);
	path_join(buf, SCRATCH "/", kind);
	path_join(buf, buf, num + n);
}

/* Makes the read-only directory @dir writable for this node alone: an overlay with @dir as its
 * lower layer and the upper in the scratch directory, mounted on @dir. That is how a bind
 * destination or /etc/hosts that the host lacks comes to exist on the read-only host root.
 * Whatever was mounted below @dir on the host is hidden by it. */
static void make_writable(const char *dir, const char *why)
{
	char upper[PATH_MAX], work[PATH_MAX], base[PATH_MAX];

	if (strcmp(dir, "/") == 0)
		die(EROFS, "create ", why, ": the root is read-only (rootfs host)", NULL);
	scratch_get();
	scratch_path(base, "o");
	path_join(upper, base, "/upper");
	path_join(work, base, "/work");
	if (mkdir(base, 0700) < 0 || mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
		die(errno, "mkdir ", base, NULL);
	mount_overlay(dir, upper, work, dir);
}

static void parent_of(char *buf, const char *path)
{
	char *slash;

	path_join(buf, path, "");
	slash = strrchr(buf, '/');
	if (slash == buf)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
}

/* Creates @path as a directory or an empty file unless it exists; its parent must exist. */
static void make_one(const char *path, bool file)
{
	char parent[PATH_MAX];
	struct stat st;
	int fd;

	for (int attempt = 0;; attempt++) {
		if (stat(path, &st) == 0)
			return;
		if (errno != ENOENT)
			die(errno, "stat ", path, NULL);
		if (file) {
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
			if (fd >= 0) {
				close(fd);
				return;
			}
		} else if (mkdir(path, 0755) == 0) {
			return;
		}
		if (errno == EEXIST)
			continue;
		if (errno != EROFS || attempt > 0)
			die(errno, file ? "create " : "mkdir ", path, NULL);
		parent_of(parent, path);
		make_writable(parent, path);
	}
}

/* mkdir -p @path (or its parents and an empty file, with @file). */
static void ensure_path(const char *path, bool file)
{
	char p[PATH_MAX];

	path_join(p, path, "");
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		make_one(p, false);
		*s = '/';
	}
	make_one(p, file);
}

/* Writes @content to @path inside the node. On the read-only host root an existing file gets a
 * file of the scratch directory bound over it, and a missing one an overlay on its directory. */
static void put_file(const char *path, const char *content)
{
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0 && errno == EROFS && stat(path, &st) == 0) {
		char tmp[PATH_MAX];

		scratch_get();
		scratch_path(tmp, "f");
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd < 0)
			die(errno, "create ", tmp, NULL);
		write_all(fd, content, strlen(content), tmp);
		close(fd);
		mnt(tmp, path, NULL, MS_BIND, NULL);
		return;
	}
	if (fd < 0 && errno == EROFS) {
		char parent[PATH_MAX];

		parent_of(parent, path);
		make_writable(parent, path);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	}
	if (fd < 0)
		die(errno, "write ", path, NULL);
	write_all(fd, content, strlen(content), path);
	close(fd);
}

static void setup_dev(void)
{
	static const struct {
		const char *path;
		unsigned major, minor;
	} nodes[] = {
		{ "/dev/null", 1, 3 },	 { "/dev/zero", 1, 5 },	   { "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
	};
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },	      { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
		{ "pts/ptmx", "/dev/ptmx" },
	};

	/* A tmpfs of our own rather than the host's devtmpfs: the node sees these few devices and
	 * none of the host's disks. Not nodev, obviously; noexec and nosuid as udev mounts it. */
	mnt("nsctl-dev", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755");
	/* mknod as real root in the initial user namespace; a device cgroup that refuses it shows
	 * up as EPERM with the node's name. The mode is exact: umask is 0 during setup. */
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (mknod(nodes[i].path, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) <
		    0)
			die(errno, "mknod ", nodes[i].path, NULL);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			die(errno, "symlink ", links[i][1], NULL);
	if (mkdir("/dev/pts", 0755) < 0 || mkdir("/dev/shm", 01777) < 0)
		die(errno, "mkdir /dev/pts, /dev/shm", NULL);
	/* newinstance: ptys of our own, not the host's; ptmxmode=0666 makes pts/ptmx (which the
	 * /dev/ptmx symlink points at) usable by anyone, as bubblewrap and nspawn do. */
	mnt("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620");
	mnt("nsctl-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

static void setup_root(struct config *c)
{
	char merged[PATH_MAX], upper[PATH_MAX], work[PATH_MAX];
	const char *root;

	/* Everything below is private to this mount namespace: slave, not private, so that the
	 * host's unmounts still propagate in. `ip netns delete` unmounts /run/netns/<name>
	 * (a shared mount) on the host; a private copy in here would pin that namespace, and its
	 * devices, until this node dies (iproute2 ip/ipnetns.c, netns_add, on the same issue). */
	mnt(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);

	path_join(merged, c->state, "/merged");
	if (c->rootfs) {
		path_join(upper, c->state, "/upper");
		path_join(work, c->state, "/work");
		mount_overlay(c->rootfs, upper, work, merged);
		root = merged;
	} else {
		root = root_from_host(merged, c->host_root);
	}
	binds_open(c);
	pivot(root);

	/* Mount points: on an overlay root they are created in the upper layer if the rootfs
	 * lacks them; on the host root they exist (or an overlay on their parent makes them).
	 * /run first: the scratch directory is on it. */
	ensure_path("/run", false);
	mnt("nsctl-run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	ensure_path("/proc", false);
	ensure_path("/sys", false);
	ensure_path("/dev", false);
	ensure_path("/tmp", false);
	ensure_path("/var/tmp", false);
	/* proc shows the PID namespace of the process that mounts it: ours, where we are 1. */
	mnt("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	/* sysfs shows the network devices of the mounting process's netns: the launcher moved us
	 * into the node's before exec. Read-only, as every container runtime mounts it. */
	mnt("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	setup_dev();
	mnt("nsctl-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	mnt("nsctl-vartmp", "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");

	/* Bind destinations first: an overlay that has to make one of them (say /etc/lab on the
	 * read-only host root) would otherwise cover the /etc/hosts bound below. */
	for (size_t i = 0; i < c->n_binds; i++)
		ensure_path(c->binds[i].dst, !c->binds[i].dir);
	ensure_path("/etc", false);
	{
		char hostname[HOST_NAME_MAX + 2];

		join(hostname, sizeof(hostname), c->hostname, "\n");
		put_file("/etc/hostname", hostname);
	}
	put_file("/etc/hosts", c->hosts ? c->hosts : "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
	/* The binds last, so that a bind onto /etc/hosts wins over the generated one. */
	for (size_t i = 0; i < c->n_binds; i++) {
		struct bind *b = &c->binds[i];

		if (syscall(SYS_move_mount, b->tree, "", AT_FDCWD, b->dst,
			    MOVE_MOUNT_F_EMPTY_PATH) < 0)
			die(errno, "bind ", b->src, " on ", b->dst, NULL);
		close(b->tree);
		b->tree = -1;
	}
}

/* ---- cmd ---- */

/* Starts cmd in a session of its own (so signals can go to its process group); returns its pid,
 * or dies with exec's errno, which comes back over a close-on-exec pipe. */
static pid_t start_cmd(const struct config *c, const char *const *envp, const char *path)
{
	int p[2], err = 0;
	ssize_t k;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		die(errno, "pipe", NULL);
	pid = fork();
	if (pid < 0)
		die(errno, "fork cmd", NULL);
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		(void)setsid();
		umask(022);
		exec_in_path((char *const *)c->args, (char *const *)envp, path);
		err = errno;
		(void)!write(p[1], &err, sizeof(err));
		_exit(127);
	}
	close(p[1]);
	do
		k = read(p[0], &err, sizeof(err));
	while (k < 0 && errno == EINTR);
	close(p[0]);
	if (k == (ssize_t)sizeof(err)) {
		(void)waitpid(pid, NULL, 0);
		die(err, "exec cmd ", c->args[0], NULL);
	}
	return pid;
}

/* ---- signals ---- */

/* The signals we ignore, bit sig-1 each, from SigIgn in /proc/self/status (still the
 * launcher's /proc here, which shows us too): one read instead of a sigaction() per signal,
 * which were a third of this program's system calls. All bits set if it cannot be read. */
static uint64_t ignored_signals(void)
{
	char buf[2048], *p;
	uint64_t mask = 0;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ~(uint64_t)0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return ~(uint64_t)0;
	buf[n] = '\0';
	p = strstr(buf, "\nSigIgn:\t");
	if (!p)
		return ~(uint64_t)0;
	for (p += strlen("\nSigIgn:\t"); *p && *p != '\n'; p++) {
		int d = *p >= '0' && *p <= '9'	 ? *p - '0'
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
						 : -1;

		if (d < 0)
			return ~(uint64_t)0;
		mask = mask << 4 | (uint64_t)d;
	}
	return mask;
}

static void signals_default(uint64_t ignored)
{
	for (int sig = 1; sig < NSIG && sig <= 64; sig++) {
		struct sigaction sa = { .sa_handler = SIG_DFL };

		if ((ignored >> (sig - 1) & 1) && sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL); /* EINVAL for libc's reserved ones */
	}
}

/* ---- idle ---- */

static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The idle loop: all an idle node runs. */
static _Noreturn void idle(const sigset_t *sigs, pid_t cmd, bool exit_with_cmd)
{
	bool stopping = false;

	for (;;) {
		siginfo_t si;
		long sig = syscall(SYS_rt_sigtimedwait, sigs, &si, NULL, (long)(_NSIG / 8));
		long p;
		int st;

		if (sig < 0)
			continue;
		if (sig == SIGTERM) {
			/* Everyone but us: kill(-1) from PID 1 reaches exactly the node's processes
			 * (kernel/signal.c, kill_something_info: tasks with a pid in our
			 * namespace). */
			stopping = true;
			(void)syscall(SYS_kill, -1, SIGTERM);
			(void)syscall(SYS_kill, -1, SIGCONT);
		} else if (sig != SIGCHLD) {
			if (cmd > 0)
				(void)syscall(SYS_kill, -cmd, sig);
			continue;
		}
		/* Every child, orphans reparented to us included; SIGCHLDs coalesce. */
		while ((p = syscall(SYS_wait4, -1, &st, WNOHANG, NULL)) > 0) {
			if (p != cmd)
				continue;
			cmd = 0;
			if (exit_with_cmd)
				_exit(exit_code(st));
		}
		if (p < 0 && stopping) /* ECHILD: nobody left */
			_exit(0);
	}
}

int main(int argc, char **argv)
{
	struct config c = { 0 };
	sigset_t sigs;
	const char *buf, *path = DEFAULT_PATH;
	size_t len, n_env;
	pid_t cmd = 0;
	bool has_path = false, has_hostname = false, has_home = false;

	/* The launcher execs us with every signal blocked; exec reset its handlers but keeps
	 * ignored signals ignored (an `nohup nsctl up`): back to the defaults, for us and cmd. */
	signals_default(ignored_signals());
	/* Block exactly what the idle loop waits for before anything else: a SIGTERM during setup
	 * stays pending instead of being lost. PID 1 of a namespace gets only signals it handles,
	 * and a blocked signal counts (kernel/signal.c, sig_ignored()). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	(void)sigprocmask(SIG_SETMASK, &sigs, NULL);
	/* cmd and the shells of `nsctl exec` must not inherit either descriptor. */
	(void)fcntl(NSCTL_INIT_CONFIG_FD, F_SETFD, FD_CLOEXEC);
	if (fcntl(NSCTL_INIT_STATUS_FD, F_SETFD, FD_CLOEXEC) < 0)
		status_fd = -1;
	umask(0);

	buf = config_map(&len);
	config_walk(buf, len, &c);
	if (!c.hostname || !c.state || c.state[0] != '/')
		die(EINVAL, "config: hostname and an absolute state dir are required", NULL);

	const char *args[c.n_args + 1], *env[c.n_env + 4];
	struct bind binds[c.n_binds + 1];
	char hostname_env[HOST_NAME_MAX + 16];

	c.args = args;
	c.env = env;
	c.binds = binds;
	config_walk(buf, len, &c);

	host_files(&c);
	if (sethostname(c.hostname, strlen(c.hostname)) < 0)
		die(errno, "sethostname ", c.hostname, NULL);
	setup_root(&c);

	/* cmd's environment: the node's env, then PATH, HOSTNAME and HOME (root's, as container
	 * runtimes set it) unless it sets them. */
	for (size_t i = 0; i < c.n_env; i++) {
		if (strncmp(env[i], "PATH=", 5) == 0) {
			has_path = true;
			path = env[i] + 5;
		}
		has_hostname |= strncmp(env[i], "HOSTNAME=", 9) == 0;
		has_home |= strncmp(env[i], "HOME=", 5) == 0;
	}
	n_env = c.n_env;
	if (!has_path)
		env[n_env++] = "PATH=" DEFAULT_PATH;
	if (!has_hostname) {
		join(hostname_env, sizeof(hostname_env), "HOSTNAME=", c.hostname);
		env[n_env++] = hostname_env;
	}
	if (!has_home)
		env[n_env++] = "HOME=/root";
	env[n_env] = NULL;
	if (c.n_args > 0)
		cmd = start_cmd(&c, env, path);

	{
		struct nsctl_init_report ready = { .err = 0, .step = "ready" };

		write_all(status_fd, (const char *)&ready, sizeof(ready), "status");
		close(status_fd);
		status_fd = -1;
	}
	(void)munmap((void *)buf, len);
	close(NSCTL_INIT_CONFIG_FD);
	(void)argc;
	(void)argv;
	idle(&sigs, cmd, c.exit_with_cmd);
}
