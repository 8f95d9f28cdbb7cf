/* SPDX-License-Identifier: MIT */
/* Node cgroups: nsctl/<lab>/<node> on the cgroup v2 tree or on the v1 hierarchies (memory, cpu,
 * cpuacct, pids, freezer), detected at run time. Limits, attaching the node's init, killing every
 * process of a node at once, statistics, removal. No logging: callers get -errno (and, for a
 * missing controller, its name from cg_check()). */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "common/macro.h"

#define CG_ROOT "/sys/fs/cgroup"

/* A file of this name in the root given to cg_detect() marks a fake cgroupfs built by the unit
 * tests in a plain directory: there, writes create the files they write (mkdir makes no control
 * files), removal unlinks them before rmdir, no signal is ever sent, and the statfs checks are
 * skipped. Its content may hold lines "fail-write <file name>": writes to files of that name fail
 * with -EIO (fault injection for rollback tests). */
#define CG_FAKE_MARKER "nsctl-fake-cgroupfs"

struct cg; /* the detected hierarchy; opaque */

/* Zero in a field means "no limit". */
struct cg_limits {
	uint64_t memory;     /* bytes of RAM + swap */
	uint32_t cpu_millis; /* thousandths of a core (500 = half a core); 10 and up */
	uint32_t pids;	     /* tasks (processes and threads) */
};

#define CG_STAT_UNKNOWN UINT64_MAX /* the controller or the kernel does not report it */

struct cg_stat {
	uint64_t cpu_usec;	 /* cpu time used by the node since creation */
	uint64_t memory_current; /* bytes charged now */
	uint64_t oom_kills;	 /* processes the OOM killer killed in the node */
	uint64_t pids_current;	 /* tasks now */
};

/* Detects the hierarchy under @root (CG_ROOT in real use): v2 if @root is a cgroup2 mount (has
 * cgroup.controllers, statfs says CGROUP2_SUPER_MAGIC), else v1 with one mount per controller at
 * @root/<controller> (cpu and cpuacct may be one hierarchy reached through symlinks). A missing
 * controller is not an error here; cg_check() reports it. On success *@ret is owned by the caller
 * (cg_free()). Returns 0, -ENOENT if @root does not exist, -EOPNOTSUPP if it holds no cgroup
 * hierarchy, or another negative errno. */
int cg_detect(const char *root, struct cg **ret);

/* Frees @c (NULL is fine); returns NULL. */
struct cg *cg_free(struct cg *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cg *, cg_free)

/* Returns 1 or 2. */
int cg_version(const struct cg *c);

/* Checks that @c can apply @l (NULL = no limits): each limit's controller is available (v2: listed
 * in the root's cgroup.controllers; v1: mounted), and on v1 the freezer is (cg_node_kill() needs
 * it). Returns 0; -EOPNOTSUPP with *@ret_missing set to the controller's name (a static string);
 * or -ERANGE for a cpu limit below 10 millis (the kernel's minimum quota is 1 ms per 100 ms). */
int cg_check(const struct cg *c, const struct cg_limits *l, const char **ret_missing);

/* Creates the cgroup of @node of @lab (nsctl/<lab>/<node>; on v1 in every mounted hierarchy of
 * memory, cpu, cpuacct, pids and freezer) and writes @l (NULL = no limits) into it. On v2 it first
 * enables the available memory, cpu and pids controllers in the cgroup.subtree_control of the
 * root, nsctl and nsctl/<lab> where they are not yet enabled. @c remembers the last lab it set
 * up, so further nodes of that lab make only their own directories (the caller holds the lab
 * lock: no other process removes the lab meanwhile; a lab found gone is set up again). All or
 * nothing: on failure every directory it made is removed again (the root's subtree_control is
 * left as is: other labs may rely on it). Returns 0; -EINVAL for a name that is empty, ".", ".."
 * or has a '/'; -EEXIST if the node's cgroup already exists (not ours: left untouched); the
 * errors of cg_check(); or another negative errno (-EBUSY on v2 when the root holds processes
 * and is not the real root). */
int cg_node_create(struct cg *c, const char *lab, const char *node, const struct cg_limits *l);

/* Returns in *@ret the NULL-terminated list of cgroup.procs files a new process of the node must
 * be written to (v2: one; v1: one per hierarchy), for launchers that open them before forking.
 * Owned by the caller: cg_paths_free(). Returns 0, -EINVAL for a bad name, or -ENOMEM. */
int cg_node_procs_paths(const struct cg *c, const char *lab, const char *node, char ***ret);

/* Frees a list from cg_node_procs_paths() (NULL is fine); returns NULL. */
char **cg_paths_free(char **paths);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, cg_paths_free)

/* Moves process @pid (all its threads) into the node's cgroup in every hierarchy. Returns 0,
 * -ENOENT if the node's cgroup does not exist, -ESRCH if @pid does not, or another negative
 * errno (the process may then be in some hierarchies only). */
int cg_node_attach(const struct cg *c, const char *lab, const char *node, pid_t pid);

/* Kills every process of the node (and of cgroups below it) and waits until none is left. Only
 * processes in the node's cgroup are signalled, never by name: v2 writes cgroup.kill where the
 * kernel has it (5.14+); otherwise (and on v1) it freezes the cgroup so nothing can fork or exit
 * while the pids are read, sends SIGKILL to each, and thaws. Processes die only after the thaw;
 * zombies are not counted (the cgroup lets go of a task when it exits, before it is reaped).
 * An empty node costs one read per hierarchy (v2: one read) and no freeze: cheap after
 * cg_lab_kill(). Waits at most @timeout_ms in all. Returns 0 (also when the cgroup does not
 * exist), -ETIMEDOUT if processes remain, or another negative errno. */
int cg_node_kill(const struct cg *c, const char *lab, const char *node, unsigned timeout_ms);

/* Kills every process of @lab, in nsctl/<lab> and every cgroup below it (all its nodes at once),
 * and waits until none is left, zombies not counted, at most @timeout_ms in all. Only processes
 * in the lab's cgroups are signalled. v2: the lab's cgroup.kill (5.14+; before, freeze the lab,
 * SIGKILL each pid, thaw), then wait for "populated 0" in its cgroup.events. v1: freeze the lab
 * in the freezer hierarchy (its cgroups follow their parent), SIGKILL each pid of that subtree,
 * thaw, wait for each pid to exit (pidfd), then check the subtree is empty; a process that
 * escaped is caught in another round. On v1 the processes are found in the freezer hierarchy
 * only (each node process is in every hierarchy): one outside the lab there but inside it in
 * another hierarchy (a half-done attach) is left to cg_node_kill(). Returns 0 (also when the
 * lab's cgroup does not exist), -EINVAL for a bad name, -ETIMEDOUT if processes remain, or
 * another negative errno. */
int cg_lab_kill(const struct cg *c, const char *lab, unsigned timeout_ms);

/* Removes the node's cgroup (and empty cgroups below it) in every hierarchy. Never kills.
 * Returns 0 (also when it does not exist), -EBUSY if processes remain, or another negative
 * errno. */
int cg_node_remove(const struct cg *c, const char *lab, const char *node);

/* Removes nsctl/<lab> with any empty cgroups below it in every hierarchy, then nsctl/ itself
 * where no other lab uses it, and makes @c forget the lab (see cg_node_create()). Never kills.
 * Returns 0 (also when nothing exists), -EBUSY if processes remain in the lab, or another
 * negative errno. */
int cg_lab_remove(struct cg *c, const char *lab);

/* Reads the node's statistics into *@ret (fields the hierarchy lacks are CG_STAT_UNKNOWN).
 * v2: cpu.stat usage_usec, memory.current, memory.events oom_kill, pids.current; v1:
 * cpuacct.usage, memory.usage_in_bytes, memory.oom_control oom_kill, pids.current.
 * Returns 0, -ENOENT if the node's cgroup does not exist, or another negative errno. */
int cg_node_stat(const struct cg *c, const char *lab, const char *node, struct cg_stat *ret);
