/* SPDX-License-Identifier: MIT */
/* Node cgroups on cgroup v2 and v1 (see cgroup.h for the contracts).
 *
 * References: Documentation/admin-guide/cgroup-v2.rst (subtree_control, "no internal processes",
 * cgroup.kill, cgroup.freeze), cgroup-v1/{memory,freezer-subsystem,pids}.rst and
 * scheduler/sched-bwc.rst (cfs quota/period). Layout: v2 has one tree, so a node is one directory
 * <root>/nsctl/<lab>/<node>; v1 has one tree per mounted controller, so a node is that directory
 * in each of them, and a process joins a node by being written into each one's cgroup.procs. */
#include "nsctl/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"
#include "nsctl/cgroup-internal.h"

enum cg_ctrl {
	CG_MEMORY,
	CG_CPU,
	CG_CPUACCT,
	CG_PIDS,
	CG_FREEZER,
	_CG_CTRL_MAX,
};

static const char *const ctrl_names[_CG_CTRL_MAX] = {
	[CG_MEMORY] = "memory", [CG_CPU] = "cpu",	  [CG_CPUACCT] = "cpuacct",
	[CG_PIDS] = "pids",	[CG_FREEZER] = "freezer",
};

#define CFS_PERIOD_US	  100000u /* 100 ms: the kernel's default period, the one docs/ promise */
#define KILL_ROUND_MS	  200u	  /* a kill round gets this long before the next one starts */
#define POLL_INTERVAL_NS  2000000L
#define MAX_NESTING_DEPTH 32 /* cgroups a node's processes could have made below the node */
#define WAIT_BATCH	  32 /* pidfds watched at once while killed processes exit */
#define KILL_PER_PID_MS	  1u /* and the time allowed per killed process for them to exit */

struct cg {
	int version;
	bool fake;
	bool ignore_kill_file; /* tests: take the freeze path as kernels before 5.14 do */
	char *fail_write;      /* fake mode: writes to files of this name fail with -EIO */
	size_t n_hier;
	char *hier[_CG_CTRL_MAX]; /* distinct hierarchy roots; v2: hier[0] only */
	int ctrl[_CG_CTRL_MAX];	  /* index into hier[] per controller, -1 = not available */
	/* The lab whose nsctl/ and nsctl/<lab> a cg_node_create() through this handle made or
	 * found in every hierarchy (v2: with the controllers enabled down to it), so that the
	 * next node of that lab makes its own directories only. NULL = none known. */
	char *ready_lab;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

static bool has(const struct cg *c, enum cg_ctrl x)
{
	return c->ctrl[x] >= 0;
}

static bool name_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void nap(void)
{
	struct timespec ts = { .tv_nsec = POLL_INTERVAL_NS };

	nanosleep(&ts, NULL);
}

/* Returns "<hierarchy @h>/nsctl[/<lab>[/<node>]]", or NULL when out of memory. */
static char *cg_path(const struct cg *c, size_t h, const char *lab, const char *node)
{
	char *p = NULL;
	int r;

	if (node)
		r = asprintf(&p, "%s/nsctl/%s/%s", c->hier[h], lab, node);
	else if (lab)
		r = asprintf(&p, "%s/nsctl/%s", c->hier[h], lab);
	else
		r = asprintf(&p, "%s/nsctl", c->hier[h]);
	return r < 0 ? NULL : p;
}

/* Returns the node's directory in the hierarchy of @x in *@ret (NULL if @x is not available). */
static int ctrl_dir(const struct cg *c, enum cg_ctrl x, const char *lab, const char *node,
		    char **ret)
{
	if (!has(c, x)) {
		*ret = NULL;
		return 0;
	}
	*ret = cg_path(c, (size_t)c->ctrl[x], lab, node);
	return *ret ? 0 : -ENOMEM;
}

char **cg_paths_free(char **paths)
{
	if (!paths)
		return NULL;
	for (char **p = paths; *p; p++)
		free(*p);
	free(paths);
	return NULL;
}

/* Returns the node's directory in each hierarchy, NULL-terminated, with @suffix appended. */
static int node_paths(const struct cg *c, const char *lab, const char *node, const char *suffix,
		      char ***ret)
{
	_cleanup_(cg_paths_freep) char **v = NULL;

	if (!name_ok(lab) || !name_ok(node))
		return -EINVAL;
	v = calloc(c->n_hier + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t h = 0; h < c->n_hier; h++)
		if (asprintf(&v[h], "%s/nsctl/%s/%s%s", c->hier[h], lab, node, suffix) < 0) {
			v[h] = NULL;
			return -ENOMEM;
		}
	*ret = TAKE_PTR(v);
	return 0;
}

/* Reads all of @file (relative to directory fd @dfd, or a path with AT_FDCWD) into *@ret. */
static int read_file_at(int dfd, const char *file, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t len = 0, cap = 0;

	fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* cgroupfs files are seq_files: read until EOF, not just once (cgroup.procs can be big). */
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			char *nb = realloc(buf, cap ? cap * 2 : 4096);

			if (!nb)
				return -ENOMEM;
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

static int read_at(const char *dir, const char *file, char **ret)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	return read_file_at(AT_FDCWD, path, ret);
}

/* Writes @val to @dir/@file. An @optional file (one that depends on the kernel's version or
 * configuration) is skipped where it does not exist. Returns 1 written, 0 skipped, or -errno. */
static int write_at(const struct cg *c, const char *dir, const char *file, const char *val,
		    bool optional)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -EBADF;
	int flags = O_WRONLY | O_CLOEXEC;
	size_t len = strlen(val);
	ssize_t n;

	if (c->fake && c->fail_write && streq(file, c->fail_write))
		return -EIO;
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	/* cgroupfs makes a cgroup's control files on mkdir; a fake tree is plain directories. */
	if (c->fake && !optional)
		flags |= O_CREAT | O_TRUNC;
	fd = open(path, flags, 0644);
	if (fd < 0)
		return optional && errno == ENOENT ? 0 : -errno;
	/* One write() call: cgroupfs parses each call as one whole value. */
	n = write(fd, val, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 1 : -EIO;
}

static int parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	while (*s == ' ')
		s++;
	if (strncmp(s, "max", 3) == 0) {
		*ret = UINT64_MAX;
		return 0;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || (*end && *end != '\n' && *end != ' '))
		return -EINVAL;
	*ret = v;
	return 0;
}

static int read_u64(const char *dir, const char *file, uint64_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	int r;

	r = read_at(dir, file, &buf);
	return r < 0 ? r : parse_u64(buf, ret);
}

/* Reads the value of @key from a flat-keyed file ("key value" lines: cpu.stat, memory.events,
 * memory.oom_control, cgroup.events). Returns 0, -ENODATA if the key is absent, or -errno. */
static int read_key(const char *dir, const char *file, const char *key, uint64_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t klen = strlen(key);
	char *line;
	int r;

	r = read_at(dir, file, &buf);
	if (r < 0)
		return r;
	for (line = buf; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return parse_u64(line + klen + 1, ret);
		line = nl ? nl + 1 : NULL;
	}
	return -ENODATA;
}

static bool is_fs(const struct cg *c, const char *path, long magic)
{
	struct statfs sfs;

	/* The check keeps a plain directory (an unmounted mount point on the tmpfs of a v1 host)
	 * from passing for a cgroup; fake trees are plain directories on purpose. */
	if (c->fake)
		return true;
	return statfs(path, &sfs) == 0 && (long)sfs.f_type == magic;
}

static int parse_marker(struct cg *c, char *text)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "fail-write ", 11) == 0) {
			free(c->fail_write);
			c->fail_write = strdup(line + 11);
			if (!c->fail_write)
				return -ENOMEM;
		}
	}
	return 0;
}

static int detect_v2(struct cg *c, const char *root)
{
	_cleanup_free_ char *ctrls = NULL;
	char *save = NULL;
	int r;

	r = read_at(root, "cgroup.controllers", &ctrls);
	if (r < 0)
		return r;
	c->version = 2;
	c->hier[0] = strdup(root);
	if (!c->hier[0])
		return -ENOMEM;
	c->n_hier = 1;
	for (char *t = strtok_r(ctrls, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		for (int x = 0; x < _CG_CTRL_MAX; x++)
			if (streq(t, ctrl_names[x]))
				c->ctrl[x] = 0;
	/* cpu.stat usage_usec and cgroup.freeze/cgroup.kill are core files of every v2 cgroup,
	 * present whether or not a controller is enabled; "cpuacct" and "freezer" are v1 names. */
	c->ctrl[CG_CPUACCT] = 0;
	c->ctrl[CG_FREEZER] = 0;
	return 0;
}

static int detect_v1(struct cg *c, const char *root)
{
	struct stat seen[_CG_CTRL_MAX];

	c->version = 1;
	for (int x = 0; x < _CG_CTRL_MAX; x++) {
		_cleanup_free_ char *path = NULL;
		struct stat st;
		size_t h;

		if (asprintf(&path, "%s/%s", root, ctrl_names[x]) < 0)
			return -ENOMEM;
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    !is_fs(c, path, CGROUP_SUPER_MAGIC))
			continue;
		/* Co-mounted controllers (Debian's "cpu,cpuacct" with cpu and cpuacct symlinks, or
		 * one hierarchy mounted twice) are one tree: one superblock, one root inode. */
		for (h = 0; h < c->n_hier; h++)
			if (seen[h].st_dev == st.st_dev && seen[h].st_ino == st.st_ino)
				break;
		if (h == c->n_hier) {
			c->hier[h] = TAKE_PTR(path);
			seen[h] = st;
			c->n_hier++;
		}
		c->ctrl[x] = (int)h;
	}
	return 0;
}

int cg_detect(const char *root, struct cg **ret)
{
	_cleanup_(cg_freep) struct cg *c = NULL;
	_cleanup_free_ char *marker = NULL, *probe = NULL;
	struct stat st;
	int r;

	if (!root || !*root)
		return -EINVAL;
	if (stat(root, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (int x = 0; x < _CG_CTRL_MAX; x++)
		c->ctrl[x] = -1;

	r = read_at(root, CG_FAKE_MARKER, &marker);
	if (r >= 0) {
		c->fake = true;
		r = parse_marker(c, marker);
		if (r < 0)
			return r;
	} else if (r != -ENOENT) {
		return r;
	}

	if (asprintf(&probe, "%s/cgroup.controllers", root) < 0)
		return -ENOMEM;
	/* A hybrid host's cgroup2 lives at root/unified, not at root: root is then a tmpfs. */
	if (access(probe, F_OK) == 0 && is_fs(c, root, CGROUP2_SUPER_MAGIC))
		r = detect_v2(c, root);
	else
		r = detect_v1(c, root);
	if (r < 0)
		return r;
	if (c->n_hier == 0)
		return -EOPNOTSUPP;
	*ret = TAKE_PTR(c);
	return 0;
}

struct cg *cg_free(struct cg *c)
{
	if (!c)
		return NULL;
	for (size_t h = 0; h < c->n_hier; h++)
		free(c->hier[h]);
	free(c->fail_write);
	free(c->ready_lab);
	free(c);
	return NULL;
}

void cg_set_ignore_kill_file(struct cg *c, bool on)
{
	c->ignore_kill_file = on;
}

int cg_version(const struct cg *c)
{
	return c->version;
}

int cg_check(const struct cg *c, const struct cg_limits *l, const char **ret_missing)
{
	static const struct cg_limits none;
	bool need[_CG_CTRL_MAX] = { false };

	if (!l)
		l = &none;
	/* The kernel refuses quotas under 1 ms (sched-bwc.rst); docs/ allow cpu: 0.01 and up. */
	if (l->cpu_millis && l->cpu_millis < 10)
		return -ERANGE;
	need[CG_MEMORY] = l->memory > 0;
	need[CG_CPU] = l->cpu_millis > 0;
	need[CG_PIDS] = l->pids > 0;
	/* v1 has no cgroup.kill: the freezer is what stops a node's processes atomically. */
	need[CG_FREEZER] = c->version == 1;
	for (int x = 0; x < _CG_CTRL_MAX; x++)
		if (need[x] && !has(c, x)) {
			if (ret_missing)
				*ret_missing = ctrl_names[x];
			return -EOPNOTSUPP;
		}
	return 0;
}

/* Removes one cgroup directory. Real cgroupfs takes the control files with the directory; in a
 * fake tree they are plain files to unlink first, unless processes or cgroups remain, as the
 * kernel refuses those (-EBUSY). */
static int remove_one(const struct cg *c, const char *dir)
{
	if (c->fake) {
		_cleanup_(closedirp) DIR *d = NULL;
		_cleanup_free_ char *procs = NULL;
		struct dirent *de;

		if (read_at(dir, "cgroup.procs", &procs) >= 0 && strpbrk(procs, "0123456789"))
			return -EBUSY;
		d = opendir(dir);
		if (!d)
			return -errno;
		while ((de = readdir(d))) {
			struct stat st;

			if (streq(de->d_name, ".") || streq(de->d_name, ".."))
				continue;
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				return -errno;
			if (S_ISDIR(st.st_mode))
				return -EBUSY;
		}
		rewinddir(d);
		while ((de = readdir(d)))
			if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
				(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	if (rmdir(dir) < 0)
		return errno == ENOTEMPTY ? -EBUSY : -errno;
	return 0;
}

static bool is_subdir(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (streq(de->d_name, ".") || streq(de->d_name, ".."))
		return false;
	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Removes cgroup @dir after every cgroup below it (processes of a node may have made some).
 * Returns 0, -ENOENT if @dir does not exist, -EBUSY if processes remain, or -errno. */
static int remove_tree(const struct cg *c, const char *dir, unsigned depth)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r = 0, q;

	if (depth > MAX_NESTING_DEPTH)
		return -ELOOP;
	/* The common case is a leaf with nothing in it: one rmdir, no listing. The kernel refuses
	 * (-EBUSY) a cgroup with children or processes, and only then is the tree walked. */
	q = remove_one(c, dir);
	if (q != -EBUSY)
		return q;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (!is_subdir(d, de))
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		q = remove_tree(c, sub, depth + 1);
		if (q < 0 && q != -ENOENT && r == 0)
			r = q;
	}
	q = remove_one(c, dir);
	return r < 0 ? r : q;
}

/* Directories cg_node_create() made, so that a failure removes exactly those (and never a
 * directory someone else made: nsctl/ and nsctl/<lab> may belong to other nodes). */
struct undo {
	const struct cg *c;
	size_t n;
	char *dir[3 * _CG_CTRL_MAX];
};

static void undo_rollback(struct undo *u)
{
	while (u->n > 0) {
		char *d = u->dir[--u->n];

		/* Best effort: -EBUSY means another node of the lab appeared meanwhile. */
		(void)remove_one(u->c, d);
		free(d);
	}
}

static void undo_forget(struct undo *u)
{
	while (u->n > 0)
		free(u->dir[--u->n]);
}

/* Makes directory @path, recording it in @u. An existing one is fine if @may_exist (and not
 * recorded). Returns 0 or -errno (-EEXIST). */
static int undo_mkdir(struct undo *u, const char *path, bool may_exist)
{
	char *copy;

	if (u->n >= ELEMENTSOF(u->dir))
		return -E2BIG;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	if (mkdir(path, 0755) < 0) {
		int r = -errno;

		free(copy);
		return r == -EEXIST && may_exist ? 0 : r;
	}
	u->dir[u->n++] = copy;
	return 0;
}

/* Enables the controllers in @want that @dir's cgroup.subtree_control lacks, so that @dir's
 * children get them. Writing only the missing ones keeps an existing setup untouched. */
static int enable_v2(const struct cg *c, const char *dir, const bool want[_CG_CTRL_MAX])
{
	/* Alphabetical, the order cgroup.subtree_control itself lists them in. */
	static const enum cg_ctrl order[] = { CG_CPU, CG_MEMORY, CG_PIDS };
	_cleanup_free_ char *cur = NULL;
	bool on[_CG_CTRL_MAX] = { false };
	char buf[64] = "", *save = NULL;
	int r;

	r = read_at(dir, "cgroup.subtree_control", &cur);
	if (r == -ENOENT && c->fake)
		r = 0; /* a fake directory made by mkdir has no control files yet */
	else if (r < 0)
		return r;
	for (char *t = cur ? strtok_r(cur, " \n", &save) : NULL; t;
	     t = strtok_r(NULL, " \n", &save))
		for (int x = 0; x < _CG_CTRL_MAX; x++)
			if (streq(t, ctrl_names[x]))
				on[x] = true;
	for (size_t i = 0; i < ELEMENTSOF(order); i++)
		if (want[order[i]] && !on[order[i]]) {
			if (buf[0])
				strcat(buf, " ");
			strcat(buf, "+");
			strcat(buf, ctrl_names[order[i]]);
		}
	if (!buf[0])
		return 0;
	r = write_at(c, dir, "cgroup.subtree_control", buf, false);
	return r < 0 ? r : 0;
}

/* Makes nsctl/ and nsctl/<lab> in hierarchy @h where they do not exist yet. */
static int mkdir_lab(const struct cg *c, struct undo *u, size_t h, const char *lab)
{
	_cleanup_free_ char *top = cg_path(c, h, NULL, NULL), *labdir = cg_path(c, h, lab, NULL);
	int r;

	if (!top || !labdir)
		return -ENOMEM;
	r = undo_mkdir(u, top, true);
	return r < 0 ? r : undo_mkdir(u, labdir, true);
}

/* @dir is the node's directory; @known: the lab is set up (struct cg.ready_lab). */
static int create_v2(const struct cg *c, struct undo *u, const char *lab, const char *dir,
		     bool known, const struct cg_limits *l)
{
	_cleanup_free_ char *top = NULL, *labdir = NULL;
	bool want[_CG_CTRL_MAX] = { false };
	char buf[64];
	int r;

	/* Every available one, not just the limited ones: statistics (memory.current, pids.current)
	 * exist only where the controller is enabled. */
	want[CG_MEMORY] = has(c, CG_MEMORY);
	want[CG_CPU] = has(c, CG_CPU);
	want[CG_PIDS] = has(c, CG_PIDS);

	/* "No internal processes" (cgroup-v2.rst): controllers are enabled from the root down on
	 * the inner cgroups nsctl and nsctl/<lab>, which hold no process; only the leaf
	 * nsctl/<lab>/<node> ever does. The root cgroup is exempt from the rule. A parent cannot
	 * take back a controller its children enable (-EBUSY), so once the lab has them it keeps
	 * them: a known lab needs no reading of subtree_control. */
	if (!known) {
		top = cg_path(c, 0, NULL, NULL);
		labdir = cg_path(c, 0, lab, NULL);
		if (!top || !labdir)
			return -ENOMEM;
		r = enable_v2(c, c->hier[0], want);
		if (r < 0)
			return r;
		r = undo_mkdir(u, top, true);
		if (r < 0)
			return r;
		r = enable_v2(c, top, want);
		if (r < 0)
			return r;
		r = undo_mkdir(u, labdir, true);
		if (r < 0)
			return r;
		r = enable_v2(c, labdir, want);
		if (r < 0)
			return r;
	}
	r = undo_mkdir(u, dir, false);
	if (r < 0)
		return r;

	if (l->memory) {
		snprintf(buf, sizeof(buf), "%" PRIu64, l->memory);
		r = write_at(c, dir, "memory.max", buf, false);
		if (r < 0)
			return r;
		/* memory.max bounds RAM only; without swap.max a node would swap past its limit.
		 * 0 makes "memory" mean RAM + swap as on v1 (memsw). Absent without swap
		 * accounting. */
		r = write_at(c, dir, "memory.swap.max", "0", true);
		if (r < 0)
			return r;
	}
	if (l->cpu_millis) {
		/* millis/1000 of a core = millis * 100 µs per 100 ms period. */
		snprintf(buf, sizeof(buf), "%" PRIu64 " %u", (uint64_t)l->cpu_millis * 100,
			 CFS_PERIOD_US);
		r = write_at(c, dir, "cpu.max", buf, false);
		if (r < 0)
			return r;
	}
	if (l->pids) {
		snprintf(buf, sizeof(buf), "%" PRIu32, l->pids);
		r = write_at(c, dir, "pids.max", buf, false);
		if (r < 0)
			return r;
	}
	return 0;
}

/* @dirs are the node's directories, one per hierarchy; @known as for create_v2(). */
static int create_v1(const struct cg *c, struct undo *u, const char *lab, char **dirs, bool known,
		     const struct cg_limits *l)
{
	char buf[64];
	int r;

	/* The node exists in every hierarchy, limited or not: the freezer is needed to kill, the
	 * others give statistics, and a process then has one consistent place in all trees. */
	for (size_t h = 0; h < c->n_hier; h++) {
		if (!known) {
			r = mkdir_lab(c, u, h, lab);
			if (r < 0)
				return r;
		}
		r = undo_mkdir(u, dirs[h], false);
		if (r < 0)
			return r;
	}

	if (l->memory) {
		const char *dir = dirs[c->ctrl[CG_MEMORY]];

		snprintf(buf, sizeof(buf), "%" PRIu64, l->memory);
		r = write_at(c, dir, "memory.limit_in_bytes", buf, false);
		if (r < 0)
			return r;
		/* RAM + swap (memory.rst 2.4); after limit_in_bytes, which must stay <= memsw.
		 * Absent when the kernel does no swap accounting (swapaccount=0). */
		r = write_at(c, dir, "memory.memsw.limit_in_bytes", buf, true);
		if (r < 0)
			return r;
	}
	if (l->cpu_millis) {
		const char *dir = dirs[c->ctrl[CG_CPU]];

		/* The period first: the quota is relative to it (sched-bwc.rst). */
		snprintf(buf, sizeof(buf), "%u", CFS_PERIOD_US);
		r = write_at(c, dir, "cpu.cfs_period_us", buf, false);
		if (r < 0)
			return r;
		snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)l->cpu_millis * 100);
		r = write_at(c, dir, "cpu.cfs_quota_us", buf, false);
		if (r < 0)
			return r;
	}
	if (l->pids) {
		snprintf(buf, sizeof(buf), "%" PRIu32, l->pids);
		r = write_at(c, dirs[c->ctrl[CG_PIDS]], "pids.max", buf, false);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_node_create(struct cg *c, const char *lab, const char *node, const struct cg_limits *l)
{
	static const struct cg_limits none;
	_cleanup_(undo_rollback) struct undo u = { .c = c };
	_cleanup_(cg_paths_freep) char **dirs = NULL;
	bool known;
	int r;

	if (!name_ok(lab) || !name_ok(node))
		return -EINVAL;
	if (!l)
		l = &none;
	/* Before anything is made: a missing controller must leave nothing behind. */
	r = cg_check(c, l, NULL);
	if (r < 0)
		return r;
	r = node_paths(c, lab, node, "", &dirs);
	if (r < 0)
		return r;
	/* A known lab (this handle made or found it for an earlier node) costs one mkdir per
	 * hierarchy instead of three; the lab lock keeps other nsctl processes from removing it,
	 * and if it went anyway (-ENOENT from the node's mkdir) the full path below runs.
	 *
	 * nsctl/ is shared by all labs: another lab's removal can rmdir it between our mkdir and
	 * the next step (-ENOENT). Undo and start over a few times rather than fail the lab.
	 * Attempt -1 is the short one for a known lab. */
	known = c->ready_lab && streq(c->ready_lab, lab);
	for (int attempt = known ? -1 : 0; attempt < 3; attempt++) {
		r = c->version == 2 ? create_v2(c, &u, lab, dirs[0], attempt < 0, l)
				    : create_v1(c, &u, lab, dirs, attempt < 0, l);
		if (r != -ENOENT)
			break;
		undo_rollback(&u);
		/* The full path's undo may take the lab's directories: not known any more. */
		free(c->ready_lab);
		c->ready_lab = NULL;
	}
	if (r < 0)
		return r;
	undo_forget(&u);
	/* Remembering is an optimisation only: out of memory just means the full path next time. */
	if (!c->ready_lab || !streq(c->ready_lab, lab)) {
		free(c->ready_lab);
		c->ready_lab = strdup(lab);
	}
	return 0;
}

int cg_node_procs_paths(const struct cg *c, const char *lab, const char *node, char ***ret)
{
	return node_paths(c, lab, node, "/cgroup.procs", ret);
}

int cg_node_attach(const struct cg *c, const char *lab, const char *node, pid_t pid)
{
	_cleanup_(cg_paths_freep) char **dirs = NULL;
	char buf[32];
	int r;

	if (pid <= 0)
		return -EINVAL;
	r = node_paths(c, lab, node, "", &dirs);
	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	/* Writing a pid moves the whole thread group (cgroup.procs, not tasks). */
	for (char **d = dirs; *d; d++) {
		r = write_at(c, *d, "cgroup.procs", buf, false);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Appends the pids in cgroup @name (relative to @dfd, or a path with AT_FDCWD) and in every
 * cgroup below it to *@pids. A vanished cgroup adds none. Directory fds, not paths: a lab has a
 * cgroup per node, and a lookup relative to the parent costs one path component, not eight. */
static int collect_pids_at(int dfd, const char *name, unsigned depth, pid_t **pids, size_t *n)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_free_ char *procs = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct dirent *de;
	struct stat st;
	char *save = NULL;
	int r;

	if (depth > MAX_NESTING_DEPTH)
		return -ELOOP;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* -ENOENT/-ENODEV: the cgroup went away meanwhile (or a fake one has no such file). */
	r = read_file_at(fd, "cgroup.procs", &procs);
	if (r < 0 && r != -ENOENT && r != -ENODEV)
		return r;
	for (char *t = procs ? strtok_r(procs, "\n", &save) : NULL; t;
	     t = strtok_r(NULL, "\n", &save)) {
		long v = strtol(t, NULL, 10);
		pid_t *slot;

		if (v <= 0)
			continue;
		slot = grow_one(pids, n, sizeof(**pids));
		if (!slot)
			return -ENOMEM;
		*slot = (pid_t)v;
	}
	/* kernfs gives a directory 2 + its subdirectories as link count (as ext4 and tmpfs do):
	 * a leaf cgroup, the common case, needs no listing. Other counts (1 on btrfs) list. */
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_nlink == 2)
		return 0;
	d = fdopendir(fd);
	if (!d)
		return -errno;
	TAKE_FD(fd);
	while ((de = readdir(d))) {
		if (!is_subdir(d, de))
			continue;
		r = collect_pids_at(dirfd(d), de->d_name, depth + 1, pids, n);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Appends the pids of the subtrees of @dirs (NULL-terminated) to *@pids. */
static int collect_pids(char **dirs, pid_t **pids, size_t *n)
{
	int r;

	for (char **d = dirs; *d; d++) {
		r = collect_pids_at(AT_FDCWD, *d, 0, pids, n);
		if (r < 0)
			return r;
	}
	return 0;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Sorts @pids and drops duplicates (on v1 a process is listed once per hierarchy); returns the
 * new count. */
static size_t pids_unique(pid_t *pids, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return 0;
	qsort(pids, n, sizeof(*pids), pid_cmp);
	for (size_t i = 1; i < n; i++)
		if (pids[i] != pids[k])
			pids[++k] = pids[i];
	return k + 1;
}

/* Returns 1 if no process is left in the subtrees of @dirs, 0 if some is, or -errno. */
static int subtree_empty(const struct cg *c, char **dirs)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r;

	if (c->version == 2) {
		uint64_t v = 0;

		/* "populated" covers the cgroup and every one below it and drops when the last
		 * task exits, zombies aside (cgroup-v2.rst, "Core Interface Files"): one read, no
		 * walk. Fake trees have no cgroup.events, a vanished cgroup neither: count then. */
		r = read_key(dirs[0], "cgroup.events", "populated", &v);
		if (r >= 0)
			return v == 0;
		if (r != -ENOENT && r != -ENODEV)
			return r;
	}
	/* v1 has no populated flag: the cgroup.procs of every cgroup of the subtree it is. */
	r = collect_pids(dirs, &pids, &n);
	return r < 0 ? r : n == 0;
}

/* Freezes (@on) or thaws cgroup @dir and every cgroup below it (v2: cgroup.freeze; v1:
 * freezer.state of the freezer hierarchy, whose state descendants follow). @dir NULL = no
 * freezer. Returns 1 if it did, 0 if this kernel cannot (no v1 freezer, v2 before 5.2), or
 * -errno; a vanished cgroup counts as done. */
static int set_frozen(const struct cg *c, const char *dir, bool on, uint64_t deadline)
{
	int r;

	if (!dir)
		return 0;
	if (c->version == 2) {
		r = write_at(c, dir, "cgroup.freeze", on ? "1" : "0", true);
		if (r <= 0)
			return r == -ENOENT ? 1 : r;
		/* The write starts freezing; cgroup.events says "frozen 1" once every task is
		 * stopped (cgroup-v2.rst, "Core Interface Files"). Thawing needs no wait. */
		while (on && now_ms() < deadline) {
			uint64_t v = 0;

			r = read_key(dir, "cgroup.events", "frozen", &v);
			if (r < 0 || v == 1)
				break; /* fake trees have no cgroup.events: nothing to wait for */
			nap();
		}
		return 1;
	}

	r = write_at(c, dir, "freezer.state", on ? "FROZEN" : "THAWED", false);
	if (r < 0)
		return r == -ENOENT ? 1 : r;
	/* v1 reads "FREEZING" until every task is frozen (freezer-subsystem.rst); a parent reads
	 * FROZEN only once all its descendants are. A task stuck in an uninterruptible sleep can
	 * keep it there; then the deadline ends the wait. */
	while (on && now_ms() < deadline) {
		_cleanup_free_ char *state = NULL;

		r = read_at(dir, "freezer.state", &state);
		if (r < 0 || strncmp(state, "FROZEN", 6) == 0)
			break;
		nap();
	}
	return 1;
}

/* v1: thaws @dir and every cgroup below it. A cgroup frozen in its own right (a kill
 * interrupted between its freeze and thaw, or a node's process freezing a cgroup it made) stays
 * frozen when its parent thaws, and v1 delivers a SIGKILL only once the task is thawed. */
static int thaw_tree(const struct cg *c, const char *dir, unsigned depth)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	if (depth > MAX_NESTING_DEPTH)
		return -ELOOP;
	r = write_at(c, dir, "freezer.state", "THAWED", false);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (!is_subdir(d, de))
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		r = thaw_tree(c, sub, depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One attempt at killing every process in the subtrees of @dirs. @fdir is the cgroup whose
 * freezer stops them all (NULL: none); @deep thaws every cgroup below it too (a later round:
 * something survived the first). The pids signalled are returned in *@ret_pids, *@ret_n (none
 * when the kernel killed the subtree itself). */
static int kill_round(const struct cg *c, const char *fdir, char **dirs, bool deep,
		      uint64_t deadline, pid_t **ret_pids, size_t *ret_n)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r, q;

	if (c->version == 2 && !c->ignore_kill_file) {
		/* cgroup.kill (5.14, commit 661ee6280931) SIGKILLs the whole subtree inside the
		 * kernel, with no window for a fork to escape. */
		r = write_at(c, dirs[0], "cgroup.kill", "1", true);
		if (r == -ENOENT)
			return 0;
		if (r != 0)
			return r < 0 ? r : 0;
	}

	/* Frozen tasks can neither fork nor exit, so the pids read below stay those of this
	 * subtree's processes until the signal is sent: no pid reuse, no child born after the
	 * read. */
	r = set_frozen(c, fdir, true, deadline);
	if (r >= 0)
		r = collect_pids(dirs, &pids, &n);
	n = pids_unique(pids, n);
	/* A fake tree's cgroup.procs is a plain file: never signal what it names. */
	for (size_t i = 0; r >= 0 && !c->fake && i < n; i++)
		if (kill(pids[i], SIGKILL) < 0 && errno != ESRCH)
			r = -errno;
	/* Thaw in every case: v1 delivers the SIGKILLs only to thawed tasks, and a subtree left
	 * frozen would hang. */
	if (deep && c->version == 1 && fdir)
		q = thaw_tree(c, fdir, 0);
	else
		q = set_frozen(c, fdir, false, deadline);
	if (r < 0)
		return r;
	if (q < 0)
		return q;
	*ret_pids = TAKE_PTR(pids);
	*ret_n = n;
	return 0;
}

struct pidfds {
	size_t n;
	struct pollfd p[WAIT_BATCH];
};

static void pidfds_close(struct pidfds *w)
{
	while (w->n > 0)
		close(w->p[--w->n].fd);
}

/* Waits until each of @pids has exited (a zombie has), watching WAIT_BATCH pidfds at a time:
 * few descriptors (RLIMIT_NOFILE may be 1024), and no re-reading of a cgroup.procs per node.
 * Gives up when none of the watched processes exits for a while: a task frozen by a cgroup of
 * its own, an unkillable one, or a pid reused by another process after the kill; the caller's
 * count decides then. The while grows with @n: killed processes die one after the other, in
 * the scheduler's order, not ours (~0.4 ms each on a 2-CPU VM: a lab of a thousand takes
 * ~0.4 s), so the watched few may all be among the last. Giving up early only costs a round.
 * Returns 0, -ETIMEDOUT, or another negative errno (-ENOSYS before Linux 5.3, -EMFILE). */
static int wait_exited(const pid_t *pids, size_t n, uint64_t deadline)
{
#ifdef SYS_pidfd_open
	_cleanup_(pidfds_close) struct pidfds w = { 0 };
	uint64_t idle = KILL_ROUND_MS + n * KILL_PER_PID_MS, idle_end = now_ms() + idle;
	size_t next = 0;

	for (;;) {
		uint64_t t, until;
		int r;

		while (w.n < WAIT_BATCH && next < n) {
			int fd = (int)syscall(SYS_pidfd_open, pids[next], 0);

			if (fd < 0 && errno != ESRCH) /* ESRCH: exited and reaped already */
				return -errno;
			next++;
			if (fd >= 0)
				w.p[w.n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
		if (w.n == 0)
			return 0;
		t = now_ms();
		until = idle_end < deadline ? idle_end : deadline;
		if (t >= until)
			return -ETIMEDOUT;
		/* A pidfd polls readable once its whole thread group has exited (pidfd_open(2)). */
		r = poll(w.p, w.n, (int)(until - t > INT_MAX ? INT_MAX : until - t));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		idle_end = now_ms() + idle;
		for (size_t i = w.n; i-- > 0;)
			if (w.p[i].revents) {
				close(w.p[i].fd);
				w.p[i] = w.p[--w.n];
			}
	}
#else
	return -ENOSYS;
#endif
}

/* Kills everything in the subtrees of @dirs (see kill_round()) and waits until none of it is
 * left, in rounds: a process that escaped a round (a fork while v1 was only FREEZING, v2
 * without a freezer) is caught by the next. */
static int kill_and_wait(const struct cg *c, const char *fdir, char **dirs, uint64_t deadline)
{
	for (unsigned round = 0;; round++) {
		_cleanup_free_ pid_t *pids = NULL;
		uint64_t round_end;
		size_t n = 0;
		int r;

		r = kill_round(c, fdir, dirs, round > 0, deadline, &pids, &n);
		if (r < 0)
			return r;
		/* Any failure (-ENOSYS, -EMFILE, no progress) leaves the decision to the count
		 * below. Fake pids are never waited for: nothing killed them. */
		if (!c->fake && n > 0)
			(void)wait_exited(pids, n, deadline);
		round_end = now_ms() + KILL_ROUND_MS;
		if (round_end > deadline)
			round_end = deadline;
		/* A task leaves its cgroup when it exits (cgroup_exit()), before its parent reaps
		 * it: zombies are not waited for. */
		for (;;) {
			r = subtree_empty(c, dirs);
			if (r != 0)
				return r < 0 ? r : 0;
			if (now_ms() >= deadline)
				return -ETIMEDOUT;
			/* Still there after a round: one escaped (a fork while v1 was only
			 * FREEZING, or v2 without a freezer). Another round gets it. */
			if (now_ms() >= round_end)
				break;
			nap();
		}
	}
}

int cg_node_kill(const struct cg *c, const char *lab, const char *node, unsigned timeout_ms)
{
	_cleanup_(cg_paths_freep) char **dirs = NULL;
	uint64_t deadline = now_ms() + timeout_ms;
	const char *fdir;
	int r;

	r = node_paths(c, lab, node, "", &dirs);
	if (r < 0)
		return r;
	/* Nothing to kill (after cg_lab_kill(), or the cgroup is gone): no freeze and thaw, which
	 * cost a few ms of kernel time each on v1. */
	r = subtree_empty(c, dirs);
	if (r != 0)
		return r < 0 ? r : 0;
	fdir = c->version == 2 ? dirs[0] : has(c, CG_FREEZER) ? dirs[c->ctrl[CG_FREEZER]] : NULL;
	return kill_and_wait(c, fdir, dirs, deadline);
}

int cg_lab_kill(const struct cg *c, const char *lab, unsigned timeout_ms)
{
	_cleanup_(cg_paths_freep) char **dirs = NULL;
	uint64_t deadline = now_ms() + timeout_ms;
	const char *fdir = NULL;
	bool any = false;
	size_t k = 0;

	if (!name_ok(lab))
		return -EINVAL;
	dirs = calloc(c->n_hier + 1, sizeof(*dirs));
	if (!dirs)
		return -ENOMEM;
	/* v1: every process of a node is in every hierarchy (the launcher writes each
	 * cgroup.procs), so the freezer's lab subtree names them all, and reading one hierarchy
	 * instead of five matters at a cgroup per node. Without a freezer, all of them. */
	for (size_t h = 0; h < c->n_hier; h++) {
		if (c->version == 1 && has(c, CG_FREEZER) && h != (size_t)c->ctrl[CG_FREEZER])
			continue;
		dirs[k] = cg_path(c, h, lab, NULL);
		if (!dirs[k])
			return -ENOMEM;
		any = any || access(dirs[k], F_OK) == 0;
		k++;
	}
	if (!any)
		return 0; /* idempotent: no such lab */
	if (c->version == 2 || has(c, CG_FREEZER))
		fdir = dirs[0];
	return kill_and_wait(c, fdir, dirs, deadline);
}

int cg_node_remove(const struct cg *c, const char *lab, const char *node)
{
	_cleanup_(cg_paths_freep) char **dirs = NULL;
	int r, ret = 0;

	r = node_paths(c, lab, node, "", &dirs);
	if (r < 0)
		return r;
	/* Every hierarchy even after a failure: leave as little as possible. */
	for (char **d = dirs; *d; d++) {
		r = remove_tree(c, *d, 0);
		if (r < 0 && r != -ENOENT && ret == 0)
			ret = r;
	}
	return ret;
}

int cg_lab_remove(struct cg *c, const char *lab)
{
	int r, ret = 0;

	if (!name_ok(lab))
		return -EINVAL;
	/* Whatever follows, the lab may be gone in some hierarchy: a later cg_node_create() must
	 * take the full path. */
	if (c->ready_lab && streq(c->ready_lab, lab)) {
		free(c->ready_lab);
		c->ready_lab = NULL;
	}
	for (size_t h = 0; h < c->n_hier; h++) {
		_cleanup_free_ char *labdir = cg_path(c, h, lab, NULL);

		if (!labdir)
			return -ENOMEM;
		r = remove_tree(c, labdir, 0);
		if (r < 0 && r != -ENOENT && ret == 0)
			ret = r;
	}
	for (size_t h = 0; h < c->n_hier; h++) {
		_cleanup_free_ char *top = cg_path(c, h, NULL, NULL);

		if (!top)
			return -ENOMEM;
		/* Shared by every lab: it goes with the last one, and -EBUSY means another lab. */
		r = remove_one(c, top);
		if (r < 0 && r != -ENOENT && r != -EBUSY && ret == 0)
			ret = r;
	}
	return ret;
}

/* Stores a statistic read with result @r, or leaves it unknown when the file or key is absent. */
static int stat_field(int r, uint64_t v, uint64_t *field)
{
	if (r == -ENOENT || r == -ENODATA || r == -EINVAL || r == -EOPNOTSUPP)
		return 0;
	if (r < 0)
		return r;
	*field = v;
	return 0;
}

int cg_node_stat(const struct cg *c, const char *lab, const char *node, struct cg_stat *ret)
{
	_cleanup_free_ char *first = NULL, *cpu = NULL, *mem = NULL, *pids = NULL;
	struct cg_stat s = { CG_STAT_UNKNOWN, CG_STAT_UNKNOWN, CG_STAT_UNKNOWN, CG_STAT_UNKNOWN };
	uint64_t v = 0;
	int r;

	if (!name_ok(lab) || !name_ok(node))
		return -EINVAL;
	first = cg_path(c, 0, lab, node);
	if (!first)
		return -ENOMEM;
	if (access(first, F_OK) < 0)
		return -errno;
	r = ctrl_dir(c, CG_CPUACCT, lab, node, &cpu);
	if (r >= 0)
		r = ctrl_dir(c, CG_MEMORY, lab, node, &mem);
	if (r >= 0)
		r = ctrl_dir(c, CG_PIDS, lab, node, &pids);
	if (r < 0)
		return r;

	if (cpu) {
		if (c->version == 2) {
			r = read_key(cpu, "cpu.stat", "usage_usec", &v);
		} else {
			r = read_u64(cpu, "cpuacct.usage", &v); /* nanoseconds */
			v /= 1000;
		}
		r = stat_field(r, v, &s.cpu_usec);
		if (r < 0)
			return r;
	}
	if (mem) {
		r = read_u64(mem, c->version == 2 ? "memory.current" : "memory.usage_in_bytes", &v);
		r = stat_field(r, v, &s.memory_current);
		if (r < 0)
			return r;
		/* v1 reports the count in memory.oom_control since 4.13. */
		r = c->version == 2 ? read_key(mem, "memory.events", "oom_kill", &v)
				    : read_key(mem, "memory.oom_control", "oom_kill", &v);
		r = stat_field(r, v, &s.oom_kills);
		if (r < 0)
			return r;
	}
	if (pids) {
		r = read_u64(pids, "pids.current", &v);
		r = stat_field(r, v, &s.pids_current);
		if (r < 0)
			return r;
	}
	*ret = s;
	return 0;
}
