/* SPDX-License-Identifier: MIT */
/* Integration tests of the ICMP echo engine (nsctl/probe.c) and of `nsctl test`'s check runner
 * (nsctl/labtest.c) on small labs built here with netlink/ calls, each case in a private netns +
 * mount namespace (T_NETNS). ping(8) is the independent witness. Named namespaces get the
 * prefix "prb<pid>-" and are removed on every path; the last case checks that.
 *
 * NSCTL_PROBE_BENCH=N (N <= 250) adds a timing run: a router and N nodes, every ordered pair
 * pinged over IPv4, as `nsctl test --all` does on an (N+1)-node lab. */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netlink/netlink.h"
#include "nsctl/labtest.h"
#include "nsctl/probe.h"
#include "tests/t.h"
#include "topo/topo.h"

static char prefix[32]; /* "prb<pid>-", set in main() before the cases fork */

/* ---- helpers ---- */

#define T_ASSERT_STATUS(p, st)                                                                   \
	do {                                                                                     \
		const struct probe *_p = (p);                                                    \
		char _d[128];                                                                    \
		if (_p->status != (st)) {                                                        \
			fprintf(stderr, "%s:%d: probe status %s (%s), expected %s\n", __FILE__,  \
				__LINE__, probe_status_to_string(_p->status),                    \
				probe_describe(_p, _d, sizeof(_d)), probe_status_to_string(st)); \
			return 1;                                                                \
		}                                                                                \
	} while (0)

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A lab of named namespaces owned by a test case: every one is deleted on scope exit, whatever
 * happened (the netns_delete() of a name never created is a no-op). */
struct tlab {
	char names[256][64];
	int fds[256];
	size_t n;
};

static void tlab_done(struct tlab **lp)
{
	struct tlab *l = *lp;

	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		if (l->fds[i] >= 0)
			close(l->fds[i]);
		(void)netns_delete(l->names[i]);
	}
	free(l);
}

static struct tlab *tlab_new(void)
{
	return calloc(1, sizeof(struct tlab));
}

/* Creates the namespace "<prefix><name>" in @l. Returns its index or a negative errno. */
static int tlab_ns(struct tlab *l, const char *name)
{
	size_t i = l->n;
	int r;

	if (i >= ELEMENTSOF(l->names))
		return -ENOSPC;
	snprintf(l->names[i], sizeof(l->names[i]), "%s%s", prefix, name);
	l->fds[i] = -EBADF;
	l->n++; /* before creating: cleanup then covers a half-made namespace too */
	r = netns_create(l->names[i], &l->fds[i]);
	return r < 0 ? r : (int)i;
}

static int ip_pton(const char *s, struct topo_addr *a)
{
	*a = (struct topo_addr){ .family = strchr(s, ':') ? AF_INET6 : AF_INET };
	return inet_pton(a->family, s, a->bytes) == 1 ? 0 : -EINVAL;
}

/* Joins namespaces @a and @b of @l by a veth "eth0" <-> "eth0", adds the addresses and brings
 * everything (lo too) up. @v4a.. may be NULL. */
static int tlab_pair(struct tlab *l, int a, int b, const char *v4a, const char *v4b,
		     const char *v6a, const char *v6b)
{
	_cleanup_(nlk_freep) struct nlk *na = NULL, *nb = NULL;
	struct link_spec ea = { .name = "eth0", .no_ipv6_ll = true };
	struct link_spec eb = { .name = "eth0", .no_ipv6_ll = true };
	const char *addrs[2][2] = { { v4a, v6a }, { v4b, v6b } };
	struct nlk *nls[2];
	struct topo_addr x;
	int r;

	r = nlk_open_in(l->fds[a], &na);
	if (r < 0)
		return r;
	r = nlk_open_in(l->fds[b], &nb);
	if (r < 0)
		return r;
	ea.netns_fd = -1;
	ea.nl = na;
	eb.netns_fd = l->fds[b];
	eb.nl = nb;
	r = link_add_veth(na, &ea, &eb);
	if (r < 0)
		return r;
	nls[0] = na;
	nls[1] = nb;
	for (int s = 0; s < 2; s++) {
		for (int f = 0; f < 2; f++) {
			if (!addrs[s][f])
				continue;
			if (ip_pton(addrs[s][f], &x) < 0)
				return -EINVAL;
			r = addr_add(nls[s], "eth0", x.family, x.bytes, f == 0 ? 24 : 64);
			if (r < 0)
				return r;
		}
		r = link_set_up(nls[s], "lo");
		if (r < 0)
			return r;
		r = link_set_up(nls[s], "eth0");
		if (r < 0)
			return r;
	}
	return 0;
}

/* Creates the namespace "<tag><i>" in @l and joins it to @hub's by a veth "p<i>" (in the hub)
 * <-> "eth0" (in the new namespace), both left down. Returns the new namespace's index in @l and
 * a handle in it in *@ret_nl, or a negative errno. */
static int tlab_spoke(struct tlab *l, struct nlk *hub, const char *tag, size_t i,
		      struct nlk **ret_nl)
{
	_cleanup_(nlk_freep) struct nlk *nn = NULL;
	struct link_spec e = { .name = "eth0", .no_ipv6_ll = true };
	char name[32], pname[16];
	struct link_spec p = { .name = pname, .netns_fd = -1, .no_ipv6_ll = true };
	int k, r;

	snprintf(name, sizeof(name), "%s%zu", tag, i);
	k = tlab_ns(l, name);
	if (k < 0)
		return k;
	r = nlk_open_in(l->fds[k], &nn);
	if (r < 0)
		return r;
	snprintf(pname, sizeof(pname), "p%zu", i);
	e.netns_fd = l->fds[k];
	e.nl = nn;
	p.nl = hub;
	r = link_add_veth(hub, &p, &e);
	if (r < 0)
		return r;
	*ret_nl = TAKE_PTR(nn);
	return k;
}

/* Builds @n namespaces "<tag><i>" (indices 1..n of @l; index 0 is the hub "<tag>hub") on one
 * bridge in the hub: node i has 192.0.2.(i)/24 and 2001:db8::(i)/64 on its eth0. */
static int tlab_star(struct tlab *l, const char *tag, size_t n)
{
	_cleanup_(nlk_freep) struct nlk *hub = NULL;
	struct link_spec br = { .name = "br0", .netns_fd = -1, .no_ipv6_ll = true };
	char name[32];
	int h, r;

	if (n > 250)
		return -EINVAL;
	snprintf(name, sizeof(name), "%shub", tag);
	h = tlab_ns(l, name);
	if (h < 0)
		return h;
	r = nlk_open_in(l->fds[h], &hub);
	if (r < 0)
		return r;
	r = link_add_bridge(hub, &br);
	if (r < 0)
		return r;
	r = link_set_up(hub, "br0");
	if (r < 0)
		return r;
	for (size_t i = 1; i <= n; i++) {
		_cleanup_(nlk_freep) struct nlk *nn = NULL;
		struct topo_addr a4, a6;
		char s4[32], s6[32];

		r = tlab_spoke(l, hub, tag, i, &nn);
		if (r < 0)
			return r;
		snprintf(name, sizeof(name), "p%zu", i);
		r = link_set_master(hub, name, "br0");
		if (r < 0)
			return r;
		r = link_set_up(hub, name);
		if (r < 0)
			return r;
		snprintf(s4, sizeof(s4), "192.0.2.%zu", i);
		snprintf(s6, sizeof(s6), "2001:db8::%zx", i);
		if (ip_pton(s4, &a4) < 0 || ip_pton(s6, &a6) < 0)
			return -EINVAL;
		r = addr_add(nn, "eth0", AF_INET, a4.bytes, 24);
		if (r < 0)
			return r;
		r = addr_add(nn, "eth0", AF_INET6, a6.bytes, 64);
		if (r < 0)
			return r;
		r = link_set_up(nn, "lo");
		if (r < 0)
			return r;
		r = link_set_up(nn, "eth0");
		if (r < 0)
			return r;
	}
	return h;
}

/* Node i's IPv4 address in the routed star: /31s out of 192.0.2.0/24, then 198.51.100.0/24. */
static void routed_addr(size_t i, bool router, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%zu", i < 128 ? "192.0.2" : "198.51.100",
		 (i % 128) * 2 + (router ? 0 : 1));
}

/* Builds a router "<tag>r" (index 0 of @l) with @n <= 256 nodes "<tag><i>" (indices 1..n),
 * each on its own veth and /31 (addresses from routed_addr()) with a default route via the
 * router. Unlike a bridge, this needs only ~2n neighbour entries, so the kernel's global
 * neighbour table limit (net.ipv4.neigh.default.gc_thresh3, 1024 for all namespaces
 * together) does not cap the full matrix. */
static int tlab_routed(struct tlab *l, const char *tag, size_t n)
{
	_cleanup_(nlk_freep) struct nlk *hub = NULL;
	char name[32], pname[16];
	int h, r;

	if (n > 256)
		return -EINVAL;
	snprintf(name, sizeof(name), "%sr", tag);
	h = tlab_ns(l, name);
	if (h < 0)
		return h;
	r = sysctl_write_in(l->fds[h], "net.ipv4.ip_forward", "1");
	if (r < 0)
		return r;
	r = nlk_open_in(l->fds[h], &hub);
	if (r < 0)
		return r;
	for (size_t i = 1; i <= n; i++) {
		_cleanup_(nlk_freep) struct nlk *nn = NULL;
		struct route_spec def = { .family = AF_INET };
		struct topo_addr ar, an;
		char s[32];

		r = tlab_spoke(l, hub, tag, i, &nn);
		if (r < 0)
			return r;
		snprintf(pname, sizeof(pname), "p%zu", i);
		routed_addr(i - 1, true, s, sizeof(s));
		if (ip_pton(s, &ar) < 0)
			return -EINVAL;
		routed_addr(i - 1, false, s, sizeof(s));
		if (ip_pton(s, &an) < 0)
			return -EINVAL;
		r = addr_add(hub, pname, AF_INET, ar.bytes, 31);
		if (r < 0)
			return r;
		r = addr_add(nn, "eth0", AF_INET, an.bytes, 31);
		if (r < 0)
			return r;
		r = link_set_up(hub, pname);
		if (r < 0)
			return r;
		r = link_set_up(nn, "lo");
		if (r < 0)
			return r;
		r = link_set_up(nn, "eth0");
		if (r < 0)
			return r;
		def.gw = ar.bytes;
		r = route_add(nn, &def);
		if (r < 0)
			return r;
	}
	return h;
}

static struct probe mkprobe(int netns_fd, const char *dst)
{
	struct topo_addr a;
	struct probe p = { .netns_fd = netns_fd };

	if (ip_pton(dst, &a) == 0) {
		p.family = a.family;
		memcpy(p.dst, a.bytes, sizeof(p.dst));
	}
	return p;
}

/* Pings @dst from @netns_fd with the default timeouts until it answers: a case that then uses
 * short timeouts is not at the mercy of a first ARP request lost right after link-up (see
 * test_v4_reply). Returns 0, -EHOSTUNREACH, or probe_run()'s error. */
static int warm_up(int netns_fd, const char *dst)
{
	struct probe p = mkprobe(netns_fd, dst);
	int r = probe_run(&p, 1, 0, 0);

	return r < 0 ? r : p.status == PROBE_OK ? 0 : -EHOSTUNREACH;
}

/* ---- the engine ---- */

static int test_v4_reply(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	struct probe p[1];
	ino_t before = t_netns_ino();
	double t0, dt;
	int a, b;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", NULL, NULL));

	p[0] = mkprobe(l->fds[a], "192.0.2.2");
	t0 = now_s();
	T_ASSERT_OK(probe_run(p, 1, 0, 0));
	dt = now_s() - t0;
	T_ASSERT_STATUS(&p[0], PROBE_OK);
	/* Plausible: above zero and within the run. Right after link-up it is usually ~50 us,
	 * but may be ~1 s: the device's qdisc is activated by linkwatch work that can run after
	 * our first ARP request, which is then dropped, and ARP retransmits after 1 s. */
	T_ASSERT(p[0].rtt_us > 0 && p[0].rtt_us <= dt * 1e6 + 1000);
	T_ASSERT(p[0].sent >= 1 && p[0].err == 0 && p[0].icmp_type == -1);
	T_ASSERT(t_netns_ino() == before);
	return 0;
}

static int test_v6_reply(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	struct probe p[2];
	ino_t before = t_netns_ino();
	int a, b;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, NULL, NULL, "2001:db8::1", "2001:db8::2"));

	/* Both directions at once, right after the links came up: the engine's retries cover
	 * the neighbour solicitation the kernel loses then (see the test-netlink ping case). */
	p[0] = mkprobe(l->fds[a], "2001:db8::2");
	p[1] = mkprobe(l->fds[b], "2001:db8::1");
	T_ASSERT_OK(probe_run(p, 2, 0, 0));
	T_ASSERT_STATUS(&p[0], PROBE_OK);
	T_ASSERT_STATUS(&p[1], PROBE_OK);
	T_ASSERT(p[0].rtt_us > 0 && p[1].rtt_us > 0);
	T_ASSERT(t_netns_ino() == before);
	return 0;
}

/* An address in the subnet that nobody has: no reply, every attempt used, and done within
 * attempts x timeout (plus scheduling slack). */
static int test_timeout(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	struct probe p[3];
	double t0, dt;
	int a, b;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"));

	T_ASSERT_OK(warm_up(l->fds[a], "192.0.2.2"));
	p[0] = mkprobe(l->fds[a], "192.0.2.99");
	p[1] = mkprobe(l->fds[a], "2001:db8::99");
	p[2] = mkprobe(l->fds[a], "192.0.2.2"); /* answered in the same run */
	t0 = now_s();
	T_ASSERT_OK(probe_run(p, 3, 250, 3));
	dt = now_s() - t0;
	T_ASSERT_STATUS(&p[0], PROBE_TIMEOUT);
	T_ASSERT_STATUS(&p[1], PROBE_TIMEOUT);
	T_ASSERT_STATUS(&p[2], PROBE_OK);
	T_ASSERT(p[0].sent == 3 && p[1].sent == 3);
	T_ASSERT(dt >= 0.7 && dt < 0.75 + 0.5);
	return 0;
}

/* No route at all: sendto() fails with ENETUNREACH, reported as unreachable at once. */
static int test_no_route(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	struct probe p[2];
	char d[128];
	double t0;
	int a, b;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"));

	p[0] = mkprobe(l->fds[a], "198.51.100.1");
	p[1] = mkprobe(l->fds[a], "2001:db8:ffff::1");
	t0 = now_s();
	T_ASSERT_OK(probe_run(p, 2, 0, 0));
	T_ASSERT(now_s() - t0 < 0.5);
	for (int i = 0; i < 2; i++) {
		T_ASSERT_STATUS(&p[i], PROBE_UNREACHABLE);
		T_ASSERT(p[i].err == -ENETUNREACH && p[i].icmp_type == -1 && p[i].sent == 0);
	}
	T_ASSERT_STREQ(probe_describe(&p[0], d, sizeof(d)), "network unreachable (no route)");
	return 0;
}

/* A router without a route answers with ICMP destination unreachable; the error quotes our
 * request, which is how the engine maps it back to its probe. */
static int test_icmp_unreachable(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	_cleanup_(nlk_freep) struct nlk *na = NULL;
	struct topo_addr gw4, gw6;
	struct route_spec d4 = { .family = AF_INET }, d6 = { .family = AF_INET6 };
	struct probe p[2];
	char d[128];
	int a, b;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"));
	/* b forwards, so it answers "no route" (net unreachable) rather than dropping. */
	T_ASSERT_OK(sysctl_write_in(l->fds[b], "net.ipv4.ip_forward", "1"));
	T_ASSERT_OK(sysctl_write_in(l->fds[b], "net.ipv6.conf.all.forwarding", "1"));
	T_ASSERT_OK(nlk_open_in(l->fds[a], &na));
	T_ASSERT_OK(ip_pton("192.0.2.2", &gw4));
	T_ASSERT_OK(ip_pton("2001:db8::2", &gw6));
	d4.gw = gw4.bytes;
	d6.gw = gw6.bytes;
	T_ASSERT_OK(route_add(na, &d4));
	T_ASSERT_OK(route_add(na, &d6));

	p[0] = mkprobe(l->fds[a], "198.51.100.1");
	p[1] = mkprobe(l->fds[a], "2001:db8:ffff::1");
	T_ASSERT_OK(probe_run(p, 2, 0, 0));
	T_ASSERT_STATUS(&p[0], PROBE_UNREACHABLE);
	T_ASSERT(p[0].icmp_type == 3 && p[0].icmp_code == 0 && p[0].err == 0);
	T_ASSERT(memcmp(p[0].from, gw4.bytes, 4) == 0);
	T_ASSERT_STREQ(probe_describe(&p[0], d, sizeof(d)), "network unreachable (from 192.0.2.2)");
	T_ASSERT_STATUS(&p[1], PROBE_UNREACHABLE);
	T_ASSERT(p[1].icmp_type == 1 && p[1].icmp_code == 0);
	T_ASSERT(memcmp(p[1].from, gw6.bytes, 16) == 0);
	return 0;
}

/* 10 namespaces on one bridge, every ordered pair over IPv4 and IPv6 in one run. */
static int test_many(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	_cleanup_free_ struct probe *p = NULL;
	const size_t n = 10;
	size_t k = 0;
	uint32_t max_rtt = 0;
	struct rlimit rl;
	double t0, dt;
	int fds;

	T_ASSERT(l);
	T_ASSERT_OK(tlab_star(l, "m", n));
	p = calloc(n * (n - 1) * 2, sizeof(*p));
	T_ASSERT(p);
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= n; j++) {
			char s[32];

			if (i == j)
				continue;
			snprintf(s, sizeof(s), "192.0.2.%zu", j);
			p[k++] = mkprobe(l->fds[i], s);
			snprintf(s, sizeof(s), "2001:db8::%zx", j);
			p[k++] = mkprobe(l->fds[i], s);
		}
	/* 20 sockets do not fit under this soft limit: the engine raises it. */
	T_ASSERT(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	T_ASSERT((fds = count_fds()) > 0);
	rl.rlim_cur = (rlim_t)fds + 4;
	T_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	t0 = now_s();
	T_ASSERT_OK(probe_run(p, k, 0, 0));
	dt = now_s() - t0;
	T_ASSERT(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	T_ASSERT(rl.rlim_cur >= (rlim_t)fds + 22);
	for (size_t i = 0; i < k; i++) {
		T_ASSERT_STATUS(&p[i], PROBE_OK);
		T_ASSERT(p[i].rtt_us > 0);
		max_rtt = p[i].rtt_us > max_rtt ? p[i].rtt_us : max_rtt;
	}
	fprintf(stderr, "many: %zu probes in %.0f ms (max rtt %.2f ms)\n", k, dt * 1000,
		max_rtt / 1000.0);
	/* IPv6's first neighbour solicitation after link-up can be lost (1 s retransmit). */
	T_ASSERT(dt < 1.5);
	return 0;
}

/* b ignores echo requests for the first 300 ms (net.ipv4.icmp_echo_ignore_all, per netns): the
 * requests of the first rounds go unanswered, a later round's is answered, and its RTT is its
 * own, not the time since the first request. */
static int test_retry(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	struct probe p[1];
	int a, b, st;
	pid_t pid;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", NULL, NULL));
	T_ASSERT_OK(warm_up(l->fds[a], "192.0.2.2"));
	T_ASSERT_OK(sysctl_write_in(l->fds[b], "net.ipv4.icmp_echo_ignore_all", "1"));

	fflush(NULL);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		usleep(300 * 1000);
		_exit(sysctl_write_in(l->fds[b], "net.ipv4.icmp_echo_ignore_all", "0") < 0);
	}
	p[0] = mkprobe(l->fds[a], "192.0.2.2");
	T_ASSERT_OK(probe_run(p, 1, 250, 5));
	T_ASSERT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T_ASSERT_STATUS(&p[0], PROBE_OK);
	T_ASSERT(p[0].sent >= 2 && p[0].sent <= 4);
	T_ASSERT(p[0].rtt_us < 100 * 1000);
	return 0;
}

/* 25% netem loss on a's egress: retries (every probe answered by its 3rd request but for
 * ~1.6% each) absorb it. With 40 probes, fewer than 36 answered or no retry at all would each
 * happen less than once in 3000 runs. */
static int test_netem_loss(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	_cleanup_(nlk_freep) struct nlk *na = NULL;
	struct netem_spec loss = { .loss_ppm = 250000 };
	struct probe p[40];
	size_t ok = 0, retried = 0;
	int a, b, r;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", NULL, NULL));
	/* Resolve ARP first: a lost ARP request costs a 1 s retransmit, not a probe retry. */
	T_ASSERT_OK(warm_up(l->fds[a], "192.0.2.2"));
	T_ASSERT_OK(nlk_open_in(l->fds[a], &na));
	r = qdisc_add_netem(na, "eth0", &loss);
	if (r == -ENOENT || r == -EOPNOTSUPP)
		T_SKIP_BECAUSE("no netem in this kernel");
	T_ASSERT_OK(r);

	for (size_t i = 0; i < ELEMENTSOF(p); i++)
		p[i] = mkprobe(l->fds[a], "192.0.2.2");
	T_ASSERT_OK(probe_run(p, ELEMENTSOF(p), 200, 3));
	for (size_t i = 0; i < ELEMENTSOF(p); i++) {
		ok += p[i].status == PROBE_OK;
		retried += p[i].sent > 1;
		T_ASSERT(p[i].status == PROBE_OK || p[i].status == PROBE_TIMEOUT);
	}
	fprintf(stderr, "netem: %zu of %zu answered, %zu needed a retry\n", ok, ELEMENTSOF(p),
		retried);
	T_ASSERT(ok >= 36 && retried > 0);
	return 0;
}

/* ping(8) and the engine agree on one pair, both ways: reachable and not. */
static int test_ping_witness(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	struct probe p[2];
	char out[4096];
	int a, b;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", NULL, NULL));

	/* The engine first, with its default retries: ping -c1 -W1 right after link-up would
	 * race the first ARP request (see test_v4_reply). */
	T_ASSERT_OK(warm_up(l->fds[a], "192.0.2.2"));
	T_ASSERT(t_sh(out, sizeof(out), "ip netns exec %s ping -c1 -W1 192.0.2.2", l->names[a]) ==
		 0);
	T_ASSERT_CONTAINS(out, "1 received");
	T_ASSERT(t_sh(out, sizeof(out), "ip netns exec %s ping -c1 -W1 192.0.2.99", l->names[a]) !=
		 0);
	p[0] = mkprobe(l->fds[a], "192.0.2.2");
	p[1] = mkprobe(l->fds[a], "192.0.2.99");
	T_ASSERT_OK(probe_run(p, 2, 300, 2));
	T_ASSERT_STATUS(&p[0], PROBE_OK);
	T_ASSERT_STATUS(&p[1], PROBE_TIMEOUT);
	return 0;
}

/* A concurrent ping(8) in the same namespace, whose replies our raw socket also sees, neither
 * disturbs the engine nor is disturbed by it. */
static int test_foreign_replies(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	struct probe p[1];
	char out[4096];
	int a, b, st;
	pid_t pid;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", NULL, NULL));

	fflush(NULL);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(t_sh(out, sizeof(out), "ip netns exec %s ping -q -c20 -i0.01 192.0.2.2",
			   l->names[a]));
	/* 192.0.2.99: only foreign replies arrive on our socket, none may count. */
	p[0] = mkprobe(l->fds[a], "192.0.2.99");
	T_ASSERT_OK(probe_run(p, 1, 200, 2));
	T_ASSERT_STATUS(&p[0], PROBE_TIMEOUT);
	T_ASSERT(waitpid(pid, &st, 0) == pid);
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* An fd that is not a network namespace fails its own probes, not the run; the thread ends
 * up where it started. */
static int test_bad_netns_fd(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	_cleanup_close_ int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct probe p[3];
	ino_t before = t_netns_ino();
	int a, b;

	T_ASSERT(l && null >= 0);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", NULL, NULL));

	p[0] = mkprobe(l->fds[a], "192.0.2.2");
	p[1] = mkprobe(null, "192.0.2.2");
	p[2] = mkprobe(l->fds[b], "192.0.2.1");
	T_ASSERT_OK(probe_run(p, 3, 0, 0));
	T_ASSERT_STATUS(&p[0], PROBE_OK);
	T_ASSERT_STATUS(&p[1], PROBE_ERROR);
	T_ASSERT(p[1].err == -EINVAL);
	T_ASSERT_STATUS(&p[2], PROBE_OK);
	T_ASSERT(t_netns_ino() == before);

	p[0].family = AF_UNIX;
	T_ASSERT(probe_run(p, 1, 0, 0) == -EINVAL);
	T_ASSERT(probe_run(p, 0, 0, 0) == 0);
	return 0;
}

/* Sockets that cannot fit under the hard RLIMIT_NOFILE fail the run with -EMFILE, before any
 * namespace switch. */
static int test_rlimit_hard(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	struct probe p[2];
	struct rlimit rl;
	ino_t before = t_netns_ino();
	int a, b, fds;

	T_ASSERT(l);
	T_ASSERT_OK(a = tlab_ns(l, "a"));
	T_ASSERT_OK(b = tlab_ns(l, "b"));
	T_ASSERT((fds = count_fds()) > 0);
	rl.rlim_cur = rl.rlim_max = (rlim_t)fds + 1;
	T_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	p[0] = mkprobe(l->fds[a], "192.0.2.2");
	p[1] = mkprobe(l->fds[b], "192.0.2.1");
	T_ASSERT(probe_run(p, 2, 0, 0) == -EMFILE);
	T_ASSERT(t_netns_ino() == before);
	return 0;
}

/* The calling thread's own namespace (netns_fd -1) works too, and lo answers. */
static int test_own_netns(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	struct probe p[2];

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(link_set_up(nl, "lo"));
	p[0] = mkprobe(-1, "127.0.0.1");
	p[1] = mkprobe(-1, "::1");
	T_ASSERT_OK(probe_run(p, 2, 0, 0));
	T_ASSERT_STATUS(&p[0], PROBE_OK);
	T_ASSERT_STATUS(&p[1], PROBE_OK);
	return 0;
}

/* ---- labtest ---- */

static struct topo *load_topo(const char *lab, const char *body)
{
	_cleanup_free_ char *yaml = NULL;
	struct topo_diag d = { 0 };
	struct topo *t = NULL;

	if (asprintf(&yaml, "name: %s\n%s", lab, body) < 0)
		return NULL;
	if (topo_parse_string("t.yaml", yaml, strlen(yaml), &t, &d) < 0 || d.n_errors ||
	    topo_validate(t, &d) < 0) {
		topo_diag_print(&d, stderr);
		topo_diag_clear(&d);
		topo_free(t);
		return NULL;
	}
	topo_diag_clear(&d);
	return t;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct topo *, topo_free);

static const char lab_yaml[] = "nodes:\n"
			       "  h1:\n"
			       "    interfaces:\n"
			       "      eth0: {addresses: [192.0.2.1/24, 2001:db8::1/64]}\n"
			       "  h2:\n"
			       "    interfaces:\n"
			       "      eth0: {addresses: [192.0.2.2/24, 2001:db8::2/64]}\n"
			       "  h3:\n"
			       "    interfaces:\n"
			       "      lo: {addresses: [203.0.113.3/32]}\n"
			       "links:\n"
			       "  - endpoints: [h1:eth0, h2:eth0]\n"
			       "tests:\n"
			       "  - {ping: [h1, h2]}\n"
			       "  - {ping: [h2, 2001:db8::1]}\n"
			       "  - {ping: [h1, 192.0.2.99], expect: fail}\n"
			       "  - {ping: [h1, 203.0.113.9], expect: fail}\n";

/* Runs labtest_run() into a string. Returns its return value; *@ret_out is the output. */
static int labtest_capture(const struct topo *t, bool all, bool json, char **ret_out)
{
	struct labtest_opts o = { .all = all, .json = json, .timeout_ms = 300 };
	size_t len = 0;
	FILE *f = open_memstream(ret_out, &len);
	int r;

	if (!f)
		return -ENOMEM;
	r = labtest_run(t, &o, f);
	fclose(f);
	fprintf(stderr, "--- labtest (all=%d json=%d) returned %d:\n%s", all, json, r, *ret_out);
	return r;
}

/* The lab "<prefix>lab" (namespaces "<prefix>lab-h1", ...): h1 and h2 wired, h3 not up. */
static int labtest_setup(struct tlab *l, char *lab, size_t len, struct topo **ret)
{
	int a, b, r;

	snprintf(lab, len, "%slab", prefix);
	*ret = load_topo(lab, lab_yaml);
	if (!*ret)
		return -EINVAL;
	a = tlab_ns(l, "lab-h1");
	if (a < 0)
		return a;
	b = tlab_ns(l, "lab-h2");
	if (b < 0)
		return b;
	r = tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2");
	if (r < 0)
		return r;
	/* The checks run with 300 ms timeouts. */
	r = warm_up(l->fds[a], "192.0.2.2");
	if (r < 0)
		return r;
	return warm_up(l->fds[b], "2001:db8::1");
}

static int test_labtest_table(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_free_ char *out = NULL;
	char lab[64];

	T_ASSERT(l);
	T_ASSERT_OK(labtest_setup(l, lab, sizeof(lab), &t));
	T_ASSERT(labtest_capture(t, false, false, &out) == 0);
	T_ASSERT_CONTAINS(out, "PASS  h1 -> h2 (192.0.2.2)  ");
	T_ASSERT_CONTAINS(out, " ms\nPASS  h2 -> 2001:db8::1  ");
	T_ASSERT_CONTAINS(out, "PASS  h1 -> 192.0.2.99  no reply, as expected: timeout");
	T_ASSERT_CONTAINS(out, "PASS  h1 -> 203.0.113.9  no reply, as expected: network "
			       "unreachable (no route)\n");
	T_ASSERT_CONTAINS(out, "tests: 4 passed, 0 failed\n");
	return 0;
}

static int test_labtest_all_json(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_free_ char *out = NULL, *json = NULL;
	char lab[64], want[256];

	T_ASSERT(l);
	T_ASSERT_OK(labtest_setup(l, lab, sizeof(lab), &t));
	/* 3 addressed nodes: 6 pairs; h3 is not up and has no route anywhere. */
	T_ASSERT(labtest_capture(t, true, false, &out) == 1);
	T_ASSERT_CONTAINS(out, "FAIL  h1 -> h3 (203.0.113.3)  network unreachable (no route)\n");
	snprintf(want, sizeof(want),
		 "FAIL  h3 -> h1 (192.0.2.1)  namespace '%s-h3' missing (lab not up?)\n", lab);
	T_ASSERT_CONTAINS(out, want);
	T_ASSERT_CONTAINS(out, "PASS  h1 -> h2 (192.0.2.2)  "); /* file tests: every line */
	T_ASSERT(!strstr(out, "h2 -> h1 (")); /* a passing matrix pair is not printed */
	T_ASSERT_CONTAINS(out, "matrix: 3 nodes, 6 pairs, 2 ok, 4 failed, ");
	T_ASSERT_CONTAINS(out, "tests: 6 passed, 4 failed\n");

	T_ASSERT(labtest_capture(t, true, true, &json) == 1);
	snprintf(want, sizeof(want), "{\"lab\":\"%s\",\"passed\":6,\"failed\":4,", lab);
	T_ASSERT(strncmp(json, want, strlen(want)) == 0);
	T_ASSERT_CONTAINS(json, "\"matrix\":{\"nodes\":3,\"pairs\":6}");
	T_ASSERT_CONTAINS(json, "{\"from\":\"h1\",\"to\":\"h2\",\"address\":\"192.0.2.2\","
				"\"expect\":\"ok\",\"result\":\"ok\",\"rtt_us\":");
	T_ASSERT_CONTAINS(json, "{\"from\":\"h1\",\"to\":\"192.0.2.99\",\"address\":"
				"\"192.0.2.99\",\"expect\":\"fail\",\"result\":\"timeout\","
				"\"rtt_us\":null,");
	T_ASSERT_CONTAINS(json, "{\"from\":\"h3\",\"to\":\"h2\",\"address\":\"192.0.2.2\","
				"\"expect\":\"ok\",\"result\":\"error\",\"rtt_us\":null,");
	T_ASSERT_CONTAINS(json, "\"check\":\"matrix\",\"pass\":false}");
	T_ASSERT_CONTAINS(json, "}]}\n");
	return 0;
}

/* A reply where the file expects none fails the check, and the run returns 1. */
static int test_labtest_expect_fail_replied(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_free_ char *out = NULL;
	char lab[64];
	int a, b;

	T_ASSERT(l);
	snprintf(lab, sizeof(lab), "%slab", prefix);
	t = load_topo(lab, "nodes:\n"
			   "  h1: {interfaces: {eth0: {addresses: [192.0.2.1/24]}}}\n"
			   "  h2: {interfaces: {eth0: {addresses: [192.0.2.2/24]}}}\n"
			   "links:\n"
			   "  - endpoints: [h1:eth0, h2:eth0]\n"
			   "tests:\n"
			   "  - {ping: [h1, h2], expect: fail}\n");
	T_ASSERT(t);
	T_ASSERT_OK(a = tlab_ns(l, "lab-h1"));
	T_ASSERT_OK(b = tlab_ns(l, "lab-h2"));
	T_ASSERT_OK(tlab_pair(l, a, b, "192.0.2.1", "192.0.2.2", NULL, NULL));
	T_ASSERT_OK(warm_up(l->fds[a], "192.0.2.2"));
	T_ASSERT(labtest_capture(t, false, false, &out) == 1);
	T_ASSERT_CONTAINS(out, "FAIL  h1 -> h2 (192.0.2.2)  expected fail, got a reply in ");
	T_ASSERT_CONTAINS(out, "tests: 0 passed, 1 failed\n");
	return 0;
}

static int test_labtest_not_up(void)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_free_ char *out = NULL;
	char lab[64];

	snprintf(lab, sizeof(lab), "%sgone", prefix);
	t = load_topo(lab, lab_yaml);
	T_ASSERT(t);
	T_ASSERT(labtest_capture(t, false, false, &out) == -ENOENT);
	T_ASSERT_STREQ(out, "");
	return 0;
}

/* A 33-port bridge needs 33 * 32 = 1056 ARP entries for the full matrix: more than the host's
 * default net.ipv4.neigh.default.gc_thresh3 (1024), which only the host netns shows, so this
 * case runs in the host netns (in a private mount namespace, for /run/netns) and creates no
 * interface there. Only n1's namespace exists; it has no route, so everything fails at once. */
static int test_labtest_neigh_warning(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_free_ char *yaml = NULL, *out = NULL;
	_cleanup_fclose_ FILE *err = NULL;
	struct labtest_opts o = { .all = true };
	size_t yaml_len = 0, out_len = 0;
	char lab[64], log[4096];
	long limit = -1;
	int saved, r;
	FILE *f;

	f = fopen("/proc/sys/net/ipv4/neigh/default/gc_thresh3", "re");
	if (!f)
		T_SKIP_BECAUSE("not in the host network namespace");
	if (fscanf(f, "%ld", &limit) != 1)
		limit = -1;
	fclose(f);
	if (limit != 1024)
		T_SKIP_BECAUSE("gc_thresh3 is %ld here, not the default 1024", limit);
	/* Our /run/netns bind mounts stay in this case's own mount namespace. */
	T_ASSERT(unshare(CLONE_NEWNS) == 0);
	T_ASSERT(mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == 0);

	T_ASSERT(l);
	snprintf(lab, sizeof(lab), "%sl2", prefix);
	f = open_memstream(&yaml, &yaml_len);
	T_ASSERT(f);
	fputs("bridges: {sw: {}}\nnodes:\n", f);
	for (int i = 1; i <= 33; i++)
		fprintf(f, "  n%d: {interfaces: {eth0: {addresses: [192.0.2.%d/24]}}}\n", i, i);
	fputs("links:\n", f);
	for (int i = 1; i <= 33; i++)
		fprintf(f, "  - endpoints: [n%d:eth0, sw]\n", i);
	T_ASSERT(fclose(f) == 0);
	t = load_topo(lab, yaml);
	T_ASSERT(t);
	T_ASSERT_OK(tlab_ns(l, "l2-n1"));

	err = tmpfile();
	T_ASSERT(err);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	T_ASSERT(saved >= 0);
	T_ASSERT(dup2(fileno(err), STDERR_FILENO) == STDERR_FILENO);
	f = open_memstream(&out, &out_len);
	r = f ? labtest_run(t, &o, f) : -ENOMEM;
	if (f)
		fclose(f);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(err);
	log[fread(log, 1, sizeof(log) - 1, err)] = '\0';
	fprintf(stderr, "%s", log);
	T_ASSERT(r == 1);
	T_ASSERT_CONTAINS(log, "the full matrix needs about 1056 neighbour entries, more than "
			       "net.ipv4.neigh.default.gc_thresh3 = 1024");
	T_ASSERT_CONTAINS(out, "... 956 more failed pairs not shown");
	T_ASSERT_CONTAINS(out, "matrix: 33 nodes, 1056 pairs, 0 ok, 1056 failed");
	return 0;
}

/* NSCTL_PROBE_BENCH=N: N nodes around a router (tlab_routed()), described by a generated
 * topology, checked the way `nsctl test --all` does it (cold: no neighbour resolved yet), then
 * the same N(N-1) node pairs again with probe_run() alone (warm). */
static int test_bench(void)
{
	_cleanup_(tlab_done) struct tlab *l = tlab_new();
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_free_ struct probe *p = NULL;
	_cleanup_free_ char *yaml = NULL, *out = NULL;
	const char *env = getenv("NSCTL_PROBE_BENCH");
	size_t n = env ? strtoul(env, NULL, 10) : 0, k = 0, ok = 0, yaml_len = 0, out_len = 0;
	struct labtest_opts o = { .all = true };
	char lab[64], want[128];
	double t0, t1, t2, t3;
	FILE *f;
	int r;

	if (n < 2 || n > 250)
		T_SKIP_BECAUSE("set NSCTL_PROBE_BENCH=2..250 to run");
	T_ASSERT(l);
	snprintf(lab, sizeof(lab), "%sbench", prefix);
	f = open_memstream(&yaml, &yaml_len);
	T_ASSERT(f);
	fprintf(f, "name: %s\nnodes:\n  nr:\n    interfaces:\n", lab);
	for (size_t i = 1; i <= n; i++) {
		char s[32];

		routed_addr(i - 1, true, s, sizeof(s));
		fprintf(f, "      p%zu: {addresses: [%s/31]}\n", i, s);
	}
	for (size_t i = 1; i <= n; i++) {
		char s[32], gw[32];

		routed_addr(i - 1, false, s, sizeof(s));
		routed_addr(i - 1, true, gw, sizeof(gw));
		fprintf(f, "  n%zu:\n    interfaces: {eth0: {addresses: [%s/31]}}\n", i, s);
		fprintf(f, "    routes: [{to: default, via: %s}]\n", gw);
	}
	fprintf(f, "links:\n");
	for (size_t i = 1; i <= n; i++)
		fprintf(f, "  - endpoints: [nr:p%zu, n%zu:eth0]\n", i, i);
	T_ASSERT(fclose(f) == 0);
	t = load_topo(lab, strchr(yaml, '\n') + 1);
	T_ASSERT(t);

	t0 = now_s();
	T_ASSERT_OK(tlab_routed(l, "bench-n", n));
	t1 = now_s();
	f = open_memstream(&out, &out_len);
	T_ASSERT(f);
	r = labtest_run(t, &o, f);
	fclose(f);
	t2 = now_s();
	fputs(out, stderr);
	T_ASSERT(r == 0);
	snprintf(want, sizeof(want), "matrix: %zu nodes, %zu pairs, %zu ok, 0 failed", n + 1,
		 (n + 1) * n, (n + 1) * n);
	T_ASSERT_CONTAINS(out, want);

	p = calloc(n * (n - 1), sizeof(*p));
	T_ASSERT(p);
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= n; j++) {
			char s[32];

			if (i == j)
				continue;
			routed_addr(j - 1, false, s, sizeof(s));
			p[k++] = mkprobe(l->fds[i], s);
		}
	T_ASSERT_OK(probe_run(p, k, 0, 0));
	t3 = now_s();
	for (size_t i = 0; i < k; i++)
		ok += p[i].status == PROBE_OK;
	fprintf(stderr,
		"bench: %zu namespaces built in %.2f s; labtest --all (cold): %zu checks in %.0f "
		"ms; "
		"probe_run (warm): %zu probes, %zu ok, in %.0f ms\n",
		n + 1, t1 - t0, (n + 1) * n, (t2 - t1) * 1000, k, ok, (t3 - t2) * 1000);
	T_ASSERT(ok == k);
	return 0;
}

/* ---- cleanup ---- */

static int test_no_leftovers(void)
{
	T_ASSERT(t_netns_leftovers(prefix) == 0);
	return 0;
}

static const struct t_case cases[] = {
	{ "probe: IPv4 echo reply, RTT plausible, thread netns unchanged", test_v4_reply, T_NETNS },
	{ "probe: IPv6 echo replies both ways right after link-up", test_v6_reply, T_NETNS },
	{ "probe: unassigned address times out after every attempt", test_timeout, T_NETNS },
	{ "probe: no route gives unreachable (ENETUNREACH) at once", test_no_route, T_NETNS },
	{ "probe: ICMP net unreachable from a router maps to its probe", test_icmp_unreachable,
	  T_NETNS },
	{ "probe: 10 namespaces, every ordered pair, IPv4 and IPv6", test_many, T_NETNS },
	{ "probe: unanswered requests are retried; the RTT is the answered one's", test_retry,
	  T_NETNS },
	{ "probe: 25% netem loss is absorbed by retries", test_netem_loss, T_NETNS },
	{ "probe: ping(8) agrees on one pair", test_ping_witness, T_NETNS },
	{ "probe: a concurrent ping(8)'s replies are not ours", test_foreign_replies, T_NETNS },
	{ "probe: a bad namespace fd fails only its probes", test_bad_netns_fd, T_NETNS },
	{ "probe: sockets beyond the hard RLIMIT_NOFILE give -EMFILE", test_rlimit_hard, T_NETNS },
	{ "probe: the caller's own namespace (fd -1), loopback", test_own_netns, T_NETNS },
	{ "labtest: file tests, table", test_labtest_table, T_NETNS },
	{ "labtest: --all matrix with a node not up, table and JSON", test_labtest_all_json,
	  T_NETNS },
	{ "labtest: expect fail that gets a reply fails", test_labtest_expect_fail_replied,
	  T_NETNS },
	{ "labtest: lab not up is -ENOENT", test_labtest_not_up, T_NETNS },
	{ "labtest: --all warns when the matrix outgrows the host's neighbour tables",
	  test_labtest_neigh_warning, T_ROOT },
	{ "bench: routed lab, --all matrix (NSCTL_PROBE_BENCH=N)", test_bench, T_NETNS },
	{ "cleanup: nothing left in /run/netns with our prefix", test_no_leftovers, 0 },
};

int main(int argc, char **argv)
{
	int r;

	snprintf(prefix, sizeof(prefix), "prb%d-", (int)getpid());
	r = t_run("integ-probe", cases, ELEMENTSOF(cases), argc, argv);
	/* Backstop for cases killed before their cleanup ran (alarm, crash): their mounts died with
	 * their mount namespace, only the files remain. */
	t_netns_sweep(prefix);
	return r;
}
