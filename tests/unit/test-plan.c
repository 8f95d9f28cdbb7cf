/* SPDX-License-Identifier: MIT */
/* Planner and graph tests (tier "unit-plan"): no privileges, no kernel state.
 *
 * Golden files: `nsctl plan` output of every examples/NAME.yaml is compared with
 * tests/golden/NAME.plan; a missing golden file is a failure. After a deliberate change to the
 * plan or its describe() format, regenerate them and review the diff before committing:
 *
 *     NSCTL_UPDATE_GOLDEN=1 build/cc/tests/unit/test-plan golden
 *
 * Files are found under $NSCTL_SRCDIR (the Makefile exports it; default "."). */
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nsctl/graph.h"
#include "nsctl/plan.h"
#include "tests/t.h"
#include "topo/topo.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct topo *, topo_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plan *, plan_free);

static void globfreep(glob_t *g)
{
	globfree(g);
}

static const char *srcdir(void)
{
	const char *s = getenv("NSCTL_SRCDIR");

	return s && *s ? s : ".";
}

/* Parses and validates; prints the diagnostics and fails on any error. */
static int load_common(struct topo *t, int r, struct topo_diag *d, struct topo **ret)
{
	_cleanup_(topo_freep) struct topo *tt = t;

	if (r >= 0 && tt && d->n_errors == 0)
		r = topo_validate(tt, d);
	if (r >= 0 && d->n_errors)
		r = -EINVAL;
	if (r < 0 || !tt) {
		topo_diag_print(d, stderr);
		topo_diag_clear(d);
		return r < 0 ? r : -EINVAL;
	}
	topo_diag_clear(d);
	*ret = TAKE_PTR(tt);
	return 0;
}

static int load_file(const char *path, struct topo **ret)
{
	struct topo_diag d = { 0 };
	struct topo *t = NULL;
	int r = topo_parse_file(path, &t, &d);

	return load_common(t, r, &d, ret);
}

static int load_string(const char *yaml, struct topo **ret)
{
	struct topo_diag d = { 0 };
	struct topo *t = NULL;
	int r = topo_parse_string("<test>", yaml, strlen(yaml), &t, &d);

	return load_common(t, r, &d, ret);
}

/* The examples/ files, sorted (glob's order); fails when there are none. */
static int examples(glob_t *g)
{
	char pat[4096];

	snprintf(pat, sizeof(pat), "%s/examples/*.yaml", srcdir());
	if (glob(pat, GLOB_ERR, NULL, g) != 0 || g->gl_pathc == 0) {
		fprintf(stderr, "no examples match %s\n", pat);
		return -ENOENT;
	}
	return 0;
}

/* Runs @print into a malloc'd string. */
static char *capture_plan(const struct plan *p, int (*print)(const struct plan *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (print(p, f) < 0) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

static char *read_all(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, n;
	FILE *m;
	char chunk[4096];

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	return buf;
}

/* Prints the first line where @want and @got differ. */
static void show_first_difference(const char *want, const char *got)
{
	unsigned line = 1;

	while (*want && *want == *got) {
		if (*want == '\n')
			line++;
		want++;
		got++;
	}
	while (line > 1 && want[-1] != '\n') {
		want--;
		got--;
	}
	fprintf(stderr, "  first difference at line %u:\n  want: %.*s\n  got:  %.*s\n", line,
		(int)strcspn(want, "\n"), want, (int)strcspn(got, "\n"), got);
}

/* ---- golden files ---- */

static int test_golden(void)
{
	_cleanup_(globfreep) glob_t g = { 0 };
	bool update = getenv("NSCTL_UPDATE_GOLDEN") && streq(getenv("NSCTL_UPDATE_GOLDEN"), "1");
	int failed = 0;

	T_ASSERT_OK(examples(&g));
	for (size_t i = 0; i < g.gl_pathc; i++) {
		_cleanup_(topo_freep) struct topo *t = NULL;
		_cleanup_(plan_freep) struct plan *p = NULL;
		_cleanup_free_ char *got = NULL, *want = NULL, *base = strdup(g.gl_pathv[i]);
		char golden[4096], *name;

		T_ASSERT(base);
		name = basename(base);
		name[strlen(name) - strlen(".yaml")] = '\0';
		snprintf(golden, sizeof(golden), "%s/tests/golden/%s.plan", srcdir(), name);

		T_ASSERT_OK(load_file(g.gl_pathv[i], &t));
		T_ASSERT_OK(plan_build(t, &p));
		got = capture_plan(p, plan_print);
		T_ASSERT(got);
		if (update) {
			_cleanup_fclose_ FILE *f = fopen(golden, "we");

			T_ASSERT(f);
			T_ASSERT(fputs(got, f) >= 0);
			fprintf(stderr, "updated %s\n", golden);
			continue;
		}
		want = read_all(golden);
		if (!want) {
			fprintf(stderr,
				"%s: missing golden file %s (NSCTL_UPDATE_GOLDEN=1 writes it)\n",
				g.gl_pathv[i], golden);
			failed++;
			continue;
		}
		if (!streq(want, got)) {
			fprintf(stderr, "%s: plan differs from %s\n", g.gl_pathv[i], golden);
			show_first_difference(want, got);
			failed++;
		}
	}
	return failed ? 1 : 0;
}

/* A golden file whose example is gone would pass forever unnoticed. */
static int test_golden_stale(void)
{
	_cleanup_(globfreep) glob_t g = { 0 };
	char pat[4096];
	int failed = 0;

	snprintf(pat, sizeof(pat), "%s/tests/golden/*.plan", srcdir());
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		_cleanup_free_ char *base = strdup(g.gl_pathv[i]);
		char example[4096], *name;

		T_ASSERT(base);
		name = basename(base);
		name[strlen(name) - strlen(".plan")] = '\0';
		snprintf(example, sizeof(example), "%s/examples/%s.yaml", srcdir(), name);
		if (access(example, F_OK) < 0) {
			fprintf(stderr, "%s has no %s\n", g.gl_pathv[i], example);
			failed++;
		}
	}
	return failed ? 1 : 0;
}

/* ---- ordering properties, checked on every example and the synthetic labs ---- */

/* A synthetic lab: long names that force generated fabric port names, name collisions between
 * "<node>-<iface>" forms and bridge names, per-interface sysctls, dummies, lo, a host end. */
static const char ports_yaml[] =
	"name: ports\n"
	"bridges:\n"
	"  p0: {}\n"
	"  p1: {}\n"
	"  a-b-c: {}\n"
	"  sw: {mtu: 9000}\n"
	"nodes:\n"
	"  a-b:\n"
	"    interfaces:\n"
	"      c: {addresses: [192.0.2.1/24]}\n"
	"  a:\n"
	"    interfaces:\n"
	"      b-c: {addresses: [192.0.2.2/24, 2001:db8::2/64]}\n"
	"  averyveryverylongnodenamethatgoesonandonandon:\n"
	"    sysctls: {net.ipv4.conf.eth0.rp_filter: 0, net.ipv4.ip_forward: 1,\n"
	"              net.ipv6.conf.default.forwarding: 1}\n"
	"    interfaces:\n"
	"      eth0: {addresses: [2001:db8::3/64]}\n"
	"      eth1: {addresses: [198.51.100.1/24], mtu: 1400}\n"
	"      lo: {addresses: [10.0.0.1/32], mtu: 65000}\n"
	"      dum0: {type: dummy, addresses: [2001:db8:9::1/64]}\n"
	"      dum1: {type: dummy, addresses: [10.9.0.1/24]}\n"
	"    routes:\n"
	"      - {to: 203.0.113.0/24, via: 198.51.100.2}\n"
	"  n1:\n"
	"    interfaces:\n"
	"      abcdefghijklmno: {addresses: [192.0.2.4/24]}\n"
	"  n2:\n"
	"    interfaces:\n"
	"      eth0: {addresses: [192.0.2.5/24]}\n"
	"links:\n"
	"  - endpoints: [a-b:c, p0]\n"
	"  - endpoints: [a:b-c, sw]\n"
	"  - endpoints: [averyveryverylongnodenamethatgoesonandonandon:eth0, sw]\n"
	"  - endpoints: [n1:abcdefghijklmno, sw]\n"
	"  - endpoints: [n2:eth0, p1]\n"
	"  - endpoints: [averyveryverylongnodenamethatgoesonandonandon:eth1, host:portstest0]\n"
	"host:\n"
	"  interfaces:\n"
	"    portstest0: {addresses: [198.51.100.2/24]}\n";

/* Namespaces an action works in (not the one ACT_NETNS_ADD creates); NULL = host. */
static size_t action_netns(const struct action *a, const char *ns[2])
{
	switch (a->kind) {
	case ACT_NETNS_ADD:
		return 0;
	case ACT_SYSCTL_SET:
		ns[0] = a->sysctl.netns;
		return 1;
	case ACT_LINK_BRIDGE:
	case ACT_LINK_DUMMY:
	case ACT_LINK_UP:
		ns[0] = a->dev.netns;
		return 1;
	case ACT_LINK_VETH:
		ns[0] = a->veth.end[0].netns;
		ns[1] = a->veth.end[1].netns;
		return 2;
	case ACT_LINK_MASTER:
		ns[0] = a->master.netns;
		return 1;
	case ACT_ADDR_ADD:
		ns[0] = a->addr.netns;
		return 1;
	case ACT_ROUTE_ADD:
		ns[0] = a->route.netns;
		return 1;
	case ACT_QDISC_NETEM:
		ns[0] = a->netem.netns;
		return 1;
	case ACT_NODE_START:
	case ACT_NODE_EXEC:
		ns[0] = a->node.netns;
		return 1;
	default:
		return 0;
	}
}

static bool same_ns(const char *a, const char *b)
{
	return a == b || (a && b && streq(a, b));
}

/* Index of the action that creates device @ifname in @ns ("lo": the namespace itself), or
 * -1. */
static long creator(const struct plan *p, const char *ns, const char *ifname)
{
	for (size_t i = 0; i < plan_count(p); i++) {
		const struct action *a = plan_get(p, i);

		switch (a->kind) {
		case ACT_NETNS_ADD:
			if (streq(ifname, "lo") && same_ns(a->netns.name, ns))
				return (long)i;
			break;
		case ACT_LINK_BRIDGE:
		case ACT_LINK_DUMMY:
			if (same_ns(a->dev.netns, ns) && streq(a->dev.ifname, ifname))
				return (long)i;
			break;
		case ACT_LINK_VETH:
			for (int e = 0; e < 2; e++)
				if (same_ns(a->veth.end[e].netns, ns) &&
				    streq(a->veth.end[e].ifname, ifname))
					return (long)i;
			break;
		default:
			break;
		}
	}
	return -1;
}

/* Index of the first ACT_LINK_UP in @ns. */
static size_t first_up(const struct plan *p, const char *ns)
{
	size_t i;

	for (i = 0; i < plan_count(p); i++)
		if (plan_get(p, i)->kind == ACT_LINK_UP && same_ns(plan_get(p, i)->dev.netns, ns))
			break;
	return i;
}

static bool sysctl_names_iface(const char *key)
{
	return !strncmp(key, "net.ipv4.conf.", 14) && strncmp(key + 14, "all.", 4) &&
	       strncmp(key + 14, "default.", 8) && strncmp(key + 14, "lo.", 3);
}

static int check_order(const struct topo *t, const struct plan *p)
{
	size_t n = plan_count(p);

	for (size_t i = 0; i < n; i++) {
		const struct action *a = plan_get(p, i);
		const char *ns[2] = { NULL, NULL };
		size_t k = action_netns(a, ns);

		T_ASSERT(a->object && *a->object);
		/* Every namespace is created before anything in it. */
		for (size_t e = 0; e < k; e++) {
			long c;

			if (!ns[e])
				continue;
			c = creator(p, ns[e], "lo");
			if (c < 0 || (size_t)c >= i) {
				fprintf(stderr, "step %zu uses netns %s before it exists\n", i + 1,
					ns[e]);
				return 1;
			}
		}
		/* Every device is created before it is addressed, enslaved, shaped or set up. */
		{
			const char *ifname = NULL, *dns = NULL;
			long c;

			if (a->kind == ACT_ADDR_ADD)
				ifname = a->addr.ifname, dns = a->addr.netns;
			else if (a->kind == ACT_LINK_UP)
				ifname = a->dev.ifname, dns = a->dev.netns;
			else if (a->kind == ACT_LINK_MASTER)
				ifname = a->master.ifname, dns = a->master.netns;
			else if (a->kind == ACT_QDISC_NETEM)
				ifname = a->netem.ifname, dns = a->netem.netns;
			if (ifname) {
				c = creator(p, dns, ifname);
				if (c < 0 || (size_t)c >= i) {
					fprintf(stderr, "step %zu uses %s:%s before it exists\n",
						i + 1, dns ? dns : "host", ifname);
					return 1;
				}
			}
			if (a->kind == ACT_LINK_MASTER) {
				c = creator(p, dns, a->master.master);
				T_ASSERT(c >= 0 && (size_t)c < i);
			}
		}
		/* Routes come after every link of their namespace is up (the kernel refuses a
		 * gateway on a down link); lo is the first link up in a namespace; the network
		 * is complete before node processes start; exec after its node started. */
		for (size_t j = i + 1; j < n; j++) {
			const struct action *b = plan_get(p, j);

			if (a->kind == ACT_ROUTE_ADD && b->kind == ACT_LINK_UP)
				T_ASSERT(!same_ns(a->route.netns, b->dev.netns));
			if (a->kind >= ACT_NODE_START)
				T_ASSERT(b->kind >= ACT_NODE_START);
			if (a->kind == ACT_NODE_EXEC && b->kind == ACT_NODE_START)
				T_ASSERT(!same_ns(a->node.netns, b->node.netns));
			/* Addresses are on before links go up (no DAD race on a live link). */
			if (a->kind == ACT_LINK_UP)
				T_ASSERT(b->kind != ACT_ADDR_ADD);
		}
		/* The first link-up of a node namespace is its lo. */
		if (a->kind == ACT_LINK_UP && !streq(a->dev.ifname, "lo") && a->dev.netns &&
		    first_up(p, a->dev.netns) == i)
			for (size_t ni = 0; ni < t->n_nodes; ni++)
				T_ASSERT(!same_ns(plan_node_netns(p, ni), a->dev.netns));
		/* Node-wide sysctls come before any link of their namespace exists; ones that
		 * name an interface come after it does. */
		if (a->kind == ACT_SYSCTL_SET) {
			for (size_t j = 0; j < n; j++) {
				const struct action *b = plan_get(p, j);
				const char *bns[2] = { NULL, NULL };
				size_t bk;

				if (b->kind != ACT_LINK_VETH && b->kind != ACT_LINK_DUMMY)
					continue;
				bk = action_netns(b, bns);
				for (size_t e = 0; e < bk; e++)
					if (same_ns(bns[e], a->sysctl.netns) &&
					    !sysctl_names_iface(a->sysctl.kv->key))
						T_ASSERT(j > i);
			}
			if (sysctl_names_iface(a->sysctl.kv->key)) {
				char ifname[64];
				const char *s = a->sysctl.kv->key + 14;
				long c;

				snprintf(ifname, sizeof(ifname), "%.*s", (int)strcspn(s, "."), s);
				c = creator(p, a->sysctl.netns, ifname);
				T_ASSERT(c >= 0 && (size_t)c < i);
			}
		}
	}
	return 0;
}

static int for_each_lab(int (*fn)(const struct topo *, const struct plan *))
{
	_cleanup_(globfreep) glob_t g = { 0 };

	T_ASSERT_OK(examples(&g));
	for (size_t i = 0; i <= g.gl_pathc; i++) {
		_cleanup_(topo_freep) struct topo *t = NULL;
		_cleanup_(plan_freep) struct plan *p = NULL;

		if (i < g.gl_pathc)
			T_ASSERT_OK(load_file(g.gl_pathv[i], &t));
		else
			T_ASSERT_OK(load_string(ports_yaml, &t));
		T_ASSERT_OK(plan_build(t, &p));
		T_ASSERT(plan_count(p) > 0);
		if (fn(t, p) != 0) {
			fprintf(stderr, "  in %s\n", i < g.gl_pathc ? g.gl_pathv[i] : "ports_yaml");
			return 1;
		}
	}
	return 0;
}

static int test_order(void)
{
	return for_each_lab(check_order);
}

/* ---- IPv6 link-local ---- */

static bool has_v6(const struct topo_iface *ifc)
{
	for (size_t i = 0; i < ifc->n_addrs; i++)
		if (ifc->addrs[i].family == AF_INET6)
			return true;
	return false;
}

/* The model interface behind a created device, or NULL for fabric devices. */
static const struct topo_iface *model_iface(const struct topo *t, const struct plan *p,
					    const struct action_dev *d)
{
	if (!d->netns) {
		for (size_t i = 0; i < t->n_host_ifaces; i++)
			if (streq(t->host_ifaces[i].name, d->ifname))
				return &t->host_ifaces[i];
		return NULL;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		if (streq(plan_node_netns(p, i), d->netns))
			return topo_node_find_iface(&t->nodes[i], d->ifname);
	return NULL;
}

static int check_ll_dev(const struct topo *t, const struct plan *p, const struct action_dev *d)
{
	const struct topo_iface *ifc = model_iface(t, p, d);

	if (d->netns && plan_fabric_netns(p) && streq(d->netns, plan_fabric_netns(p))) {
		T_ASSERT(d->no_ipv6_ll); /* bridges and their ports: never */
		return 0;
	}
	T_ASSERT(ifc);
	if (d->no_ipv6_ll != !has_v6(ifc)) {
		fprintf(stderr, "%s:%s: no_ipv6_ll %d, IPv6 addresses %d\n",
			d->netns ? d->netns : "host", d->ifname, d->no_ipv6_ll, has_v6(ifc));
		return 1;
	}
	return 0;
}

static int check_ll(const struct topo *t, const struct plan *p)
{
	size_t v6_seen = 0;

	for (size_t i = 0; i < plan_count(p); i++) {
		const struct action *a = plan_get(p, i);

		if (a->kind == ACT_LINK_VETH) {
			for (int e = 0; e < 2; e++) {
				if (check_ll_dev(t, p, &a->veth.end[e]))
					return 1;
				v6_seen += !a->veth.end[e].no_ipv6_ll;
			}
		} else if (a->kind == ACT_LINK_DUMMY || a->kind == ACT_LINK_BRIDGE) {
			if (check_ll_dev(t, p, &a->dev))
				return 1;
			v6_seen += !a->dev.no_ipv6_ll;
		}
	}
	/* Cross-check from the model side: each interface with IPv6 was counted once. */
	{
		size_t v6_model = 0;

		for (size_t i = 0; i < t->n_nodes; i++)
			for (size_t j = 0; j < t->nodes[i].n_ifaces; j++) {
				const struct topo_iface *ifc = &t->nodes[i].ifaces[j];

				v6_model += ifc->type != TOPO_IF_LOOPBACK && has_v6(ifc);
			}
		for (size_t i = 0; i < t->n_host_ifaces; i++)
			v6_model += has_v6(&t->host_ifaces[i]);
		T_ASSERT(v6_seen == v6_model);
	}
	return 0;
}

static int test_ipv6_ll(void)
{
	return for_each_lab(check_ll);
}

/* ---- fabric port names ---- */

static int test_port_names(void)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	const char *names[64];
	size_t n = 0, ports = 0, masters = 0;
	const char *fabric;

	T_ASSERT_OK(load_string(ports_yaml, &t));
	T_ASSERT_OK(plan_build(t, &p));
	fabric = plan_fabric_netns(p);
	T_ASSERT_STREQ(fabric, "ports--fabric");
	names[n++] = "lo";
	for (size_t i = 0; i < plan_count(p); i++) {
		const struct action *a = plan_get(p, i);
		const char *name = NULL;

		if (a->kind == ACT_LINK_BRIDGE)
			name = a->dev.ifname;
		else if (a->kind == ACT_LINK_VETH)
			for (int e = 0; e < 2; e++)
				if (a->veth.end[e].netns && streq(a->veth.end[e].netns, fabric)) {
					name = a->veth.end[e].ifname;
					ports++;
				}
		if (a->kind == ACT_LINK_MASTER)
			masters++;
		if (!name)
			continue;
		T_ASSERT(strlen(name) > 0 && strlen(name) < TOPO_IFNAMSIZ);
		for (size_t k = 0; k < n; k++)
			if (streq(names[k], name)) {
				fprintf(stderr, "fabric name '%s' used twice\n", name);
				return 1;
			}
		T_ASSERT(n < ELEMENTSOF(names));
		names[n++] = name;
	}
	T_ASSERT(ports == 5);
	T_ASSERT(masters == ports);
	/* The readable form wins when it fits and is free; the rest fall back. */
	for (size_t k = 0; k < n; k++)
		if (streq(names[k], "n2-eth0"))
			return 0;
	fprintf(stderr, "expected fabric port 'n2-eth0'\n");
	return 1;
}

/* ---- determinism, host ends, per-interface sysctls ---- */

static int test_deterministic(void)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_(plan_freep) struct plan *p1 = NULL, *p2 = NULL;
	_cleanup_free_ char *s1 = NULL, *s2 = NULL;

	T_ASSERT_OK(load_string(ports_yaml, &t));
	T_ASSERT_OK(plan_build(t, &p1));
	T_ASSERT_OK(plan_build(t, &p2));
	s1 = capture_plan(p1, plan_print);
	s2 = capture_plan(p2, plan_print);
	T_ASSERT(s1 && s2);
	T_ASSERT_STREQ(s1, s2);
	/* One line per action, and describe() never emits a newline of its own. */
	{
		size_t lines = 0;

		for (const char *c = s1; *c; c++)
			lines += *c == '\n';
		T_ASSERT(lines == plan_count(p1));
	}
	T_ASSERT(plan_get(p1, plan_count(p1)) == NULL);
	return 0;
}

static int test_host_end(void)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	bool veth = false, addr = false, up = false;

	T_ASSERT_OK(load_string(ports_yaml, &t));
	T_ASSERT_OK(plan_build(t, &p));
	for (size_t i = 0; i < plan_count(p); i++) {
		const struct action *a = plan_get(p, i);

		if (a->kind == ACT_LINK_VETH && !a->veth.end[1].netns) {
			T_ASSERT_STREQ(a->veth.end[1].ifname, "portstest0");
			T_ASSERT_STREQ(a->veth.end[1].alias, "nsctl:ports:portstest0");
			T_ASSERT(a->veth.end[0].alias == NULL);
			/* A host end without an MTU of its own takes the node end's. */
			T_ASSERT(a->veth.end[0].mtu == 1400);
			T_ASSERT(a->veth.end[1].mtu == 1400);
			veth = true;
		}
		if (a->kind == ACT_ADDR_ADD && !a->addr.netns) {
			T_ASSERT_STREQ(a->object, "host:portstest0");
			addr = true;
		}
		if (a->kind == ACT_LINK_UP && !a->dev.netns)
			up = true;
		/* Netem and sysctls never touch the host namespace. */
		if (a->kind == ACT_QDISC_NETEM)
			T_ASSERT(a->netem.netns != NULL);
		if (a->kind == ACT_SYSCTL_SET)
			T_ASSERT(a->sysctl.netns != NULL);
	}
	T_ASSERT(veth && addr && up);
	return 0;
}

/* Each end's MTU: the link's, else its own, else (bridge and host ends) the node end's; a
 * bridge's mtu is not copied to its ports; lo's MTU rides on its link-up. */
static int test_mtu(void)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	static const char yaml[] =
		"name: mtu\n"
		"bridges: {sw: {mtu: 9000}}\n"
		"nodes:\n"
		"  a: {interfaces: {eth0: {mtu: 1400}, eth1: {}, lo: {mtu: 65000}}}\n"
		"  b: {interfaces: {eth0: {mtu: 1400}}}\n"
		"  c: {interfaces: {eth0: {}}}\n"
		"links:\n"
		"  - {endpoints: [a:eth0, sw]}\n"
		"  - {endpoints: [a:eth1, b:eth0]}\n"
		"  - {endpoints: [c:eth0, sw], mtu: 9000}\n";
	unsigned want[3][2] = { { 1400, 1400 }, { 0, 1400 }, { 9000, 9000 } };
	size_t veth = 0;
	bool lo = false;

	T_ASSERT_OK(load_string(yaml, &t));
	T_ASSERT_OK(plan_build(t, &p));
	for (size_t i = 0; i < plan_count(p); i++) {
		const struct action *a = plan_get(p, i);

		if (a->kind == ACT_LINK_VETH) {
			T_ASSERT(veth < 3);
			T_ASSERT(a->veth.end[0].mtu == want[veth][0]);
			T_ASSERT(a->veth.end[1].mtu == want[veth][1]);
			veth++;
		} else if (a->kind == ACT_LINK_BRIDGE) {
			T_ASSERT(a->dev.mtu == 9000);
		} else if (a->kind == ACT_LINK_UP && streq(a->dev.ifname, "lo")) {
			T_ASSERT(a->dev.mtu == (streq(a->object, "a:lo") ? 65000u : 0u));
			lo |= a->dev.mtu != 0;
		} else if (a->kind == ACT_LINK_UP) {
			T_ASSERT(a->dev.mtu == 0);
		}
	}
	T_ASSERT(veth == 3 && lo);
	return 0;
}

/* ---- JSON ---- */

static bool have_program(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static int check_json(const struct topo *t, const struct plan *p)
{
	_cleanup_free_ char *json = capture_plan(p, plan_print_json);
	FILE *py;
	int st;

	T_ASSERT(json);
	py = popen("python3 -c 'import json,sys; a=json.load(sys.stdin); "
		   "assert isinstance(a, list) and all(o[\"step\"] == i + 1 for i, o in "
		   "enumerate(a)) and all(\"kind\" in o and \"object\" in o for o in a)'",
		   "w");
	T_ASSERT(py);
	fputs(json, py);
	st = pclose(py);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "JSON did not parse:\n%s\n", json);
		return 1;
	}
	return 0;
}

static int test_json(void)
{
	if (!have_program("python3"))
		T_SKIP_BECAUSE("python3 not installed");
	return for_each_lab(check_json);
}

/* ---- graph ---- */

static int check_dot(const struct topo *t, const struct plan *p)
{
	char dotfile[] = "/tmp/nsctl-test-dot-XXXXXX", errfile[] = "/tmp/nsctl-test-err-XXXXXX";
	char cmd[256];
	_cleanup_free_ char *err = NULL;
	int fd1, fd2, st;
	FILE *f;

	fd1 = mkstemp(dotfile);
	fd2 = mkstemp(errfile);
	T_ASSERT(fd1 >= 0 && fd2 >= 0);
	close(fd2);
	f = fdopen(fd1, "w");
	T_ASSERT(f);
	T_ASSERT_OK(graph_print(t, GRAPH_DOT, f));
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dot -Tsvg -o /dev/null %s 2>%s", dotfile, errfile);
	st = system(cmd);
	err = read_all(errfile);
	if (st != 0 || !err || *err) {
		_cleanup_free_ char *src = read_all(dotfile);

		fprintf(stderr, "dot failed (status %d): %s\n%s", st, err ? err : "?",
			src ? src : "");
		unlink(dotfile);
		unlink(errfile);
		return 1;
	}
	unlink(dotfile);
	unlink(errfile);
	return 0;
}

static int test_graph_dot(void)
{
	if (!have_program("dot"))
		T_SKIP_BECAUSE("graphviz 'dot' not installed");
	return for_each_lab(check_dot);
}

static int check_mermaid(const struct topo *t, const struct plan *p)
{
	char *buf = NULL;
	size_t len = 0, edges = 0;
	FILE *f = open_memstream(&buf, &len);
	_cleanup_free_ char *out = NULL;

	T_ASSERT(f);
	T_ASSERT_OK(graph_print(t, GRAPH_MERMAID, f));
	fclose(f);
	out = buf;
	T_ASSERT(strstr(out, "flowchart LR\n"));
	for (const char *c = out; (c = strstr(c, " ---|")); c++)
		edges++;
	T_ASSERT(edges == t->n_links);
	return 0;
}

static int test_graph_mermaid(void)
{
	return for_each_lab(check_mermaid);
}

/* ---- size ---- */

/* A 1000-node lab: 4 bridges of 250 ports, a sysctl and a route per node. The whole
 * parse+validate+plan+print path stays within nsctl's 20 MiB peak RSS budget. */
static int test_big_lab(void)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	_cleanup_free_ char *yaml = NULL;
	size_t len = 0;
	struct rusage ru;
	FILE *f = open_memstream(&yaml, &len);
	FILE *null;

	T_ASSERT(f);
	fputs("name: big\nbridges: {s0: {}, s1: {}, s2: {}, s3: {}}\nnodes:\n", f);
	for (int i = 0; i < 1000; i++)
		fprintf(f,
			"  n%d:\n    sysctls: {net.ipv4.ip_forward: 1}\n"
			"    interfaces: {eth0: {addresses: [10.%d.%d.%d/16]}}\n"
			"    routes: [{to: default, via: 10.%d.0.1}]\n",
			i, i / 250, (i % 250) / 200, (i % 200) + 2, i / 250);
	fputs("links:\n", f);
	for (int i = 0; i < 1000; i++)
		fprintf(f, "  - endpoints: [n%d:eth0, s%d]\n", i, i / 250);
	fclose(f);

	T_ASSERT_OK(load_string(yaml, &t));
	T_ASSERT_OK(plan_build(t, &p));
	T_ASSERT(plan_count(p) >= 10000);
	null = fopen("/dev/null", "we");
	T_ASSERT(null);
	T_ASSERT_OK(plan_print(p, null));
	T_ASSERT_OK(plan_print_json(p, null));
	fclose(null);
	T_ASSERT(sizeof(struct action) <= 128);
	T_ASSERT_OK(getrusage(RUSAGE_SELF, &ru));
	fprintf(stderr, "big lab: %zu actions, %zu bytes each, peak RSS %ld KiB\n", plan_count(p),
		sizeof(struct action), ru.ru_maxrss);
#if defined(__SANITIZE_ADDRESS__)
	return 0; /* ASan's shadow memory makes RSS meaningless */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return 0;
#endif
#endif
	/* Under valgrind RSS counts the tool's own memory; `make valgrind` sets this. */
	if (getenv("NSCTL_UNDER_VALGRIND"))
		return 0;
	T_ASSERT(ru.ru_maxrss <= 20 * 1024);
	return 0;
}

static const struct t_case cases[] = {
	{ "plan: golden files for examples/*.yaml", test_golden, 0 },
	{ "plan: every golden file has its example", test_golden_stale, 0 },
	{ "plan: ordering (netns, devices, lo first, routes after up, sysctls)", test_order, 0 },
	{ "plan: no IPv6 link-local exactly where no IPv6 address", test_ipv6_ll, 0 },
	{ "plan: fabric port names fit IFNAMSIZ and are unique", test_port_names, 0 },
	{ "plan: deterministic, one line per action", test_deterministic, 0 },
	{ "plan: host end in the host namespace with owner alias", test_host_end, 0 },
	{ "plan: MTU of each end, lo MTU on its link-up", test_mtu, 0 },
	{ "plan: JSON output parses", test_json, 0 },
	{ "graph: DOT renders with dot -Tsvg without warnings", test_graph_dot, 0 },
	{ "graph: mermaid has one edge per link", test_graph_mermaid, 0 },
	{ "plan: 1000-node lab within the memory budget", test_big_lab, 0 },
};

int main(int argc, char **argv)
{
	return t_run("unit-plan", cases, ELEMENTSOF(cases), argc, argv);
}
