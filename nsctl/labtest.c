/* SPDX-License-Identifier: MIT */
/* nsctl test: a topology's reachability checks, resolved into probes, run all at once by the
 * probe engine, then judged and printed.
 *
 * Every check becomes one probe from its source node's namespace, opened once per node; the
 * namespace fds are closed before returning (an open fd pins a namespace, so a concurrent
 * `down` would not free it while we live). Checks that cannot become a probe (namespace
 * missing, target without an address) fail with their reason and never stop the others. */
#include "nsctl/labtest.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/macro.h"
#include "netlink/netlink.h"
#include "nsctl/plan.h"
#include "nsctl/probe.h"

/* "<lab>-<node>" */
#define NETNS_NAME_MAX	   (TOPO_LAB_NAME_MAX + 1 + TOPO_NODE_NAME_MAX + 1)
/* Failed matrix checks shown in the table; --json has them all. */
#define HUMAN_FAILURES_MAX 100
#define NS_NOT_OPENED	   1

enum check_problem {
	CP_NONE,
	CP_NO_NODE,	/* the source is not a node of the file */
	CP_NO_NETNS,	/* its namespace does not exist (lab not up, or partly torn down) */
	CP_NETNS_ERROR, /* its namespace could not be opened: err */
	CP_NO_ADDR,	/* the target node has no address */
};

struct check {
	const char *from;	      /* node name as written */
	const char *to_node;	      /* target node name, or NULL when the file gave an address */
	const struct topo_addr *addr; /* what is pinged; NULL when there is nothing to ping */
	size_t from_idx;	      /* index of the source node (when problem != CP_NO_NODE) */
	size_t probe;		      /* index into the probes, or SIZE_MAX */
	enum check_problem problem;
	int err;
	bool expect_fail;
	bool matrix; /* from --all, not from the file */
	bool pass;
};

struct ctx {
	const struct topo *t;
	int *ns; /* per node: fd, -errno from netns_open(), or NS_NOT_OPENED */
	struct check *checks;
	size_t n_checks;
	struct probe *probes;
	size_t n_probes;
};

static void ctx_done(struct ctx *c)
{
	if (c->ns)
		for (size_t i = 0; i < c->t->n_nodes; i++)
			if (c->ns[i] >= 0)
				close(c->ns[i]);
	free(c->ns);
	free(c->checks);
	free(c->probes);
}

static void netns_name(const struct topo *t, const struct topo_node *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", t->name, n->name);
}

/* Returns the fd of node @i's namespace (opened on first use), or a negative errno. */
static int node_netns(struct ctx *c, size_t i)
{
	char name[NETNS_NAME_MAX];

	if (c->ns[i] == NS_NOT_OPENED) {
		netns_name(c->t, &c->t->nodes[i], name, sizeof(name));
		c->ns[i] = netns_open(name);
		if (c->ns[i] < 0 && c->ns[i] != -ENOENT)
			log_debug_errno(c->ns[i], "test: cannot open namespace '%s'", name);
	}
	return c->ns[i];
}

/* True if @t has at least one node namespace under /run/netns. */
static bool lab_is_up(const struct topo *t)
{
	char name[NETNS_NAME_MAX];

	for (size_t i = 0; i < t->n_nodes; i++) {
		netns_name(t, &t->nodes[i], name, sizeof(name));
		if (netns_exists(name) == 1)
			return true;
	}
	return false;
}

/* @n's first address of @family exactly, or NULL. */
static const struct topo_addr *addr_of(const struct topo_node *n, int family)
{
	const struct topo_addr *a = topo_node_first_addr(n, family);

	return a && a->family == family ? a : NULL;
}

/* The address of @to to ping from @from: the first of a family both have (IPv4 first), else
 * @to's first IPv4 address, else its first address at all; NULL if it has none. @from may be
 * NULL (a source that is not a node: its check fails anyway, but shows the address). */
static const struct topo_addr *pick_target(const struct topo_node *from, const struct topo_node *to)
{
	static const int families[] = { AF_INET, AF_INET6 };
	const struct topo_addr *a;

	if (!to)
		return NULL;
	for (size_t i = 0; from && i < ELEMENTSOF(families); i++)
		if (addr_of(from, families[i]) && (a = addr_of(to, families[i])))
			return a;
	a = addr_of(to, AF_INET);
	return a ? a : topo_node_first_addr(to, 0);
}

static void add_check(struct ctx *c, const char *from, const struct topo_node *from_node,
		      const char *to_node, const struct topo_addr *addr, bool expect_fail,
		      bool matrix)
{
	struct check *k = &c->checks[c->n_checks++];
	int fd;

	*k = (struct check){
		.from = from,
		.to_node = to_node,
		.addr = addr,
		.probe = SIZE_MAX,
		.expect_fail = expect_fail,
		.matrix = matrix,
	};
	if (!from_node) {
		k->problem = CP_NO_NODE;
		return;
	}
	k->from_idx = (size_t)(from_node - c->t->nodes);
	fd = node_netns(c, k->from_idx);
	if (fd < 0) {
		/* -EINVAL: a stale file where the namespace should be, not a namespace. */
		k->problem = fd == -ENOENT || fd == -EINVAL ? CP_NO_NETNS : CP_NETNS_ERROR;
		k->err = fd;
		return;
	}
	if (!addr) {
		k->problem = CP_NO_ADDR;
		return;
	}
	k->probe = c->n_probes;
	c->probes[c->n_probes++] = (struct probe){ .netns_fd = fd, .family = addr->family };
	memcpy(c->probes[k->probe].dst, addr->bytes, addr->family == AF_INET ? 4 : 16);
}

/* A probe that got no reply for a reason that means "not reachable": what `expect: fail`
 * wants. A firewall in the source node refusing the request (-EPERM from netfilter's OUTPUT
 * chain) counts; ping(8) exits 1 there too. */
static bool probe_unreachable(const struct probe *p)
{
	return p->status == PROBE_TIMEOUT || p->status == PROBE_UNREACHABLE ||
	       (p->status == PROBE_ERROR && (p->err == -EPERM || p->err == -EACCES));
}

static void judge(struct ctx *c)
{
	for (size_t i = 0; i < c->n_checks; i++) {
		struct check *k = &c->checks[i];
		const struct probe *p = k->probe != SIZE_MAX ? &c->probes[k->probe] : NULL;

		if (!p)
			k->pass = false;
		else if (k->expect_fail)
			k->pass = probe_unreachable(p);
		else
			k->pass = p->status == PROBE_OK;
	}
}

/* Reads the number in the sysctl file @path (as the calling thread's netns shows it); -1 if
 * there is no such file. */
static long read_sysctl_long(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	long v;

	if (!f || fscanf(f, "%ld", &v) != 1)
		return -1;
	return v;
}

void labtest_warn_neigh_limit(const struct topo *t, bool v4, bool v6, const char *what)
{
	static const struct {
		int family;
		const char *key;
	} tables[] = {
		{ AF_INET, "net.ipv4.neigh.default.gc_thresh3" },
		{ AF_INET6, "net.ipv6.neigh.default.gc_thresh3" },
	};
	size_t need = 0;

	/* Every pair of the k ports of one bridge needs its own entry, k(k-1) in all, and a
	 * point-to-point link two. An estimate: entries of other labs count as well. */
	for (size_t i = 0; i < t->n_bridges; i++)
		need += t->bridges[i].n_ports *
			(t->bridges[i].n_ports ? t->bridges[i].n_ports - 1 : 0);
	for (size_t i = 0; i < t->n_links; i++)
		if (t->links[i].ep[0].kind == TOPO_EP_NODE &&
		    t->links[i].ep[1].kind == TOPO_EP_NODE)
			need += 2;

	for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
		char path[96], *s;
		long max;

		if (!(tables[i].family == AF_INET ? v4 : v6))
			continue;
		snprintf(path, sizeof(path), "/proc/sys/%s", tables[i].key);
		for (s = path; *s; s++)
			if (*s == '.')
				*s = '/';
		max = read_sysctl_long(path);
		if (max > 0 && need > (size_t)max)
			log_warning("%s needs about %zu neighbour entries, more than %s = %ld "
				    "allows for all namespaces together: expect timeouts (raise it "
				    "with 'sysctl -w %s=%zu')",
				    what, need, tables[i].key, max, tables[i].key, need * 2);
	}
}

/* Warns before the full matrix runs into the kernel's neighbour table limit (labtest.h). */
static void warn_neigh_limit(const struct ctx *c)
{
	bool v4 = false, v6 = false;

	for (size_t k = 0; k < c->n_probes; k++) {
		v4 = v4 || c->probes[k].family == AF_INET;
		v6 = v6 || c->probes[k].family == AF_INET6;
	}
	labtest_warn_neigh_limit(c->t, v4, v6, "the full matrix");
}

/* ---- output ---- */

static const char *addr_text(const struct check *k, char *buf, size_t len)
{
	return k->addr ? topo_addr_format_host(k->addr, buf, len) : NULL;
}

/* Why @k passed or failed, in words, for the table and for "reason" in JSON. */
static char *check_reason(const struct ctx *c, const struct check *k, char *buf, size_t len)
{
	const struct probe *p = k->probe != SIZE_MAX ? &c->probes[k->probe] : NULL;
	char name[NETNS_NAME_MAX], d[128], rtt[32];

	switch (k->problem) {
	case CP_NO_NODE:
		snprintf(buf, len, "no node '%s' in the topology", k->from);
		return buf;
	case CP_NO_NETNS:
		netns_name(c->t, &c->t->nodes[k->from_idx], name, sizeof(name));
		snprintf(buf, len, "namespace '%s' missing (lab not up?)", name);
		return buf;
	case CP_NETNS_ERROR:
		netns_name(c->t, &c->t->nodes[k->from_idx], name, sizeof(name));
		snprintf(buf, len, "cannot open namespace '%s': %s", name, strerror(-k->err));
		return buf;
	case CP_NO_ADDR:
		snprintf(buf, len, "node '%s' has no address", k->to_node);
		return buf;
	case CP_NONE:
		break;
	}
	if (p->status == PROBE_OK)
		snprintf(buf, len, "%s%s", k->expect_fail ? "expected fail, got a reply in " : "",
			 probe_format_rtt(p->rtt_us, rtt, sizeof(rtt)));
	else if (k->expect_fail && k->pass)
		snprintf(buf, len, "no reply, as expected: %s", probe_describe(p, d, sizeof(d)));
	else
		probe_describe(p, buf, len);
	return buf;
}

static void print_line(FILE *out, const struct ctx *c, const struct check *k)
{
	char a[INET6_ADDRSTRLEN + 8], reason[256];
	const char *at = addr_text(k, a, sizeof(a));

	if (k->to_node && at)
		fprintf(out, "%s  %s -> %s (%s)  %s\n", k->pass ? "PASS" : "FAIL", k->from,
			k->to_node, at, check_reason(c, k, reason, sizeof(reason)));
	else
		fprintf(out, "%s  %s -> %s  %s\n", k->pass ? "PASS" : "FAIL", k->from,
			k->to_node ? k->to_node
			: at	   ? at
				   : "?",
			check_reason(c, k, reason, sizeof(reason)));
}

static void print_human(FILE *out, const struct ctx *c, size_t matrix_nodes, size_t passed,
			double elapsed_s, bool all)
{
	size_t m_total = 0, m_failed = 0, shown = 0;

	for (size_t i = 0; i < c->n_checks; i++) {
		const struct check *k = &c->checks[i];

		if (k->matrix) {
			m_total++;
			if (k->pass)
				continue;
			m_failed++;
			if (shown++ >= HUMAN_FAILURES_MAX)
				continue;
		}
		print_line(out, c, k);
	}
	if (shown > HUMAN_FAILURES_MAX)
		fprintf(out, "... %zu more failed pairs not shown (--json lists every check)\n",
			shown - HUMAN_FAILURES_MAX);
	if (c->n_checks == 0)
		fprintf(out, "no tests in the file (--all pings every node from every other)\n");
	if (all)
		fprintf(out, "matrix: %zu nodes, %zu pairs, %zu ok, %zu failed, %.2f s\n",
			matrix_nodes, m_total, m_total - m_failed, m_failed, elapsed_s);
	fprintf(out, "tests: %zu passed, %zu failed\n", passed, c->n_checks - passed);
}

static void print_json(FILE *out, const struct ctx *c, size_t matrix_nodes, size_t passed,
		       double elapsed_s, bool all)
{
	fputs("{\"lab\":", out);
	json_print_string(out, c->t->name);
	fprintf(out, ",\"passed\":%zu,\"failed\":%zu,\"elapsed_ms\":%.0f", passed,
		c->n_checks - passed, elapsed_s * 1000);
	if (all) {
		size_t pairs = 0;

		for (size_t i = 0; i < c->n_checks; i++)
			pairs += c->checks[i].matrix;
		fprintf(out, ",\"matrix\":{\"nodes\":%zu,\"pairs\":%zu}", matrix_nodes, pairs);
	}
	fputs(",\"results\":[", out);
	for (size_t i = 0; i < c->n_checks; i++) {
		const struct check *k = &c->checks[i];
		const struct probe *p = k->probe != SIZE_MAX ? &c->probes[k->probe] : NULL;
		char a[INET6_ADDRSTRLEN + 8], reason[256];
		const char *at = addr_text(k, a, sizeof(a));

		fputs(i ? ",{\"from\":" : "{\"from\":", out);
		json_print_string(out, k->from);
		fputs(",\"to\":", out);
		json_print_string(out, k->to_node ? k->to_node : at);
		fputs(",\"address\":", out);
		json_print_string(out, at);
		fprintf(out, ",\"expect\":\"%s\",\"result\":\"%s\"", k->expect_fail ? "fail" : "ok",
			p ? probe_status_to_string(p->status) : "error");
		if (p && p->status == PROBE_OK)
			fprintf(out, ",\"rtt_us\":%u", p->rtt_us);
		else
			fputs(",\"rtt_us\":null", out);
		if (p && p->status == PROBE_UNREACHABLE && p->icmp_type >= 0)
			fprintf(out, ",\"icmp_type\":%d,\"icmp_code\":%d", p->icmp_type,
				p->icmp_code);
		fputs(",\"reason\":", out);
		json_print_string(out, check_reason(c, k, reason, sizeof(reason)));
		fprintf(out, ",\"check\":\"%s\",\"pass\":%s}", k->matrix ? "matrix" : "file",
			k->pass ? "true" : "false");
	}
	fputs("]}\n", out);
}

/* ---- the verb ---- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int labtest_run(const struct topo *t, const struct labtest_opts *o, FILE *out)
{
	_cleanup_(ctx_done) struct ctx c = { .t = t };
	_cleanup_free_ size_t *addressed = NULL; /* nodes with an address, for the matrix */
	size_t n_addressed = 0, cap, passed = 0;
	double started, elapsed;
	int r;

	if (t->n_nodes > 0 && !lab_is_up(t))
		return -ENOENT;

	c.ns = malloc(t->n_nodes * sizeof(*c.ns) + 1);
	addressed = malloc(t->n_nodes * sizeof(*addressed) + 1);
	if (!c.ns || !addressed)
		return log_error_errno(-ENOMEM, "cannot run the tests of lab '%s'", t->name);
	for (size_t i = 0; i < t->n_nodes; i++) {
		c.ns[i] = NS_NOT_OPENED;
		if (topo_node_first_addr(&t->nodes[i], 0))
			addressed[n_addressed++] = i;
	}

	cap = t->n_tests;
	if (o->all) {
		if (n_addressed > 1 &&
		    n_addressed - 1 > (SIZE_MAX / sizeof(struct probe) - cap) / n_addressed)
			return log_error_errno(-ENOMEM, "a %zu-node matrix is too large",
					       n_addressed);
		cap += n_addressed * (n_addressed ? n_addressed - 1 : 0);
	}
	c.checks = calloc(cap + 1, sizeof(*c.checks));
	c.probes = calloc(cap + 1, sizeof(*c.probes));
	if (!c.checks || !c.probes)
		return log_error_errno(-ENOMEM, "cannot run the tests of lab '%s'", t->name);

	/* One fd per node namespace; probe_run() reserves its sockets itself. */
	r = probe_reserve_fds(t->n_nodes);
	if (r < 0)
		return log_error_errno(r, "cannot open %zu namespaces (RLIMIT_NOFILE)", t->n_nodes);

	for (size_t i = 0; i < t->n_tests; i++) {
		const struct topo_test *ts = &t->tests[i];
		const struct topo_node *from = topo_find_node(t, ts->from);
		const struct topo_node *to = ts->to_is_addr ? NULL : topo_find_node(t, ts->to);
		const struct topo_addr *addr;

		addr = ts->to_is_addr ? &ts->to_addr : pick_target(from, to);
		add_check(&c, ts->from, from, ts->to_is_addr ? NULL : ts->to, addr, ts->expect_fail,
			  false);
	}
	if (o->all)
		for (size_t i = 0; i < n_addressed; i++)
			for (size_t j = 0; j < n_addressed; j++) {
				const struct topo_node *a = &t->nodes[addressed[i]];
				const struct topo_node *b = &t->nodes[addressed[j]];

				if (i != j)
					add_check(&c, a->name, a, b->name, pick_target(a, b), false,
						  true);
			}

	if (o->all)
		warn_neigh_limit(&c);
	started = now_s();
	r = probe_run(c.probes, c.n_probes, o->timeout_ms, o->attempts);
	elapsed = now_s() - started;
	if (r == -EPERM || r == -EACCES)
		return log_error_errno(r, "cannot open raw ICMP sockets (needs CAP_NET_RAW)");
	if (r < 0)
		return log_error_errno(r, "cannot run the pings of lab '%s'", t->name);
	log_debug("test: %zu probes in %.3f s", c.n_probes, elapsed);

	judge(&c);
	for (size_t i = 0; i < c.n_checks; i++)
		passed += c.checks[i].pass;
	if (o->json)
		print_json(out, &c, n_addressed, passed, elapsed, o->all);
	else
		print_human(out, &c, n_addressed, passed, elapsed, o->all);
	if (fflush(out) != 0 || ferror(out))
		return log_error_errno(-EIO, "cannot write the test results");
	return passed == c.n_checks ? 0 : 1;
}
