/* SPDX-License-Identifier: MIT */
/* The lab verbs that change the kernel: up and down. */
#include "nsctl/lab.h"

#include <ctype.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/macro.h"
#include "netlink/netlink.h"
#include "nsctl/cgroup.h"
#include "nsctl/cli.h"
#include "nsctl/exec.h"
#include "nsctl/labtest.h"
#include "nsctl/plan.h"
#include "nsctl/spawn.h"
#include "nsctl/state.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct topo *, topo_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plan *, plan_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct lab_state *, state_free);

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	stop_requested = sig;
}

static int need_root(const char *verb)
{
	if (geteuid() == 0)
		return 0;
	log_error("'nsctl %s' needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)", verb);
	return -EPERM;
}

/* Lock @lab or say who holds it. */
static int lock_lab(const char *lab, struct lab_state **ret)
{
	int holder = 0, r = state_lock(lab, ret, &holder);

	if (r == -EBUSY) {
		if (holder > 0)
			return log_error_errno(
				r, "lab '%s' is being changed by another nsctl (pid %d)", lab,
				holder);
		return log_error_errno(r, "lab '%s' is being changed by another nsctl", lab);
	}
	if (r < 0)
		return log_error_errno(r, "cannot lock lab '%s' under %s", lab, state_root());
	return 0;
}

enum { FEAT_DUMMY = 1u << 0, FEAT_NETEM = 1u << 1 };

/* Which kernel features does the plan need? */
static unsigned features_needed(const struct plan *p)
{
	unsigned need = 0;

	for (size_t i = 0; i < plan_count(p); i++) {
		enum action_kind k = plan_get(p, i)->kind;
		if (k == ACT_LINK_DUMMY)
			need |= FEAT_DUMMY;
		else if (k == ACT_QDISC_NETEM)
			need |= FEAT_NETEM;
	}
	return need;
}

/* Tries each needed feature in a child's own, unnamed network namespace: it vanishes with the
 * child, so the probe changes nothing on the host. Returns the mask of missing features. */
static unsigned features_missing(unsigned need)
{
	pid_t pid;
	int st = 0;

	if (!need)
		return 0;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 0; /* cannot tell: let the kernel answer during up (and roll back) */
	if (pid == 0) {
		struct nlk *nl = NULL;
		struct link_spec d = { .name = "nsctlprobe0", .netns_fd = -1 };
		struct netem_spec ne = { .delay_us = 1000 };
		unsigned missing = 0;

		if (unshare(CLONE_NEWNET) < 0 || nlk_open(&nl) < 0)
			_exit(0);
		if ((need & FEAT_DUMMY) && link_add_dummy(nl, &d) == -EOPNOTSUPP)
			missing |= FEAT_DUMMY;
		if ((need & FEAT_NETEM) && qdisc_add_netem(nl, "lo", &ne) == -ENOENT)
			missing |= FEAT_NETEM;
		_exit((int)missing);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 0;
	return (unsigned)WEXITSTATUS(st);
}

/* Checks that @p (relative paths from @dir, the topology file's directory) is a @what. */
static int check_path(const char *dir, const char *p, bool want_dir, const char *node,
		      const char *what)
{
	char buf[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(buf, sizeof(buf), "%s%s%s", p[0] == '/' ? "" : dir,
			     p[0] == '/' ? "" : "/", p) >= sizeof(buf))
		return log_error_errno(-ENAMETOOLONG, "node '%s': %s '%s'", node, what, p);
	if (stat(buf, &st) < 0) {
		int e = errno;
		log_error("node '%s': %s '%s' (%s): %s; nothing was changed", node, what, p, buf,
			  strerror(e));
		return -e;
	}
	if (want_dir && !S_ISDIR(st.st_mode)) {
		log_error("node '%s': %s '%s' (%s) is not a directory; nothing was changed", node,
			  what, p, buf);
		return -ENOTDIR;
	}
	return 0;
}

/* What node start needs, checked before anything is created: the init binary, a cgroup
 * hierarchy with the controllers the limits use, rootfs dirs and bind sources (relative to
 * @dir, the topology file's directory). */
static int preflight_nodes(const struct topo *t, const char *dir)
{
	_cleanup_(cg_freep) struct cg *cg = NULL;
	char init[PATH_MAX];
	int r, bad = 0;

	if (t->n_nodes == 0)
		return 0;
	r = spawn_find_init(init, sizeof(init));
	if (r < 0) {
		log_error("cannot find nsctl-init (the nodes' init): build it with 'make', or set "
			  "NSCTL_INIT; nothing was changed");
		bad = r;
	}
	r = cg_detect(CG_ROOT, &cg);
	if (r < 0)
		return log_error_errno(r, "no usable cgroup hierarchy at %s; nothing was changed",
				       CG_ROOT);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_limits *l = &t->nodes[i].s.limits;
		struct cg_limits lim = {
			.memory = l->has_memory ? l->memory : 0,
			.cpu_millis = l->has_cpu ? l->cpu_millis : 0,
			.pids = l->has_pids ? l->pids : 0,
		};
		const char *missing = NULL;

		const struct topo_node_settings *s = &t->nodes[i].s;

		if (s->rootfs && !streq(s->rootfs, "host") &&
		    check_path(dir, s->rootfs, true, t->nodes[i].name, "rootfs") < 0)
			bad = -ENOENT;
		for (size_t b = 0; b < s->n_binds; b++) {
			const char *dst = s->binds[b].dst;

			if (check_path(dir, s->binds[b].src, false, t->nodes[i].name,
				       "bind source") < 0)
				bad = -ENOENT;
			/* On the read-only host root a missing destination is made by an
			 * overlay on its parent, which '/' itself cannot get. */
			if ((!s->rootfs || streq(s->rootfs, "host")) && !strchr(dst + 1, '/') &&
			    access(dst, F_OK) < 0) {
				log_error(
					"node '%s': bind destination '%s' does not exist and '/' "
					"of rootfs host is read-only: bind to a deeper path (e.g. "
					"/mnt%s); nothing was changed",
					t->nodes[i].name, dst, dst);
				bad = -EROFS;
			}
		}
		r = cg_check(cg, &lim, &missing);
		if (r == -EOPNOTSUPP) {
			log_error(
				"node '%s' has limits that need the cgroup controller '%s', which "
				"this host does not offer (cgroup v%d); nothing was changed",
				t->nodes[i].name, missing ? missing : "?", cg_version(cg));
			bad = r;
		} else if (r < 0) {
			log_error_errno(r, "node '%s': its limits cannot be set here",
					t->nodes[i].name);
			bad = r;
		}
	}
	return bad;
}

/* A large L2 segment can outgrow the kernel's neighbour tables, which all namespaces share:
 * better said before `up` than found as unexplained timeouts later. */
static void warn_neigh_limit(const struct topo *t)
{
	bool v4 = false, v6 = false;

	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			for (size_t k = 0; k < t->nodes[i].ifaces[j].n_addrs; k++) {
				v4 = v4 || t->nodes[i].ifaces[j].addrs[k].family == AF_INET;
				v6 = v6 || t->nodes[i].ifaces[j].addrs[k].family == AF_INET6;
			}
	labtest_warn_neigh_limit(t, v4, v6, "traffic between every pair of nodes (test --all)");
}

/* Everything `up` can check before it changes anything: names nsctl would create are free,
 * and the kernel has the features the file uses. Returns 0 or a negative errno (logged). */
static int preflight(const struct topo *t, const struct plan *p, const char *dir)
{
	_cleanup_(nlk_freep) struct nlk *host = NULL;
	unsigned missing;
	int r, bad = 0;

	for (size_t i = 0; i < plan_count(p); i++) {
		const struct action *a = plan_get(p, i);

		if (a->kind == ACT_NETNS_ADD) {
			r = netns_exists(a->netns.name);
			if (r < 0)
				return log_error_errno(r, "cannot check network namespace '%s'",
						       a->netns.name);
			if (r > 0) {
				log_error(
					"network namespace '%s' already exists and is not part of "
					"lab '%s'; nothing was changed",
					a->netns.name, t->name);
				bad = -EEXIST;
			}
		} else if (a->kind == ACT_LINK_VETH) {
			for (int e = 0; e < 2; e++) {
				const struct action_dev *d = &a->veth.end[e];
				if (d->netns)
					continue;
				if (!host && (r = nlk_open(&host)) < 0)
					return log_error_errno(r, "cannot open rtnetlink");
				r = link_exists(host, d->ifname);
				if (r < 0)
					return log_error_errno(
						r, "cannot check host interface '%s'", d->ifname);
				if (r > 0) {
					log_error("host interface '%s' already exists; nsctl will "
						  "not "
						  "take it over; nothing was changed",
						  d->ifname);
					bad = -EEXIST;
				}
			}
		}
	}
	r = preflight_nodes(t, dir);
	if (r < 0)
		bad = r;
	missing = features_missing(features_needed(p));
	if (missing & FEAT_DUMMY) {
		log_error("this kernel has no dummy interfaces (CONFIG_DUMMY); the file uses "
			  "'type: dummy'; nothing was changed");
		bad = -EOPNOTSUPP;
	}
	if (missing & FEAT_NETEM) {
		log_error("this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM); the file uses "
			  "'netem'; nothing was changed");
		bad = -EOPNOTSUPP;
	}
	if (bad == 0)
		warn_neigh_limit(t);
	return bad;
}

static void print_summary(const struct topo *t, const struct plan *p, const struct exec_stats *st,
			  FILE *out)
{
	size_t n_addr = 0;

	for (int k = 0; k < _ACT_MAX; k++)
		if (st->count[k])
			fprintf(out, "  %-12s %6zu  %8.1f ms\n", action_ops[k].name, st->count[k],
				st->seconds[k] * 1e3);
	fprintf(out, "lab '%s' is up in %.1f ms: %zu node%s, %zu link%s, %zu bridge%s\n\n", t->name,
		st->total_seconds * 1e3, t->n_nodes, t->n_nodes == 1 ? "" : "s", t->n_links,
		t->n_links == 1 ? "" : "s", t->n_bridges, t->n_bridges == 1 ? "" : "s");
	fprintf(out, "%-16s %-24s %s\n", "NODE", "NAMESPACE", "INTERFACES");
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		fprintf(out, "%-16s %-24s", n->name, plan_node_netns(p, i));
		for (size_t j = 0; j < n->n_ifaces; j++) {
			const struct topo_iface *ifc = &n->ifaces[j];
			fprintf(out, " %s", ifc->name);
			for (size_t k = 0; k < ifc->n_addrs; k++) {
				char buf[TOPO_ADDRSTRLEN];
				fprintf(out, "%s%s", k ? "," : "=",
					topo_addr_format(&ifc->addrs[k], buf, sizeof(buf)));
				n_addr++;
			}
		}
		fputc('\n', out);
	}
	(void)n_addr;
}

static void print_json(const struct topo *t, const struct exec_stats *st, bool ok, FILE *out)
{
	bool first = true;

	fprintf(out, "{\"lab\":");
	json_print_string(out, t->name);
	fprintf(out, ",\"ok\":%s,\"seconds\":%.6f,\"failed_step\":%zu,\"phases\":[",
		ok ? "true" : "false", st->total_seconds, st->failed_step);
	for (int k = 0; k < _ACT_MAX; k++) {
		if (!st->count[k])
			continue;
		fprintf(out, "%s{\"kind\":\"%s\",\"count\":%zu,\"seconds\":%.6f}", first ? "" : ",",
			action_ops[k].name, st->count[k], st->seconds[k]);
		first = false;
	}
	fprintf(out, "]}\n");
}

int lab_up(const char *path, const struct lab_opts *o)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	_cleanup_(state_freep) struct lab_state *s = NULL;
	struct exec_stats stats = { 0 };
	struct exec_opts eo = { .stop = &stop_requested, .progress = isatty(STDERR_FILENO) };
	struct sigaction sa = { .sa_handler = on_stop_signal };
	char topo_real[PATH_MAX];
	const char *topo_dir;
	_cleanup_close_ int saved_stdout = -EBADF;
	int unsupported = 0, r;

	r = cli_load_topology(path, false, &t, &unsupported);
	if (r < 0)
		return EXIT_USAGE;
	if (unsupported > 0) {
		log_error("'nsctl up' refuses '%s': it uses keys that are not supported yet (the "
			  "warnings above)",
			  path);
		return EXIT_USAGE;
	}
	if (need_root("up") < 0)
		return EXIT_FAILED;
	r = plan_build(t, &p);
	if (r < 0) {
		log_error_errno(r, "cannot plan '%s'", path);
		return EXIT_FAILED;
	}
	/* From the lock on, a signal means: stop at the next step and undo what was done. The
	 * handlers go in before the lock is taken, so no signal can kill us between taking it
	 * and journaling (which would leave the lock file behind). */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (lock_lab(t->name, &s) < 0)
		return EXIT_FAILED;
	r = state_has_journal(s);
	if (r != 0) {
		if (r > 0)
			log_error(
				"lab '%s' is already up (or an earlier 'up' was interrupted): run "
				"'nsctl down %s' first",
				t->name, t->name);
		else
			log_error_errno(r, "cannot read the state of lab '%s'", t->name);
		return EXIT_FAILED;
	}
	if (!realpath(path, topo_real)) {
		log_error_errno(-errno, "cannot resolve '%s'", path);
		(void)state_remove(s);
		return EXIT_FAILED;
	}
	topo_dir = dirname(topo_real);
	r = preflight(t, p, topo_dir);
	if (r >= 0 && stop_requested) {
		log_error("interrupted by a signal before anything was created");
		r = -EINTR;
	}
	if (r < 0) {
		(void)state_remove(s);
		return EXIT_FAILED;
	}
	r = state_begin(s, path);
	if (r < 0) {
		log_error_errno(r, "cannot start the journal of lab '%s'", t->name);
		(void)state_remove(s);
		return EXIT_FAILED;
	}
	eo.fail_at = exec_fail_at_from_env();
	eo.topo = t;
	eo.topo_dir = topo_dir;
	log_info("bringing up lab '%s': %zu steps", t->name, plan_count(p));
	if (o->json) {
		/* exec: entries print their output; with --json, stdout holds only the JSON. */
		fflush(stdout);
		saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		if (saved_stdout >= 0)
			(void)dup2(STDERR_FILENO, STDOUT_FILENO);
	}
	r = exec_apply(p, s, &eo, &stats);
	if (saved_stdout >= 0) {
		fflush(stdout);
		(void)dup2(saved_stdout, STDOUT_FILENO);
	}
	if (r < 0) {
		/* The executor rolled back; drop the state unless something is left to undo. */
		if (!stats.rollback_failed)
			(void)state_remove(s);
		if (o->json)
			print_json(t, &stats, false, stdout);
		return EXIT_FAILED;
	}
	if (o->json)
		print_json(t, &stats, true, stdout);
	else
		print_summary(t, p, &stats, stdout);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

/* A topology file is named with a '/' or a YAML suffix; anything else is a lab name. (Not
 * "whatever exists in the current directory": `nsctl down routed` must not depend on the
 * directory it runs in.) */
static bool looks_like_file(const char *arg)
{
	size_t len = strlen(arg);

	return strchr(arg, '/') || (len > 5 && streq(arg + len - 5, ".yaml")) ||
	       (len > 4 && streq(arg + len - 4, ".yml"));
}

int lab_name_of(const char *arg, char **ret)
{
	if (looks_like_file(arg)) {
		_cleanup_(topo_freep) struct topo *t = NULL;
		if (cli_load_topology(arg, true, &t, NULL) < 0)
			return -EINVAL;
		*ret = strdup(t->name);
		return *ret ? 0 : -ENOMEM;
	}
	if (!state_lab_name_ok(arg)) {
		log_error("'%s' is neither a topology file nor a lab name ([a-z0-9][a-z0-9-]*, at "
			  "most 32 bytes)",
			  arg);
		return -EINVAL;
	}
	*ret = strdup(arg);
	return *ret ? 0 : -ENOMEM;
}

/* `down --json`: {"lab", "ok", "removed", "seconds", "phases": [{"kind", "count", "seconds"}]},
 * the phases in the order down runs them: node-kill (every process of the lab at once), then
 * per journal kind (hostlink, cgroup, nodedir, netns). */
static void print_down_json(const char *lab, const struct undo_stats *st, int r, FILE *out)
{
	static const enum jrec_kind order[] = { JREC_HOSTLINK, JREC_CGROUP, JREC_NODEDIR,
						JREC_NETNS };

	fprintf(out, "{\"lab\":");
	json_print_string(out, lab);
	fprintf(out, ",\"ok\":%s,\"removed\":%d,\"seconds\":%.6f,\"phases\":[",
		r < 0 ? "false" : "true", r < 0 ? 0 : r, st->total_seconds);
	fprintf(out, "{\"kind\":\"node-kill\",\"count\":%zu,\"seconds\":%.6f}",
		st->count[JREC_CGROUP], st->kill_seconds);
	for (size_t i = 0; i < ELEMENTSOF(order); i++)
		fprintf(out, ",{\"kind\":\"%s\",\"count\":%zu,\"seconds\":%.6f}",
			state_jrec_name(order[i]), st->count[order[i]], st->seconds[order[i]]);
	fprintf(out, "]}\n");
}

int lab_down(const char *arg, const struct lab_opts *o)
{
	_cleanup_(state_freep) struct lab_state *s = NULL;
	_cleanup_free_ char *lab = NULL;
	struct undo_stats stats;
	struct timespec t0, t1;
	int r;

	r = lab_name_of(arg, &lab);
	if (r < 0)
		return EXIT_USAGE;
	if (need_root("down") < 0)
		return EXIT_FAILED;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (lock_lab(lab, &s) < 0)
		return EXIT_FAILED;
	r = state_has_journal(s);
	if (r <= 0) {
		(void)state_remove(s);
		if (r < 0)
			return log_error_errno(r, "cannot read the state of lab '%s'", lab),
			       EXIT_FAILED;
		log_notice("lab '%s' is not up: nothing to do", lab);
		if (o->json) {
			memset(&stats, 0, sizeof(stats));
			print_down_json(lab, &stats, 0, stdout);
		}
		return EXIT_OK;
	}
	r = exec_undo_journal(s, isatty(STDERR_FILENO), &stats);
	if (o->json)
		print_down_json(lab, &stats, r, stdout);
	if (r < 0) {
		log_error("lab '%s' is not fully down: the objects named above remain; the journal "
			  "is kept so 'nsctl down %s' can retry",
			  lab, lab);
		return EXIT_FAILED;
	}
	if (state_remove(s) < 0)
		log_warning("could not remove the state dir of lab '%s' under %s", lab,
			    state_root());
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!o->json)
		printf("lab '%s' is down: %d objects removed in %.1f ms\n", lab, r,
		       ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e6));
	return EXIT_OK;
}

int lab_test(const char *arg, const struct lab_opts *o)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_free_ char *stored = NULL;
	struct labtest_opts to = { .all = o->all, .json = o->json };
	const char *path = arg;
	int r;

	if (!looks_like_file(arg)) {
		if (!state_lab_name_ok(arg)) {
			log_error("'%s' is neither a topology file nor a lab name", arg);
			return EXIT_USAGE;
		}
		/* The copy `up` stored: the tests of the lab as it was brought up. */
		stored = state_topology_path_of(arg);
		if (!stored)
			return EXIT_FAILED;
		if (access(stored, R_OK) < 0) {
			log_error("lab '%s' is not up", arg);
			return EXIT_FAILED;
		}
		path = stored;
	}
	if (cli_load_topology(path, true, &t, NULL) < 0)
		return EXIT_USAGE;
	if (need_root("test") < 0)
		return EXIT_FAILED;
	r = labtest_run(t, &to, stdout);
	if (r == -ENOENT) {
		log_error("lab '%s' is not up (none of its network namespaces exists)", t->name);
		return EXIT_FAILED;
	}
	if (fflush(stdout) != 0)
		return EXIT_FAILED;
	return r == 0 ? EXIT_OK : EXIT_FAILED;
}

/* Splits "LAB/NODE" and checks both parts are names nsctl could have made (they become a
 * path under /run/netns). */
static int split_lab_node(const char *arg, char **ret_lab, const char **ret_node)
{
	const char *slash = strchr(arg, '/');
	const char *node;

	if (!slash || slash == arg || !slash[1])
		return -EINVAL;
	node = slash + 1;
	if (!isalnum((unsigned char)node[0]) || strlen(node) > TOPO_NODE_NAME_MAX)
		return -EINVAL;
	for (const char *p = node; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return -EINVAL;
	*ret_lab = strndup(arg, (size_t)(slash - arg));
	if (!*ret_lab)
		return -ENOMEM;
	if (!state_lab_name_ok(*ret_lab)) {
		free(*ret_lab);
		return -EINVAL;
	}
	*ret_node = node;
	return 0;
}

int lab_exec(const char *target, char **cmd)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_(strv_freep) char **env = NULL;
	_cleanup_free_ char *lab = NULL, *ns = NULL;
	_cleanup_(state_freep) struct lab_state *s = NULL;
	_cleanup_(cg_freep) struct cg *cg = NULL;
	_cleanup_(cg_paths_freep) char **procs = NULL;
	char *shell_argv[] = { NULL, NULL };
	int (*enter)(pid_t, char *const *, char *const *, char *const *);
	const char *node;
	int pid, r;

	r = split_lab_node(target, &lab, &node);
	if (r < 0) {
		log_error("'%s' is not LAB/NODE", target);
		return EXIT_USAGE;
	}
	if (need_root("exec") < 0)
		return EXIT_EXEC_FAILED;
	if (asprintf(&ns, "%s-%s", lab, node) < 0)
		return EXIT_EXEC_FAILED;
	r = netns_exists(ns);
	if (r <= 0) {
		log_error(
			"lab '%s' has no running node '%s' (no network namespace '%s'; is the lab "
			"up?)",
			lab, node, ns);
		return EXIT_EXEC_FAILED;
	}
	if (!cmd || !cmd[0]) {
		const char *sh = getenv("SHELL");
		/* Your shell if the node has it (tried below), else the node's /bin/sh. */
		shell_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
		cmd = shell_argv;
	}
	/* state_lock() would fail while `up` runs; only the state's paths are needed here. */
	r = state_open_readonly(lab, &s);
	if (r < 0)
		return log_error_errno(r, "cannot read the state of lab '%s'", lab),
		       EXIT_EXEC_FAILED;
	pid = exec_node_pid(s, ns, node);
	if (pid < 0) {
		log_error_errno(pid, "node '%s' of lab '%s' has no running init", node, lab);
		return EXIT_EXEC_FAILED;
	}
	/* Never run a command outside the node's limits: no cgroups found is an error. */
	r = cg_detect(CG_ROOT, &cg);
	if (r >= 0)
		r = cg_node_procs_paths(cg, lab, node, &procs);
	if (r < 0) {
		log_error_errno(r, "cannot find the cgroups of node '%s' of lab '%s'", node, lab);
		return EXIT_EXEC_FAILED;
	}
	/* The node's env: from the topology copy `up` stored (as exec: entries get it). */
	if (cli_load_topology(state_topology_path(s), true, &t, NULL) >= 0) {
		const struct topo_node *n = topo_find_node(t, node);
		if (n && exec_node_env(n, &env) < 0)
			return log_error_errno(-ENOMEM, "out of memory"), EXIT_EXEC_FAILED;
	}
	/* Every namespace of the node (net, mnt, pid, uts, ipc, cgroup) and its cgroups; with a
	 * terminal on stdin, a pty of the node's own, so that `tty` and job control work there. */
	enter = isatty(STDIN_FILENO) ? spawn_enter_tty : spawn_enter;
	r = enter(pid, procs, cmd, env);
	if (r == -ENOENT && cmd == shell_argv && !streq(shell_argv[0], "/bin/sh")) {
		shell_argv[0] = (char *)"/bin/sh";
		r = enter(pid, procs, cmd, env);
	}
	if (r == -ENOENT) {
		log_error("'%s' not found in %s/%s", cmd[0], lab, node);
		return 127;
	}
	if (r == -EACCES || r == -ENOEXEC) {
		/* The shell's convention: found but not runnable. */
		log_error_errno(r, "cannot run '%s' in %s/%s", cmd[0], lab, node);
		return 126;
	}
	if (r < 0) {
		log_error_errno(r, "cannot run '%s' in %s/%s (%s)", cmd[0], lab, node,
				spawn_last_error());
		return EXIT_EXEC_FAILED;
	}
	return r;
}
