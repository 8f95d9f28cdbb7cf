/* SPDX-License-Identifier: MIT */
/* Integration tests of nsctl/cgroup.c on this machine's real hierarchy (CG_ROOT; v1 or v2,
 * whatever cg_detect() finds). Needs root. Every case makes one node cgroup under the lab
 * "cgt<pid>", forks its own children into it (C loops, no shell) and removes it again even when it
 * fails (a cleanup attribute); the last case checks that no hierarchy holds anything of the lab.
 * Witnesses independent of the module: /proc/<pid>/cgroup, waitpid() statuses, kill(pid, 0).
 * Only processes this test forked are ever signalled: the node cgroups hold nothing else. */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nsctl/cgroup-internal.h" /* white-box: the freeze path of kernels without cgroup.kill */
#include "nsctl/cgroup.h"
#include "tests/t.h"

static char lab[32]; /* "cgt<pid>", set in main() before the cases fork */

/* ---- helpers ---- */

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static _Noreturn void idle_forever(void)
{
	for (;;)
		sleep_ms(1000);
}

static void closedirp_(DIR **d)
{
	if (*d)
		closedir(*d);
}

struct fixture {
	struct cg *c;
	const char *node;
};

/* Reaps children (and, as subreaper, orphaned grandchildren) until none is left or @ms passed.
 * Returns the number of processes still unreaped-but-alive (0 = all gone). */
static int reap_all(unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;

	for (;;) {
		pid_t p = waitpid(-1, NULL, WNOHANG);

		if (p < 0)
			return 0; /* ECHILD: nothing left */
		if (p > 0)
			continue;
		if (now_us() >= end)
			return 1;
		sleep_ms(5);
	}
}

/* Every path out of a case: kill what is in the node (only our children), reap, remove. */
static void fixture_done(struct fixture *f)
{
	if (!f->c)
		return;
	(void)cg_node_kill(f->c, lab, f->node, 5000);
	(void)reap_all(2000);
	(void)cg_node_remove(f->c, lab, f->node);
	(void)cg_lab_remove(f->c, lab);
	f->c = cg_free(f->c);
}

/* Detects the hierarchy and creates @node with @l. Returns 0, T_SKIP (printing why) when this
 * machine lacks a controller @l needs, or 1. */
static int fixture_setup(struct fixture *f, const char *node, const struct cg_limits *l)
{
	const char *missing = NULL;
	int r;

	f->node = node;
	r = cg_detect(CG_ROOT, &f->c);
	if (r < 0) {
		fprintf(stderr, "skip: no cgroup hierarchy at %s: %s\n", CG_ROOT, strerror(-r));
		return T_SKIP;
	}
	r = cg_check(f->c, l, &missing);
	if (r == -EOPNOTSUPP) {
		fprintf(stderr, "skip: cgroup v%d at %s has no %s controller\n", cg_version(f->c),
			CG_ROOT, missing);
		return T_SKIP;
	}
	r = cg_node_create(f->c, lab, node, l);
	if (r < 0) {
		fprintf(stderr, "cg_node_create(%s/%s): %s\n", lab, node, strerror(-r));
		return 1;
	}
	return 0;
}

/* Forks a child that runs @fn once the parent has attached it to @node, the way the launcher
 * attaches a node's init before its cmd runs. Returns the pid or a negative errno. */
static pid_t spawn_in_node(struct cg *c, const char *node, int (*fn)(void))
{
	int p[2], r;
	pid_t pid;
	char b = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &b, 1) != 1)
			_exit(120); /* the parent could not attach us */
		_exit(fn());
	}
	close(p[0]);
	r = cg_node_attach(c, lab, node, pid);
	if (r >= 0 && write(p[1], "x", 1) != 1)
		r = -errno;
	close(p[1]);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return r;
	}
	return pid;
}

static pid_t spawn_in(struct fixture *f, int (*fn)(void))
{
	return spawn_in_node(f->c, f->node, fn);
}

/* Reads @file from the node's directory in whichever hierarchy has it (the kernel's own view of
 * a limit). Returns 0 with the content (no trailing newline) in @buf, or -ENOENT. */
static int node_file(struct fixture *f, const char *file, char *buf, size_t len)
{
	_cleanup_(cg_paths_freep) char **paths = NULL;
	int r;

	r = cg_node_procs_paths(f->c, lab, f->node, &paths);
	if (r < 0)
		return r;
	for (char **p = paths; *p; p++) {
		_cleanup_fclose_ FILE *fp = NULL;
		char path[512];
		size_t n;

		snprintf(path, sizeof(path), "%.*s/%s", (int)(strrchr(*p, '/') - *p), *p, file);
		fp = fopen(path, "re");
		if (!fp)
			continue;
		n = fread(buf, 1, len - 1, fp);
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		return 0;
	}
	return -ENOENT;
}

static int child_idle(void)
{
	idle_forever();
}

/* Writes "ln<i>" (the nodes of the lab cases) into @buf; returns @buf. */
static const char *node_name(char *buf, size_t len, unsigned i)
{
	snprintf(buf, len, "ln%u", i);
	return buf;
}

/* ---- cases ---- */

/* Checks /proc/@pid/cgroup: every v1 hierarchy of memory, cpu, cpuacct, pids, freezer (or the v2
 * line "0::") puts @pid at /nsctl/<lab>/@node. Returns how many lines matched, or -1. */
static int cgroup_lines_at(pid_t pid, const char *node, int version)
{
	static const char *const ctrls[] = { "memory", "cpu", "cpuacct", "pids", "freezer" };
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	char path[64], want[128];
	size_t cap = 0;
	int matched = 0;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	snprintf(want, sizeof(want), "/nsctl/%s/%s", lab, node);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		bool ours = false;

		if (!c2)
			continue;
		/* "hierarchy-id:controllers:path" */
		*c1 = '\0';
		*c2 = '\0';
		if (version == 2) {
			ours = streq(line, "0") && c2 == c1 + 1;
		} else {
			/* The controller field is a comma list ("cpu,cpuacct"). */
			for (char *t = strtok(c1 + 1, ","); t; t = strtok(NULL, ","))
				for (size_t i = 0; i < ELEMENTSOF(ctrls); i++)
					ours = ours || streq(t, ctrls[i]);
		}
		if (!ours)
			continue;
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if (!streq(c2 + 1, want)) {
			fprintf(stderr, "pid %d: hierarchy %s at %s, expected %s\n", (int)pid, line,
				c2 + 1, want);
			return -1;
		}
		matched++;
	}
	return matched;
}

static int test_attach(void)
{
	_cleanup_(fixture_done) struct fixture f = { NULL, NULL };
	_cleanup_(cg_paths_freep) char **paths = NULL;
	struct cg_stat s;
	pid_t pid;
	int r, st = 0;

	r = fixture_setup(&f, "attach", NULL);
	if (r)
		return r;
	/* The node exists now: a second create must not take it over. */
	T_ASSERT_ERR(cg_node_create(f.c, lab, "attach", NULL), -EEXIST);

	pid = spawn_in(&f, child_idle);
	T_ASSERT_OK(pid);
	r = cgroup_lines_at(pid, "attach", cg_version(f.c));
	T_ASSERT(cg_version(f.c) == 2 ? r == 1 : r >= 4); /* memory, cpu(acct), pids, freezer */

	T_ASSERT_OK(cg_node_procs_paths(f.c, lab, "attach", &paths));
	for (char **p = paths; *p; p++) {
		_cleanup_fclose_ FILE *fp = fopen(*p, "re");
		int v = 0;

		T_ASSERT(fp && fscanf(fp, "%d", &v) == 1 && v == pid);
	}
	T_ASSERT_OK(cg_node_stat(f.c, lab, "attach", &s));
	T_ASSERT(s.pids_current == 1);
	T_ASSERT(s.memory_current != CG_STAT_UNKNOWN && s.cpu_usec != CG_STAT_UNKNOWN);

	/* The kernel refuses to remove a cgroup with a process in it. */
	T_ASSERT_ERR(cg_node_remove(f.c, lab, "attach"), -EBUSY);
	T_ASSERT_OK(cg_node_kill(f.c, lab, "attach", 5000));
	T_ASSERT(waitpid(pid, &st, 0) == pid);
	T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	T_ASSERT_OK(cg_node_remove(f.c, lab, "attach"));
	for (char **p = paths; *p; p++) {
		*strrchr(*p, '/') = '\0';
		T_ASSERT(access(*p, F_OK) < 0 && errno == ENOENT);
	}
	T_ASSERT_OK(cg_node_remove(f.c, lab, "attach"));
	T_ASSERT_OK(cg_node_kill(f.c, lab, "attach", 100));
	return 0;
}

#define HOG_BYTES (64u << 20)

static int child_hog(void)
{
	char *p = mmap(NULL, HOG_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 2;
	/* Touch every page: untouched anonymous memory is never charged. */
	for (size_t i = 0; i < HOG_BYTES; i += 4096)
		p[i] = 1;
	return 0; /* not reached within the limit */
}

static int test_memory_oom(void)
{
	_cleanup_(fixture_done) struct fixture f = { NULL, NULL };
	const struct cg_limits l = { .memory = 16u << 20 };
	struct cg_stat s;
	char buf[64];
	pid_t pid;
	int r, st = 0;

	r = fixture_setup(&f, "mem", &l);
	if (r)
		return r;
	if (cg_version(f.c) == 2) {
		T_ASSERT_OK(node_file(&f, "memory.max", buf, sizeof(buf)));
		T_ASSERT_STREQ(buf, "16777216");
		if (node_file(&f, "memory.swap.max", buf, sizeof(buf)) == 0)
			T_ASSERT_STREQ(buf, "0");
	} else {
		T_ASSERT_OK(node_file(&f, "memory.limit_in_bytes", buf, sizeof(buf)));
		T_ASSERT_STREQ(buf, "16777216");
		if (node_file(&f, "memory.memsw.limit_in_bytes", buf, sizeof(buf)) == 0)
			T_ASSERT_STREQ(buf, "16777216");
	}
	pid = spawn_in(&f, child_hog);
	T_ASSERT_OK(pid);
	T_ASSERT(waitpid(pid, &st, 0) == pid);
	if (!WIFSIGNALED(st))
		fprintf(stderr, "hog exited with %d instead of dying\n", WEXITSTATUS(st));
	T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	T_ASSERT_OK(cg_node_stat(f.c, lab, "mem", &s));
	fprintf(stderr, "memory: oom_kill %llu\n", (unsigned long long)s.oom_kills);
	T_ASSERT(s.oom_kills != CG_STAT_UNKNOWN && s.oom_kills >= 1);
	return 0;
}

#define PIDS_MAX 8u

/* Forks idle grandchildren until fork fails; exits with their count if it failed with EAGAIN. */
static int child_forker(void)
{
	pid_t kids[64];
	int n = 0, err = 0, i;

	for (n = 0; n < (int)ELEMENTSOF(kids); n++) {
		kids[n] = fork();
		if (kids[n] == 0)
			idle_forever();
		if (kids[n] < 0) {
			err = errno;
			break;
		}
	}
	for (i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	if (n == (int)ELEMENTSOF(kids))
		return 101; /* the limit did not stop us */
	return err == EAGAIN ? n : 100;
}

static int test_pids_limit(void)
{
	_cleanup_(fixture_done) struct fixture f = { NULL, NULL };
	const struct cg_limits l = { .pids = PIDS_MAX };
	char buf[64];
	pid_t pid;
	int r, st = 0;

	r = fixture_setup(&f, "pids", &l);
	if (r)
		return r;
	T_ASSERT_OK(node_file(&f, "pids.max", buf, sizeof(buf)));
	T_ASSERT_STREQ(buf, "8");
	pid = spawn_in(&f, child_forker);
	T_ASSERT_OK(pid);
	T_ASSERT(waitpid(pid, &st, 0) == pid);
	T_ASSERT(WIFEXITED(st));
	fprintf(stderr, "pids: %d forks succeeded under pids.max %u\n", WEXITSTATUS(st), PIDS_MAX);
	/* The forker itself is one of the PIDS_MAX tasks. */
	T_ASSERT(WEXITSTATUS(st) == PIDS_MAX - 1);
	return 0;
}

static int child_spin(void)
{
	volatile unsigned long x = 0;

	while (x != ~0ul) /* about forever */
		x++;
	return 0;
}

static int test_cpu_limit(void)
{
	_cleanup_(fixture_done) struct fixture f = { NULL, NULL };
	const struct cg_limits l = { .cpu_millis = 200 };
	struct cg_stat s0, s1;
	uint64_t t0, t1;
	char buf[64];
	double pct;
	pid_t pid;
	int r;

	r = fixture_setup(&f, "cpu", &l);
	if (r)
		return r;
	if (cg_version(f.c) == 2) {
		T_ASSERT_OK(node_file(&f, "cpu.max", buf, sizeof(buf)));
		T_ASSERT_STREQ(buf, "20000 100000");
	} else {
		T_ASSERT_OK(node_file(&f, "cpu.cfs_quota_us", buf, sizeof(buf)));
		T_ASSERT_STREQ(buf, "20000");
		T_ASSERT_OK(node_file(&f, "cpu.cfs_period_us", buf, sizeof(buf)));
		T_ASSERT_STREQ(buf, "100000");
	}
	pid = spawn_in(&f, child_spin);
	T_ASSERT_OK(pid);
	sleep_ms(200); /* past the first period, whose quota is not yet enforced evenly */
	T_ASSERT_OK(cg_node_stat(f.c, lab, "cpu", &s0));
	t0 = now_us();
	sleep_ms(1000);
	T_ASSERT_OK(cg_node_stat(f.c, lab, "cpu", &s1));
	t1 = now_us();
	if (s0.cpu_usec == CG_STAT_UNKNOWN || s1.cpu_usec == CG_STAT_UNKNOWN)
		T_SKIP_BECAUSE("no cpu usage accounting (cpuacct) on this machine");
	pct = 100.0 * (double)(s1.cpu_usec - s0.cpu_usec) / (double)(t1 - t0);
	fprintf(stderr, "cpu: busy loop under cpu 0.2 used %.1f%% of a core\n", pct);
	T_ASSERT(pct >= 10.0 && pct <= 35.0);
	T_ASSERT_OK(cg_node_kill(f.c, lab, "cpu", 5000));
	T_ASSERT(waitpid(pid, NULL, 0) == pid);
	return 0;
}

#define KILL_CHILDREN	   5
#define KILL_GRANDCHILDREN 2

static int report_fd = -1; /* children write their grandchildren's pids here */

static int child_family(void)
{
	for (int i = 0; i < KILL_GRANDCHILDREN; i++) {
		pid_t g = fork();

		if (g == 0)
			idle_forever();
		if (g < 0 || write(report_fd, &g, sizeof(g)) != sizeof(g))
			return 3;
	}
	idle_forever();
}

static int test_kill(void)
{
	_cleanup_(fixture_done) struct fixture f = { NULL, NULL };
	_cleanup_(cg_paths_freep) char **paths = NULL;
	pid_t all[KILL_CHILDREN * (1 + KILL_GRANDCHILDREN)];
	int st[KILL_CHILDREN] = { 0 }, p[2], r;
	size_t n = 0, got = 0;
	struct cg_stat s;
	uint64_t end;

	r = fixture_setup(&f, "kill", NULL);
	if (r)
		return r;
	/* Orphaned grandchildren come to us, so we reap them and kill(pid, 0) is a true ESRCH. */
	T_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	T_ASSERT(pipe2(p, O_CLOEXEC) == 0);
	report_fd = p[1];
	for (int i = 0; i < KILL_CHILDREN; i++) {
		pid_t pid = spawn_in(&f, child_family);

		T_ASSERT_OK(pid);
		all[n++] = pid;
	}
	close(p[1]);
	end = now_us() + 5000000;
	while (got < KILL_CHILDREN * KILL_GRANDCHILDREN && now_us() < end) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };

		if (poll(&pfd, 1, 100) == 1 &&
		    read(p[0], &all[n], sizeof(pid_t)) == sizeof(pid_t)) {
			n++;
			got++;
		}
	}
	close(p[0]);
	T_ASSERT(n == ELEMENTSOF(all));
	T_ASSERT_OK(cg_node_stat(f.c, lab, "kill", &s));
	T_ASSERT(s.pids_current == ELEMENTSOF(all));
	for (size_t i = KILL_CHILDREN; i < n; i++)
		T_ASSERT(cgroup_lines_at(all[i], "kill", cg_version(f.c)) >= 1);

	T_ASSERT_OK(cg_node_kill(f.c, lab, "kill", 5000));
	for (int i = 0; i < KILL_CHILDREN; i++)
		T_ASSERT(waitpid(all[i], &st[i], 0) == all[i]);
	T_ASSERT(reap_all(5000) == 0);
	for (int i = 0; i < KILL_CHILDREN; i++)
		T_ASSERT(WIFSIGNALED(st[i]) && WTERMSIG(st[i]) == SIGKILL);
	for (size_t i = 0; i < n; i++)
		T_ASSERT(kill(all[i], 0) < 0 && errno == ESRCH);

	T_ASSERT_OK(cg_node_remove(f.c, lab, "kill"));
	T_ASSERT_OK(cg_node_procs_paths(f.c, lab, "kill", &paths));
	for (char **q = paths; *q; q++) {
		*strrchr(*q, '/') = '\0';
		T_ASSERT(access(*q, F_OK) < 0 && errno == ENOENT);
	}
	return 0;
}

/* On a v1-hybrid host the cgroup2 tree at CG_ROOT/unified has no controllers, but it has the
 * core files of every v2 cgroup: the v2 code paths (subtree_control, attach, cgroup.kill or the
 * cgroup.freeze fallback, cpu.stat) run against a real kernel there, without limits. */
static int v2_core_on_hybrid(bool freeze)
{
	_cleanup_(fixture_done) struct fixture f = { NULL, NULL };
	const struct cg_limits mem = { .memory = 16u << 20 };
	const char *missing = NULL;
	struct cg_stat s;
	char path[256];
	pid_t pid, g;
	int r, st = 0, p[2];

	f.node = "core";
	r = cg_detect(CG_ROOT "/unified", &f.c);
	if (r < 0 || cg_version(f.c) != 2)
		T_SKIP_BECAUSE("no cgroup2 tree at %s/unified (not a hybrid host)", CG_ROOT);
	T_ASSERT_ERR(cg_node_create(f.c, lab, "core", &mem), -EOPNOTSUPP);
	T_ASSERT_ERR(cg_check(f.c, &mem, &missing), -EOPNOTSUPP);
	T_ASSERT_STREQ(missing, "memory");
	T_ASSERT_OK(cg_node_create(f.c, lab, "core", NULL));
	cg_set_ignore_kill_file(f.c, freeze);

	T_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	T_ASSERT(pipe2(p, O_CLOEXEC) == 0);
	report_fd = p[1];
	pid = spawn_in(&f, child_family);
	T_ASSERT_OK(pid);
	close(p[1]);
	T_ASSERT(read(p[0], &g, sizeof(g)) == sizeof(g));
	T_ASSERT(read(p[0], &g, sizeof(g)) == sizeof(g));
	close(p[0]);
	T_ASSERT(cgroup_lines_at(pid, "core", 2) == 1);
	T_ASSERT(cgroup_lines_at(g, "core", 2) == 1);
	T_ASSERT_OK(cg_node_stat(f.c, lab, "core", &s));
	T_ASSERT(s.cpu_usec != CG_STAT_UNKNOWN);
	T_ASSERT(s.memory_current == CG_STAT_UNKNOWN && s.pids_current == CG_STAT_UNKNOWN);

	T_ASSERT_ERR(cg_node_remove(f.c, lab, "core"), -EBUSY);
	T_ASSERT_OK(cg_node_kill(f.c, lab, "core", 5000));
	T_ASSERT(waitpid(pid, &st, 0) == pid);
	T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	T_ASSERT(reap_all(5000) == 0);
	T_ASSERT(kill(g, 0) < 0 && errno == ESRCH);
	T_ASSERT_OK(cg_node_remove(f.c, lab, "core"));
	T_ASSERT_OK(cg_lab_remove(f.c, lab));
	snprintf(path, sizeof(path), "%s/unified/nsctl/%s", CG_ROOT, lab);
	T_ASSERT(access(path, F_OK) < 0 && errno == ENOENT);
	return 0;
}

static int test_v2_core_kill_file(void)
{
	return v2_core_on_hybrid(false);
}

static int test_v2_core_freeze(void)
{
	return v2_core_on_hybrid(true);
}

/* ---- lab kill ---- */

#define LAB_NODES 20 /* CGT_LAB_NODES=<n> in the environment overrides (timing runs) */

struct labfix {
	struct cg *c;
};

/* Every path out of a lab case: kill the lab (only our children are in it), reap, remove. */
static void labfix_done(struct labfix *f)
{
	if (!f->c)
		return;
	(void)cg_lab_kill(f->c, lab, 5000);
	(void)reap_all(2000);
	(void)cg_lab_remove(f->c, lab);
	f->c = cg_free(f->c);
}

static unsigned lab_nodes(void)
{
	const char *e = getenv("CGT_LAB_NODES");
	long v = e ? strtol(e, NULL, 10) : 0;

	return v > 0 && v <= 5000 ? (unsigned)v : LAB_NODES;
}

static double ms_since(uint64_t t0)
{
	return (double)(now_us() - t0) / 1000.0;
}

/* Detects CG_ROOT (or the hybrid's unified tree with @unified) into @f. Returns 0 or T_SKIP. */
static int labfix_setup(struct labfix *f, bool unified)
{
	const char *root = unified ? CG_ROOT "/unified" : CG_ROOT;
	const char *missing = NULL;

	if (cg_detect(root, &f->c) < 0 || (unified && cg_version(f->c) != 2))
		T_SKIP_BECAUSE("no cgroup%s hierarchy at %s", unified ? "2" : "", root);
	if (cg_check(f->c, NULL, &missing) == -EOPNOTSUPP)
		T_SKIP_BECAUSE("cgroup v%d at %s has no %s controller", cg_version(f->c), root,
			       missing);
	return 0;
}

/* Whether the directory of the lab (@node NULL) or of @node in every hierarchy is gone. */
static bool all_gone(struct cg *c, const char *node)
{
	_cleanup_(cg_paths_freep) char **paths = NULL;

	if (cg_node_procs_paths(c, lab, node ? node : "x", &paths) < 0)
		return false;
	for (char **p = paths; *p; p++) {
		*strrchr(*p, '/') = '\0'; /* the node's dir */
		if (!node)
			*strrchr(*p, '/') = '\0'; /* the lab's */
		if (access(*p, F_OK) == 0 || errno != ENOENT) {
			fprintf(stderr, "still there: %s\n", *p);
			return false;
		}
	}
	return true;
}

/* Makes nodes ln0..ln<n-1>, each with an idle child (ln0's child forks KILL_GRANDCHILDREN and
 * reports them into @grand). Returns 0 or 1. */
static int lab_populate(struct cg *c, unsigned n, pid_t *kids, pid_t *grand)
{
	char node[32];
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return 1;
	report_fd = p[1];
	for (unsigned i = 0; i < n; i++) {
		int r;

		snprintf(node, sizeof(node), "ln%u", i);
		r = cg_node_create(c, lab, node, NULL);
		if (r < 0) {
			fprintf(stderr, "cg_node_create(%s/%s): %s\n", lab, node, strerror(-r));
			return 1;
		}
		kids[i] = spawn_in_node(c, node, i == 0 ? child_family : child_idle);
		if (kids[i] < 0) {
			fprintf(stderr, "spawn in %s: %s\n", node, strerror(-kids[i]));
			return 1;
		}
	}
	close(p[1]);
	for (int i = 0; i < KILL_GRANDCHILDREN; i++)
		if (read(p[0], &grand[i], sizeof(pid_t)) != sizeof(pid_t))
			return 1;
	close(p[0]);
	return 0;
}

static int test_lab_kill(void)
{
	_cleanup_(labfix_done) struct labfix f = { NULL };
	_cleanup_free_ pid_t *kids = NULL;
	pid_t grand[KILL_GRANDCHILDREN];
	unsigned n = lab_nodes();
	double t_lab, t_nkill = 0, t_nremove = 0, t_old;
	char node[32];
	uint64_t t0;
	int r;

	r = labfix_setup(&f, false);
	if (r)
		return r;
	T_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	T_ASSERT((kids = calloc(n, sizeof(*kids))));
	/* No such lab yet: nothing to do, nothing made. */
	T_ASSERT_OK(cg_lab_kill(f.c, lab, 1000));
	T_ASSERT(all_gone(f.c, NULL));

	T_ASSERT(lab_populate(f.c, n, kids, grand) == 0);
	T_ASSERT(cgroup_lines_at(grand[0], "ln0", cg_version(f.c)) >= 1);
	T_ASSERT(cgroup_lines_at(kids[n - 1], node_name(node, sizeof(node), n - 1),
				 cg_version(f.c)) >= 1);

	t0 = now_us();
	T_ASSERT_OK(cg_lab_kill(f.c, lab, 10000));
	t_lab = ms_since(t0);
	for (unsigned i = 0; i < n; i++) {
		int st = 0;

		T_ASSERT(waitpid(kids[i], &st, 0) == kids[i]);
		T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
	T_ASSERT(reap_all(5000) == 0);
	for (int i = 0; i < KILL_GRANDCHILDREN; i++)
		T_ASSERT(kill(grand[i], 0) < 0 && errno == ESRCH);
	/* What the undo does next per node: kill (nothing left: one read per hierarchy), remove. */
	for (unsigned i = 0; i < n; i++) {
		node_name(node, sizeof(node), i);
		t0 = now_us();
		T_ASSERT_OK(cg_node_kill(f.c, lab, node, 1000));
		t_nkill += ms_since(t0);
		t0 = now_us();
		T_ASSERT_OK(cg_node_remove(f.c, lab, node));
		t_nremove += ms_since(t0);
		T_ASSERT(all_gone(f.c, node));
	}
	T_ASSERT_OK(cg_lab_remove(f.c, lab));
	T_ASSERT(all_gone(f.c, NULL));
	T_ASSERT_OK(cg_lab_kill(f.c, lab, 1000)); /* idempotent */

	/* The same lab killed node by node, as the undo did before cg_lab_kill(). */
	T_ASSERT(lab_populate(f.c, n, kids, grand) == 0);
	t0 = now_us();
	for (unsigned i = 0; i < n; i++)
		T_ASSERT_OK(cg_node_kill(f.c, lab, node_name(node, sizeof(node), i), 10000));
	t_old = ms_since(t0);
	T_ASSERT(reap_all(5000) == 0);
	for (unsigned i = 0; i < n; i++)
		T_ASSERT_OK(cg_node_remove(f.c, lab, node_name(node, sizeof(node), i)));
	T_ASSERT_OK(cg_lab_remove(f.c, lab));
	T_ASSERT(all_gone(f.c, NULL));

	fprintf(stderr,
		"lab kill: %u nodes, %u processes, cgroup v%d: cg_lab_kill %.1f ms (%.3f ms/node), "
		"then per node cg_node_kill %.3f ms + cg_node_remove %.3f ms; "
		"cg_node_kill node by node instead: %.3f ms/node\n",
		n, n + KILL_GRANDCHILDREN, cg_version(f.c), t_lab, t_lab / n, t_nkill / n,
		t_nremove / n, t_old / n);
	return 0;
}

/* Moves @pid into cgroup @sub below @node in every hierarchy (mkdir -p there). */
static int move_below(struct cg *c, const char *node, const char *sub, pid_t pid)
{
	_cleanup_(cg_paths_freep) char **paths = NULL;
	int r;

	r = cg_node_procs_paths(c, lab, node, &paths);
	if (r < 0)
		return r;
	for (char **p = paths; *p; p++) {
		_cleanup_fclose_ FILE *fp = NULL;
		char path[512], *slash;

		*strrchr(*p, '/') = '\0';
		snprintf(path, sizeof(path), "%s/%s", *p, sub);
		for (slash = path + strlen(*p) + 1; (slash = strchr(slash, '/')); slash++) {
			*slash = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				return -errno;
			*slash = '/';
		}
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		strcat(path, "/cgroup.procs");
		fp = fopen(path, "we");
		if (!fp || fprintf(fp, "%d", (int)pid) < 0 || fflush(fp) != 0)
			return -errno;
	}
	return 0;
}

static int test_lab_kill_escaped(void)
{
	_cleanup_(labfix_done) struct labfix f = { NULL };
	pid_t a, b;
	int r, st = 0;

	r = labfix_setup(&f, false);
	if (r)
		return r;
	T_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	T_ASSERT_OK(cg_node_create(f.c, lab, "esc", NULL));
	T_ASSERT_OK(cg_node_create(f.c, lab, "stay", NULL));
	/* A node's processes may make cgroups below it and move there (cgroup namespaces let a
	 * node's root do so): the lab's subtree still holds them. */
	a = spawn_in_node(f.c, "esc", child_idle);
	T_ASSERT_OK(a);
	b = spawn_in_node(f.c, "esc", child_idle);
	T_ASSERT_OK(b);
	T_ASSERT_OK(spawn_in_node(f.c, "stay", child_idle));
	T_ASSERT_OK(move_below(f.c, "esc", "sub", a));
	T_ASSERT_OK(move_below(f.c, "esc", "sub/deeper", b));
	T_ASSERT(cgroup_lines_at(a, "esc/sub", cg_version(f.c)) >= 1);
	T_ASSERT(cgroup_lines_at(b, "esc/sub/deeper", cg_version(f.c)) >= 1);

	T_ASSERT_OK(cg_lab_kill(f.c, lab, 5000));
	T_ASSERT(waitpid(a, &st, 0) == a);
	T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	T_ASSERT(waitpid(b, &st, 0) == b);
	T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	T_ASSERT(reap_all(5000) == 0);
	/* The cgroups they made go with the node. */
	T_ASSERT_OK(cg_node_kill(f.c, lab, "esc", 1000));
	T_ASSERT_OK(cg_node_remove(f.c, lab, "esc"));
	T_ASSERT(all_gone(f.c, "esc"));
	T_ASSERT_OK(cg_lab_remove(f.c, lab));
	T_ASSERT(all_gone(f.c, NULL));
	return 0;
}

/* The lab kill on the hybrid's unified tree (no controllers, core files only): cgroup.kill of
 * the lab and "populated" in its cgroup.events, or the cgroup.freeze fallback. */
static int v2_lab_on_hybrid(bool freeze)
{
	_cleanup_(labfix_done) struct labfix f = { NULL };
	pid_t kids[3], grand[KILL_GRANDCHILDREN];
	int r;

	r = labfix_setup(&f, true);
	if (r)
		return r;
	cg_set_ignore_kill_file(f.c, freeze);
	T_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	T_ASSERT(lab_populate(f.c, ELEMENTSOF(kids), kids, grand) == 0);
	T_ASSERT(cgroup_lines_at(grand[1], "ln0", 2) == 1);
	T_ASSERT_OK(cg_lab_kill(f.c, lab, 5000));
	for (size_t i = 0; i < ELEMENTSOF(kids); i++) {
		int st = 0;

		T_ASSERT(waitpid(kids[i], &st, 0) == kids[i]);
		T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
	T_ASSERT(reap_all(5000) == 0);
	for (int i = 0; i < KILL_GRANDCHILDREN; i++)
		T_ASSERT(kill(grand[i], 0) < 0 && errno == ESRCH);
	T_ASSERT_OK(cg_lab_remove(f.c, lab));
	T_ASSERT(all_gone(f.c, NULL));
	return 0;
}

static int test_v2_lab_kill_file(void)
{
	return v2_lab_on_hybrid(false);
}

static int test_v2_lab_freeze(void)
{
	return v2_lab_on_hybrid(true);
}

/* Last: no hierarchy mounted under CG_ROOT (v1 controllers, name=systemd, unified, or the v2
 * root itself) holds nsctl/<lab>. Sweeps what a crashed case left, and fails if there was any. */
static int test_no_residue(void)
{
	_cleanup_(cg_freep) struct cg *c = NULL;
	_cleanup_(closedirp_) DIR *d = NULL;
	struct dirent *de;
	char path[512];
	int left = 0;

	if (cg_detect(CG_ROOT, &c) < 0)
		T_SKIP_BECAUSE("no cgroup hierarchy at %s", CG_ROOT);
	/* Sweep with the module first (kill only touches our lab's cgroups). */
	d = opendir(CG_ROOT);
	T_ASSERT(d);
	while ((de = readdir(d))) {
		_cleanup_(closedirp_) DIR *ld = NULL;
		struct dirent *ne;

		snprintf(path, sizeof(path), "%s/%s/nsctl/%s", CG_ROOT, de->d_name, lab);
		if (streq(de->d_name, "..") || access(path, F_OK) < 0)
			continue;
		fprintf(stderr, "left behind: %s\n", path);
		left++;
		ld = opendir(path);
		while (ld && (ne = readdir(ld)))
			if (ne->d_type == DT_DIR && ne->d_name[0] != '.') {
				(void)cg_node_kill(c, lab, ne->d_name, 5000);
				(void)reap_all(1000);
				(void)cg_node_remove(c, lab, ne->d_name);
			}
	}
	(void)cg_lab_remove(c, lab);
	T_ASSERT(left == 0);
	return 0;
}

static const struct t_case cases[] = {
	{ "attach: child in the node in every hierarchy; EBUSY, kill, remove", test_attach,
	  T_ROOT },
	{ "memory: 64 MiB touched under a 16 MiB limit is OOM-killed", test_memory_oom, T_ROOT },
	{ "pids: forks beyond pids.max fail with EAGAIN", test_pids_limit, T_ROOT },
	{ "cpu: a busy loop under cpu 0.2 gets about 20% of a core", test_cpu_limit, T_ROOT },
	{ "kill: 5 children and 10 grandchildren all gone, cgroup removed", test_kill, T_ROOT },
	{ "v2 core: attach, cgroup.kill, remove on the hybrid's unified tree",
	  test_v2_core_kill_file, T_ROOT },
	{ "v2 core: kill by cgroup.freeze + SIGKILL (kernels before 5.14)", test_v2_core_freeze,
	  T_ROOT },
	{ "lab kill: 20 nodes (one forking) killed at once, then removed; timed", test_lab_kill,
	  T_ROOT },
	{ "lab kill: processes moved to cgroups below a node are killed too", test_lab_kill_escaped,
	  T_ROOT },
	{ "v2 core: lab kill by cgroup.kill on the hybrid's unified tree", test_v2_lab_kill_file,
	  T_ROOT },
	{ "v2 core: lab kill by cgroup.freeze + SIGKILL (kernels before 5.14)", test_v2_lab_freeze,
	  T_ROOT },
	{ "cleanup: nothing of the lab left in any hierarchy", test_no_residue, T_ROOT },
};

int main(int argc, char **argv)
{
	snprintf(lab, sizeof(lab), "cgt%d", (int)getpid());
	return t_run("integ-cgroup", cases, ELEMENTSOF(cases), argc, argv);
}
