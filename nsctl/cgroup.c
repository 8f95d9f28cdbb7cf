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
#include <linux/magic.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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

struct cg {
	int version;
	bool fake;
	bool ignore_kill_file; /* tests: take the freeze path as kernels before 5.14 do */
	char *fail_write;      /* fake mode: writes to files of this name fail with -EIO */
	size_t n_hier;
	char *hier[_CG_CTRL_MAX]; /* distinct hierarchy roots; v2: hier[0] only */
	int ctrl[_CG_CTRL_MAX];	  /* index into hier[] per controller, -1 = not available */
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

static int read_at(const char *dir, const char *file, char **ret)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t len = 0, cap = 0;

	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
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

static int create_v2(const struct cg *c, struct undo *u, const char *lab, const char *node,
		     const struct cg_limits *l)
{
	_cleanup_free_ char *top = cg_path(c, 0, NULL, NULL), *labdir = cg_path(c, 0, lab, NULL),
			    *dir = cg_path(c, 0, lab, node);
	bool want[_CG_CTRL_MAX] = { false };
	char buf[64];
	int r;

	if (!top || !labdir || !dir)
		return -ENOMEM;
	/* Every available one, not just the limited ones: statistics (memory.current, pids.current)
	 * exist only where the controller is enabled. */
	want[CG_MEMORY] = has(c, CG_MEMORY);
	want[CG_CPU] = has(c, CG_CPU);
	want[CG_PIDS] = has(c, CG_PIDS);

	/* "No internal processes" (cgroup-v2.rst): controllers are enabled from the root down on
	 * the inner cgroups nsctl and nsctl/<lab>, which hold no process; only the leaf
	 * nsctl/<lab>/<node> ever does. The root cgroup is exempt from the rule. */
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

static int create_v1(const struct cg *c, struct undo *u, const char *lab, const char *node,
		     const struct cg_limits *l)
{
	char buf[64];
	int r;

	/* The node exists in every hierarchy, limited or not: the freezer is needed to kill, the
	 * others give statistics, and a process then has one consistent place in all trees. */
	for (size_t h = 0; h < c->n_hier; h++) {
		_cleanup_free_ char *top = cg_path(c, h, NULL, NULL),
				    *labdir = cg_path(c, h, lab, NULL),
				    *dir = cg_path(c, h, lab, node);

		if (!top || !labdir || !dir)
			return -ENOMEM;
		r = undo_mkdir(u, top, true);
		if (r < 0)
			return r;
		r = undo_mkdir(u, labdir, true);
		if (r < 0)
			return r;
		r = undo_mkdir(u, dir, false);
		if (r < 0)
			return r;
	}

	if (l->memory) {
		_cleanup_free_ char *dir = NULL;

		r = ctrl_dir(c, CG_MEMORY, lab, node, &dir);
		if (r < 0)
			return r;
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
		_cleanup_free_ char *dir = NULL;

		r = ctrl_dir(c, CG_CPU, lab, node, &dir);
		if (r < 0)
			return r;
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
		_cleanup_free_ char *dir = NULL;

		r = ctrl_dir(c, CG_PIDS, lab, node, &dir);
		if (r < 0)
			return r;
		snprintf(buf, sizeof(buf), "%" PRIu32, l->pids);
		r = write_at(c, dir, "pids.max", buf, false);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_node_create(const struct cg *c, const char *lab, const char *node, const struct cg_limits *l)
{
	static const struct cg_limits none;
	_cleanup_(undo_rollback) struct undo u = { .c = c };
	int r;

	if (!name_ok(lab) || !name_ok(node))
		return -EINVAL;
	if (!l)
		l = &none;
	/* Before anything is made: a missing controller must leave nothing behind. */
	r = cg_check(c, l, NULL);
	if (r < 0)
		return r;
	/* nsctl/ is shared by all labs: another lab's removal can rmdir it between our mkdir and
	 * the next step (-ENOENT). Undo and start over a few times rather than fail the lab. */
	for (int attempt = 0; attempt < 3; attempt++) {
		r = c->version == 2 ? create_v2(c, &u, lab, node, l)
				    : create_v1(c, &u, lab, node, l);
		if (r != -ENOENT)
			break;
		undo_rollback(&u);
	}
	if (r < 0)
		return r;
	undo_forget(&u);
	return 0;
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

/* Appends the pids in @dir and in every cgroup below it to *@pids. A vanished cgroup adds none. */
static int collect_pids(const char *dir, unsigned depth, pid_t **pids, size_t *n)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_free_ char *procs = NULL;
	struct dirent *de;
	char *save = NULL;
	int r;

	if (depth > MAX_NESTING_DEPTH)
		return -ELOOP;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	/* -ENOENT/-ENODEV: the cgroup went away meanwhile (or a fake one has no such file). */
	r = read_at(dir, "cgroup.procs", &procs);
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
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (!is_subdir(d, de))
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		r = collect_pids(sub, depth + 1, pids, n);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Returns the number of processes in the node (all hierarchies, with duplicates), or -errno. */
static int count_pids(char **dirs)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r;

	for (char **d = dirs; *d; d++) {
		r = collect_pids(*d, 0, &pids, &n);
		if (r < 0)
			return r;
	}
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

/* Freezes (@on) or thaws the node. Returns 1 if it did, 0 if this kernel cannot (v2 before 5.2),
 * or -errno; a vanished cgroup (-ENOENT) counts as done. */
static int set_frozen(const struct cg *c, char **dirs, bool on, uint64_t deadline)
{
	_cleanup_free_ char *fdir = NULL;
	int r;

	if (c->version == 2) {
		r = write_at(c, dirs[0], "cgroup.freeze", on ? "1" : "0", true);
		if (r <= 0)
			return r == -ENOENT ? 1 : r;
		/* The write starts freezing; cgroup.events says "frozen 1" once every task is
		 * stopped (cgroup-v2.rst, "Core Interface Files"). Thawing needs no wait. */
		while (on && now_ms() < deadline) {
			uint64_t v = 0;

			r = read_key(dirs[0], "cgroup.events", "frozen", &v);
			if (r < 0 || v == 1)
				break; /* fake trees have no cgroup.events: nothing to wait for */
			nap();
		}
		return 1;
	}

	if (!has(c, CG_FREEZER))
		return 0;
	fdir = strdup(dirs[c->ctrl[CG_FREEZER]]);
	if (!fdir)
		return -ENOMEM;
	r = write_at(c, fdir, "freezer.state", on ? "FROZEN" : "THAWED", false);
	if (r < 0)
		return r == -ENOENT ? 1 : r;
	/* v1 reads "FREEZING" until every task is frozen (freezer-subsystem.rst). A task stuck in
	 * an uninterruptible sleep can keep it there; then the deadline ends the wait. */
	while (on && now_ms() < deadline) {
		_cleanup_free_ char *state = NULL;

		r = read_at(fdir, "freezer.state", &state);
		if (r < 0 || strncmp(state, "FROZEN", 6) == 0)
			break;
		nap();
	}
	return 1;
}

/* One attempt at killing everything in the node. */
static int kill_round(const struct cg *c, char **dirs, uint64_t deadline)
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

	/* Frozen tasks can neither fork nor exit, so the pids read below stay those of this node's
	 * processes until the signal is sent: no pid reuse, no child born after the read. */
	r = set_frozen(c, dirs, true, deadline);
	if (r < 0)
		return r;
	for (char **d = dirs; *d && r >= 0; d++)
		r = collect_pids(*d, 0, &pids, &n);
	/* A fake tree's cgroup.procs is a plain file: never signal what it names. */
	for (size_t i = 0; r >= 0 && !c->fake && i < n; i++)
		if (kill(pids[i], SIGKILL) < 0 && errno != ESRCH)
			r = -errno;
	/* Thaw in every case: v1 delivers the SIGKILLs only to thawed tasks, and a node left
	 * frozen would hang. */
	q = set_frozen(c, dirs, false, deadline);
	return r < 0 ? r : q < 0 ? q : 0;
}

int cg_node_kill(const struct cg *c, const char *lab, const char *node, unsigned timeout_ms)
{
	_cleanup_(cg_paths_freep) char **dirs = NULL;
	uint64_t deadline = now_ms() + timeout_ms;
	bool any = false;
	int r;

	r = node_paths(c, lab, node, "", &dirs);
	if (r < 0)
		return r;
	for (char **d = dirs; *d; d++)
		any = any || access(*d, F_OK) == 0;
	if (!any)
		return 0; /* idempotent: already gone */

	for (;;) {
		uint64_t round_end;

		r = kill_round(c, dirs, deadline);
		if (r < 0)
			return r;
		/* A task leaves its cgroup when it exits (cgroup_exit()), before its parent reaps
		 * it: zombies are not waited for. */
		round_end = now_ms() + KILL_ROUND_MS;
		for (;;) {
			r = count_pids(dirs);
			if (r <= 0)
				return r;
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

int cg_lab_remove(const struct cg *c, const char *lab)
{
	int r, ret = 0;

	if (!name_ok(lab))
		return -EINVAL;
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
