/* SPDX-License-Identifier: MIT */
/* Unit tests of nsctl/cgroup.c on fake cgroupfs trees: plain directories under /tmp with the
 * CG_FAKE_MARKER file, shaped like a v2 root or like v1 hierarchies (Debian's "cpu,cpuacct" with
 * cpu and cpuacct symlinks). In a fake tree writes create their files, so the tests read back
 * exactly which files got which values. No root needed; nothing outside the temp dir is touched
 * and no signal is sent (fake mode never signals). */
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsctl/cgroup.h"
#include "tests/t.h"

/* ---- fake trees ---- */

enum {
	NO_MEMORY = 1u << 0,
	NO_PIDS = 1u << 1,
	NO_FREEZER = 1u << 2,
	CPUACCT_APART = 1u << 3, /* v1: cpu and cpuacct mounted separately (as on this CI host) */
};

struct tree {
	char dir[64];
};

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static void tree_done(struct tree *t)
{
	if (t->dir[0])
		nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Returns "<tree>/<fmt…>" in a rotating static buffer (a test uses a few at a time). */
static const char *_printf_(2, 3) P(const struct tree *t, const char *fmt, ...)
{
	static char bufs[8][512];
	static unsigned next;
	char *b = bufs[next++ % ELEMENTSOF(bufs)];
	int n;
	va_list ap;

	n = snprintf(b, 512, "%s/", t->dir);
	va_start(ap, fmt);
	vsnprintf(b + n, 512 - (size_t)n, fmt, ap);
	va_end(ap);
	return b;
}

static int put(const char *path, const char *content)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(content, f);
	return fclose(f) == 0 ? 0 : -errno;
}

/* Returns the file's content without a trailing newline, or NULL if it cannot be read. */
static const char *get(const char *path)
{
	static char bufs[4][512];
	static unsigned next;
	char *b = bufs[next++ % ELEMENTSOF(bufs)];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return NULL;
	n = fread(b, 1, 511, f);
	fclose(f);
	b[n] = '\0';
	if (n > 0 && b[n - 1] == '\n')
		b[n - 1] = '\0';
	return b;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static int tree_v2(struct tree *t, const char *controllers, const char *marker)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/nsctl-cgtest-XXXXXX");
	if (!mkdtemp(t->dir)) {
		t->dir[0] = '\0';
		return -errno;
	}
	if (put(P(t, CG_FAKE_MARKER), marker) < 0 ||
	    put(P(t, "cgroup.controllers"), controllers) < 0 ||
	    put(P(t, "cgroup.subtree_control"), "") < 0 || put(P(t, "cgroup.procs"), "") < 0)
		return -EIO;
	return 0;
}

static int tree_v1(struct tree *t, unsigned flags, const char *marker)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/nsctl-cgtest-XXXXXX");
	if (!mkdtemp(t->dir)) {
		t->dir[0] = '\0';
		return -errno;
	}
	if (put(P(t, CG_FAKE_MARKER), marker) < 0)
		return -EIO;
	if (!(flags & NO_MEMORY) && mkdir(P(t, "memory"), 0755) < 0)
		return -errno;
	if (!(flags & NO_PIDS) && mkdir(P(t, "pids"), 0755) < 0)
		return -errno;
	if (!(flags & NO_FREEZER) && mkdir(P(t, "freezer"), 0755) < 0)
		return -errno;
	if (flags & CPUACCT_APART) {
		if (mkdir(P(t, "cpu"), 0755) < 0 || mkdir(P(t, "cpuacct"), 0755) < 0)
			return -errno;
	} else if (mkdir(P(t, "cpu,cpuacct"), 0755) < 0 ||
		   symlink("cpu,cpuacct", P(t, "cpu")) < 0 ||
		   symlink("cpu,cpuacct", P(t, "cpuacct")) < 0) {
		return -errno;
	}
	return 0;
}

static const struct cg_limits lim = { .memory = 64ull << 20, .cpu_millis = 500, .pids = 128 };

/* ---- detection ---- */

static int test_detect_v2(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;

	T_ASSERT_OK(tree_v2(&t, "cpuset cpu io memory hugetlb pids rdma misc\n", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT(cg_version(c) == 2);
	T_ASSERT_OK(cg_check(c, &lim, NULL));
	return 0;
}

static int test_detect_v1(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	_cleanup_(cg_paths_freep) char **paths = NULL;

	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT(cg_version(c) == 1);
	T_ASSERT_OK(cg_check(c, &lim, NULL));
	/* cpu and cpuacct are one hierarchy reached twice: one path for both. */
	T_ASSERT_OK(cg_node_procs_paths(c, "lab", "n1", &paths));
	T_ASSERT_STREQ(paths[0], P(&t, "memory/nsctl/lab/n1/cgroup.procs"));
	T_ASSERT_STREQ(paths[1], P(&t, "cpu/nsctl/lab/n1/cgroup.procs"));
	T_ASSERT_STREQ(paths[2], P(&t, "pids/nsctl/lab/n1/cgroup.procs"));
	T_ASSERT_STREQ(paths[3], P(&t, "freezer/nsctl/lab/n1/cgroup.procs"));
	T_ASSERT(paths[4] == NULL);
	return 0;
}

static int test_detect_not_cgroup(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	struct cg *c = NULL;

	/* Without the marker a plain directory is neither v2 (statfs) nor v1 (statfs per
	 * controller dir): nsctl never writes "limits" into ordinary files. */
	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(put(P(&t, "cgroup.controllers"), "cpu memory pids"));
	T_ASSERT_OK(unlink(P(&t, CG_FAKE_MARKER)));
	T_ASSERT_ERR(cg_detect(t.dir, &c), -EOPNOTSUPP);
	T_ASSERT_ERR(cg_detect(P(&t, "nonexistent"), &c), -ENOENT);
	T_ASSERT(c == NULL);
	return 0;
}

/* ---- create ---- */

static int test_v2_create_limits(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;

	T_ASSERT_OK(tree_v2(&t, "cpuset cpu io memory pids\n", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", &lim));
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/r1/memory.max")), "67108864");
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/r1/cpu.max")), "50000 100000");
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/r1/pids.max")), "128");
	/* Controllers enabled from the root down to the lab, never in the leaf itself. */
	T_ASSERT_STREQ(get(P(&t, "cgroup.subtree_control")), "+cpu +memory +pids");
	T_ASSERT_STREQ(get(P(&t, "nsctl/cgroup.subtree_control")), "+cpu +memory +pids");
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/cgroup.subtree_control")), "+cpu +memory +pids");
	T_ASSERT(!exists(P(&t, "nsctl/lab/r1/cgroup.subtree_control")));
	/* No swap accounting in this fake: the optional memory.swap.max is not made up. */
	T_ASSERT(!exists(P(&t, "nsctl/lab/r1/memory.swap.max")));

	/* A second node reuses nsctl/lab without rewriting what is enabled. */
	T_ASSERT_OK(put(P(&t, "nsctl/lab/cgroup.subtree_control"), "cpu memory pids\n"));
	T_ASSERT_OK(cg_node_create(c, "lab", "r2", NULL));
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/cgroup.subtree_control")), "cpu memory pids");
	T_ASSERT(exists(P(&t, "nsctl/lab/r2")));
	T_ASSERT(!exists(P(&t, "nsctl/lab/r2/memory.max")));
	T_ASSERT(!exists(P(&t, "nsctl/lab/r2/cpu.max")));
	T_ASSERT(!exists(P(&t, "nsctl/lab/r2/pids.max")));
	return 0;
}

static int test_v2_enable_only_missing(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	const struct cg_limits mem = { .memory = 1 << 20 };

	/* systemd hosts enable controllers at the root already; leave them be, add what lacks. */
	T_ASSERT_OK(tree_v2(&t, "cpu memory pids\n", ""));
	T_ASSERT_OK(put(P(&t, "cgroup.subtree_control"), "memory\n"));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "a", &mem));
	T_ASSERT_STREQ(get(P(&t, "cgroup.subtree_control")), "+cpu +pids");
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/a/memory.max")), "1048576");

	/* Only available controllers are enabled (no pids here, and none asked for). */
	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v2(&t, "cpu memory\n", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "a", &mem));
	T_ASSERT_STREQ(get(P(&t, "cgroup.subtree_control")), "+cpu +memory");
	return 0;
}

static int test_v1_create_limits(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	const struct cg_limits l = { .memory = 16ull << 20, .cpu_millis = 500, .pids = 128 };

	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", &l));
	T_ASSERT_STREQ(get(P(&t, "memory/nsctl/lab/r1/memory.limit_in_bytes")), "16777216");
	T_ASSERT_STREQ(get(P(&t, "cpu,cpuacct/nsctl/lab/r1/cpu.cfs_period_us")), "100000");
	T_ASSERT_STREQ(get(P(&t, "cpu,cpuacct/nsctl/lab/r1/cpu.cfs_quota_us")), "50000");
	T_ASSERT_STREQ(get(P(&t, "pids/nsctl/lab/r1/pids.max")), "128");
	/* The freezer always: it is how the node is stopped. */
	T_ASSERT(exists(P(&t, "freezer/nsctl/lab/r1")));
	T_ASSERT(!exists(P(&t, "memory/nsctl/lab/r1/memory.memsw.limit_in_bytes")));
	T_ASSERT(!exists(P(&t, "cgroup.subtree_control")));

	/* cpu and cpuacct mounted apart: the node is in both. */
	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v1(&t, CPUACCT_APART, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", &l));
	T_ASSERT_STREQ(get(P(&t, "cpu/nsctl/lab/r1/cpu.cfs_quota_us")), "50000");
	T_ASSERT(exists(P(&t, "cpuacct/nsctl/lab/r1")));
	T_ASSERT(!exists(P(&t, "cpuacct/nsctl/lab/r1/cpu.cfs_quota_us")));
	return 0;
}

static int test_create_eexist(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;

	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(mkdir(P(&t, "nsctl"), 0755));
	T_ASSERT_OK(mkdir(P(&t, "nsctl/lab"), 0755));
	T_ASSERT_OK(mkdir(P(&t, "nsctl/lab/r1"), 0755));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &lim), -EEXIST);
	/* Not ours: nothing written into it, and it and its parents stay. */
	T_ASSERT(exists(P(&t, "nsctl/lab/r1")));
	T_ASSERT(!exists(P(&t, "nsctl/lab/r1/memory.max")));

	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(mkdir(P(&t, "memory/nsctl"), 0755));
	T_ASSERT_OK(mkdir(P(&t, "memory/nsctl/lab"), 0755));
	T_ASSERT_OK(mkdir(P(&t, "memory/nsctl/lab/r1"), 0755));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &lim), -EEXIST);
	T_ASSERT(exists(P(&t, "memory/nsctl/lab/r1")));
	T_ASSERT(!exists(P(&t, "memory/nsctl/lab/r1/memory.limit_in_bytes")));
	T_ASSERT(!exists(P(&t, "cpu/nsctl")));
	T_ASSERT(!exists(P(&t, "freezer/nsctl")));
	return 0;
}

static int test_create_missing_controller(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	const struct cg_limits pids = { .pids = 10 }, mem = { .memory = 1 << 20 };
	const char *missing = NULL;

	T_ASSERT_OK(tree_v2(&t, "cpu memory\n", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_check(c, &pids, &missing), -EOPNOTSUPP);
	T_ASSERT_STREQ(missing, "pids");
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &pids), -EOPNOTSUPP);
	T_ASSERT(!exists(P(&t, "nsctl")));
	T_ASSERT_STREQ(get(P(&t, "cgroup.subtree_control")), "");
	/* A controller no limit needs is no obstacle. */
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", &mem));

	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v1(&t, NO_MEMORY, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_check(c, &mem, &missing), -EOPNOTSUPP);
	T_ASSERT_STREQ(missing, "memory");
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &mem), -EOPNOTSUPP);
	T_ASSERT(!exists(P(&t, "cpu/nsctl")));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", &pids));

	/* v1 without a freezer cannot kill a node atomically: refused even without limits. */
	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v1(&t, NO_FREEZER, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_check(c, NULL, &missing), -EOPNOTSUPP);
	T_ASSERT_STREQ(missing, "freezer");
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", NULL), -EOPNOTSUPP);
	T_ASSERT(!exists(P(&t, "memory/nsctl")));
	return 0;
}

static int test_create_cpu_range(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	const struct cg_limits tiny = { .cpu_millis = 9 }, least = { .cpu_millis = 10 };

	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &tiny), -ERANGE);
	T_ASSERT(!exists(P(&t, "nsctl")));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", &least));
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/r1/cpu.max")), "1000 100000");
	return 0;
}

static int test_create_rollback(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;

	/* v1: the last hierarchy (freezer) already has the node: the others are undone. */
	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(mkdir(P(&t, "freezer/nsctl"), 0755));
	T_ASSERT_OK(mkdir(P(&t, "freezer/nsctl/lab"), 0755));
	T_ASSERT_OK(mkdir(P(&t, "freezer/nsctl/lab/r1"), 0755));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &lim), -EEXIST);
	T_ASSERT(!exists(P(&t, "memory/nsctl")));
	T_ASSERT(!exists(P(&t, "cpu/nsctl")));
	T_ASSERT(!exists(P(&t, "pids/nsctl")));
	T_ASSERT(exists(P(&t, "freezer/nsctl/lab/r1")));

	/* v1: a limit write fails after every directory exists. */
	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v1(&t, 0, "fail-write cpu.cfs_quota_us\n"));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &lim), -EIO);
	T_ASSERT(!exists(P(&t, "memory/nsctl")));
	T_ASSERT(!exists(P(&t, "cpu/nsctl")));
	T_ASSERT(!exists(P(&t, "pids/nsctl")));
	T_ASSERT(!exists(P(&t, "freezer/nsctl")));

	/* v2: the last limit write fails; an existing node of the lab and the lab stay. */
	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", "fail-write pids.max\n"));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &lim), -EIO);
	T_ASSERT(!exists(P(&t, "nsctl")));
	T_ASSERT_OK(cg_node_create(c, "lab", "r0", NULL));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &lim), -EIO);
	T_ASSERT(exists(P(&t, "nsctl/lab/r0")));
	T_ASSERT(!exists(P(&t, "nsctl/lab/r1")));

	/* v2: enabling controllers fails before anything is made. */
	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", "fail-write cgroup.subtree_control\n"));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r1", &lim), -EIO);
	T_ASSERT(!exists(P(&t, "nsctl")));
	return 0;
}

static int test_names(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	struct cg_stat st;
	char **paths = NULL;

	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_node_create(c, "lab", "a/b", NULL), -EINVAL);
	T_ASSERT_ERR(cg_node_create(c, "lab", "..", NULL), -EINVAL);
	T_ASSERT_ERR(cg_node_create(c, ".", "r1", NULL), -EINVAL);
	T_ASSERT_ERR(cg_node_create(c, "", "r1", NULL), -EINVAL);
	T_ASSERT_ERR(cg_node_remove(c, "lab", ".."), -EINVAL);
	T_ASSERT_ERR(cg_node_kill(c, "../x", "r1", 10), -EINVAL);
	T_ASSERT_ERR(cg_lab_remove(c, ".."), -EINVAL);
	T_ASSERT_ERR(cg_node_stat(c, "lab", "a/b", &st), -EINVAL);
	T_ASSERT_ERR(cg_node_procs_paths(c, "lab", "", &paths), -EINVAL);
	T_ASSERT(!exists(P(&t, "nsctl")));
	/* Node names allow capitals, dots and underscores. */
	T_ASSERT_OK(cg_node_create(c, "lab-1", "R1.core_a", NULL));
	T_ASSERT(exists(P(&t, "nsctl/lab-1/R1.core_a")));
	return 0;
}

/* ---- attach, kill, remove ---- */

static int test_attach(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	_cleanup_(cg_paths_freep) char **paths = NULL;

	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_procs_paths(c, "lab", "r1", &paths));
	T_ASSERT_STREQ(paths[0], P(&t, "nsctl/lab/r1/cgroup.procs"));
	T_ASSERT(paths[1] == NULL);
	T_ASSERT_ERR(cg_node_attach(c, "lab", "r1", 4242), -ENOENT);
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(cg_node_attach(c, "lab", "r1", 4242));
	T_ASSERT_STREQ(get(paths[0]), "4242");
	T_ASSERT_ERR(cg_node_attach(c, "lab", "r1", 0), -EINVAL);

	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(cg_node_attach(c, "lab", "r1", 4242));
	T_ASSERT_STREQ(get(P(&t, "memory/nsctl/lab/r1/cgroup.procs")), "4242");
	T_ASSERT_STREQ(get(P(&t, "cpuacct/nsctl/lab/r1/cgroup.procs")), "4242");
	T_ASSERT_STREQ(get(P(&t, "pids/nsctl/lab/r1/cgroup.procs")), "4242");
	T_ASSERT_STREQ(get(P(&t, "freezer/nsctl/lab/r1/cgroup.procs")), "4242");
	return 0;
}

static int test_remove_idempotent(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;

	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", &lim));
	T_ASSERT_OK(cg_node_create(c, "lab", "r2", &lim));
	T_ASSERT_OK(cg_node_create(c, "other", "r1", NULL));
	T_ASSERT_OK(cg_node_remove(c, "lab", "r1"));
	T_ASSERT(!exists(P(&t, "memory/nsctl/lab/r1")));
	T_ASSERT(!exists(P(&t, "freezer/nsctl/lab/r1")));
	T_ASSERT_OK(cg_node_remove(c, "lab", "r1"));
	T_ASSERT_OK(cg_node_remove(c, "nolab", "r1"));
	/* The lab goes with its remaining (empty) node cgroups; nsctl/ stays for "other". */
	T_ASSERT_OK(cg_lab_remove(c, "lab"));
	T_ASSERT(!exists(P(&t, "memory/nsctl/lab")));
	T_ASSERT(!exists(P(&t, "cpu/nsctl/lab")));
	T_ASSERT(exists(P(&t, "pids/nsctl/other/r1")));
	T_ASSERT_OK(cg_lab_remove(c, "lab"));
	T_ASSERT_OK(cg_node_remove(c, "other", "r1"));
	T_ASSERT_OK(cg_lab_remove(c, "other"));
	T_ASSERT(!exists(P(&t, "memory/nsctl")));
	T_ASSERT(!exists(P(&t, "cpu,cpuacct/nsctl")));
	T_ASSERT(!exists(P(&t, "pids/nsctl")));
	T_ASSERT(!exists(P(&t, "freezer/nsctl")));
	T_ASSERT_OK(cg_lab_remove(c, "other"));

	/* v2: the control files made in nsctl/ and the lab go too; the root's stay. */
	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", &lim));
	T_ASSERT_OK(cg_node_remove(c, "lab", "r1"));
	T_ASSERT_OK(cg_lab_remove(c, "lab"));
	T_ASSERT(!exists(P(&t, "nsctl")));
	T_ASSERT_STREQ(get(P(&t, "cgroup.subtree_control")), "+cpu +memory +pids");
	return 0;
}

static int test_remove_busy(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;

	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(cg_node_attach(c, "lab", "r1", 4242));
	T_ASSERT_ERR(cg_node_remove(c, "lab", "r1"), -EBUSY);
	T_ASSERT_ERR(cg_lab_remove(c, "lab"), -EBUSY);
	T_ASSERT(exists(P(&t, "freezer/nsctl/lab/r1")));
	return 0;
}

static int test_kill(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	char pid[32];

	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_kill(c, "lab", "nonexistent", 100));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(cg_node_kill(c, "lab", "r1", 100));
	/* An empty node is not frozen at all (the cheap case after cg_lab_kill()). */
	T_ASSERT(!exists(P(&t, "freezer/nsctl/lab/r1/freezer.state")));
	/* A fake cgroup.procs names this very test process; fake mode must not signal it and
	 * times out instead (were it signalled, the case would die). */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	T_ASSERT_OK(put(P(&t, "freezer/nsctl/lab/r1/cgroup.procs"), pid));
	T_ASSERT_ERR(cg_node_kill(c, "lab", "r1", 50), -ETIMEDOUT);
	/* Frozen, then thawed: a node is never left frozen. */
	T_ASSERT_STREQ(get(P(&t, "freezer/nsctl/lab/r1/freezer.state")), "THAWED");
	/* Every hierarchy counts for a node: a pid listed in memory only keeps it busy. */
	T_ASSERT_OK(put(P(&t, "freezer/nsctl/lab/r1/cgroup.procs"), ""));
	T_ASSERT_OK(put(P(&t, "memory/nsctl/lab/r1/cgroup.procs"), pid));
	T_ASSERT_ERR(cg_node_kill(c, "lab", "r1", 50), -ETIMEDOUT);
	T_ASSERT_OK(put(P(&t, "memory/nsctl/lab/r1/cgroup.procs"), ""));
	T_ASSERT_OK(put(P(&t, "freezer/nsctl/lab/r1/cgroup.procs"), ""));
	T_ASSERT_OK(cg_node_remove(c, "lab", "r1"));
	T_ASSERT_OK(cg_node_kill(c, "lab", "r1", 100));

	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_kill(c, "lab", "r1", 100));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	/* With cgroup.kill present, that is what gets written; an empty node is not touched. */
	T_ASSERT_OK(put(P(&t, "nsctl/lab/r1/cgroup.kill"), ""));
	T_ASSERT_OK(cg_node_kill(c, "lab", "r1", 100));
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/r1/cgroup.kill")), "");
	/* Pids in a cgroup below the node count too. */
	T_ASSERT_OK(mkdir(P(&t, "nsctl/lab/r1/sub"), 0755));
	T_ASSERT_OK(put(P(&t, "nsctl/lab/r1/sub/cgroup.procs"), pid));
	T_ASSERT_ERR(cg_node_kill(c, "lab", "r1", 50), -ETIMEDOUT);
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/r1/cgroup.kill")), "1");
	T_ASSERT_ERR(cg_node_remove(c, "lab", "r1"), -EBUSY);
	T_ASSERT_OK(put(P(&t, "nsctl/lab/r1/sub/cgroup.procs"), ""));
	T_ASSERT_OK(cg_node_remove(c, "lab", "r1"));
	T_ASSERT(!exists(P(&t, "nsctl/lab/r1")));
	return 0;
}

/* ---- lab kill ---- */

static int test_lab_kill_v1(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	char pid[32];

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_lab_kill(c, "..", 100), -EINVAL);
	/* No such lab: nothing to do, and nothing made. */
	T_ASSERT_OK(cg_lab_kill(c, "lab", 100));
	T_ASSERT(!exists(P(&t, "freezer/nsctl")));

	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(cg_node_create(c, "lab", "r2", NULL));
	T_ASSERT_OK(cg_node_create(c, "other", "r1", NULL));
	T_ASSERT_OK(cg_lab_kill(c, "lab", 100));
	/* The lab is frozen and thawed as one (its cgroups follow it), never node by node, and
	 * it removes nothing. */
	T_ASSERT_STREQ(get(P(&t, "freezer/nsctl/lab/freezer.state")), "THAWED");
	T_ASSERT(!exists(P(&t, "freezer/nsctl/lab/r1/freezer.state")));
	T_ASSERT(!exists(P(&t, "freezer/nsctl/other/freezer.state")));
	T_ASSERT(exists(P(&t, "memory/nsctl/lab/r1")) && exists(P(&t, "pids/nsctl/lab/r2")));
	T_ASSERT(exists(P(&t, "freezer/nsctl/lab/r2")));
	/* Idempotent. */
	T_ASSERT_OK(cg_lab_kill(c, "lab", 100));

	/* A fake pid in a cgroup below a node of the freezer hierarchy: found, never signalled
	 * (were it, this case would die), so the lab does not empty: ETIMEDOUT, left thawed. */
	T_ASSERT_OK(mkdir(P(&t, "freezer/nsctl/lab/r2/sub"), 0755));
	T_ASSERT_OK(put(P(&t, "freezer/nsctl/lab/r2/sub/cgroup.procs"), pid));
	T_ASSERT_ERR(cg_lab_kill(c, "lab", 50), -ETIMEDOUT);
	T_ASSERT_STREQ(get(P(&t, "freezer/nsctl/lab/freezer.state")), "THAWED");
	T_ASSERT_OK(put(P(&t, "freezer/nsctl/lab/r2/sub/cgroup.procs"), ""));

	/* Only the freezer hierarchy is read for the lab (each node process is in all of them);
	 * a pid in another one only is cg_node_kill()'s, which reads every hierarchy. */
	T_ASSERT_OK(put(P(&t, "memory/nsctl/lab/r1/cgroup.procs"), pid));
	T_ASSERT_OK(cg_lab_kill(c, "lab", 50));
	T_ASSERT_ERR(cg_node_kill(c, "lab", "r1", 50), -ETIMEDOUT);
	T_ASSERT_OK(put(P(&t, "memory/nsctl/lab/r1/cgroup.procs"), ""));
	T_ASSERT_OK(cg_lab_remove(c, "lab"));
	T_ASSERT(!exists(P(&t, "freezer/nsctl/lab")));
	T_ASSERT(exists(P(&t, "freezer/nsctl/other/r1")));
	return 0;
}

static int test_lab_kill_v1_self_frozen(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	char pid[32];

	/* A node left FROZEN in its own right (a kill interrupted between freeze and thaw) stays
	 * frozen when the lab thaws, and v1 delivers SIGKILL only to thawed tasks: a round that
	 * did not empty the lab is followed by one that thaws every cgroup below it. */
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(cg_node_create(c, "lab", "r2", NULL));
	T_ASSERT_OK(put(P(&t, "freezer/nsctl/lab/r1/freezer.state"), "FROZEN\n"));
	T_ASSERT_OK(put(P(&t, "freezer/nsctl/lab/r1/cgroup.procs"), pid));
	T_ASSERT_ERR(cg_lab_kill(c, "lab", 600), -ETIMEDOUT); /* > 1 round of 200 ms */
	T_ASSERT_STREQ(get(P(&t, "freezer/nsctl/lab/r1/freezer.state")), "THAWED");
	T_ASSERT_STREQ(get(P(&t, "freezer/nsctl/lab/r2/freezer.state")), "THAWED");
	T_ASSERT_STREQ(get(P(&t, "freezer/nsctl/lab/freezer.state")), "THAWED");
	return 0;
}

static int test_lab_kill_v2(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	char pid[32];

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_lab_kill(c, "lab", 100));
	T_ASSERT(!exists(P(&t, "nsctl")));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(cg_node_create(c, "lab", "r2", NULL));

	/* cgroup.kill of the lab itself: the kernel kills the whole subtree. */
	T_ASSERT_OK(put(P(&t, "nsctl/lab/cgroup.kill"), ""));
	T_ASSERT_OK(cg_lab_kill(c, "lab", 100));
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/cgroup.kill")), "1");
	T_ASSERT(!exists(P(&t, "nsctl/lab/r1/cgroup.kill")));
	T_ASSERT(exists(P(&t, "nsctl/lab/r1")) && exists(P(&t, "nsctl/lab/r2")));

	/* Without cgroup.events (fake), the pids of the subtree are counted. */
	T_ASSERT_OK(put(P(&t, "nsctl/lab/r2/cgroup.procs"), pid));
	T_ASSERT_ERR(cg_lab_kill(c, "lab", 50), -ETIMEDOUT);
	/* With it, its "populated" key decides, not the (here stale) cgroup.procs. */
	T_ASSERT_OK(put(P(&t, "nsctl/lab/cgroup.events"), "populated 0\nfrozen 0\n"));
	T_ASSERT_OK(cg_lab_kill(c, "lab", 50));
	T_ASSERT_OK(put(P(&t, "nsctl/lab/cgroup.events"), "populated 1\nfrozen 0\n"));
	T_ASSERT_ERR(cg_lab_kill(c, "lab", 50), -ETIMEDOUT);
	T_ASSERT_OK(unlink(P(&t, "nsctl/lab/cgroup.events")));

	/* Kernels without cgroup.kill: the lab is frozen (cgroup.freeze), killed, thawed. */
	T_ASSERT_OK(unlink(P(&t, "nsctl/lab/cgroup.kill")));
	T_ASSERT_OK(put(P(&t, "nsctl/lab/cgroup.freeze"), "0"));
	T_ASSERT_ERR(cg_lab_kill(c, "lab", 50), -ETIMEDOUT);
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/cgroup.freeze")), "0");
	T_ASSERT_OK(put(P(&t, "nsctl/lab/r2/cgroup.procs"), ""));
	T_ASSERT_OK(cg_lab_kill(c, "lab", 50));
	T_ASSERT_OK(cg_lab_remove(c, "lab"));
	T_ASSERT(!exists(P(&t, "nsctl")));
	return 0;
}

/* ---- create: the known-lab path ---- */

static int test_create_known_lab(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL, *c2 = NULL;

	/* v2: the second node of a lab does not look at subtree_control again (a parent cannot
	 * take back what is enabled): cleared here behind its back, it stays cleared. */
	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(put(P(&t, "nsctl/lab/cgroup.subtree_control"), ""));
	T_ASSERT_OK(cg_node_create(c, "lab", "r2", &lim));
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/cgroup.subtree_control")), "");
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/r2/pids.max")), "128");
	T_ASSERT_ERR(cg_node_create(c, "lab", "r2", NULL), -EEXIST);
	/* Another lab, and a fresh handle, take the full path. */
	T_ASSERT_OK(cg_node_create(c, "lab2", "r1", NULL));
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab2/cgroup.subtree_control")), "+cpu +memory +pids");
	T_ASSERT_OK(cg_detect(t.dir, &c2));
	T_ASSERT_OK(cg_node_create(c2, "lab", "r3", NULL));
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab/cgroup.subtree_control")), "+cpu +memory +pids");

	/* The lab removed by another handle (another lab's process would take nsctl/ too):
	 * the next node finds it gone and sets it up again. */
	T_ASSERT_OK(cg_node_remove(c2, "lab", "r1"));
	T_ASSERT_OK(cg_node_remove(c2, "lab", "r2"));
	T_ASSERT_OK(cg_node_remove(c2, "lab", "r3"));
	T_ASSERT_OK(cg_lab_remove(c2, "lab"));
	T_ASSERT_OK(cg_node_remove(c2, "lab2", "r1"));
	T_ASSERT_OK(cg_lab_remove(c2, "lab2"));
	T_ASSERT(!exists(P(&t, "nsctl")));
	T_ASSERT_OK(cg_node_create(c, "lab2", "r4", NULL));
	T_ASSERT_STREQ(get(P(&t, "nsctl/cgroup.subtree_control")), "+cpu +memory +pids");
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab2/cgroup.subtree_control")), "+cpu +memory +pids");
	T_ASSERT(exists(P(&t, "nsctl/lab2/r4")));
	/* Removing the lab through the same handle forgets it: made again by someone else
	 * without controllers, it is set up in full. */
	T_ASSERT_OK(cg_node_remove(c, "lab2", "r4"));
	T_ASSERT_OK(cg_lab_remove(c, "lab2"));
	T_ASSERT_OK(mkdir(P(&t, "nsctl"), 0755));
	T_ASSERT_OK(mkdir(P(&t, "nsctl/lab2"), 0755));
	T_ASSERT_OK(cg_node_create(c, "lab2", "r5", NULL));
	T_ASSERT_STREQ(get(P(&t, "nsctl/lab2/cgroup.subtree_control")), "+cpu +memory +pids");
	return 0;
}

static int test_create_known_lab_v1(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL, *c2 = NULL;
	static const char *const hier[] = { "memory", "cpu", "pids", "freezer" };

	T_ASSERT_OK(tree_v1(&t, 0, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_detect(t.dir, &c2));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(cg_node_create(c, "lab", "r2", &lim));
	for (size_t i = 0; i < ELEMENTSOF(hier); i++)
		T_ASSERT(exists(P(&t, "%s/nsctl/lab/r1", hier[i])) &&
			 exists(P(&t, "%s/nsctl/lab/r2", hier[i])));
	T_ASSERT_STREQ(get(P(&t, "pids/nsctl/lab/r2/pids.max")), "128");

	/* The lab gone in the last hierarchy only: the nodes made in the others before the
	 * freezer's mkdir failed are undone, and the full path makes it all. */
	T_ASSERT_OK(cg_node_remove(c2, "lab", "r1"));
	T_ASSERT_OK(cg_node_remove(c2, "lab", "r2"));
	T_ASSERT_OK(rmdir(P(&t, "freezer/nsctl/lab")));
	T_ASSERT_OK(cg_node_create(c, "lab", "r3", NULL));
	for (size_t i = 0; i < ELEMENTSOF(hier); i++)
		T_ASSERT(exists(P(&t, "%s/nsctl/lab/r3", hier[i])));

	/* nsctl/ gone everywhere (the last lab removed by another process). */
	T_ASSERT_OK(cg_node_remove(c2, "lab", "r3"));
	T_ASSERT_OK(cg_lab_remove(c2, "lab"));
	T_ASSERT(!exists(P(&t, "memory/nsctl")));
	T_ASSERT_OK(cg_node_create(c, "lab", "r4", NULL));
	for (size_t i = 0; i < ELEMENTSOF(hier); i++)
		T_ASSERT(exists(P(&t, "%s/nsctl/lab/r4", hier[i])));
	return 0;
}

static int test_create_known_lab_rollback(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	const struct cg_limits pids = { .pids = 10 };

	/* All or nothing on the short path too: the node's own directories are undone, the lab
	 * and its other nodes stay, and the lab is still known and usable. */
	T_ASSERT_OK(tree_v1(&t, 0, "fail-write pids.max\n"));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r2", &pids), -EIO);
	T_ASSERT(!exists(P(&t, "memory/nsctl/lab/r2")));
	T_ASSERT(!exists(P(&t, "freezer/nsctl/lab/r2")));
	T_ASSERT(exists(P(&t, "freezer/nsctl/lab/r1")));
	T_ASSERT_OK(cg_node_create(c, "lab", "r2", NULL));
	T_ASSERT(exists(P(&t, "freezer/nsctl/lab/r2")));
	/* A node that exists (not ours) on the short path: EEXIST, the others undone. */
	T_ASSERT_OK(mkdir(P(&t, "freezer/nsctl/lab/r3"), 0755));
	T_ASSERT_ERR(cg_node_create(c, "lab", "r3", NULL), -EEXIST);
	T_ASSERT(!exists(P(&t, "memory/nsctl/lab/r3")));
	T_ASSERT(!exists(P(&t, "pids/nsctl/lab/r3")));
	T_ASSERT(exists(P(&t, "freezer/nsctl/lab/r3")));
	return 0;
}

/* ---- statistics ---- */

static int test_stat(void)
{
	_cleanup_(tree_done) struct tree t = { "" };
	_cleanup_(cg_freep) struct cg *c = NULL;
	struct cg_stat s;

	T_ASSERT_OK(tree_v2(&t, "cpu memory pids", ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_ERR(cg_node_stat(c, "lab", "r1", &s), -ENOENT);
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(cg_node_stat(c, "lab", "r1", &s));
	T_ASSERT(s.cpu_usec == CG_STAT_UNKNOWN && s.memory_current == CG_STAT_UNKNOWN);
	T_ASSERT(s.oom_kills == CG_STAT_UNKNOWN && s.pids_current == CG_STAT_UNKNOWN);
	T_ASSERT_OK(put(P(&t, "nsctl/lab/r1/cpu.stat"),
			"usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n"));
	T_ASSERT_OK(put(P(&t, "nsctl/lab/r1/memory.current"), "8388608\n"));
	T_ASSERT_OK(put(P(&t, "nsctl/lab/r1/memory.events"),
			"low 0\nhigh 0\nmax 17\noom 2\noom_kill 2\noom_group_kill 0\n"));
	T_ASSERT_OK(put(P(&t, "nsctl/lab/r1/pids.current"), "3\n"));
	T_ASSERT_OK(cg_node_stat(c, "lab", "r1", &s));
	T_ASSERT(s.cpu_usec == 1234567);
	T_ASSERT(s.memory_current == 8388608);
	T_ASSERT(s.oom_kills == 2);
	T_ASSERT(s.pids_current == 3);

	tree_done(&t);
	c = cg_free(c);
	T_ASSERT_OK(tree_v1(&t, NO_PIDS, ""));
	T_ASSERT_OK(cg_detect(t.dir, &c));
	T_ASSERT_OK(cg_node_create(c, "lab", "r1", NULL));
	T_ASSERT_OK(put(P(&t, "cpuacct/nsctl/lab/r1/cpuacct.usage"), "5000000123\n"));
	T_ASSERT_OK(put(P(&t, "memory/nsctl/lab/r1/memory.usage_in_bytes"), "4096\n"));
	T_ASSERT_OK(put(P(&t, "memory/nsctl/lab/r1/memory.oom_control"),
			"oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"));
	T_ASSERT_OK(cg_node_stat(c, "lab", "r1", &s));
	T_ASSERT(s.cpu_usec == 5000000);
	T_ASSERT(s.memory_current == 4096);
	T_ASSERT(s.oom_kills == 1);
	T_ASSERT(s.pids_current == CG_STAT_UNKNOWN); /* no pids hierarchy */
	return 0;
}

static const struct t_case cases[] = {
	{ "detect: fake v2 tree", test_detect_v2, 0 },
	{ "detect: fake v1 tree, co-mounted cpu,cpuacct counted once", test_detect_v1, 0 },
	{ "detect: plain directory without the marker is no cgroup", test_detect_not_cgroup, 0 },
	{ "v2 create: limit files and subtree_control down to the lab", test_v2_create_limits, 0 },
	{ "v2 create: only missing, available controllers enabled", test_v2_enable_only_missing,
	  0 },
	{ "v1 create: limit files in each hierarchy, freezer always", test_v1_create_limits, 0 },
	{ "create: existing node cgroup is EEXIST and left alone", test_create_eexist, 0 },
	{ "create: missing controller is EOPNOTSUPP naming it", test_create_missing_controller, 0 },
	{ "create: cpu below 10 millis is ERANGE", test_create_cpu_range, 0 },
	{ "create: failure midway leaves nothing of ours", test_create_rollback, 0 },
	{ "names: empty, '.', '..' and '/' refused", test_names, 0 },
	{ "attach: pid written to cgroup.procs of every hierarchy", test_attach, 0 },
	{ "remove: node and lab removal idempotent, other labs kept", test_remove_idempotent, 0 },
	{ "remove: processes left is EBUSY", test_remove_busy, 0 },
	{ "kill: missing is 0, freezer thawed, fake never signals", test_kill, 0 },
	{ "lab kill v1: freeze the lab once, freezer subtree only, fake never signals",
	  test_lab_kill_v1, 0 },
	{ "lab kill v1: a node frozen on its own is thawed by a later round",
	  test_lab_kill_v1_self_frozen, 0 },
	{ "lab kill v2: cgroup.kill of the lab, populated key, freeze fallback", test_lab_kill_v2,
	  0 },
	{ "create: known lab skips its setup; a vanished lab is set up again",
	  test_create_known_lab, 0 },
	{ "create v1: known lab, lab gone in one or all hierarchies", test_create_known_lab_v1, 0 },
	{ "create: known lab path is all or nothing too", test_create_known_lab_rollback, 0 },
	{ "stat: v2 and v1 files parsed, missing fields unknown", test_stat, 0 },
};

int main(int argc, char **argv)
{
	return t_run("unit-cgroup", cases, ELEMENTSOF(cases), argc, argv);
}
