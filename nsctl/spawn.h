/* SPDX-License-Identifier: MIT */
/* The node launcher: starts a node's PID 1 (nsctl-init) in its own mount, PID, UTS, IPC and
 * cgroup namespaces, joined to the node's network namespace; runs programs inside a running
 * node; stops it. The mount work (overlay or read-only host root, pivot_root, /proc, /sys,
 * /dev, tmpfs, binds, /etc/hosts) is the init's, in the node's own mount namespace, so it
 * dies with the node: nothing to undo on the host but the state dir's contents.
 *
 * Errors are negative errnos; spawn_last_error() names the step that failed. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct spawn_spec {
	const char *init_path;	   /* the nsctl-init binary (spawn_find_init()) */
	int netns_fd;		   /* the node's network namespace (already created) */
	const char *hostname;	   /* 1..64 bytes */
	const char *rootfs;	   /* NULL = the host's root, read-only; else an absolute directory:
				    * the overlayfs lower layer, with state_dir/upper on top */
	const char *host_root;	   /* with rootfs NULL: a ready read-only copy of the host's root
				    * (spawn_launchns_host_root()) the init pivots into; NULL = the
				    * init builds its own */
	const char *state_dir;	   /* absolute per-node dir (/run/nsctl/<lab>/nodes/<node>), made
				    * if missing, with merged/ (upper/, work/ too for a rootfs dir;
				    * none with host_root); removing it on down is the executor's */
	const char *hosts;	   /* /etc/hosts content; NULL = localhost lines only */
	const char *const *binds;  /* "src:dst[:ro|:rw]", src absolute on the host (resolved here
				    * with realpath), dst absolute in the node; NULL-terminated or
				    * NULL */
	char *const *cmd;	   /* the node's main process; NULL = the init idles */
	char *const *env;	   /* "K=V" for cmd (PATH, HOSTNAME, HOME=/root added unless
				    * given); NULL-terminated or NULL */
	char *const *cgroup_procs; /* cgroup.procs files that get the init's pid before it runs
				    * anything (and before it unshares its cgroup namespace);
				    * NULL-terminated or NULL */
	const char *log_path;	   /* NULL = the init and cmd inherit our stdin/stdout/stderr;
				    * else stdin is /dev/null and stdout+stderr append here */
	const char *pid_path;	   /* NULL or a file the init writes its pid to (as our /proc
				    * shows it), before it reports */
	bool exit_with_cmd;	   /* the init exits (cmd's status) when cmd exits; default: it
				    * stays, so the node and whatever cmd left running live on */
};

/* Starts the node described by @s: clone(CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC,
 * sharing our memory until its exec), the child writes itself into every cgroup_procs file,
 * setns()es into netns_fd, unshares its cgroup namespace and execs the init, which builds the root,
 * pivot_roots, starts cmd and reports back. Returns once the init reported ready; *@ret_pid is then
 * its pid (in our PID namespace), our child until the caller reaps it (spawn_stop() does). No
 * descriptor of ours but stdio reaches the node. On failure the child is killed and reaped and a
 * negative errno returned (-ENOENT: a missing rootfs, bind source, init or cmd; -ETIMEDOUT: no
 * report within 30 s; -ECHILD: the init died without reporting; -EINVAL: a bad spec), with the step
 * in spawn_last_error(). */
int spawn_node(const struct spawn_spec *s, pid_t *ret_pid);

/* A node start in flight: cloned and released into its cgroups, report not read yet. */
struct spawn_pending {
	pid_t pid;     /* the init, our child */
	int report_fd; /* its status pipe */
};

/* spawn_node() in two halves, so that a launcher can start the next node while this one's init
 * builds its root: begin returns once the child is in its cgroups and running (*@ret filled),
 * end waits for its report. Same errors as spawn_node(), each from the half that meets it; on
 * failure of either the child is killed and reaped. After end, *@p is empty. */
int spawn_node_begin(const struct spawn_spec *s, struct spawn_pending *ret);
int spawn_node_end(struct spawn_pending *p, pid_t *ret_pid);

/* Kills and reaps the child of a start in flight and closes its pipe. An empty *@p (pid 0, as
 * after end or in a zeroed struct) is left alone. */
void spawn_node_abort(struct spawn_pending *p);

/* Runs @argv inside every namespace of the node whose init is @init_pid (setns to its user (if
 * it differs from ours), ipc, uts, net, pid, cgroup and mnt namespaces, mnt last, then its
 * root), after joining the cgroups of @cgroup_procs (NULL-terminated or NULL), cwd "/". PATH is
 * searched with the node's PATH. @env (NULL-terminated or NULL) gets PATH, HOSTNAME, HOME=/root
 * and TERM (ours) added unless it has them. With a terminal on stdin that is our foreground, the
 * program gets its own process group in the foreground (an interactive shell works) and we take the
 * terminal back afterwards. Returns the exit status of @argv (128+N if killed by signal N), or
 * a negative errno (-ESRCH: no such init; -ENOENT: no such program in the node; others from
 * setns), with the step in spawn_last_error(). */
int spawn_enter(pid_t init_pid, char *const *cgroup_procs, char *const *argv, char *const *env);

/* spawn_enter(), but with a terminal on stdin the program gets a terminal of the node's own, as
 * `docker exec -t` does: a pty opened from the node's /dev/ptmx (so `tty` names it /dev/pts/N
 * inside), its controlling terminal in a session of its own, on its stdin, stdout and stderr.
 * nsctl keeps the master, puts our terminal in raw mode (restored on return, and before a
 * terminating signal is delivered), passes the window size on (again on SIGWINCH) and copies
 * stdin to the pty and the pty to stdout until the program and whatever holds the pty are gone.
 * Without a terminal on stdin, exactly spawn_enter(). Same returns; -ENOENT/-EIO etc. also for
 * a pty that cannot be opened in the node, with the step in spawn_last_error(). */
int spawn_enter_tty(pid_t init_pid, char *const *cgroup_procs, char *const *argv, char *const *env);

/* Stops a node: SIGTERM to @init_pid (the init passes it on to every process of the node and
 * exits once they are gone), SIGKILL after @timeout_ms, and reaps it if it is our child.
 * Returns 0 if it ended after SIGTERM or was already gone, 1 if it needed SIGKILL, or a
 * negative errno (-ETIMEDOUT if even SIGKILL did not end it within 5 s). */
int spawn_stop(pid_t init_pid, unsigned timeout_ms);

/* Finds the nsctl-init binary: $NSCTL_INIT if set, else next to our own executable (the build
 * tree: build/<cc>/nsctl-init), else ../libexec/nsctl/nsctl-init relative to it (the installed
 * layout, $(PREFIX)/bin and $(PREFIX)/libexec). Writes the path into @buf. Returns 0, -ENOENT,
 * or -ENAMETOOLONG. */
int spawn_find_init(char *buf, size_t len);

/* The launch namespace: a mount namespace of nsctl's own, a slave copy of the host's without its
 * nsfs mounts (/run/netns/<name> and the like), entered while nodes are started. A new mount
 * namespace copies every mount of its creator's, and the init bind-mounts the root once more:
 * with N named namespaces on the host that is O(N) per node, O(N^2) per lab. From here each
 * copy is the host's few dozen mounts. */
struct spawn_launchns {
	int host_mnt;		  /* our original mount namespace; -EBADF when not entered */
	int cwd;		  /* our working directory in it */
	char host_root[PATH_MAX]; /* the host root copy, "" until made */
};

/* Moves the calling process (single-threaded) into a new launch namespace; *@ret remembers the
 * way back. Returns 0, or a negative errno with the step in spawn_last_error() (we are then
 * back where we were). */
int spawn_launchns_enter(struct spawn_launchns *ret);

/* Mounts, in the launch namespace @l, a read-only copy of the host's root on @dir (created here,
 * in the host's file system), pruned as each node's would be (/proc, /sys, /dev, /run, /tmp,
 * /var/tmp detached): the host_root of spawn_spec. Building it once per lab instead of once per
 * node saves each node the unmounts, and every unmount waits for an RCU grace period. No-op
 * once made. Returns 0 or a negative errno (nothing left behind), step in spawn_last_error(). */
int spawn_launchns_host_root(struct spawn_launchns *l, const char *dir);

/* Returns to the mount namespace and working directory saved in @l, removes the host root dir,
 * closes its fds and marks it not entered. No-op when not entered. Returns 0 or a negative errno
 * (the fds are closed either way). */
int spawn_launchns_leave(struct spawn_launchns *l);

/* The step of the last spawn_* failure in this thread ("mount overlay (lowerdir …) on …",
 * "exec cmd /usr/sbin/frr", "cgroup /sys/fs/cgroup/…/cgroup.procs"); "" if none. Valid until
 * the next spawn_* call in the same thread. */
const char *spawn_last_error(void);
