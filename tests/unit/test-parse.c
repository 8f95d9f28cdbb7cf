/* SPDX-License-Identifier: MIT */
/* Parser unit tests: every key of the topology file lands in the model with its position;
 * malformed scalars and hostile YAML are reported, in bounded time. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tests/t.h"
#include "tests/unit/topo-helpers.h"
#include "topo/topo.h"

/* Parses @yaml into T/D; returns the number of errors. */
static size_t parse(const char *yaml)
{
	return load(yaml) ? D.n_errors : (size_t)-1;
}

static const char *addr_str(const struct topo_addr *a)
{
	static char buf[TOPO_ADDRSTRLEN];
	return topo_addr_format(a, buf, sizeof(buf));
}

static const char full[] =
	"name: full\n"					// 1
	"defaults:\n"					// 2
	"  limits: {memory: 64MiB, pids: 128}\n"	// 3
	"  sysctls: {net.ipv4.conf.all.rp_filter: 0}\n" // 4
	"  env: {LAB: full}\n"				// 5
	"  exec: [\"true\"]\n"				// 6
	"nodes:\n"					// 7
	"  h1:\n"					// 8
	"    hostname: host-one\n"			// 9
	"    interfaces:\n"				// 10
	"      eth0: {addresses: [192.0.2.10/24, 2001:db8:1::10/64], mtu: 1500, "
	"mac: 02:00:00:00:01:10}\n"						      // 11
	"    routes:\n"								      // 12
	"      - {to: default, via: 192.0.2.1}\n"				      // 13
	"      - {to: 198.51.100.0/24, via: 192.0.2.1, dev: eth0, metric: 10}\n"      // 14
	"    cmd: [sleep, infinity]\n"						      // 15
	"    env: {LAB: routed, X: \"1\"}\n"					      // 16
	"  r1:\n"								      // 17
	"    sysctls: {net.ipv4.ip_forward: 1, net.ipv6.conf.all.forwarding: true}\n" // 18
	"    limits: {cpu: 0.5, memory: 1G, pids: 64}\n"			      // 19
	"    rootfs: ./rootfs\n"						      // 20
	"    binds: [\"./configs/r1:/etc/lab:ro\", \"/a:/b\"]\n"		      // 21
	"    exec: [\"ip -br addr\", {cmd: \"false\", optional: true}]\n"	      // 22
	"    cmd: sleep   infinity\n"						      // 23
	"    interfaces:\n"							      // 24
	"      eth0: {addresses: [192.0.2.1/24]}\n"				      // 25
	"      eth1: {addresses: [198.51.100.1/24]}\n"				      // 26
	"      lo: {addresses: [10.255.0.1/32]}\n"				      // 27
	"      dum0: {type: dummy, addresses: [10.255.1.1/24]}\n"		      // 28
	"  h2: {}\n"								      // 29
	"bridges:\n"								      // 30
	"  lan1: {}\n"								      // 31
	"  lan2: {mtu: 9000}\n"							      // 32
	"links:\n"								      // 33
	"  - endpoints: [h1:eth0, r1:eth0]\n"					      // 34
	"  - endpoints: [r1:eth1, lan1]\n"					      // 35
	"    netem: {delay: 5ms, jitter: 1ms, loss: 0.5%, rate: 100mbit, duplicate: "
	"1%, corrupt: 0.1%}\n"			  // 36
	"    mtu: 1400\n"			  // 37
	"  - endpoints: [h2:eth0, host:lab-h2]\n" // 38
	"  - endpoints: [{node: h2, interface: eth1, mac: 02:00:00:00:02:01}, "
	"{bridge: lan2}]\n"						  // 39
	"  - endpoints: [{node: host, interface: lab-x}, {node: lan1}]\n" // 40
	"host:\n"							  // 41
	"  interfaces:\n"						  // 42
	"    lab-h2: {addresses: [203.0.113.1/24]}\n"			  // 43
	"tests:\n"							  // 44
	"  - {ping: [h1, h2]}\n"					  // 45
	"  - {ping: [h1, 203.0.113.9], expect: fail}\n";		  // 46

static int test_full_file(void)
{
	const struct topo_node *h1, *r1;

	T_ASSERT(parse(full) == 0);
	T_ASSERT_STREQ(T->name, "full");
	T_ASSERT(T->name_loc.line == 1 && T->name_loc.col == 7);
	T_ASSERT(T->n_nodes == 3 && T->n_bridges == 2 && T->n_links == 5 && T->n_tests == 2);
	h1 = &T->nodes[0];
	r1 = &T->nodes[1];
	T_ASSERT_STREQ(h1->name, "h1");
	T_ASSERT(h1->loc.line == 8 && h1->loc.col == 3);
	T_ASSERT_STREQ(h1->hostname, "host-one");
	T_ASSERT(h1->n_ifaces == 1);
	T_ASSERT_STREQ(h1->ifaces[0].name, "eth0");
	T_ASSERT(h1->ifaces[0].loc.line == 11 && h1->ifaces[0].loc.col == 7);
	T_ASSERT(h1->ifaces[0].n_addrs == 2);
	T_ASSERT_STREQ(addr_str(&h1->ifaces[0].addrs[0]), "192.0.2.10/24");
	T_ASSERT(h1->ifaces[0].addrs[0].loc.line == 11 && h1->ifaces[0].addrs[0].loc.col == 26);
	T_ASSERT_STREQ(addr_str(&h1->ifaces[0].addrs[1]), "2001:db8:1::10/64");
	T_ASSERT(h1->ifaces[0].mtu == 1500);
	T_ASSERT(h1->ifaces[0].has_mac && h1->ifaces[0].mac[5] == 0x10);
	T_ASSERT(h1->n_routes == 2);
	T_ASSERT(h1->routes[0].is_default && h1->routes[0].has_via &&
		 h1->routes[0].dst.family == AF_INET);
	T_ASSERT(h1->routes[0].loc.line == 13 && h1->routes[0].loc.col == 9);
	T_ASSERT(h1->routes[0].via.loc.line == 13 && h1->routes[0].via.loc.col == 28);
	T_ASSERT_STREQ(addr_str(&h1->routes[1].dst), "198.51.100.0/24");
	T_ASSERT_STREQ(h1->routes[1].dev, "eth0");
	T_ASSERT(h1->routes[1].metric == 10);
	T_ASSERT(h1->s.n_cmd == 2 && h1->s.has_cmd);
	T_ASSERT_STREQ(h1->s.cmd[0], "sleep");
	T_ASSERT(h1->s.cmd[2] == NULL);
	T_ASSERT(h1->s.n_env == 2);
	T_ASSERT_STREQ(h1->s.env[1].value, "1");

	T_ASSERT(r1->s.n_sysctls == 2);
	T_ASSERT_STREQ(r1->s.sysctls[0].key, "net.ipv4.ip_forward");
	T_ASSERT_STREQ(r1->s.sysctls[1].value, "1"); /* YAML true -> 1 */
	T_ASSERT(r1->s.limits.has_cpu && r1->s.limits.cpu_millis == 500);
	T_ASSERT(r1->s.limits.has_memory && r1->s.limits.memory == (1ull << 30));
	T_ASSERT(r1->s.limits.has_pids && r1->s.limits.pids == 64);
	T_ASSERT(r1->s.limits.cpu_loc.line == 19 && r1->s.limits.cpu_loc.col == 19);
	T_ASSERT_STREQ(r1->s.rootfs, "./rootfs");
	T_ASSERT(r1->s.n_binds == 2);
	T_ASSERT_STREQ(r1->s.binds[0].src, "./configs/r1");
	T_ASSERT_STREQ(r1->s.binds[0].dst, "/etc/lab");
	T_ASSERT(r1->s.binds[0].ro && !r1->s.binds[1].ro);
	T_ASSERT(r1->s.n_exec == 2 && !r1->s.exec[0].optional && r1->s.exec[1].optional);
	T_ASSERT_STREQ(r1->s.exec[1].cmd, "false");
	T_ASSERT(r1->s.n_cmd == 2); /* string form split on white space */
	T_ASSERT_STREQ(r1->s.cmd[1], "infinity");
	T_ASSERT(r1->n_ifaces == 4);
	T_ASSERT(r1->ifaces[2].type == TOPO_IF_LOOPBACK);
	T_ASSERT(r1->ifaces[3].type == TOPO_IF_DUMMY);
	T_ASSERT(r1->ifaces[0].type == TOPO_IF_VETH);

	T_ASSERT(T->defaults.limits.has_memory && T->defaults.limits.memory == (64u << 20));
	T_ASSERT(T->defaults.limits.pids == 128 && !T->defaults.limits.has_cpu);
	T_ASSERT(T->defaults.n_sysctls == 1 && T->defaults.n_env == 1 && T->defaults.n_exec == 1);

	T_ASSERT(T->bridges[1].mtu == 9000 && T->bridges[0].mtu == 0);
	T_ASSERT(T->bridges[0].loc.line == 31 && T->bridges[0].loc.col == 3);

	/* short forms */
	T_ASSERT(T->links[0].ep[0].kind == TOPO_EP_NODE);
	T_ASSERT_STREQ(T->links[0].ep[0].node, "h1");
	T_ASSERT_STREQ(T->links[0].ep[0].iface, "eth0");
	T_ASSERT(T->links[0].ep[0].loc.line == 34 && T->links[0].ep[0].loc.col == 17);
	T_ASSERT(T->links[0].loc.line == 34 && T->links[0].loc.col == 5);
	T_ASSERT(T->links[1].ep[1].kind == TOPO_EP_BRIDGE);
	T_ASSERT_STREQ(T->links[1].ep[1].node, "lan1");
	T_ASSERT(T->links[2].ep[1].kind == TOPO_EP_HOST);
	T_ASSERT(T->links[2].ep[1].node == NULL);
	T_ASSERT_STREQ(T->links[2].ep[1].iface, "lab-h2");
	/* long forms */
	T_ASSERT(T->links[3].ep[0].kind == TOPO_EP_NODE && T->links[3].ep[0].has_mac);
	T_ASSERT(T->links[3].ep[1].kind == TOPO_EP_BRIDGE);
	T_ASSERT_STREQ(T->links[3].ep[1].node, "lan2");
	T_ASSERT(T->links[4].ep[0].kind == TOPO_EP_HOST);
	T_ASSERT_STREQ(T->links[4].ep[0].iface, "lab-x");
	T_ASSERT(T->links[4].ep[1].kind == TOPO_EP_BRIDGE);

	/* netem and link mtu */
	T_ASSERT(T->links[1].has_netem && T->links[1].mtu == 1400);
	T_ASSERT(T->links[1].netem.delay_us == 5000 && T->links[1].netem.jitter_us == 1000);
	T_ASSERT(T->links[1].netem.loss_ppm == 5000 && T->links[1].netem.duplicate_ppm == 10000);
	T_ASSERT(T->links[1].netem.corrupt_ppm == 1000);
	T_ASSERT(T->links[1].netem.rate_bps == 100000000ull);

	T_ASSERT(T->n_host_ifaces == 1);
	T_ASSERT_STREQ(T->host_ifaces[0].name, "lab-h2");
	T_ASSERT(T->host_ifaces[0].n_addrs == 1);

	T_ASSERT_STREQ(T->tests[0].from, "h1");
	T_ASSERT_STREQ(T->tests[0].to, "h2");
	T_ASSERT(!T->tests[0].to_is_addr && !T->tests[0].expect_fail);
	T_ASSERT(T->tests[1].to_is_addr && T->tests[1].expect_fail);
	T_ASSERT(T->tests[1].to_addr.prefixlen == 32);
	T_ASSERT(T->tests[1].loc.line == 46 && T->tests[1].loc.col == 5);
	return 0;
}

static int test_units(void)
{
	static const struct {
		const char *mem;
		uint64_t bytes;
	} m[] = {
		{ "64MiB", 64ull << 20 }, { "64M", 64ull << 20 },   { "64mb", 64ull << 20 },
		{ "1G", 1ull << 30 },	  { "1.5GiB", 3ull << 29 }, { "2097152", 2097152 },
		{ "4096k", 4ull << 20 },  { "1T", 1ull << 40 },
	};
	char buf[256];

	for (size_t i = 0; i < ELEMENTSOF(m); i++) {
		snprintf(buf, sizeof(buf), "name: u\nnodes: {a: {limits: {memory: %s}}}\n",
			 m[i].mem);
		T_ASSERT(parse(buf) == 0);
		T_ASSERT(T->nodes[0].s.limits.memory == m[i].bytes);
	}
	T_ASSERT(parse("name: u\nnodes: {a: {limits: {cpu: 2}}}\n") == 0);
	T_ASSERT(T->nodes[0].s.limits.cpu_millis == 2000);
	T_ASSERT(parse("name: u\nnodes: {a: {limits: {cpu: 0.125}}}\n") == 0);
	T_ASSERT(T->nodes[0].s.limits.cpu_millis == 125);
	T_ASSERT(parse("name: u\nlinks: [{endpoints: [a:b, c:d], netem: {delay: 1.5s, rate: "
		       "10Gbit}}]\n") == 0);
	T_ASSERT(T->links[0].netem.delay_us == 1500000);
	T_ASSERT(T->links[0].netem.rate_bps == 10000000000ull);
	T_ASSERT(parse("name: u\nlinks: [{endpoints: [a:b, c:d], netem: {rate: 1mbps, delay: "
		       "250us}}]\n") == 0);
	T_ASSERT(T->links[0].netem.rate_bps == 8000000ull);
	T_ASSERT(T->links[0].netem.delay_us == 250);
	return 0;
}

static int test_bad_scalars(void)
{
	T_ASSERT(parse("name: u\n"
		       "nodes:\n"
		       "  a:\n"
		       "    limits: {memory: 64XB, cpu: 0.0001, pids: -1}\n"
		       "    interfaces:\n"
		       "      eth0: {mtu: 70000, mac: 02:00:00:00:00, addresses: [10.0.0.1/33, "
		       "fe80::1/200, 999.1.1.1]}\n"
		       "links:\n"
		       "  - {endpoints: [a:eth0, b:eth0], netem: {loss: 1, delay: fast, rate: "
		       "5}}\n") == 11);
	T_DIAG_IS("t.yaml:4:22: error: memory limit: unknown unit 'XB' in '64XB' (expected e.g. "
		  "64MiB)\n"
		  "t.yaml:4:33: error: cpu limit: '0.0001' is not a number of cores (expected e.g. "
		  "0.5)\n"
		  "t.yaml:4:47: error: pids limit: '-1' is not a whole number\n"
		  "t.yaml:6:19: error: mtu 70000 is out of range (68..65535)\n"
		  "t.yaml:6:31: error: mac: '02:00:00:00:00' is not a MAC address (expected e.g. "
		  "02:00:00:00:00:01)\n"
		  "t.yaml:6:59: error: address: '10.0.0.1/33' is not an address (expected e.g. "
		  "192.0.2.1/24 or 2001:db8::1/64)\n"
		  "t.yaml:6:72: error: address: 'fe80::1/200' is not an address (expected e.g. "
		  "192.0.2.1/24 or 2001:db8::1/64)\n"
		  "t.yaml:6:85: error: address: '999.1.1.1' is not an address (expected e.g. "
		  "192.0.2.1/24 or 2001:db8::1/64)\n"
		  "t.yaml:8:49: error: netem loss: '1' needs a unit (e.g. 0.5%)\n"
		  "t.yaml:8:59: error: netem delay: 'fast' is not a number (expected e.g. 5ms)\n"
		  "t.yaml:8:71: error: netem rate: '5' needs a unit (e.g. 100mbit)\n");
	return 0;
}

static int test_unknown_and_duplicate_keys(void)
{
	T_ASSERT(parse("name: u\n"
		       "nodes:\n"
		       "  a:\n"
		       "    interfacs: {}\n"
		       "    routes: []\n"
		       "    routes: []\n"
		       "  a: {}\n"
		       "linkz: []\n") == 4);
	T_DIAG_IS("t.yaml:4:5: error: unknown key 'interfacs' in node 'a' (did you mean "
		  "'interfaces'?)\n"
		  "t.yaml:6:5: error: duplicate key 'routes' in node 'a' (first at 5:5)\n"
		  "t.yaml:7:3: error: duplicate key 'a' in nodes (first at 3:3)\n"
		  "t.yaml:8:1: error: unknown key 'linkz' in the top level (did you mean "
		  "'links'?)\n");
	/* No hint when nothing is close. */
	T_ASSERT(parse("name: u\nzzzzzzzzz: 1\n") == 1);
	T_DIAG_IS("t.yaml:2:1: error: unknown key 'zzzzzzzzz' in the top level\n");
	return 0;
}

static int test_wrong_types(void)
{
	T_ASSERT(parse("name: u\nnodes: [a, b]\nlinks: {a: b}\n") == 2);
	T_DIAG_IS("t.yaml:2:8: error: 'nodes' must be a mapping, not a list\n"
		  "t.yaml:3:8: error: 'links' must be a list, not a mapping\n");
	T_ASSERT(parse("- a\n- b\n") == 1);
	T_DIAG_IS("t.yaml:1:1: error: the top level must be a mapping (name:, nodes:, links:, "
		  "...)\n");
	T_ASSERT(parse("") == 1);
	T_ASSERT(parse("name: [a]\n") == 1);
	T_DIAG_IS("t.yaml:1:7: error: the lab name must be a scalar, not a list\n");
	return 0;
}

static int test_endpoint_forms_bad(void)
{
	T_ASSERT(parse("name: u\nlinks:\n"
		       "  - endpoints: [a:b:c, \":x\"]\n"
		       "  - endpoints: [a:b]\n"
		       "  - endpoints: [{interface: eth0}, {node: host}]\n"
		       "  - endpoints: [{bridge: br, interface: eth0}, a:b]\n"
		       "  - mtu: 1500\n") == 7);
	T_DIAG_IS(
		"t.yaml:3:17: error: link endpoint 'a:b:c' must be 'node:interface', "
		"'host:ifname' or a bridge name\n"
		"t.yaml:3:24: error: link endpoint ':x' must be 'node:interface', 'host:ifname' or "
		"a bridge name\n"
		"t.yaml:4:16: error: a link has exactly 2 endpoints, found 1\n"
		"t.yaml:5:17: error: a link endpoint needs 'node' (or 'bridge')\n"
		"t.yaml:5:36: error: a host endpoint needs 'interface'\n"
		"t.yaml:6:17: error: a bridge endpoint takes no 'interface'\n"
		"t.yaml:7:5: error: a link needs 'endpoints'\n");
	for (size_t i = 0; i < T->n_links; i++)
		if (i != 3)
			T_ASSERT(T->links[i].ep[0].bad || T->links[i].ep[1].bad);
	return 0;
}

static int test_endpoint_node_and_bridge(void)
{
	T_ASSERT(parse("name: u\nlinks:\n"
		       "  - endpoints: [a:eth0, {bridge: sw1, node: a}]\n"
		       "    netem: {delay: 1ms, jitter: 3601s}\n") == 2);
	T_DIAG_IS("t.yaml:3:25: error: a link endpoint names either 'node' or 'bridge', not both\n"
		  "t.yaml:4:33: error: netem jitter 3601s is over one hour\n");
	T_ASSERT(T->links[0].ep[1].bad);
	return 0;
}

static int test_routes_tests_exec(void)
{
	T_ASSERT(parse("name: u\nnodes:\n  a:\n    routes:\n"
		       "      - {via: 192.0.2.1}\n"
		       "      - {to: default, via: 2001:db8::1}\n"
		       "      - {to: default, via: 192.0.2.1/24}\n"
		       "    exec: [{optional: true}]\n"
		       "tests:\n"
		       "  - {expect: fail}\n"
		       "  - {ping: [a]}\n"
		       "  - {ping: [a, 192.0.2.0/24], expect: maybe}\n"
		       "  - {ping: [a, node.with.dots]}\n") == 7);
	T_ASSERT(T->nodes[0].routes[1].is_default && T->nodes[0].routes[1].dst.family == AF_INET6);
	T_ASSERT(!T->tests[3].to_is_addr);
	T_ASSERT_STREQ(T->tests[3].to, "node.with.dots");
	T_DIAG_IS("t.yaml:5:9: error: a route of node 'a' needs 'to' (a prefix or default)\n"
		  "t.yaml:7:28: error: route gateway '192.0.2.1/24' must be an address without a "
		  "prefix length\n"
		  "t.yaml:8:12: error: an exec entry needs 'cmd'\n"
		  "t.yaml:10:5: error: a test needs 'ping: [from, to]'\n"
		  "t.yaml:11:12: error: ping takes [from, to], found 1 items\n"
		  "t.yaml:12:16: error: ping target '192.0.2.0/24' must be an address without a "
		  "prefix length\n"
		  "t.yaml:12:39: error: expect: 'maybe' is not 'ok' or 'fail'\n");
	return 0;
}

static int test_null_sections(void)
{
	/* Empty sections and nodes written as "a:" are empty, not errors. */
	T_ASSERT(parse("name: u\nnodes:\n  a:\n  b: ~\nbridges:\n  sw:\nlinks:\ntests:\nhost:\n") ==
		 0);
	T_ASSERT(T->n_nodes == 2 && T->n_bridges == 1 && T->n_links == 0);
	return 0;
}

static int test_syntax_error(void)
{
	T_ASSERT(parse("name: u\nnodes: {a: [\n") == 1);
	T_ASSERT(strstr(D.entries[0].msg, "YAML syntax error") != NULL);
	T_ASSERT(D.entries[0].loc.line >= 2);
	T_ASSERT(parse("name: u\n---\nname: v\n") == 1);
	T_DIAG_IS("t.yaml:2:1: error: a topology file holds one YAML document, found a second\n");
	T_ASSERT(parse("name: *nope\n") == 1);
	T_DIAG_IS("t.yaml:1:7: error: unknown YAML alias '*nope'\n");
	return 0;
}

static int test_aliases_allowed(void)
{
	/* Reasonable anchors and aliases work: shared settings written once. */
	T_ASSERT(parse("name: u\n"
		       "x-lim: &lim {memory: 64MiB}\n") == 1); /* unknown top key, still reported */
	T_ASSERT(parse("name: u\nnodes:\n  a: {limits: &lim {memory: 64MiB}}\n"
		       "  b: {limits: *lim}\n") == 0);
	T_ASSERT(T->nodes[1].s.limits.memory == (64u << 20));
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int test_alias_bomb(void)
{
	/* Billion laughs: 9^9 nodes if expanded. Refused from the tree's weights, not by walking.
	 */
	static const char bomb[] = "a: &a [1,2,3,4,5,6,7,8,9]\n"
				   "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
				   "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
				   "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
				   "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
				   "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
				   "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
				   "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
				   "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	double t0 = now();

	T_ASSERT(parse(bomb) == 1);
	T_ASSERT(strstr(D.entries[0].msg, "alias expansion exceeds") != NULL);
	T_ASSERT(now() - t0 < 1.0);
	T_ASSERT(parse("a: &a [*a]\n") == 1);
	T_DIAG_IS("t.yaml:1:8: error: recursive YAML alias '*a' (refers to its own ancestor)\n");
	return 0;
}

static int test_deep_nesting(void)
{
	size_t depth = 1000000;
	char *buf = malloc(2 * depth + 1);
	double t0 = now();

	T_ASSERT(buf);
	memset(buf, '[', depth);
	memset(buf + depth, ']', depth);
	buf[2 * depth] = '\0';
	T_ASSERT(parse(buf) == 1);
	T_DIAG_IS("t.yaml:1:65: error: YAML nesting deeper than 64 levels\n");
	T_ASSERT(now() - t0 < 1.0);
	free(buf);
	return 0;
}

static int test_size_cap(void)
{
	size_t len = TOPO_FILE_SIZE_MAX + 1;
	char *buf = malloc(len + 1);

	T_ASSERT(buf);
	memset(buf, ' ', len);
	buf[len] = '\0';
	topo_free(T);
	T = NULL;
	topo_diag_clear(&D);
	T_ASSERT(topo_parse_string("t.yaml", buf, len, &T, &D) == 0);
	T_DIAG_IS("t.yaml:1:1: error: file is larger than 16 MiB\n");
	free(buf);
	return 0;
}

static int test_parse_file_errors(void)
{
	struct topo *t = NULL;
	struct topo_diag d = { 0 };

	T_ASSERT(topo_parse_file("/nonexistent/x.yaml", &t, &d) == -ENOENT);
	topo_diag_clear(&d);
	T_ASSERT(topo_parse_file("/", &t, &d) == -EISDIR);
	topo_diag_clear(&d);
	return 0;
}

static int test_addr_helpers(void)
{
	struct topo_addr a = { 0 }, n = { 0 };
	char buf[TOPO_ADDRSTRLEN];

	T_ASSERT_OK(topo_addr_parse("192.0.2.77/24", &a));
	T_ASSERT_OK(topo_addr_parse("192.0.2.0/24", &n));
	T_ASSERT(topo_addr_in_prefix(&a, &n));
	T_ASSERT_OK(topo_addr_parse("192.0.3.1", &a));
	T_ASSERT(a.prefixlen == 32 && !topo_addr_in_prefix(&a, &n));
	T_ASSERT_OK(topo_addr_parse("2001:db8:1::1/64", &a));
	T_ASSERT_OK(topo_addr_parse("2001:db8:1::/48", &n));
	T_ASSERT(topo_addr_in_prefix(&a, &n));
	T_ASSERT_OK(topo_addr_parse("2001:db8:2::/63", &n));
	T_ASSERT(!topo_addr_in_prefix(&a, &n));
	T_ASSERT_STREQ(topo_addr_format(&a, buf, sizeof(buf)), "2001:db8:1::1/64");
	T_ASSERT(topo_addr_parse("10.0.0.1/+8", &a) == -EINVAL);
	T_ASSERT(topo_addr_parse("10.0.0.1/", &a) == -EINVAL);
	T_ASSERT(topo_addr_parse("/8", &a) == -EINVAL);
	T_ASSERT(topo_addr_parse("10.0.0.1/0x8", &a) == -EINVAL);
	T_ASSERT_OK(topo_addr_parse("0.0.0.0/0", &a));
	T_ASSERT(topo_addr_in_prefix(&n, &a) == false); /* family differs */
	return 0;
}

static int test_suggest(void)
{
	static const char *const keys[] = { "addresses", "mtu", "mac", "type" };

	T_ASSERT_STREQ(topo_suggest("adresses", keys, 4), "addresses");
	T_ASSERT_STREQ(topo_suggest("mtv", keys, 4), "mtu");
	T_ASSERT(topo_suggest("completely-different", keys, 4) == NULL);
	return 0;
}

static const struct t_case cases[] = {
	{ "parse: every key of the topology file, with positions", test_full_file, 0 },
	{ "parse: size, cpu, time and rate units", test_units, 0 },
	{ "parse: malformed scalars reported at their position", test_bad_scalars, 0 },
	{ "parse: unknown keys (did you mean) and duplicate keys", test_unknown_and_duplicate_keys,
	  0 },
	{ "parse: wrong YAML types", test_wrong_types, 0 },
	{ "parse: malformed endpoints, both forms", test_endpoint_forms_bad, 0 },
	{ "parse: endpoint with node and bridge; jitter bound", test_endpoint_node_and_bridge, 0 },
	{ "parse: routes, tests and exec entries", test_routes_tests_exec, 0 },
	{ "parse: empty sections are empty", test_null_sections, 0 },
	{ "parse: YAML syntax, two documents, unknown alias", test_syntax_error, 0 },
	{ "parse: plain anchors and aliases work", test_aliases_allowed, 0 },
	{ "parse: alias bomb and recursive alias refused fast", test_alias_bomb, 0 },
	{ "parse: deep nesting refused fast", test_deep_nesting, 0 },
	{ "parse: size cap", test_size_cap, 0 },
	{ "parse: unreadable files give -errno", test_parse_file_errors, 0 },
	{ "addr: parse, format, prefix membership", test_addr_helpers, 0 },
	{ "diag: did-you-mean suggestions", test_suggest, 0 },
};

int main(int argc, char **argv)
{
	return t_run("unit-parse", cases, ELEMENTSOF(cases), argc, argv);
}
