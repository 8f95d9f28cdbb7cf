/* SPDX-License-Identifier: MIT */
/* Validator unit tests: one case per rule and message, each asserting the exact rendered
 * "file:line:col: severity: message" lines; defaults merging; implicit interfaces; and a
 * 10,000-node file checked in bounded time. */
#include <arpa/inet.h>
#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tests/t.h"
#include "tests/unit/topo-helpers.h"
#include "topo/topo.h"

/* Parses @yaml (which must parse cleanly) and validates it; returns the number of errors,
 * or (size_t)-1 when the parser already complained (printed, so the test shows why). */
static size_t check(const char *yaml)
{
	if (!load(yaml))
		return (size_t)-1;
	if (D.n_errors) {
		fprintf(stderr, "unexpected parse errors:\n");
		topo_diag_print(&D, stderr);
		return (size_t)-1;
	}
	(void)topo_validate(T, &D);
	return D.n_errors;
}

/* Asserts that @n equals @want; shows the diagnostics when it does not. */
#define T_COUNT(n, want)                             \
	do {                                         \
		size_t _n = (n);                     \
		if (_n != (size_t)(want))            \
			topo_diag_print(&D, stderr); \
		T_ASSERT(_n == (size_t)(want));      \
	} while (0)

/* Asserts that @yaml validates with exactly the diagnostics @expected. */
#define T_CHECK(yaml, n_err, expected)       \
	do {                                 \
		T_COUNT(check(yaml), n_err); \
		T_DIAG_IS(expected);         \
	} while (0)

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sbuf_free(struct sbuf *b)
{
	free(b->s);
}

/* Appends printf output to @b, doubling its capacity (generated files are megabytes). */
static void catf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void catf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ---- a valid file ---- */

static const char valid[] =
	"name: ok\n"
	"defaults:\n"
	"  sysctls: {net.ipv4.conf.all.rp_filter: 0}\n"
	"nodes:\n"
	"  h1:\n"
	"    interfaces:\n"
	"      eth0: {addresses: [192.0.2.10/24, 2001:db8:1::10/64], mac: 02:00:00:00:01:10}\n"
	"    routes:\n"
	"      - {to: default, via: 192.0.2.1}\n"
	"      - {to: default, via: 2001:db8:1::1}\n"
	"      - {to: 2001:db8:9::/48, via: fe80::1, dev: eth0}\n"
	"  r1:\n"
	"    sysctls: {net.ipv4.ip_forward: 1}\n"
	"    binds: [\"./cfg:/etc/lab:ro\"]\n"
	"    interfaces:\n"
	"      eth0: {addresses: [192.0.2.1/24, 2001:db8:1::1/64]}\n"
	"      eth1: {addresses: [198.51.100.1/24]}\n"
	"      lo: {addresses: [10.255.0.1/32]}\n"
	"      dum0: {type: dummy, addresses: [10.255.1.1/24]}\n"
	"  r2:\n"
	"    interfaces:\n"
	"      lo: {addresses: [10.255.0.2/32]}\n"
	"    routes:\n"
	"      - {to: 10.0.0.0/8, dev: eth0, metric: 5}\n"
	"      - {to: 10.0.0.0/8, dev: eth0, metric: 6}\n"
	"  h2:\n"
	"    interfaces:\n"
	"      eth0: {addresses: [198.51.100.10/24], mtu: 1400}\n"
	"bridges:\n"
	"  lan1: {}\n"
	"links:\n"
	"  - endpoints: [h1:eth0, r1:eth0]\n"
	"  - endpoints: [r1:eth1, lan1]\n"
	"    netem: {delay: 5ms, jitter: 1ms}\n"
	"  - endpoints: [h2:eth0, lan1]\n"
	"  - endpoints: [r2:eth0, host:lab-r2]\n"
	"tests:\n"
	"  - {ping: [h1, h2]}\n"
	"  - {ping: [h1, 2001:db8:1::1]}\n"
	"  - {ping: [r2, 10.255.0.1], expect: fail}\n";

static int test_valid(void)
{
	T_CHECK(valid, 0, "");
	T_ASSERT(D.n_warnings == 0);
	T_ASSERT(topo_validate(T, &D) == 0); /* and again: same answer */
	T_ASSERT(D.n_entries == 0);
	T_ASSERT(T->nodes[2].n_ifaces == 2); /* no second implicit eth0 */
	return 0;
}

static int test_examples(void)
{
	const char *dir = getenv("NSCTL_SRCDIR");
	char pattern[4096];
	glob_t g = { 0 };

	snprintf(pattern, sizeof(pattern), "%s/examples/*.yaml", dir ? dir : ".");
	T_ASSERT(glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		topo_free(T);
		T = NULL;
		topo_diag_clear(&D);
		T_ASSERT_OK(topo_parse_file(g.gl_pathv[i], &T, &D));
		/* No errors and no warnings: examples are what newcomers copy. */
		if (topo_validate(T, &D) != 0 || D.n_entries) {
			topo_diag_print(&D, stderr);
			globfree(&g);
			return 1;
		}
	}
	globfree(&g);
	return 0;
}

/* ---- rule 1: names ---- */

static int test_lab_name_missing(void)
{
	T_CHECK("nodes: {a: {}}\n", 1,
		"t.yaml:1:1: error: the lab needs a 'name' (lowercase letters, digits and '-')\n");
	return 0;
}

static int test_bridge_named_lo(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {lo: {}}\nlinks:\n  - endpoints: [a:eth0, lo]\n",
		1, "t.yaml:3:11: error: bridge name 'lo' is reserved (the loopback interface)\n");
	return 0;
}

static int test_lab_name_invalid(void)
{
	T_CHECK("name: Lab_1\nnodes: {a: {}}\n", 1,
		"t.yaml:1:7: error: lab name 'Lab_1' is not valid: use lowercase letters, digits "
		"and '-', starting with a letter or digit\n");
	T_CHECK("name: -lab\nnodes: {a: {}}\n", 1,
		"t.yaml:1:7: error: lab name '-lab' is not valid: use lowercase letters, digits "
		"and '-', starting with a letter or digit\n");
	/* "<lab>--fabric" must stay unique across labs. */
	T_CHECK("name: lab-\nnodes: {a: {}}\n", 1,
		"t.yaml:1:7: error: lab name 'lab-' must not end with '-' or contain '--' (the "
		"lab's "
		"bridges live in the namespace '<lab>--fabric')\n");
	T_CHECK("name: a--b\nnodes: {a: {}}\n", 1,
		"t.yaml:1:7: error: lab name 'a--b' must not end with '-' or contain '--' (the "
		"lab's "
		"bridges live in the namespace '<lab>--fabric')\n");
	return 0;
}

static int test_lab_name_too_long(void)
{
	/* 32 bytes is the limit, 33 is over it. */
	T_CHECK("name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nnodes: {a: {}}\n", 0, "");
	T_CHECK("name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nnodes: {a: {}}\n", 1,
		"t.yaml:1:7: error: lab name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is longer than "
		"32 bytes (it prefixes every namespace, cgroup and state directory of the lab)\n");
	return 0;
}

static int test_no_nodes(void)
{
	T_CHECK("name: t\n", 1, "t.yaml:1:1: error: the lab has no nodes\n");
	T_CHECK("name: t\nnodes: {}\n", 1, "t.yaml:1:1: error: the lab has no nodes\n");
	return 0;
}

static int test_node_name_invalid(void)
{
	T_CHECK("name: t\nnodes:\n  _a: {}\n  a.b-C_1: {}\n", 1,
		"t.yaml:3:3: error: node name '_a' is not valid: use letters, digits, '_', '.' "
		"and '-', starting with a letter or digit\n");
	return 0;
}

static int test_node_name_too_long(void)
{
	T_CHECK("name: t\nnodes:\n"
		"  nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn: {}\n"
		"  nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn: {}\n",
		1,
		"t.yaml:4:3: error: node name "
		"'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' is longer "
		"than 63 bytes (it is the node's default hostname)\n");
	return 0;
}

static int test_node_name_host(void)
{
	T_CHECK("name: t\nnodes:\n  host: {}\n", 1,
		"t.yaml:3:3: error: node name 'host' is reserved (it means the host namespace in "
		"link endpoints)\n");
	return 0;
}

static int test_node_name_ipv4(void)
{
	T_CHECK("name: t\nnodes:\n  10.0.0.1: {}\n  10.0.0.1a: {}\n", 1,
		"t.yaml:3:3: error: node name '10.0.0.1' is an IPv4 address (ping targets could "
		"not tell the node from the address)\n");
	return 0;
}

static int test_bridge_names(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {abcdefghijklmnop: {}, abcdefghijklmno: {}}\n"
		"links:\n"
		"  - endpoints: [a:e1, abcdefghijklmnop]\n"
		"  - endpoints: [a:e2, abcdefghijklmno]\n",
		1,
		"t.yaml:3:11: error: bridge name 'abcdefghijklmnop' is longer than 15 bytes "
		"(IFNAMSIZ)\n");
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {'a/b': {}, ..: {}, 'a b': {}, all: {}}\n"
		"links:\n"
		"  - endpoints: [a:e1, 'a/b']\n"
		"  - endpoints: [a:e2, ..]\n"
		"  - endpoints: [a:e3, 'a b']\n"
		"  - endpoints: [a:e4, all]\n",
		4,
		"t.yaml:3:11: error: bridge name 'a/b' is not a valid interface name (no '/', "
		"':', '%' or white space; not '.', '..', 'all' or 'default')\n"
		"t.yaml:3:22: error: bridge name '..' is not a valid interface name (no '/', ':', "
		"'%' or white space; not '.', '..', 'all' or 'default')\n"
		"t.yaml:3:30: error: bridge name 'a b' is not a valid interface name (no '/', "
		"':', '%' or white space; not '.', '..', 'all' or 'default')\n"
		"t.yaml:3:41: error: bridge name 'all' is not a valid interface name (no '/', "
		"':', '%' or white space; not '.', '..', 'all' or 'default')\n");
	return 0;
}

static int test_bridge_named_like_node(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {a: {}}\nlinks: [{endpoints: [a:eth0, a]}]\n", 1,
		"t.yaml:3:11: error: bridge 'a' has the same name as node 'a' (at 2:9)\n");
	return 0;
}

static int test_bridge_named_host(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {host: {}}\nlinks: [{endpoints: [a:eth0, "
		"host]}]\n",
		1,
		"t.yaml:3:11: error: bridge name 'host' is reserved (it means the host namespace "
		"in link endpoints)\n");
	return 0;
}

static int test_hostname(void)
{
	/* The node name pattern (node names are the default hostnames), at most 64 bytes. */
	T_CHECK("name: t\nnodes:\n  a: {hostname: -a}\n", 1,
		"t.yaml:3:17: error: hostname '-a' of node 'a' is not valid: use letters, digits, "
		"'_', '.' and '-', starting with a letter or digit\n");
	T_CHECK("name: t\nnodes:\n  a: {hostname: a!b}\n", 1,
		"t.yaml:3:17: error: hostname 'a!b' of node 'a' is not valid: use letters, digits, "
		"'_', '.' and '-', starting with a letter or digit\n");
	T_CHECK("name: t\nnodes:\n  a: {hostname: "
		"hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh}\n",
		1,
		"t.yaml:3:17: error: hostname "
		"'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh' of node 'a' "
		"is longer than 64 bytes\n");
	T_CHECK("name: t\nnodes:\n  a: {hostname: web_1.lab}\n  b: {hostname: "
		"hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh}\n",
		0, "");
	return 0;
}

/* ---- rule 2: interface names, lo and dummies ---- */

static int test_ifname_too_long(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a:\n"
		"    interfaces:\n"
		"      abcdefghijklmnop: {type: dummy}\n"
		"      abcdefghijklmno: {type: dummy}\n",
		1,
		"t.yaml:5:7: error: interface name 'abcdefghijklmnop' of node 'a' is longer than "
		"15 bytes (IFNAMSIZ)\n");
	return 0;
}

static int test_ifname_invalid(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a:\n"
		"    interfaces:\n"
		"      eth%d: {type: dummy}\n"
		"      default: {type: dummy}\n",
		2,
		"t.yaml:5:7: error: interface name 'eth%d' of node 'a' is not a valid interface "
		"name (no '/', ':', '%' or white space; not '.', '..', 'all' or 'default')\n"
		"t.yaml:6:7: error: interface name 'default' of node 'a' is not a valid interface "
		"name (no '/', ':', '%' or white space; not '.', '..', 'all' or 'default')\n");
	return 0;
}

static int test_ifname_implicit_too_long(void)
{
	/* An interface named only by an endpoint is checked there. */
	T_CHECK("name: t\nnodes: {a: {}, b: {}}\n"
		"links:\n"
		"  - endpoints: [a:abcdefghijklmnop, b:eth0]\n",
		1,
		"t.yaml:4:17: error: interface name 'abcdefghijklmnop' of node 'a' is longer than "
		"15 bytes (IFNAMSIZ)\n");
	return 0;
}

static int test_lo_endpoint(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {lo: {addresses: [10.0.0.1/32]}}}\n"
		"  b: {}\n"
		"links:\n"
		"  - endpoints: [a:lo, b:lo]\n",
		2,
		"t.yaml:6:17: error: interface 'lo' of node 'a' is the loopback and cannot be a "
		"link endpoint\n"
		"t.yaml:6:23: error: interface 'lo' of node 'b' is the loopback and cannot be a "
		"link endpoint\n");
	/* b got no implicit veth called lo. */
	T_ASSERT(T->nodes[1].n_ifaces == 0);
	return 0;
}

static int test_dummy_endpoint(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {d0: {type: dummy}}}\n"
		"  b: {}\n"
		"links:\n"
		"  - endpoints: [a:d0, b:eth0]\n",
		1,
		"t.yaml:6:17: error: interface 'd0' of node 'a' is a dummy and cannot be a link "
		"endpoint\n");
	return 0;
}

static int test_host_lo(void)
{
	T_CHECK("name: t\n"
		"nodes: {a: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, host:lo]\n"
		"host:\n"
		"  interfaces:\n"
		"    lo: {addresses: [192.0.2.1/24]}\n",
		2,
		"t.yaml:4:25: error: the host's loopback 'lo' cannot be a link endpoint\n"
		"t.yaml:7:5: error: the host's loopback 'lo' is not part of the lab (host: "
		"interfaces are the host ends of links)\n");
	return 0;
}

/* ---- rule 3: endpoints ---- */

static int test_missing_node(void)
{
	T_CHECK("name: t\nnodes: {router1: {interfaces: {eth0: {}}}}\n"
		"links:\n"
		"  - endpoints: [routr1:eth0, router1:eth0]\n"
		"  - endpoints: [zzz:eth0, router1:eth1]\n",
		2,
		"t.yaml:4:17: error: link endpoint names missing node 'routr1' (did you mean "
		"'router1'?)\n"
		"t.yaml:5:17: error: link endpoint names missing node 'zzz'\n");
	/* The other end still counts as linked: router1's eth0 is not reported as unused. */
	T_ASSERT(T->links[0].ep[0].idx == -1);
	T_ASSERT(T->links[0].ep[1].idx == 0 && T->nodes[0].ifaces[0].link == 0);
	return 0;
}

static int test_missing_bridge(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {lan1: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, lan2]\n"
		"  - endpoints: [a:eth1, {bridge: sw9}]\n"
		"  - endpoints: [a:eth2, lan1]\n",
		2,
		"t.yaml:5:25: error: link endpoint names missing bridge 'lan2' (did you mean "
		"'lan1'?)\n"
		"t.yaml:6:25: error: link endpoint names missing bridge 'sw9'\n");
	return 0;
}

static int test_endpoint_node_without_iface(void)
{
	T_CHECK("name: t\nnodes: {a: {}, b: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, b]\n"
		"  - endpoints: [a:eth1, {node: b}]\n",
		2,
		"t.yaml:4:25: error: endpoint 'b' names a node but no interface (write 'b:eth0')\n"
		"t.yaml:5:25: error: endpoint 'b' names a node but no interface (write "
		"'b:eth0')\n");
	return 0;
}

static int test_endpoint_bridge_with_iface(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {sw: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, sw:eth1]\n"
		"  - endpoints: [a:eth1, sw]\n",
		1,
		"t.yaml:5:25: error: endpoint 'sw:eth1' names bridge 'sw': a bridge end is "
		"written 'sw' (nsctl names bridge ports itself)\n");
	return 0;
}

static int test_bridge_end_mac(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {sw: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, {bridge: sw, mac: 02:00:00:00:00:01}]\n",
		1,
		"t.yaml:5:25: error: the end on bridge 'sw' takes no 'mac' (only node and host "
		"ends do)\n");
	return 0;
}

static int test_iface_two_links(void)
{
	T_CHECK("name: t\nnodes: {a: {}, b: {}, c: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, b:eth0]\n"
		"  - endpoints: [c:eth0, a:eth0]\n",
		1,
		"t.yaml:5:25: error: interface 'eth0' of node 'a' is used by two links (first at "
		"4:17)\n");
	return 0;
}

static int test_host_iface_two_links(void)
{
	T_CHECK("name: t\nnodes: {a: {}, b: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, host:lab0]\n"
		"  - endpoints: [b:eth0, {node: host, interface: lab0}]\n",
		1,
		"t.yaml:5:25: error: interface 'lab0' of the host is used by two links (first at "
		"4:25)\n");
	return 0;
}

static int test_link_without_node(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {s1: {}, s2: {}}\n"
		"links:\n"
		"  - endpoints: [s1, s2]\n"
		"  - endpoints: [host:x1, host:x2]\n"
		"  - endpoints: [s1, host:x3]\n"
		"  - endpoints: [a:e1, s1]\n"
		"  - endpoints: [a:e2, s2]\n",
		3,
		"t.yaml:5:5: error: link joins bridge 's1' and bridge 's2': one end must be a "
		"node's interface\n"
		"t.yaml:6:5: error: link joins host interface 'x1' and host interface 'x2': one "
		"end must be a node's interface\n"
		"t.yaml:7:5: error: link joins bridge 's1' and host interface 'x3': one end must "
		"be a node's interface\n");
	T_ASSERT(T->bridges[0].n_ports == 1);
	return 0;
}

static int test_link_to_itself(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, a:eth0]\n"
		"  - endpoints: [a:eth1, a:eth2]\n",
		1, "t.yaml:4:5: error: link joins interface 'eth0' of node 'a' to itself\n");
	return 0;
}

/* A lab of @n nodes, each with eth0 on bridge "big". */
static char *bridge_lab(size_t n)
{
	struct sbuf b = { 0 };

	catf(&b, "name: t\nbridges:\n  big: {}\nnodes:\n");
	for (size_t i = 0; i < n; i++)
		catf(&b, "  n%zu: {}\n", i);
	catf(&b, "links:\n");
	for (size_t i = 0; i < n; i++)
		catf(&b, "  - endpoints: [n%zu:eth0, big]\n", i);
	return b.s;
}

static int test_bridge_ports(void)
{
	_cleanup_free_ char *ok = bridge_lab(255), *warn = bridge_lab(256), *bad = bridge_lab(1024);
	_cleanup_free_ char *max = bridge_lab(1023);

	T_CHECK(ok, 0, "");
	T_ASSERT(T->bridges[0].n_ports == 255);
	T_CHECK(warn, 0,
		"t.yaml:3:3: warning: bridge 'big' has 256 ports: on an L2 segment this large, "
		"IPv6 multicast (neighbour discovery, link-local addresses) floods every port; "
		"consider routers between smaller bridges\n");
	T_CHECK(max, 0,
		"t.yaml:3:3: warning: bridge 'big' has 1023 ports: on an L2 segment this large, "
		"IPv6 multicast (neighbour discovery, link-local addresses) floods every port; "
		"consider routers between smaller bridges\n");
	T_CHECK(bad, 1,
		"t.yaml:3:3: error: bridge 'big' has 1024 ports; a Linux bridge takes at most "
		"1023\n");
	return 0;
}

static int test_bridge_without_ports(void)
{
	T_CHECK("name: t\nnodes: {a: {}}\nbridges: {sw: {}}\n", 0,
		"t.yaml:3:11: warning: bridge 'sw' has no ports (no link ends on it)\n");
	return 0;
}

static int test_endpoints_resolved(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {eth1: {addresses: [192.0.2.1/24]}}}\n"
		"  b: {}\n"
		"bridges: {s1: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, b:eth0]\n"
		"  - endpoints: [a:eth1, s1]\n"
		"  - endpoints: [b:eth9, host:lab0]\n",
		0, "");
	/* implicit interfaces are appended after the declared ones */
	T_ASSERT(T->nodes[0].n_ifaces == 2);
	T_ASSERT_STREQ(T->nodes[0].ifaces[1].name, "eth0");
	T_ASSERT(T->nodes[0].ifaces[1].implicit && !T->nodes[0].ifaces[0].implicit);
	T_ASSERT(T->nodes[0].ifaces[1].type == TOPO_IF_VETH);
	T_ASSERT(T->nodes[0].ifaces[1].n_addrs == 0);
	T_ASSERT(T->nodes[0].ifaces[1].loc.line == 7 && T->nodes[0].ifaces[1].loc.col == 17);
	T_ASSERT(T->nodes[0].ifaces[1].link == 0 && T->nodes[0].ifaces[0].link == 1);
	T_ASSERT(T->nodes[1].n_ifaces == 2);
	T_ASSERT_STREQ(T->nodes[1].ifaces[1].name, "eth9");
	T_ASSERT(T->nodes[1].ifaces[1].link == 2);
	T_ASSERT(T->links[0].ep[0].idx == 0 && T->links[0].ep[0].iface_idx == 1);
	T_ASSERT(T->links[0].ep[1].idx == 1 && T->links[0].ep[1].iface_idx == 0);
	T_ASSERT(T->links[1].ep[1].idx == 0); /* bridge s1 */
	T_ASSERT(T->bridges[0].n_ports == 1);
	/* host: endpoints get an implicit host interface */
	T_ASSERT(T->n_host_ifaces == 1);
	T_ASSERT_STREQ(T->host_ifaces[0].name, "lab0");
	T_ASSERT(T->host_ifaces[0].implicit && T->host_ifaces[0].link == 2);
	T_ASSERT(T->links[2].ep[1].idx == 0);
	return 0;
}

static int test_bad_endpoint_no_cascade(void)
{
	/* The parser reports the malformed end; validation adds nothing about the link, and the
	 * other end's declared interface is not "unused". */
	T_ASSERT(load("name: t\n"
		      "nodes:\n"
		      "  a: {interfaces: {eth0: {addresses: [192.0.2.1/24]}}}\n"
		      "links:\n"
		      "  - endpoints: [a:eth0, 'b:c:d']\n"));
	T_ASSERT(D.n_errors == 1);
	T_ASSERT(topo_validate(T, &D) == 0);
	T_DIAG_IS("t.yaml:5:25: error: link endpoint 'b:c:d' must be 'node:interface', "
		  "'host:ifname' or a bridge name\n");
	return 0;
}

static int test_unreadable_file_no_cascade(void)
{
	T_ASSERT(load("name: [\n"));
	T_ASSERT(D.n_errors == 1);
	T_ASSERT(topo_validate(T, &D) == -EINVAL);
	T_ASSERT(D.n_errors == 1); /* no "the lab has no nodes" on top of the syntax error */
	return 0;
}

/* ---- rule 4: unused interfaces ---- */

static int test_unused_iface(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  r1:\n"
		"    interfaces:\n"
		"      eth1: {addresses: [192.0.2.1/24]}\n"
		"      lo: {addresses: [10.0.0.1/32]}\n"
		"      dum0: {type: dummy}\n",
		1, "t.yaml:5:7: error: interface 'eth1' of node 'r1' is not used by any link\n");
	return 0;
}

static int test_unused_host_iface(void)
{
	T_CHECK("name: t\n"
		"nodes: {a: {}}\n"
		"host:\n"
		"  interfaces:\n"
		"    lab0: {addresses: [192.0.2.1/24]}\n",
		1, "t.yaml:5:5: error: interface 'lab0' of the host is not used by any link\n");
	return 0;
}

/* ---- rule 5: addresses, mtu, MACs ---- */

static int test_duplicate_address(void)
{
	/* On one link, one bridge or one node: an error. On separate segments: a warning. */
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {eth0: {addresses: [192.0.2.1/24]}}}\n"
		"  b: {interfaces: {eth0: {addresses: [192.0.2.1/25]}}}\n"
		"  c: {interfaces: {eth0: {addresses: [198.51.100.1/24]}}}\n"
		"  d: {interfaces: {eth0: {addresses: [198.51.100.1/24]}}}\n"
		"  e: {interfaces: {eth0: {addresses: [192.0.2.1/24]}}}\n"
		"bridges: {sw: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, b:eth0]\n"
		"  - endpoints: [c:eth0, sw]\n"
		"  - endpoints: [d:eth0, sw]\n"
		"  - endpoints: [e:eth0, host:x]\n"
		"host:\n"
		"  interfaces:\n"
		"    x: {addresses: [192.0.2.1/24]}\n",
		3,
		"t.yaml:4:39: error: address 192.0.2.1 of interface 'eth0' of node 'b' is already "
		"assigned to interface 'eth0' of node 'a' (first at 3:39)\n"
		"t.yaml:6:39: error: address 198.51.100.1 of interface 'eth0' of node 'd' is "
		"already assigned to interface 'eth0' of node 'c' (first at 5:39)\n"
		"t.yaml:7:39: warning: address 192.0.2.1 of interface 'eth0' of node 'e' is also "
		"assigned to interface 'eth0' of node 'a' (first at 3:39), on another L2 segment\n"
		"t.yaml:16:21: error: address 192.0.2.1 of interface 'x' of the host is already "
		"assigned to interface 'eth0' of node 'e' (first at 7:39)\n");
	return 0;
}

static int test_duplicate_address_lo(void)
{
	/* Anycast: the same lo address on several nodes is a warning; the same address twice
	 * in one node is an error. */
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {lo: {addresses: [10.9.9.9/32]}}}\n"
		"  b: {interfaces: {lo: {addresses: [10.9.9.9/32]}}}\n"
		"  c: {interfaces: {lo: {addresses: [10.9.9.9/32]}, d0: {type: dummy, addresses: "
		"[10.9.9.9/24]}}}\n",
		1,
		"t.yaml:4:37: warning: address 10.9.9.9 of interface 'lo' of node 'b' is also "
		"assigned to interface 'lo' of node 'a' (first at 3:37), on another L2 segment\n"
		"t.yaml:5:37: warning: address 10.9.9.9 of interface 'lo' of node 'c' is also "
		"assigned to interface 'lo' of node 'a' (first at 3:37), on another L2 segment\n"
		"t.yaml:5:82: error: address 10.9.9.9 of interface 'd0' of node 'c' is already "
		"assigned to interface 'lo' of node 'c' (first at 5:37)\n");
	return 0;
}

static int test_address_unassignable(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a:\n"
		"    interfaces:\n"
		"      d0: {type: dummy, addresses: [0.0.0.0/8, 255.255.255.255/32, "
		"'::ffff:192.0.2.1/128', '::/0', 192.0.2.0/24]}\n",
		4,
		"t.yaml:5:37: error: address 0.0.0.0/8 of interface 'd0' of node 'a' is the "
		"unspecified address; it cannot be assigned to an interface\n"
		"t.yaml:5:48: error: address 255.255.255.255/32 of interface 'd0' of node 'a' is "
		"the IPv4 broadcast address; it cannot be assigned to an interface\n"
		"t.yaml:5:68: error: address ::ffff:192.0.2.1/128 of interface 'd0' of node 'a' "
		"is an IPv4-mapped IPv6 address; it cannot be assigned to an interface\n"
		"t.yaml:5:92: error: address ::/0 of interface 'd0' of node 'a' is the "
		"unspecified address; it cannot be assigned to an interface\n");
	return 0;
}

static int test_mtu_ipv6(void)
{
	/* Reported where the mtu is written: the interface, the link, or the node end a host
	 * end takes it from. */
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {eth0: {addresses: [2001:db8::1/64], mtu: 1279}}}\n"
		"  b: {interfaces: {eth0: {addresses: [2001:db8::2/64]}}}\n"
		"  c: {interfaces: {eth0: {addresses: [192.0.2.1/24], mtu: 576}}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, host:ha]\n"
		"  - endpoints: [b:eth0, host:hb]\n"
		"    mtu: 1000\n"
		"  - endpoints: [c:eth0, host:hc]\n"
		"host:\n"
		"  interfaces:\n"
		"    hc: {addresses: [2001:db8::3/64]}\n",
		3,
		"t.yaml:3:20: error: interface 'eth0' of node 'a' has an IPv6 address, so its mtu "
		"(1279) must be at least 1280\n"
		"t.yaml:5:20: error: interface 'hc' of the host has an IPv6 address, so its mtu "
		"(576) must be at least 1280\n"
		"t.yaml:8:5: error: interface 'eth0' of node 'b' has an IPv6 address, so its mtu "
		"(1000) must be at least 1280\n");
	return 0;
}

static int test_mtu_link_conflict(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {eth0: {mtu: 1500}}}\n"
		"  b: {interfaces: {eth0: {mtu: 9000}}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, b:eth0]\n"
		"    mtu: 9000\n",
		1,
		"t.yaml:3:20: error: interface 'eth0' of node 'a' sets mtu 1500 but its link (at "
		"6:5) sets mtu 9000\n");
	return 0;
}

static int test_mtu_ends_differ(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {eth0: {mtu: 9000}}}\n"
		"  b: {}\n"
		"  c: {interfaces: {eth0: {mtu: 1400}}}\n"
		"bridges: {sw: {mtu: 9000}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, b:eth0]\n"
		"  - endpoints: [c:eth0, sw]\n",
		0,
		"t.yaml:8:5: warning: the ends of this link get different mtus: 9000 (interface "
		"'eth0' of node 'a') and 1500 (interface 'eth0' of node 'b')\n"
		"t.yaml:9:5: warning: bridge 'sw' has mtu 9000 but its port on this link has mtu "
		"1400\n");
	return 0;
}

static int test_duplicate_mac(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {eth0: {mac: 02:00:00:00:00:01}}}\n"
		"  b: {interfaces: {eth0: {mac: 02:00:00:00:00:01}}}\n"
		"  c: {}\n"
		"links:\n"
		"  - endpoints: [a:eth0, b:eth0]\n"
		"  - endpoints: [{node: c, interface: eth0, mac: 02:00:00:00:00:01}, host:x]\n",
		0,
		"t.yaml:4:20: warning: mac 02:00:00:00:00:01 of interface 'eth0' of node 'b' is "
		"also used by interface 'eth0' of node 'a' (first at 3:20)\n"
		"t.yaml:8:17: warning: mac 02:00:00:00:00:01 of interface 'eth0' of node 'c' is "
		"also used by interface 'eth0' of node 'a' (first at 3:20)\n");
	return 0;
}

static int test_lo_mac(void)
{
	T_CHECK("name: t\nnodes:\n  a: {interfaces: {lo: {mac: 02:00:00:00:00:01}}}\n", 1,
		"t.yaml:3:20: error: interface 'lo' of node 'a' takes no 'mac' (the loopback has "
		"none)\n");
	return 0;
}

static int test_endpoint_mac_conflict(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {interfaces: {eth0: {mac: 02:00:00:00:00:01}, eth1: {mac: "
		"02:00:00:00:00:02}}}\n"
		"  b: {}\n"
		"links:\n"
		"  - endpoints: [{node: a, interface: eth0, mac: 02:00:00:00:00:0a}, b:eth0]\n"
		"  - endpoints: [{node: a, interface: eth1, mac: 02:00:00:00:00:02}, b:eth1]\n"
		"  - endpoints: [{node: b, interface: eth2, mac: 02:00:00:00:00:0b}, host:x]\n",
		1,
		"t.yaml:6:17: error: link endpoint sets mac 02:00:00:00:00:0a but interface "
		"'eth0' of node 'a' declares 02:00:00:00:00:01 (at 3:20)\n");
	/* The endpoint's mac became the implicit interface's. */
	T_ASSERT(T->nodes[1].ifaces[2].has_mac && T->nodes[1].ifaces[2].mac[5] == 0x0b);
	return 0;
}

/* ---- rule 6: routes ---- */

static const char route_base[] = "name: t\n"
				 "nodes:\n"
				 "  h1:\n"
				 "    interfaces:\n"
				 "      eth0: {addresses: [192.0.2.10/24, 2001:db8:1::10/64]}\n"
				 "      eth1: {addresses: [198.51.100.10/24]}\n"
				 "    routes:\n";
static const char route_links[] = "links:\n"
				  "  - endpoints: [h1:eth0, host:x0]\n"
				  "  - endpoints: [h1:eth1, host:x1]\n";

static size_t route_check(const char *routes)
{
	_cleanup_(sbuf_free) struct sbuf b = { 0 };

	catf(&b, "%s%s%s", route_base, routes, route_links);
	return check(b.s);
}

static int test_route_dev_missing(void)
{
	T_COUNT(route_check("      - {to: 10.0.0.0/8, dev: eth7}\n"), 1);
	T_DIAG_IS("t.yaml:8:9: error: route to '10.0.0.0/8' on node 'h1': node 'h1' has no "
		  "interface 'eth7'\n");
	return 0;
}

static int test_route_via_family(void)
{
	T_COUNT(route_check("      - {to: 10.0.0.0/8, via: 2001:db8:1::1}\n"), 1);
	T_DIAG_IS("t.yaml:8:31: error: route to '10.0.0.0/8' on node 'h1': gateway 2001:db8:1::1 "
		  "is IPv6 but the destination is IPv4\n");
	return 0;
}

static int test_route_via_unreachable(void)
{
	T_COUNT(route_check("      - {to: 203.0.113.0/24, via: 192.0.2.99}\n"
			    "      - {to: default, via: 192.0.2.1}\n"
			    "      - {to: 198.18.0.0/15, via: 10.9.9.9}\n"
			    "      - {to: 2001:db8:9::/48, via: 2001:db8:1::1}\n"),
		1);
	T_DIAG_IS("t.yaml:10:34: error: route to '198.18.0.0/15' on node 'h1': gateway 10.9.9.9 "
		  "is not reachable from any interface of 'h1'\n");
	T_COUNT(route_check("      - {to: 203.0.113.0/24, via: 192.0.2.99, dev: eth1}\n"), 1);
	T_DIAG_IS("t.yaml:8:35: error: route to '203.0.113.0/24' on node 'h1': gateway "
		  "192.0.2.99 is not reachable from interface 'eth1' of 'h1'\n");
	return 0;
}

static int test_route_via_own_address(void)
{
	T_COUNT(route_check("      - {to: 203.0.113.0/24, via: 192.0.2.10}\n"), 1);
	T_DIAG_IS("t.yaml:8:35: error: route to '203.0.113.0/24' on node 'h1': gateway "
		  "192.0.2.10 is an address of 'h1' itself\n");
	return 0;
}

static int test_route_link_local_needs_dev(void)
{
	T_COUNT(route_check("      - {to: default, via: fe80::1}\n"
			    "      - {to: 2001:db8:9::/48, via: fe80::1, dev: eth0}\n"
			    "      - {to: 2001:db8:8::/48, via: fe80::1, dev: eth1}\n"),
		2);
	T_DIAG_IS(
		"t.yaml:8:28: error: route to 'default' on node 'h1': link-local gateway fe80::1 "
		"needs 'dev'\n"
		"t.yaml:10:36: error: route to '2001:db8:8::/48' on node 'h1': link-local gateway "
		"fe80::1 is not reachable: interface 'eth1' has no IPv6 address, so no link-local "
		"address\n");
	return 0;
}

static int test_route_default_needs_via(void)
{
	T_COUNT(route_check("      - {to: default, dev: eth0}\n"
			    "      - {to: 0.0.0.0/0, dev: eth0}\n"),
		1);
	T_DIAG_IS("t.yaml:8:9: error: route to 'default' on node 'h1' needs 'via' (it takes its "
		  "family from the gateway; for a device route write '0.0.0.0/0' or '::/0' with "
		  "'dev')\n");
	return 0;
}

static int test_route_via_special(void)
{
	T_COUNT(route_check("      - {to: 10.0.0.0/8, via: 0.0.0.0}\n"
			    "      - {to: 10.1.0.0/16, via: 224.0.0.1}\n"),
		2);
	T_DIAG_IS("t.yaml:8:31: error: route to '10.0.0.0/8' on node 'h1': gateway 0.0.0.0 is the "
		  "unspecified address\n"
		  "t.yaml:9:32: error: route to '10.1.0.0/16' on node 'h1': gateway 224.0.0.1 is "
		  "a multicast address\n");
	return 0;
}

static int test_route_via_lo_subnet(void)
{
	/* A subnet on lo is the node itself: no gateway sits there. */
	T_CHECK("name: t\n"
		"nodes:\n"
		"  h1:\n"
		"    interfaces:\n"
		"      lo: {addresses: [10.255.0.1/24]}\n"
		"    routes:\n"
		"      - {to: 10.0.0.0/8, via: 10.255.0.2}\n",
		1,
		"t.yaml:7:31: error: route to '10.0.0.0/8' on node 'h1': gateway 10.255.0.2 is "
		"not reachable from any interface of 'h1'\n");
	return 0;
}

static int test_route_needs_via_or_dev(void)
{
	T_COUNT(route_check("      - {to: 10.0.0.0/8}\n"), 1);
	T_DIAG_IS("t.yaml:8:9: error: route to '10.0.0.0/8' on node 'h1' needs 'via' or 'dev'\n");
	return 0;
}

static int test_route_duplicate(void)
{
	T_COUNT(route_check("      - {to: 10.0.0.0/8, via: 192.0.2.1}\n"
			    "      - {to: 10.0.0.0/8, via: 192.0.2.2, metric: 1}\n"
			    "      - {to: 10.0.0.0/8, via: 198.51.100.1}\n"
			    "      - {to: default, via: 192.0.2.1}\n"
			    "      - {to: 0.0.0.0/0, dev: eth1}\n"
			    "      - {to: '::/0', via: 2001:db8:1::1}\n"),
		2);
	T_DIAG_IS("t.yaml:10:9: error: route to '10.0.0.0/8' with metric 0 on node 'h1' is already "
		  "declared (first at 8:9)\n"
		  "t.yaml:12:9: error: route to '0.0.0.0/0' with metric 0 on node 'h1' is already "
		  "declared (first at 11:9)\n");
	return 0;
}

static int test_route_host_bits(void)
{
	T_COUNT(route_check("      - {to: 10.0.0.1/8, via: 192.0.2.1}\n"
			    "      - {to: 2001:db8:9::1/48, via: 2001:db8:1::1}\n"
			    "      - {to: 10.1.2.3, via: 192.0.2.1}\n"),
		2);
	T_DIAG_IS(
		"t.yaml:8:14: error: route to '10.0.0.1/8' on node 'h1': the destination has host "
		"bits set (did you mean '10.0.0.0/8'?)\n"
		"t.yaml:9:14: error: route to '2001:db8:9::1/48' on node 'h1': the destination "
		"has host bits set (did you mean '2001:db8:9::/48'?)\n");
	return 0;
}

/* ---- rule 7: sysctls ---- */

static int test_sysctl_not_net(void)
{
	T_CHECK("name: t\n"
		"defaults:\n"
		"  sysctls: {vm.swappiness: 1}\n"
		"nodes:\n"
		"  a: {sysctls: {kernel.hostname: x, net.ipv4.ip_forward: 1}}\n"
		"  b: {}\n",
		2,
		"t.yaml:3:13: error: sysctl 'vm.swappiness' of the defaults is not a 'net.' key: "
		"sysctls are applied inside the node's network namespace, anything else would "
		"change the host\n"
		"t.yaml:5:17: error: sysctl 'kernel.hostname' of node 'a' is not a 'net.' key: "
		"sysctls are applied inside the node's network namespace, anything else would "
		"change the host\n");
	return 0;
}

static int test_sysctl_path(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {sysctls: {net/ipv4/ip_forward: 1, net.ipv4..x: 1, net.ipv4.: 1}}\n",
		3,
		"t.yaml:3:17: error: sysctl 'net/ipv4/ip_forward' of node 'a' must be "
		"dot-separated names, without '/' or empty parts\n"
		"t.yaml:3:41: error: sysctl 'net.ipv4..x' of node 'a' must be dot-separated "
		"names, without '/' or empty parts\n"
		"t.yaml:3:57: error: sysctl 'net.ipv4.' of node 'a' must be dot-separated names, "
		"without '/' or empty parts\n");
	return 0;
}

/* ---- rule 8: defaults ---- */

static int test_defaults_merge(void)
{
	const struct topo_node *a, *b;

	T_CHECK("name: t\n"
		"defaults:\n"
		"  sysctls: {net.ipv4.ip_forward: 1, net.ipv6.conf.all.forwarding: 1}\n"
		"  env: {A: da, B: db}\n"
		"  limits: {memory: 64MiB, pids: 128}\n"
		"  rootfs: /srv/root\n"
		"  binds: [\"/d:/d\"]\n"
		"  cmd: [sleep, infinity]\n"
		"  exec: [\"echo 1\", \"echo 2\"]\n"
		"nodes:\n"
		"  a:\n"
		"    sysctls: {net.ipv4.ip_forward: 0, net.ipv4.conf.all.rp_filter: 2}\n"
		"    env: {B: nb}\n"
		"    limits: {pids: 16, cpu: 0.5}\n"
		"    exec: [\"echo mine\"]\n"
		"    binds: []\n"
		"    cmd: [true]\n"
		"  b: {}\n",
		0, "");
	a = &T->nodes[0];
	b = &T->nodes[1];

	/* sysctls: defaults' keys not set by the node first, then the node's own */
	T_ASSERT(a->s.n_sysctls == 3);
	T_ASSERT_STREQ(a->s.sysctls[0].key, "net.ipv6.conf.all.forwarding");
	T_ASSERT(a->s.sysctls[0].loc.line == 3); /* points into defaults */
	T_ASSERT_STREQ(a->s.sysctls[1].key, "net.ipv4.ip_forward");
	T_ASSERT_STREQ(a->s.sysctls[1].value, "0");
	T_ASSERT_STREQ(a->s.sysctls[2].key, "net.ipv4.conf.all.rp_filter");
	T_ASSERT(a->s.n_env == 2);
	T_ASSERT_STREQ(a->s.env[0].key, "A");
	T_ASSERT_STREQ(a->s.env[0].value, "da");
	T_ASSERT_STREQ(a->s.env[1].value, "nb");
	/* the copies are the node's own: distinct storage */
	T_ASSERT(a->s.env[0].key != T->defaults.env[0].key);

	/* limits per field */
	T_ASSERT(a->s.limits.has_memory && a->s.limits.memory == (64u << 20));
	T_ASSERT(a->s.limits.memory_loc.line == 5);
	T_ASSERT(a->s.limits.pids == 16 && a->s.limits.cpu_millis == 500);

	/* whole-list replacement: exec, binds (even empty), cmd */
	T_ASSERT(a->s.n_exec == 1);
	T_ASSERT_STREQ(a->s.exec[0].cmd, "echo mine");
	T_ASSERT(a->s.has_binds && a->s.n_binds == 0);
	T_ASSERT(a->s.n_cmd == 1);
	T_ASSERT_STREQ(a->s.cmd[0], "true");
	T_ASSERT_STREQ(a->s.rootfs, "/srv/root");

	/* b takes everything */
	T_ASSERT(b->s.n_sysctls == 2 && b->s.n_env == 2);
	T_ASSERT(b->s.limits.has_memory && b->s.limits.has_pids && !b->s.limits.has_cpu);
	T_ASSERT(b->s.limits.pids == 128);
	T_ASSERT(b->s.n_exec == 2);
	T_ASSERT_STREQ(b->s.exec[1].cmd, "echo 2");
	T_ASSERT(b->s.exec[1].loc.line == 9);
	T_ASSERT(b->s.n_binds == 1);
	T_ASSERT_STREQ(b->s.binds[0].dst, "/d");
	T_ASSERT(b->s.n_cmd == 2 && b->s.cmd[2] == NULL);
	T_ASSERT_STREQ(b->s.cmd[1], "infinity");
	T_ASSERT(b->s.cmd_loc.line == 8);
	T_ASSERT_STREQ(b->s.rootfs, "/srv/root");
	T_ASSERT(b->s.rootfs != T->defaults.rootfs);
	return 0;
}

/* ---- rule 9: binds and rootfs ---- */

static int test_bind_relative_dst(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {binds: [\"/src:etc/lab\", \"/ok:/ok\"]}\n",
		1,
		"t.yaml:3:15: error: bind '/src' of node 'a': destination 'etc/lab' must be an "
		"absolute path\n");
	return 0;
}

static int test_bind_dotdot_dst(void)
{
	T_CHECK("name: t\n"
		"nodes:\n"
		"  a: {binds: [\"/src:/etc/../../x\", \"/s:/a..b/c..\"]}\n",
		1,
		"t.yaml:3:15: error: bind '/src' of node 'a': destination '/etc/../../x' must not "
		"contain '..'\n");
	return 0;
}

static int test_bind_and_rootfs_empty(void)
{
	/* The parser refuses empty scalars; a model built another way is still checked. */
	T_ASSERT(load("name: t\nnodes:\n  a: {binds: [\"/s:/d\"], rootfs: x}\n"));
	free(T->nodes[0].s.binds[0].src);
	T->nodes[0].s.binds[0].src = strdup("");
	free(T->nodes[0].s.rootfs);
	T->nodes[0].s.rootfs = strdup("");
	T_ASSERT(topo_validate(T, &D) == -EINVAL);
	T_DIAG_IS(
		"t.yaml:3:15: error: bind of node 'a' has an empty source\n"
		"t.yaml:3:33: error: rootfs of node 'a' is empty (write 'host' or a directory)\n");
	return 0;
}

static int test_cmd_empty(void)
{
	T_CHECK("name: t\n"
		"defaults: {cmd: ''}\n"
		"nodes:\n"
		"  a: {cmd: []}\n"
		"  b: {}\n",
		2,
		"t.yaml:2:17: error: cmd of the defaults is empty (leave 'cmd' out for the idle "
		"init)\n"
		"t.yaml:4:12: error: cmd of node 'a' is empty (leave 'cmd' out for the idle "
		"init)\n");
	return 0;
}

/* ---- rule 10: tests ---- */

static const char ping_base[] = "name: t\n"
				"nodes:\n"
				"  h4: {interfaces: {eth0: {addresses: [192.0.2.1/24]}}}\n"
				"  h6: {interfaces: {eth0: {addresses: [2001:db8::1/64]}}}\n"
				"  h0: {}\n"
				"links:\n"
				"  - endpoints: [h4:eth0, host:x]\n"
				"  - endpoints: [h6:eth0, host:y]\n"
				"tests:\n";

static size_t ping_check(const char *tests)
{
	_cleanup_(sbuf_free) struct sbuf b = { 0 };

	catf(&b, "%s%s", ping_base, tests);
	return check(b.s);
}

static int test_ping_from_unknown(void)
{
	T_COUNT(ping_check("  - {ping: [h5, h4]}\n  - {ping: [zzz, h4]}\n"), 2);
	T_DIAG_IS("t.yaml:10:5: error: ping source 'h5' is not a node (did you mean 'h4'?)\n"
		  "t.yaml:11:5: error: ping source 'zzz' is not a node\n");
	return 0;
}

static int test_ping_to_unknown(void)
{
	T_COUNT(ping_check("  - {ping: [h4, h44]}\n  - {ping: [h4, 'abc.example']}\n"), 2);
	T_DIAG_IS(
		"t.yaml:10:5: error: ping target 'h44' is neither a node nor an address (did you "
		"mean 'h4'?)\n"
		"t.yaml:11:5: error: ping target 'abc.example' is neither a node nor an address\n");
	return 0;
}

static int test_ping_node_without_address(void)
{
	T_COUNT(ping_check("  - {ping: [h0, h4]}\n  - {ping: [h4, h0]}\n"), 2);
	T_DIAG_IS("t.yaml:10:5: error: ping from 'h0' to 'h4': node 'h0' has no address\n"
		  "t.yaml:11:5: error: ping from 'h4' to 'h0': node 'h0' has no address\n");
	return 0;
}

static int test_ping_family_literal(void)
{
	T_COUNT(ping_check("  - {ping: [h4, 2001:db8::1]}\n  - {ping: [h6, 192.0.2.1]}\n"
			   "  - {ping: [h6, 2001:db8::99], expect: fail}\n"),
		2);
	T_DIAG_IS("t.yaml:10:5: error: ping from 'h4' to '2001:db8::1': node 'h4' has no IPv6 "
		  "address\n"
		  "t.yaml:11:5: error: ping from 'h6' to '192.0.2.1': node 'h6' has no IPv4 "
		  "address\n");
	return 0;
}

static int test_ping_family_nodes(void)
{
	/* A node target is its first address of a family the source has (IPv4 first), as
	 * `nsctl test` picks it: only nodes with no family in common are an error. */
	T_CHECK("name: t\n"
		"nodes:\n"
		"  h4: {interfaces: {eth0: {addresses: [192.0.2.1/24]}}}\n"
		"  h6: {interfaces: {eth0: {addresses: [2001:db8::1/64]}}}\n"
		"  h46: {interfaces: {eth0: {addresses: [2001:db8::46/64, 192.0.2.46/24]}}}\n"
		"bridges: {sw: {}}\n"
		"links:\n"
		"  - endpoints: [h4:eth0, sw]\n"
		"  - endpoints: [h6:eth0, sw]\n"
		"  - endpoints: [h46:eth0, sw]\n"
		"tests:\n"
		"  - {ping: [h4, h6]}\n"
		"  - {ping: [h6, h46]}\n"
		"  - {ping: [h46, h6]}\n"
		"  - {ping: [h4, h46]}\n",
		1,
		"t.yaml:12:5: error: ping from 'h4' to 'h6': the two nodes have no address family "
		"in common\n");
	return 0;
}

/* ---- rule 11: netem ---- */

static int test_netem_jitter_without_delay(void)
{
	T_CHECK("name: t\nnodes: {a: {}, b: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, b:eth0]\n"
		"    netem: {jitter: 1ms, loss: 1%}\n",
		1, "t.yaml:5:5: error: netem jitter needs a delay (jitter varies the delay)\n");
	return 0;
}

static int test_netem_over_100(void)
{
	T_ASSERT(load("name: t\nnodes: {a: {}, b: {}}\n"
		      "links:\n"
		      "  - endpoints: [a:eth0, b:eth0]\n"
		      "    netem: {loss: 100%}\n"));
	T->links[0].netem.loss_ppm = 1000001; /* the parser bounds it; the model may not be */
	T_ASSERT(topo_validate(T, &D) == -EINVAL);
	T_DIAG_IS("t.yaml:5:5: error: netem loss is over 100%\n");
	return 0;
}

static int test_netem_empty(void)
{
	T_CHECK("name: t\nnodes: {a: {}, b: {}}\n"
		"links:\n"
		"  - endpoints: [a:eth0, b:eth0]\n"
		"    netem: {}\n",
		0, "t.yaml:5:5: warning: netem sets nothing (it adds no impairment)\n");
	return 0;
}

/* ---- everything at once ---- */

static int test_all_reported(void)
{
	T_CHECK("name: Bad\n"				       /* 1 */
		"nodes:\n"				       /* 2 */
		"  h1:\n"				       /* 3 */
		"    interfaces:\n"			       /* 4 */
		"      eth0: {addresses: [192.0.2.1/24]}\n"    /* 5 */
		"      eth1: {addresses: [192.0.2.1/24]}\n"    /* 6 */
		"    routes:\n"				       /* 7 */
		"      - {to: 10.0.0.0/8, via: 203.0.113.1}\n" /* 8 */
		"    sysctls: {kernel.x: 1}\n"		       /* 9 */
		"  h2: {}\n"				       /* 10 */
		"links:\n"				       /* 11 */
		"  - endpoints: [h1:eth0, h3:eth0]\n"	       /* 12 */
		"  - endpoints: [h1:eth0, h2:eth0]\n"	       /* 13 */
		"tests:\n"				       /* 14 */
		"  - {ping: [h2, h1]}\n",		       /* 15 */
		8,
		"t.yaml:1:7: error: lab name 'Bad' is not valid: use lowercase letters, digits "
		"and '-', starting with a letter or digit\n"
		"t.yaml:6:7: error: interface 'eth1' of node 'h1' is not used by any link\n"
		"t.yaml:6:26: error: address 192.0.2.1 of interface 'eth1' of node 'h1' is "
		"already assigned to interface 'eth0' of node 'h1' (first at 5:26)\n"
		"t.yaml:8:31: error: route to '10.0.0.0/8' on node 'h1': gateway 203.0.113.1 is "
		"not reachable from any interface of 'h1'\n"
		"t.yaml:9:15: error: sysctl 'kernel.x' of node 'h1' is not a 'net.' key: sysctls "
		"are applied inside the node's network namespace, anything else would change the "
		"host\n"
		"t.yaml:12:26: error: link endpoint names missing node 'h3' (did you mean 'h1'?)\n"
		"t.yaml:13:17: error: interface 'eth0' of node 'h1' is used by two links (first "
		"at 12:17)\n"
		"t.yaml:15:5: error: ping from 'h2' to 'h1': node 'h2' has no address\n");
	return 0;
}

/* ---- rule 12 and scale ---- */

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

/* The time budget: generous on purpose (a guard against quadratic loops, not a benchmark: a
 * quadratic pass over 20,000 nodes takes minutes), wider under ASan (several times slower,
 * and every diagnostic allocates) and under valgrind (tens of times slower). */
static double budget(void)
{
	const char *p = getenv("LD_PRELOAD");

	if (p && strstr(p, "vgpreload"))
		return 30.0;
#ifdef SANITIZED
	return 10.0;
#else
	return 1.0;
#endif
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int test_chain_10000(void)
{
	enum { N = 10000 };
	_cleanup_(sbuf_free) struct sbuf b = { 0 };
	double t0, t1;

	/* n0 - n1 - ... - n9999, each link its own /30 (10.x.y.z), a lo address each, a
	 * default route toward the previous node, and a ping test per node. */
	catf(&b, "name: chain\ndefaults: {sysctls: {net.ipv4.ip_forward: 1}}\nnodes:\n");
	for (unsigned i = 0; i < N; i++) {
		unsigned l = i, p = i - 1; /* link i joins n_i:eth1 and n_{i+1}:eth0 */

		catf(&b, "  n%u:\n    interfaces:\n", i);
		catf(&b, "      lo: {addresses: [10.255.%u.%u/32]}\n", i >> 8, i & 255);
		if (i > 0)
			catf(&b, "      eth0: {addresses: [10.%u.%u.%u/30]}\n", p >> 14,
			     (p >> 6) & 255, ((p & 63) << 2) + 2);
		if (i < N - 1)
			catf(&b, "      eth1: {addresses: [10.%u.%u.%u/30]}\n", l >> 14,
			     (l >> 6) & 255, ((l & 63) << 2) + 1);
		if (i > 0)
			catf(&b, "    routes: [{to: default, via: 10.%u.%u.%u}]\n", p >> 14,
			     (p >> 6) & 255, ((p & 63) << 2) + 1);
	}
	catf(&b, "links:\n");
	for (unsigned i = 0; i + 1 < N; i++)
		catf(&b, "  - endpoints: [n%u:eth1, n%u:eth0]\n", i, i + 1);
	catf(&b, "tests:\n");
	for (unsigned i = 1; i < N; i++)
		catf(&b, "  - {ping: [n%u, n%u]}\n", i, i - 1);

	T_ASSERT(load(b.s));
	T_ASSERT(D.n_errors == 0);
	t0 = now();
	T_ASSERT(topo_validate(T, &D) == 0);
	t1 = now();
	if (D.n_entries)
		topo_diag_print(&D, stderr);
	T_ASSERT(D.n_entries == 0);
	fprintf(stderr, "validate: %u nodes in %.3f s\n", (unsigned)N, t1 - t0);
	T_ASSERT(t1 - t0 < budget());

	/* The node index answers after validation. */
	T_ASSERT(T->node_index != NULL);
	T_ASSERT(topo_find_node(T, "n9999") == &T->nodes[9999]);
	T_ASSERT(topo_find_node(T, "n5000") == &T->nodes[5000]);
	T_ASSERT(topo_find_node(T, "n10000") == NULL);
	T_ASSERT(T->nodes[1234].s.n_sysctls == 1);
	return 0;
}

static int test_many_duplicates_fast(void)
{
	enum { N = 20000 };
	_cleanup_(sbuf_free) struct sbuf b = { 0 };
	double t0, t1;

	/* Every node has one address on lo and on a dummy: 2N equal addresses in one run, N
	 * clashes inside nodes (errors) and N-1 anycast repeats (warnings). O(n log n). */
	catf(&b, "name: dup\nnodes:\n");
	for (unsigned i = 0; i < N; i++)
		catf(&b,
		     "  n%u: {interfaces: {lo: {addresses: [10.0.0.1/32]}, d: {type: dummy, "
		     "addresses: [10.0.0.1/24]}}}\n",
		     i);
	T_ASSERT(load(b.s));
	T_ASSERT(D.n_errors == 0);
	t0 = now();
	T_ASSERT(topo_validate(T, &D) == -EINVAL);
	t1 = now();
	T_ASSERT(D.n_errors == N && D.n_warnings == N - 1);
	T_ASSERT(t1 - t0 < budget());
	return 0;
}

static const struct t_case cases[] = {
	{ "validate: bridge named lo", test_bridge_named_lo, 0 },
	{ "validate: a valid file has no diagnostics, twice", test_valid, 0 },
	{ "validate: every example is valid", test_examples, 0 },
	{ "validate: lab name missing", test_lab_name_missing, 0 },
	{ "validate: lab name characters", test_lab_name_invalid, 0 },
	{ "validate: lab name length", test_lab_name_too_long, 0 },
	{ "validate: lab without nodes", test_no_nodes, 0 },
	{ "validate: node name characters", test_node_name_invalid, 0 },
	{ "validate: node name length", test_node_name_too_long, 0 },
	{ "validate: node name 'host' reserved", test_node_name_host, 0 },
	{ "validate: node name that is an IPv4 address", test_node_name_ipv4, 0 },
	{ "validate: bridge name length and characters", test_bridge_names, 0 },
	{ "validate: bridge named like a node", test_bridge_named_like_node, 0 },
	{ "validate: bridge named 'host'", test_bridge_named_host, 0 },
	{ "validate: hostname", test_hostname, 0 },
	{ "validate: interface name length", test_ifname_too_long, 0 },
	{ "validate: interface name characters", test_ifname_invalid, 0 },
	{ "validate: implicit interface name checked at the endpoint",
	  test_ifname_implicit_too_long, 0 },
	{ "validate: lo is not a link endpoint", test_lo_endpoint, 0 },
	{ "validate: a dummy is not a link endpoint", test_dummy_endpoint, 0 },
	{ "validate: the host's lo", test_host_lo, 0 },
	{ "validate: endpoint names a missing node (did you mean)", test_missing_node, 0 },
	{ "validate: endpoint names a missing bridge (did you mean)", test_missing_bridge, 0 },
	{ "validate: endpoint names a node without an interface", test_endpoint_node_without_iface,
	  0 },
	{ "validate: endpoint 'BRIDGE:IFNAME'", test_endpoint_bridge_with_iface, 0 },
	{ "validate: a bridge end takes no mac", test_bridge_end_mac, 0 },
	{ "validate: interface used by two links", test_iface_two_links, 0 },
	{ "validate: host interface used by two links", test_host_iface_two_links, 0 },
	{ "validate: link without a node end", test_link_without_node, 0 },
	{ "validate: link joining an interface to itself", test_link_to_itself, 0 },
	{ "validate: bridge port limit and warning", test_bridge_ports, 0 },
	{ "validate: bridge without ports", test_bridge_without_ports, 0 },
	{ "validate: endpoints resolved, implicit interfaces appended", test_endpoints_resolved,
	  0 },
	{ "validate: a malformed endpoint adds no cascade", test_bad_endpoint_no_cascade, 0 },
	{ "validate: an unreadable file adds no cascade", test_unreadable_file_no_cascade, 0 },
	{ "validate: declared interface used by no link", test_unused_iface, 0 },
	{ "validate: host interface used by no link", test_unused_host_iface, 0 },
	{ "validate: duplicate addresses", test_duplicate_address, 0 },
	{ "validate: anycast on lo is a warning, a clash in one node is not",
	  test_duplicate_address_lo, 0 },
	{ "validate: addresses no interface can hold", test_address_unassignable, 0 },
	{ "validate: mtu below 1280 with IPv6", test_mtu_ipv6, 0 },
	{ "validate: interface and link mtu disagree", test_mtu_link_conflict, 0 },
	{ "validate: link ends and bridge ports with different mtus", test_mtu_ends_differ, 0 },
	{ "validate: duplicate mac is a warning", test_duplicate_mac, 0 },
	{ "validate: lo takes no mac", test_lo_mac, 0 },
	{ "validate: endpoint mac disagrees with the interface", test_endpoint_mac_conflict, 0 },
	{ "validate: route dev is not an interface", test_route_dev_missing, 0 },
	{ "validate: route gateway family", test_route_via_family, 0 },
	{ "validate: route gateway unreachable", test_route_via_unreachable, 0 },
	{ "validate: route gateway is the node's own address", test_route_via_own_address, 0 },
	{ "validate: link-local gateway needs dev", test_route_link_local_needs_dev, 0 },
	{ "validate: default route needs via", test_route_default_needs_via, 0 },
	{ "validate: unspecified or multicast gateway", test_route_via_special, 0 },
	{ "validate: a subnet on lo reaches no gateway", test_route_via_lo_subnet, 0 },
	{ "validate: route needs via or dev", test_route_needs_via_or_dev, 0 },
	{ "validate: duplicate route", test_route_duplicate, 0 },
	{ "validate: route destination with host bits", test_route_host_bits, 0 },
	{ "validate: sysctl outside net.", test_sysctl_not_net, 0 },
	{ "validate: sysctl with '/' or '..'", test_sysctl_path, 0 },
	{ "validate: defaults merged, node wins", test_defaults_merge, 0 },
	{ "validate: bind destination must be absolute", test_bind_relative_dst, 0 },
	{ "validate: bind destination without '..'", test_bind_dotdot_dst, 0 },
	{ "validate: empty bind source and rootfs", test_bind_and_rootfs_empty, 0 },
	{ "validate: empty cmd", test_cmd_empty, 0 },
	{ "validate: ping source unknown (did you mean)", test_ping_from_unknown, 0 },
	{ "validate: ping target unknown (did you mean)", test_ping_to_unknown, 0 },
	{ "validate: ping node without address", test_ping_node_without_address, 0 },
	{ "validate: ping address family vs literal", test_ping_family_literal, 0 },
	{ "validate: ping node target needs a family in common", test_ping_family_nodes, 0 },
	{ "validate: netem jitter without delay", test_netem_jitter_without_delay, 0 },
	{ "validate: netem percentage over 100%", test_netem_over_100, 0 },
	{ "validate: netem that sets nothing", test_netem_empty, 0 },
	{ "validate: every problem of a file is reported", test_all_reported, 0 },
	{ "validate: 10,000-node chain in under a second", test_chain_10000, 0 },
	{ "validate: 40,000 equal addresses in under a second", test_many_duplicates_fast, 0 },
};

int main(int argc, char **argv)
{
	return t_run("unit-validate", cases, ELEMENTSOF(cases), argc, argv);
}
