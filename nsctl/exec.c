/* SPDX-License-Identifier: MIT */
/* Executor. One rtnetlink handle and one fd per namespace, opened on first use and closed
 * before any undo: an open fd or socket pins a namespace, and a pinned namespace keeps its
 * devices (and a host-side veth end) alive after its name is gone.
 *
 * What is journaled: only objects that need an explicit undo — named namespaces and links in
 * the host namespace. Everything else lives inside a namespace of the lab and goes when that
 * namespace is deleted, which costs the kernel one batched cleanup instead of a ~20 ms
 * RTM_DELLINK per device. */
#include "nsctl/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/macro.h"
#include "netlink/netlink.h"
#include "nsctl/cgroup.h"
#include "nsctl/probe.h"
#include "nsctl/spawn.h"

struct ns_slot {
	const char *name; /* interned plan string; NULL = empty slot */
	int fd;
	struct nlk *nl;
	pid_t init_pid;		    /* a node namespace's init, once node-start ran */
	struct spawn_pending start; /* its start while in flight */
	int dir_seq;		    /* the journal record of its state dir, marked at the end */
};

/* How many node starts may be in flight: while one init builds its root on one core, nsctl
 * clones the next on the other. Beyond a few the cores are busy and more only adds pipes. */
#ifndef EXEC_WINDOW
#define EXEC_WINDOW 8
#endif

struct exec_ctx {
	const struct plan *plan;
	const struct exec_opts *o;
	struct lab_state *state;
	struct cg *cg; /* detected on the first node-start */
	char init_path[PATH_MAX];
	char detail[512];      /* what failed, when an errno alone does not say it */
	struct ns_slot *slots; /* open addressing on the name pointer */
	size_t mask;
	int host_fd;
	struct nlk *host_nl;
	struct nlk *last_nl; /* the handle of the last kernel call, for its extack text */
	const char *last_call;
	struct spawn_launchns launch; /* entered on the first node-start */
	char *hosts;		      /* the lab's /etc/hosts, built on the first node-start */
	int dad_all;		      /* write ipv6 conf.all.accept_dad in new netns: -1 = ask */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned long exec_fail_at_from_env(void)
{
	const char *e = getenv("NSCTL_FAIL_AT");
	char *end = NULL;
	unsigned long v;

	if (!e || !*e)
		return 0;
	errno = 0;
	v = strtoul(e, &end, 10);
	return errno || *end ? 0 : v;
}

/* ---- namespace handles ---- */

static struct ns_slot *slot_of(struct exec_ctx *ctx, const char *name)
{
	size_t h = ((uintptr_t)name >> 3) * 0x9e3779b97f4a7c15ull;

	/* Names are interned by the planner: equal names are the same pointer. */
	for (h &= ctx->mask;; h = (h + 1) & ctx->mask)
		if (!ctx->slots[h].name || ctx->slots[h].name == name)
			return &ctx->slots[h];
}

static int ctx_init(struct exec_ctx *ctx, const struct plan *p, struct lab_state *state)
{
	size_t want = 16, n = plan_count(p);

	*ctx = (struct exec_ctx){ .plan = p, .state = state, .host_fd = -EBADF, .dad_all = -1 };
	ctx->launch.host_mnt = ctx->launch.cwd = -EBADF;
	while (want < 2 * n + 2)
		want *= 2;
	ctx->slots = calloc(want, sizeof(*ctx->slots));
	if (!ctx->slots)
		return -ENOMEM;
	ctx->mask = want - 1;
	ctx->host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ctx->host_fd < 0)
		return -errno;
	return nlk_open(&ctx->host_nl);
}

/* Closes every fd and socket: after this no namespace of the lab is pinned by us. */
static void ctx_release(struct exec_ctx *ctx)
{
	/* Back in the host's mount namespace before anything is undone: the names of the
	 * namespaces are mounts there. */
	if (spawn_launchns_leave(&ctx->launch) < 0)
		log_error("%s", spawn_last_error());
	for (size_t i = 0; ctx->slots && i <= ctx->mask; i++) {
		if (!ctx->slots[i].name)
			continue;
		/* A start still in flight when the run stops: its init is killed here rather
		 * than left to report into a closed pipe (the cgroup undo would kill it too). */
		spawn_node_abort(&ctx->slots[i].start);
		nlk_free(ctx->slots[i].nl);
		if (ctx->slots[i].fd >= 0)
			close(ctx->slots[i].fd);
	}
	free(ctx->slots);
	ctx->slots = NULL;
	ctx->host_nl = nlk_free(ctx->host_nl);
	ctx->cg = cg_free(ctx->cg);
	free(ctx->hosts);
	ctx->hosts = NULL;
	if (ctx->host_fd >= 0)
		close(ctx->host_fd);
	ctx->host_fd = -EBADF;
}

/* The fd of namespace @name (NULL = the host's). -ENOENT if the plan has not created it. */
static int ns_fd(struct exec_ctx *ctx, const char *name)
{
	struct ns_slot *s;

	if (!name)
		return ctx->host_fd;
	s = slot_of(ctx, name);
	if (!s->name) {
		/* Not created in this run: open it by name (only possible for our own names). */
		int fd = netns_open(name);
		if (fd < 0)
			return fd;
		s->name = name;
		s->fd = fd;
	}
	return s->fd;
}

/* The rtnetlink handle inside namespace @name (NULL = host), opened on first use. */
static int ns_nl(struct exec_ctx *ctx, const char *name, struct nlk **ret)
{
	struct ns_slot *s;
	int fd, r;

	if (!name) {
		*ret = ctx->last_nl = ctx->host_nl;
		return 0;
	}
	fd = ns_fd(ctx, name);
	if (fd < 0)
		return fd;
	s = slot_of(ctx, name);
	if (!s->nl) {
		r = nlk_open_in(fd, &s->nl);
		if (r < 0)
			return r;
	}
	*ret = ctx->last_nl = s->nl;
	return 0;
}

/* ---- actions ---- */

/* Whether a new namespace's IPv6 "all" settings are copies of a namespace's (1), not the
 * kernel's defaults (0: there, conf.all.accept_dad is 0 already). net.core.
 * devconf_inherit_init_net (Linux 5.1) is 0 by default: IPv6 starts from the defaults, as it
 * always did before the knob; 2 forces the defaults; 1 and 3 copy the host's, or the
 * creator's (Documentation/networking/ip-sysctl.rst). Read once per run, from our netns. */
static int new_netns_inherits_ipv6_conf(void)
{
	char v[16];

	if (sysctl_read_in(-1, "net.core.devconf_inherit_init_net", v, sizeof(v)) < 0)
		return 0;
	return !streq(v, "0") && !streq(v, "2");
}

int exec_netns_add(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	struct ns_slot *s = slot_of(ctx, a->netns.name);
	int seq, fd = -EBADF, r;

	ctx->last_nl = NULL;
	seq = state_intent(ctx->state, JREC_NETNS, a->netns.name, NULL);
	if (seq < 0)
		return seq;
	r = netns_create(a->netns.name, &fd);
	if (r < 0) {
		(void)state_mark(ctx->state, seq, JREC_FAILED);
		return r;
	}
	s->name = a->netns.name;
	s->fd = fd;
	r = state_mark(ctx->state, seq, JREC_DONE);
	if (r < 0)
		return r;
	/* No IPv6 duplicate address detection in a lab: its addresses are planned, and while a
	 * fresh link-local address is tentative the kernel holds back neighbour solicitations,
	 * so the first IPv6 packet across a router waits ~1-2 s. Set before any device exists,
	 * so every device inherits it ("default"); a file's own sysctls come later and win.
	 * The kernel takes the larger of a device's value and "all"'s, so "all" must be 0 too. */
	if (ctx->dad_all < 0)
		ctx->dad_all = new_netns_inherits_ipv6_conf();
	r = sysctl_write_in(fd, "net.ipv6.conf.default.accept_dad", "0");
	if (r >= 0 && ctx->dad_all)
		r = sysctl_write_in(fd, "net.ipv6.conf.all.accept_dad", "0");
	/* A kernel without IPv6 has no such keys: nothing to switch off then. */
	return r == -ENOENT ? 0 : r;
}

int exec_sysctl_set(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	int fd = ns_fd(ctx, a->sysctl.netns);

	ctx->last_nl = NULL;
	if (fd < 0)
		return fd;
	return sysctl_write_in(fd, a->sysctl.kv->key, a->sysctl.kv->value);
}

static void spec_of(const struct action_dev *d, int netns_fd, struct nlk *nl, struct link_spec *ret)
{
	*ret = (struct link_spec){
		.name = d->ifname,
		.netns_fd = netns_fd,
		.mtu = d->mtu,
		.mac = d->mac,
		.alias = d->alias,
		.no_ipv6_ll = d->no_ipv6_ll,
		.nl = nl,
	};
}

/* A single device (bridge, dummy) created in its own namespace by @add. */
static int add_single(struct exec_ctx *ctx, const struct action *a,
		      int (*add)(struct nlk *nl, const struct link_spec *spec))
{
	struct link_spec spec;
	struct nlk *nl;
	int r = ns_nl(ctx, a->dev.netns, &nl);

	if (r < 0)
		return r;
	spec_of(&a->dev, -1, nl, &spec);
	return add(nl, &spec);
}

int exec_link_bridge(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	return add_single(ctx, a, link_add_bridge);
}

int exec_link_dummy(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	return add_single(ctx, a, link_add_dummy);
}

int exec_link_veth(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	const struct action_dev *e0 = &a->veth.end[0], *e1 = &a->veth.end[1];
	const struct action_dev *host = !e0->netns ? e0 : !e1->netns ? e1 : NULL;
	struct link_spec s0, s1;
	struct nlk *nl0, *nl1;
	int fd1, seq = 0, r;

	r = ns_nl(ctx, e1->netns, &nl1);
	if (r < 0)
		return r;
	fd1 = ns_fd(ctx, e1->netns);
	if (fd1 < 0)
		return fd1;
	r = ns_nl(ctx, e0->netns, &nl0);
	if (r < 0)
		return r;
	/* Sent from end 0's namespace; end 1 is created directly in its own (IFLA_NET_NS_FD). */
	spec_of(e0, -1, nl0, &s0);
	spec_of(e1, fd1, nl1, &s1);
	if (host) {
		/* The only kind of object nsctl puts in the host namespace: journaled with its
		 * owner mark, so cleanup never deletes a same-named interface it did not make. */
		seq = state_intent(ctx->state, JREC_HOSTLINK, host->ifname, host->alias);
		if (seq < 0)
			return seq;
	}
	r = link_add_veth(nl0, &s0, &s1);
	if (host)
		(void)state_mark(ctx->state, seq, r < 0 ? JREC_FAILED : JREC_DONE);
	return r;
}

int exec_link_master(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	struct nlk *nl;
	int r = ns_nl(ctx, a->master.netns, &nl);

	if (r < 0)
		return r;
	return link_set_master(nl, a->master.ifname, a->master.master);
}

int exec_addr_add(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	const struct topo_addr *ad = a->addr.addr;
	struct nlk *nl;
	int r = ns_nl(ctx, a->addr.netns, &nl);

	if (r < 0)
		return r;
	return addr_add(nl, a->addr.ifname, ad->family, ad->bytes, ad->prefixlen);
}

int exec_link_up(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	struct nlk *nl;
	int r = ns_nl(ctx, a->dev.netns, &nl);

	if (r < 0)
		return r;
	/* Only lo carries an MTU here: no action creates it, so its MTU cannot go in a create
	 * request; set it before the link comes up. */
	if (a->dev.mtu != 0) {
		r = link_set_mtu(nl, a->dev.ifname, a->dev.mtu);
		if (r < 0)
			return r;
	}
	return link_set_up(nl, a->dev.ifname);
}

int exec_route_add(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	const struct topo_route *rt = a->route.route;
	struct route_spec spec = {
		.family = rt->is_default && rt->has_via ? rt->via.family : rt->dst.family,
		.dst = rt->is_default ? NULL : rt->dst.bytes,
		.dst_len = rt->is_default ? 0 : rt->dst.prefixlen,
		.gw = rt->has_via ? rt->via.bytes : NULL,
		.dev = rt->dev,
		.metric = rt->metric,
	};
	struct nlk *nl;
	int r = ns_nl(ctx, a->route.netns, &nl);

	if (r < 0)
		return r;
	return route_add(nl, &spec);
}

int exec_qdisc_netem(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	const struct topo_netem *ne = a->netem.netem;
	struct netem_spec spec = {
		.delay_us = ne->delay_us,
		.jitter_us = ne->jitter_us,
		.loss_ppm = ne->loss_ppm,
		.duplicate_ppm = ne->duplicate_ppm,
		.corrupt_ppm = ne->corrupt_ppm,
		.rate_bps = ne->rate_bps,
	};
	struct nlk *nl;
	int r = ns_nl(ctx, a->netem.netns, &nl);

	if (r < 0)
		return r;
	return qdisc_add_netem(nl, a->netem.ifname, &spec);
}

/* ---- nodes ---- */

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int exec_node_env(const struct topo_node *n, char ***ret)
{
	char **v = calloc(n->s.n_env + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n->s.n_env; i++)
		if (asprintf(&v[i], "%s=%s", n->s.env[i].key, n->s.env[i].value) < 0) {
			v[i] = NULL;
			strv_free(v);
			return -ENOMEM;
		}
	*ret = v;
	return 0;
}

/* @p as given if absolute, else relative to the topology file's directory. */
static int resolve_path(const struct exec_ctx *ctx, const char *p, char *buf, size_t len)
{
	int n = p[0] == '/' ? snprintf(buf, len, "%s", p)
			    : snprintf(buf, len, "%s/%s", ctx->o->topo_dir, p);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int node_binds(const struct exec_ctx *ctx, const struct topo_node *n, char ***ret)
{
	char **v = calloc(n->s.n_binds + 1, sizeof(*v));
	char src[PATH_MAX];

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n->s.n_binds; i++) {
		const struct topo_bind *b = &n->s.binds[i];
		int r = resolve_path(ctx, b->src, src, sizeof(src));
		if (r < 0 || asprintf(&v[i], "%s:%s%s", src, b->dst, b->ro ? ":ro" : "") < 0) {
			v[i] = NULL;
			strv_free(v);
			return r < 0 ? r : -ENOMEM;
		}
	}
	*ret = v;
	return 0;
}

/* /etc/hosts of every node: the lab's nodes by name, at their first addresses. */
static char *lab_hosts(const struct topo *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	for (size_t i = 0; i < t->n_nodes; i++)
		for (int fam = 0; fam < 2; fam++) {
			const struct topo_addr *a =
				topo_node_first_addr(&t->nodes[i], fam ? AF_INET6 : AF_INET);
			char host[TOPO_ADDRSTRLEN];
			if (a)
				fprintf(f, "%s\t%s\n", topo_addr_format_host(a, host, sizeof(host)),
					t->nodes[i].name);
		}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int need_cgroups(struct exec_ctx *ctx)
{
	int r;

	if (ctx->cg)
		return 0;
	r = cg_detect(CG_ROOT, &ctx->cg);
	if (r < 0)
		snprintf(ctx->detail, sizeof(ctx->detail), "no usable cgroup hierarchy at %s",
			 CG_ROOT);
	return r;
}

int exec_node_start(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	const struct topo_node *n = a->node.node;
	const struct topo_node_settings *s = &n->s;
	const char *lab = ctx->o->topo->name;
	struct cg_limits lim = {
		.memory = s->limits.has_memory ? s->limits.memory : 0,
		.cpu_millis = s->limits.has_cpu ? s->limits.cpu_millis : 0,
		.pids = s->limits.has_pids ? s->limits.pids : 0,
	};
	_cleanup_(cg_paths_freep) char **procs = NULL;
	_cleanup_(strv_freep) char **env = NULL, **binds = NULL;
	char dir[PATH_MAX], rootfs[PATH_MAX], log[PATH_MAX + 16], pidf[PATH_MAX + 8];
	struct ns_slot *slot = slot_of(ctx, a->node.netns);
	struct spawn_spec spec;
	int fd, seq, dir_seq, r;

	ctx->last_nl = NULL;
	fd = ns_fd(ctx, a->node.netns);
	if (fd < 0)
		return fd;
	r = need_cgroups(ctx);
	if (r < 0)
		return r;
	if (ctx->launch.host_mnt < 0 && (r = spawn_launchns_enter(&ctx->launch)) < 0) {
		snprintf(ctx->detail, sizeof(ctx->detail), "%s", spawn_last_error());
		return r;
	}
	if (!ctx->init_path[0] &&
	    (r = spawn_find_init(ctx->init_path, sizeof(ctx->init_path))) < 0) {
		snprintf(ctx->detail, sizeof(ctx->detail), "cannot find nsctl-init");
		return r;
	}
	r = state_node_dir(ctx->state, n->name, dir, sizeof(dir));
	if (r < 0)
		return r;
	if (s->rootfs && !streq(s->rootfs, "host") &&
	    (r = resolve_path(ctx, s->rootfs, rootfs, sizeof(rootfs))) < 0)
		return r;
	snprintf(log, sizeof(log), "%s/console.log", dir);
	snprintf(pidf, sizeof(pidf), "%s/pid", dir);
	if (!ctx->hosts && !(ctx->hosts = lab_hosts(ctx->o->topo)))
		return -ENOMEM;
	if (exec_node_env(n, &env) < 0 || node_binds(ctx, n, &binds) < 0)
		return -ENOMEM;

	/* The dir first, then the cgroup: undo runs in reverse, so the node's processes are
	 * killed (and its mounts gone with its mount namespace) before its files are removed. */
	dir_seq = state_intent(ctx->state, JREC_NODEDIR, n->name, NULL);
	if (dir_seq < 0)
		return dir_seq;
	seq = state_intent(ctx->state, JREC_CGROUP, n->name, NULL);
	if (seq < 0)
		return seq;
	r = cg_node_create(ctx->cg, lab, n->name, &lim);
	/* On failure cg_node_create() leaves nothing; -EEXIST means a cgroup that is not ours. */
	(void)state_mark(ctx->state, seq, r < 0 ? JREC_FAILED : JREC_DONE);
	if (r < 0) {
		snprintf(ctx->detail, sizeof(ctx->detail), "cgroup nsctl/%s/%s", lab, n->name);
		return r;
	}
	r = cg_node_procs_paths(ctx->cg, lab, n->name, &procs);
	if (r < 0)
		return r;
	if (!s->rootfs || streq(s->rootfs, "host")) {
		char hr[PATH_MAX];

		snprintf(hr, sizeof(hr), "%s/%s/%s", state_root(), lab, STATE_HOST_ROOT);
		r = spawn_launchns_host_root(&ctx->launch, hr);
		if (r < 0) {
			snprintf(ctx->detail, sizeof(ctx->detail), "%s", spawn_last_error());
			return r;
		}
	}
	spec = (struct spawn_spec){
		.init_path = ctx->init_path,
		.netns_fd = fd,
		.hostname = n->hostname ? n->hostname : n->name,
		.rootfs = s->rootfs && !streq(s->rootfs, "host") ? rootfs : NULL,
		.host_root = ctx->launch.host_root[0] ? ctx->launch.host_root : NULL,
		.state_dir = dir,
		.hosts = ctx->hosts,
		.binds = (const char *const *)binds,
		.cmd = s->n_cmd ? s->cmd : NULL,
		.env = env,
		.cgroup_procs = procs,
		.log_path = log,
		.pid_path = pidf,
	};
	r = spawn_node_begin(&spec, &slot->start);
	if (r < 0) {
		snprintf(ctx->detail, sizeof(ctx->detail), "%s", spawn_last_error());
		return r;
	}
	slot->dir_seq = dir_seq;
	return 0;
}

int exec_node_start_finish(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	struct ns_slot *slot = slot_of(ctx, a->node.netns);
	pid_t pid;
	int r;

	ctx->last_nl = NULL;
	r = spawn_node_end(&slot->start, &pid);
	if (r < 0) {
		snprintf(ctx->detail, sizeof(ctx->detail), "%s", spawn_last_error());
		return r;
	}
	slot->init_pid = pid;
	/* The init made the dir and its pid file before it reported: the record gets an outcome
	 * like every other. */
	return state_mark(ctx->state, slot->dir_seq, JREC_DONE);
}

/* Runs @argv in the node with stdout and stderr going to a file, then copies the file to our
 * stdout, each line under the node's name. Not a pipe: a command that leaves a daemon behind
 * ("food &") would keep a pipe's write end open, and whoever reads `up`'s output would wait
 * for that daemon to exit. Returns spawn_enter()'s result. */
static int run_captured(struct exec_ctx *ctx, const char *node, pid_t pid, char *const *procs,
			char *const *argv, char *const *env)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], line[4096];
	_cleanup_close_ int out = -EBADF, saved_out = -EBADF, saved_err = -EBADF;
	_cleanup_fclose_ FILE *f = NULL;
	int r;

	r = state_node_dir(ctx->state, node, dir, sizeof(dir));
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/exec.log", dir);
	out = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	saved_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (saved_out < 0 || saved_err < 0)
		return -errno;
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0) {
		r = -errno;
		(void)dup2(saved_out, STDOUT_FILENO);
		(void)dup2(saved_err, STDERR_FILENO);
		return r;
	}
	r = spawn_enter(pid, procs, argv, env);
	(void)dup2(saved_out, STDOUT_FILENO);
	(void)dup2(saved_err, STDERR_FILENO);
	f = fdopen(TAKE_FD(out), "r");
	if (f && fseek(f, 0, SEEK_SET) == 0)
		while (fgets(line, sizeof(line), f))
			printf("[%s] %s%s", node, line, strchr(line, '\n') ? "" : "\n");
	fflush(stdout);
	return r;
}

int exec_node_exec(struct exec_ctx *ctx, const struct action *a, struct action_result *res)
{
	const struct topo_node *n = a->node.node;
	const char *lab = ctx->o->topo->name;
	struct ns_slot *slot = slot_of(ctx, a->node.netns);
	_cleanup_(cg_paths_freep) char **procs = NULL;
	_cleanup_(strv_freep) char **env = NULL;
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", a->node.exec->cmd, NULL };
	int r;

	ctx->last_nl = NULL;
	if (slot->name != a->node.netns || slot->init_pid <= 0)
		return -ESRCH;
	r = cg_node_procs_paths(ctx->cg, lab, n->name, &procs);
	if (r < 0)
		return r;
	r = exec_node_env(n, &env);
	if (r < 0)
		return r;
	printf("[%s] $ %s\n", n->name, a->node.exec->cmd);
	r = run_captured(ctx, n->name, slot->init_pid, procs, argv, env);
	if (r < 0) {
		snprintf(ctx->detail, sizeof(ctx->detail), "%s", spawn_last_error());
		return r;
	}
	if (r != 0 && !a->node.exec->optional) {
		snprintf(ctx->detail, sizeof(ctx->detail),
			 "the command exited with status %d (mark it 'optional: true' to go on)",
			 r);
		return -ECANCELED;
	}
	if (r != 0)
		printf("[%s] exited with status %d (optional: going on)\n", n->name, r);
	return 0;
}

int exec_node_pid(const struct lab_state *s, const char *netns_name, const char *node)
{
	char dir[PATH_MAX], path[PATH_MAX + 8], buf[32] = { 0 };
	struct stat want, got;
	_cleanup_close_ int fd = -EBADF;
	pid_t pid;
	int r = state_node_dir(s, node, dir, sizeof(dir));

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/pid", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		return -ESRCH;
	pid = (pid_t)atoi(buf);
	if (pid <= 0)
		return -ESRCH;
	/* A pid can be reused: it is our init only if it sits in the node's namespace. */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &got) < 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/run/netns/%s", netns_name);
	if (stat(path, &want) < 0)
		return -errno;
	if (got.st_ino != want.st_ino || got.st_dev != want.st_dev)
		return -ESRCH;
	return (int)pid;
}

/* ---- the loop ---- */

static void log_step_failure(struct exec_ctx *ctx, size_t i, size_t n, const struct action *a,
			     int r, bool injected)
{
	const char *extack = ctx->last_nl ? nlk_last_extack(ctx->last_nl) : "";
	char *desc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&desc, &len);

	if (f) {
		action_ops[a->kind].describe(a, f);
		fclose(f);
	}
	if (injected)
		log_error("step %zu/%zu %s: injected failure (NSCTL_FAIL_AT=%zu)", i + 1, n,
			  desc ? desc : action_ops[a->kind].name, i + 1);
	else if (r == -EINTR)
		log_error("step %zu/%zu %s: interrupted by a signal", i + 1, n,
			  desc ? desc : action_ops[a->kind].name);
	else if (ctx->detail[0] && r == -ECANCELED)
		log_error("step %zu/%zu %s: %s", i + 1, n, desc ? desc : action_ops[a->kind].name,
			  ctx->detail);
	else if (ctx->detail[0])
		log_error("step %zu/%zu %s: %s: %s", i + 1, n,
			  desc ? desc : action_ops[a->kind].name, ctx->detail, strerror(-r));
	else if (extack && *extack)
		log_error("step %zu/%zu %s: %s (kernel: \"%s\")", i + 1, n,
			  desc ? desc : action_ops[a->kind].name, strerror(-r), extack);
	else
		log_error("step %zu/%zu %s: %s", i + 1, n, desc ? desc : action_ops[a->kind].name,
			  strerror(-r));
	free(desc);
}

/* "  <what> i+1/n (p%)" on stderr, erased after the last step. Only for long labs on a
 * terminal; one update per 1% keeps stderr cheap. */
static void progress_line(const char *what, size_t i, size_t n, bool on)
{
	if (!on || n < 200 || (i % (n / 100) != 0 && i + 1 != n))
		return;
	fprintf(stderr, "\r  %s %zu/%zu (%zu%%)%s", what, i + 1, n, (i + 1) * 100 / n,
		i + 1 == n ? "\r\033[K" : "");
}

/* Steps in flight: applied, not finished (kinds with a finish: node-start). A ring of plan
 * indices, oldest first. */
struct inflight {
	size_t step[EXEC_WINDOW];
	size_t head, n;
};

/* Finishes the oldest step in flight. Returns 0 or its negative errno, with the failure logged
 * and recorded in @stats. */
static int finish_oldest(struct exec_ctx *ctx, struct inflight *q, const struct plan *p,
			 struct exec_stats *stats)
{
	size_t i = q->step[q->head];
	const struct action *a = plan_get(p, i);
	double t0 = now();
	int r;

	q->head = (q->head + 1) % EXEC_WINDOW;
	q->n--;
	ctx->detail[0] = '\0';
	r = action_ops[a->kind].finish(ctx, a, NULL);
	stats->seconds[a->kind] += now() - t0;
	if (r < 0) {
		log_step_failure(ctx, i, plan_count(p), a, r, false);
		stats->failed_step = i + 1;
		return r;
	}
	stats->count[a->kind]++;
	return 0;
}

/* Per namespace nsctl holds its fd and a netlink socket, and up to EXEC_WINDOW status sockets
 * of starting inits, all at once: the default soft RLIMIT_NOFILE of 1024 is too low from ~500
 * nodes on. A limit that cannot be raised shows up as EMFILE in the step that meets it. */
static void reserve_fds(const struct plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < plan_count(p); i++)
		n += plan_get(p, i)->kind == ACT_NETNS_ADD;
	(void)probe_reserve_fds(2 * n + EXEC_WINDOW);
}

int exec_apply(const struct plan *p, struct lab_state *state, const struct exec_opts *o,
	       struct exec_stats *stats)
{
	struct exec_ctx ctx;
	struct inflight q = { .n = 0 };
	size_t n = plan_count(p), i;
	double start = now();
	int r;

	memset(stats, 0, sizeof(*stats));
	reserve_fds(p);
	r = ctx_init(&ctx, p, state);
	ctx.o = o;
	for (i = 0; r >= 0 && i < n; i++) {
		const struct action *a = plan_get(p, i);
		const struct action_ops *ops = &action_ops[a->kind];
		bool injected = o->fail_at == i + 1;
		double t0;

		/* A step without a finish may depend on everything before it (an exec: entry on
		 * a node started just before): it waits until nothing is in flight. A step with
		 * one waits only for a free slot in the window. */
		while (r >= 0 && q.n > 0 && (!ops->finish || q.n == EXEC_WINDOW))
			r = finish_oldest(&ctx, &q, p, stats);
		if (r < 0)
			break;
		t0 = now();
		if (o->stop && *o->stop)
			r = -EINTR;
		else if (injected)
			r = -EIO;
		else {
			ctx.detail[0] = '\0';
			r = ops->apply(&ctx, a, NULL);
		}
		if (r < 0) {
			log_step_failure(&ctx, i, n, a, r, injected);
			stats->failed_step = i + 1;
			break;
		}
		stats->seconds[a->kind] += now() - t0;
		if (ops->finish) {
			q.step[(q.head + q.n++) % EXEC_WINDOW] = i;
		} else {
			stats->count[a->kind]++;
		}
		progress_line("applying", i, n, o->progress);
	}
	while (r >= 0 && q.n > 0)
		r = finish_oldest(&ctx, &q, p, stats);
	if (r < 0 && i == 0 && !stats->failed_step)
		log_error_errno(r, "cannot open the host's network namespace");
	ctx_release(&ctx);
	if (r >= 0)
		r = state_complete(state);
	if (r < 0) {
		int u = exec_undo_journal(state, o->progress, NULL);
		stats->rollback_failed = u < 0;
		if (u < 0)
			log_error("rollback incomplete: see the objects named above; 'nsctl down' "
				  "retries");
		else
			log_notice("rolled back: everything this run created is gone");
	}
	stats->total_seconds = now() - start;
	return r < 0 ? r : 0;
}

/* ---- undo ---- */

static int undo_hostlink(struct nlk **nl, const struct jrec *rec)
{
	char alias[256];
	int r;

	if (!*nl) {
		r = nlk_open(nl);
		if (r < 0)
			return r;
	}
	r = link_get_alias(*nl, rec->arg[0], alias, sizeof(alias));
	if (r == -ENODEV)
		return 0; /* gone already (deleting the node's namespace took the pair with it) */
	if (r < 0)
		return r;
	/* The mark goes on in a second request after the create (the kernel ignores
	 * IFLA_IFALIAS in RTM_NEWLINK), so an `up` killed between the two leaves our veth
	 * unmarked. An unmarked interface named by our own journal is ours: `up` checked the name
	 * was free, under the lab lock, just before creating it. An interface carrying some
	 * other mark is not. */
	if (*alias && (!rec->arg[1] || !streq(alias, rec->arg[1]))) {
		log_warning(
			"host interface '%s' carries the mark '%s', not nsctl's '%s': left alone",
			rec->arg[0], alias, rec->arg[1] ? rec->arg[1] : "");
		return 0;
	}
	return link_del(*nl, rec->arg[0]);
}

/* Removes a node's cgroup. After cg_lab_kill() it is empty and the rmdir is all it takes; the
 * kernel's -EBUSY is the emptiness check. A node still busy (a process that escaped the lab
 * kill, or a lab kill that failed) is stopped on its own: freeze + kill, or cgroup.kill.
 * Killing the init also ends its PID and mount namespaces, so the node's mounts go with it. */
static int undo_cgroup(struct cg *cg, const char *lab, const char *node)
{
	int r;

	r = cg_node_remove(cg, lab, node);
	if (r == -EBUSY) {
		r = cg_node_kill(cg, lab, node, 5000);
		/* The node's init may be our child (rollback in the same process): reap it. */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (r >= 0)
			r = cg_node_remove(cg, lab, node);
	}
	return r < 0 ? r : 1;
}

/* Kills every process of the lab at once, before the records are undone one by one: a node at
 * a time costs a freeze, a kill and a wait each (~8 ms on v1), the lab at once one of each. */
static int undo_lab_kill(struct cg **cg, const char *lab, size_t n_nodes)
{
	int r;

	r = cg_detect(CG_ROOT, cg);
	if (r < 0)
		return log_error_errno(r, "cannot find the cgroup hierarchy at %s", CG_ROOT);
	r = cg_lab_kill(*cg, lab, 5000 + 5 * (unsigned)(n_nodes > 100000 ? 100000 : n_nodes));
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (r < 0)
		log_warning("cannot stop lab '%s' at once (%s); stopping node by node", lab,
			    strerror(-r));
	return 0;
}

int exec_undo_journal(struct lab_state *state, bool progress, struct undo_stats *stats)
{
	_cleanup_(nlk_freep) struct nlk *host_nl = NULL;
	_cleanup_(cg_freep) struct cg *cg = NULL;
	struct jrec *recs = NULL;
	struct undo_stats dummy;
	size_t n = 0, n_cgroups = 0;
	int r, first = 0, removed = 0;
	double start = now(), t0;

	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));

	r = state_read(state, &recs, &n, NULL);
	if (r == -ENOENT)
		return 0;
	if (r == -EBADMSG)
		log_warning("the journal has unreadable lines; undoing every record it could read");
	else if (r < 0)
		return log_error_errno(r, "cannot read the journal");

	for (size_t i = 0; i < n; i++)
		n_cgroups += recs[i].kind == JREC_CGROUP && recs[i].state != JREC_FAILED;
	if (n_cgroups > 0 && undo_lab_kill(&cg, state_lab(state), n_cgroups) < 0)
		first = -ENOENT;
	stats->kill_seconds = now() - start;

	/* Host links first (reverse order puts them before the namespaces they were made with):
	 * deleting them explicitly frees their names now, not when the kernel gets round to
	 * destroying the namespace that holds the peer. */
	for (size_t i = n; i > 0; i--) {
		const struct jrec *rec = &recs[i - 1];

		progress_line("removing", n - i, n, progress);
		if (rec->state == JREC_FAILED)
			continue;
		t0 = now();
		switch (rec->kind) {
		case JREC_HOSTLINK:
			r = undo_hostlink(&host_nl, rec);
			if (r < 0)
				log_error_errno(r, "cannot remove host interface '%s'",
						rec->arg[0]);
			break;
		case JREC_NETNS:
			r = netns_delete(rec->arg[0]);
			if (r < 0)
				log_error_errno(r, "cannot remove network namespace '%s'",
						rec->arg[0]);
			break;
		case JREC_CGROUP:
			if (!cg) {
				r = -ENOENT; /* reported by undo_lab_kill() */
				break;
			}
			r = undo_cgroup(cg, state_lab(state), rec->arg[0]);
			if (r < 0)
				log_error_errno(r, "cannot stop node '%s' (cgroup nsctl/%s/%s)",
						rec->arg[0], state_lab(state), rec->arg[0]);
			break;
		case JREC_NODEDIR:
			r = state_node_dir_remove(state, rec->arg[0]);
			if (r < 0)
				log_error_errno(r, "cannot remove the state dir of node '%s'",
						rec->arg[0]);
			break;
		default:
			r = 0;
			break;
		}
		if (rec->kind < _JREC_MAX) {
			stats->seconds[rec->kind] += now() - t0;
			stats->count[rec->kind] += r > 0;
		}
		if (r < 0 && first == 0)
			first = r;
		else if (r > 0)
			removed++;
	}
	state_records_free(recs, n);
	if (cg) {
		r = cg_lab_remove(cg, state_lab(state));
		if (r < 0 && first == 0)
			first = log_error_errno(r, "cannot remove cgroup nsctl/%s",
						state_lab(state));
	}
	stats->total_seconds = now() - start;
	return first < 0 ? first : removed;
}
