/* SPDX-License-Identifier: MIT */
/* Integration tests of netlink/: real namespaces, links, addresses, routes, sysctls and qdiscs,
 * each case in a private netns + mount namespace (T_NETNS). `ip`, `tc` and `ping` are the
 * independent witnesses of what the module did. Named namespaces get the prefix
 * "nltest<pid>-" and are removed even when a case fails; the last case checks that. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink/netlink.h"
#include "netlink/nl-internal.h" /* white-box: netem encoding, which not every kernel can run */
#include "tests/t.h"

static char prefix[32]; /* "nltest<pid>-", set in main() before the cases fork */

/* ---- helpers ---- */

/* A named netns owned by a test case: deleted on scope exit, whatever happened. */
struct tns {
	char name[64];
	int fd;
};
#define TNS_INIT ((struct tns){ .name = "", .fd = -EBADF })

static void tns_done(struct tns *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->name[0])
		(void)netns_delete(t->name);
}

static int tns_create(struct tns *t, const char *suffix)
{
	snprintf(t->name, sizeof(t->name), "%s%s", prefix, suffix);
	return netns_create(t->name, &t->fd);
}

static int ip4(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1 ? 0 : -EINVAL;
}

static int ip6(const char *s, struct in6_addr *a)
{
	return inet_pton(AF_INET6, s, a) == 1 ? 0 : -EINVAL;
}

/* Number of interfaces `ip -j link show` lists in the current netns. */
static int count_links(const char *json)
{
	int n = 0;

	for (const char *p = json; (p = strstr(p, "\"ifname\"")); p++)
		n++;
	return n;
}

/* A socket that hears RTM_NEWLINK/RTM_DELLINK of the current netns, so a case can assert that
 * nothing was created (and moved away) here. */
static int link_monitor_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Returns the number of link notifications queued on @fd (0 = the netns saw no link change). */
static int link_monitor_count(int fd)
{
	char buf[16384];
	int n = 0;

	for (;;) {
		ssize_t k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (k < 0)
			return errno == EAGAIN ? n : -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, (int)k);
		     h = mnl_nlmsg_next(h, (int *)&k))
			if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK)
				n++;
	}
}

/* ---- cases ---- */

static int test_nle_map(void)
{
	T_ASSERT(nlk_errno_from_nle(0) == 0);
	T_ASSERT(nlk_errno_from_nle(-NLE_EXIST) == -EEXIST);
	T_ASSERT(nlk_errno_from_nle(NLE_EXIST) == -EEXIST);
	T_ASSERT(nlk_errno_from_nle(-NLE_NODEV) == -ENODEV);
	T_ASSERT(nlk_errno_from_nle(-NLE_OBJ_NOTFOUND) == -ENOENT);
	T_ASSERT(nlk_errno_from_nle(-NLE_NOMEM) == -ENOMEM);
	T_ASSERT(nlk_errno_from_nle(-NLE_SEQ_MISMATCH) == -EPROTO);
	T_ASSERT(nlk_errno_from_nle(-NLE_FAILURE) == -EIO);
	T_ASSERT(nlk_errno_from_nle(-9999) == -EIO);
	T_ASSERT_STREQ(nlk_last_extack(NULL), "");
	return 0;
}

static int test_netem_encoding(void)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	struct netem_spec n = {
		.delay_us = 5000,
		.jitter_us = 1000,
		.loss_ppm = 500000,
		.duplicate_ppm = 1000000,
		.corrupt_ppm = 1,
		.rate_bps = 100ull * 1000 * 1000 * 1000, /* 100 Gbit/s: 12.5e9 bytes/s > 2^32 */
	};
	struct tcmsg tcm = { .tcm_family = AF_UNSPEC };
	const struct nlattr *opts;
	const struct tc_netem_qopt *q;
	bool seen_lat = false, seen_jit = false, seen_cor = false, seen_rate = false;
	bool seen_rate64 = false;
	const char *base;
	size_t off, len;

	msg = nlmsg_alloc_simple(RTM_NEWQDISC, 0);
	T_ASSERT(msg);
	T_ASSERT(nlmsg_append(msg, &tcm, sizeof(tcm), NLMSG_ALIGNTO) == 0);
	T_ASSERT_OK(qdisc_put_netem_options(msg, &n));

	opts = mnl_nlmsg_get_payload_offset(nlmsg_hdr(msg), sizeof(tcm)); /* the only attribute */
	T_ASSERT(mnl_attr_get_type(opts) == TCA_OPTIONS);
	T_ASSERT(!(opts->nla_type & NLA_F_NESTED)); /* as iproute2 sends it */
	len = mnl_attr_get_payload_len(opts);
	T_ASSERT(len >= sizeof(*q));
	q = mnl_attr_get_payload(opts);
	T_ASSERT(q->limit == 1000);
	T_ASSERT(q->latency == 0 && q->jitter == 0); /* ticks; the 64-bit ns attributes rule */
	T_ASSERT(q->loss == 2147483648u);	     /* 50% of 2^32 - 1, rounded */
	T_ASSERT(q->duplicate == UINT32_MAX);	     /* 100% */

	base = (const char *)q;
	for (off = NLMSG_ALIGN(sizeof(*q)); off + sizeof(struct nlattr) <= len;) {
		const struct nlattr *a = (const struct nlattr *)(base + off);

		T_ASSERT(a->nla_len >= sizeof(*a) && off + a->nla_len <= len);
		switch (mnl_attr_get_type(a)) {
		case TCA_NETEM_LATENCY64:
			T_ASSERT(mnl_attr_get_u64(a) == 5000000);
			seen_lat = true;
			break;
		case TCA_NETEM_JITTER64:
			T_ASSERT(mnl_attr_get_u64(a) == 1000000);
			seen_jit = true;
			break;
		case TCA_NETEM_CORRUPT: {
			const struct tc_netem_corrupt *c = mnl_attr_get_payload(a);

			T_ASSERT(mnl_attr_get_payload_len(a) == sizeof(*c));
			T_ASSERT(c->probability == 4295u); /* 1 ppm of 2^32 - 1 */
			seen_cor = true;
			break;
		}
		case TCA_NETEM_RATE: {
			const struct tc_netem_rate *r = mnl_attr_get_payload(a);

			T_ASSERT(r->rate == UINT32_MAX); /* saturated, RATE64 carries the value */
			seen_rate = true;
			break;
		}
		case TCA_NETEM_RATE64:
			T_ASSERT(mnl_attr_get_u64(a) == 12500000000ull);
			seen_rate64 = true;
			break;
		}
		off += NLMSG_ALIGN(a->nla_len);
	}
	T_ASSERT(seen_lat && seen_jit && seen_cor && seen_rate && seen_rate64);

	n.loss_ppm = 1000001;
	T_ASSERT_ERR(qdisc_put_netem_options(msg, &n), -EINVAL);
	return 0;
}

static int test_sysctl_keys(void)
{
	char buf[64];

	T_ASSERT_ERR(sysctl_read_in(-1, "net/ipv4/ip_forward", buf, sizeof(buf)), -EINVAL);
	T_ASSERT_ERR(sysctl_read_in(-1, "net..ipv4.ip_forward", buf, sizeof(buf)), -EINVAL);
	T_ASSERT_ERR(sysctl_read_in(-1, "net.ipv4.conf.....", buf, sizeof(buf)), -EINVAL);
	T_ASSERT_ERR(sysctl_read_in(-1, ".net.ipv4.ip_forward", buf, sizeof(buf)), -EINVAL);
	T_ASSERT_ERR(sysctl_read_in(-1, "net.ipv4.ip_forward.", buf, sizeof(buf)), -EINVAL);
	T_ASSERT_ERR(sysctl_read_in(-1, "", buf, sizeof(buf)), -EINVAL);
	T_ASSERT_ERR(sysctl_write_in(-1, "net.ipv4/../../../etc/passwd", "x"), -EINVAL);
	T_ASSERT_ERR(sysctl_read_in(-1, "net.ipv4.no_such_sysctl", buf, sizeof(buf)), -ENOENT);
	T_ASSERT_ERR(sysctl_read_in(-1, "net.ipv4.ip_forward", buf, 1), -ERANGE);
	T_ASSERT(sysctl_read_in(-1, "net.ipv4.ip_forward", buf, sizeof(buf)) == 1);
	T_ASSERT_STREQ(buf, "0");
	return 0;
}

static int test_netns_lifecycle(void)
{
	_cleanup_(tns_done) struct tns a = TNS_INIT;
	_cleanup_close_ int fd = -EBADF;
	char out[4096], stale[128];
	ino_t self = t_netns_ino();
	int r;

	T_ASSERT_OK(tns_create(&a, "life"));
	T_ASSERT(a.fd >= 0);
	T_ASSERT(t_netns_ino() == self); /* the caller is back home */
	T_ASSERT(netns_exists(a.name) == 1);
	T_ASSERT_ERR(netns_create(a.name, NULL), -EEXIST);

	fd = netns_open(a.name);
	T_ASSERT_OK(fd);
	T_ASSERT(t_sh(out, sizeof(out), "ip netns list") == 0);
	T_ASSERT_CONTAINS(out, a.name);
	/* /run/netns is a shared mount point, as `ip netns add` leaves it. */
	T_ASSERT(t_sh(out, sizeof(out), "grep ' /run/netns ' /proc/self/mountinfo") == 0);
	T_ASSERT_CONTAINS(out, " shared:");
	T_ASSERT(t_sh(out, sizeof(out), "ip -n %s -j link show", a.name) == 0);
	T_ASSERT(count_links(out) == 1); /* a fresh netns: just lo */

	T_ASSERT_ERR(netns_open("nltest-no-such-netns"), -ENOENT);
	T_ASSERT(netns_exists("nltest-no-such-netns") == 0);
	T_ASSERT_ERR(netns_create("", NULL), -EINVAL);
	T_ASSERT_ERR(netns_create("..", NULL), -EINVAL);
	T_ASSERT_ERR(netns_create("a/b", NULL), -EINVAL);
	T_ASSERT_ERR(netns_delete("../etc"), -EINVAL);

	T_ASSERT(netns_delete(a.name) == 1);
	T_ASSERT(netns_delete(a.name) == 0); /* idempotent undo */
	T_ASSERT(netns_exists(a.name) == 0);
	T_ASSERT_ERR(netns_open(a.name), -ENOENT);

	/* A leftover plain file (a crashed `ip netns add`) is not a namespace. */
	snprintf(stale, sizeof(stale), "/run/netns/%sstale", prefix);
	r = open(stale, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	T_ASSERT_OK(r);
	close(r);
	T_ASSERT_ERR(netns_open(stale + strlen("/run/netns/")), -EINVAL);
	T_ASSERT(netns_delete(stale + strlen("/run/netns/")) == 1);
	return 0;
}

static int test_open_in(void)
{
	_cleanup_(tns_done) struct tns a = TNS_INIT;
	_cleanup_(nlk_freep) struct nlk *nla = NULL;
	struct link_spec br = { .name = "nlbr0", .netns_fd = -1 };
	char out[8192];
	ino_t self = t_netns_ino();

	T_ASSERT_OK(tns_create(&a, "openin"));
	T_ASSERT_OK(nlk_open_in(a.fd, &nla));
	T_ASSERT(t_netns_ino() == self);
	T_ASSERT_ERR(nlk_open_in(-1, &nla), -EBADF);

	T_ASSERT_OK(link_add_bridge(nla, &br)); /* goes to the handle's netns, not ours */
	T_ASSERT(t_sh(out, sizeof(out), "ip -n %s -j link show nlbr0", a.name) == 0);
	T_ASSERT_CONTAINS(out, "\"ifname\":\"nlbr0\"");
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show") == 0);
	T_ASSERT(count_links(out) == 1);
	T_ASSERT(link_exists(nla, "nlbr0") == 1);
	T_ASSERT(link_get_ifindex(nla, "nlbr0") > 1);
	return 0;
}

static int test_veth_two_namespaces(void)
{
	_cleanup_(tns_done) struct tns a = TNS_INIT, b = TNS_INIT;
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	_cleanup_close_ int mon = -EBADF;
	static const uint8_t mac_a[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x0a };
	struct link_spec ea = { .name = "eth0", .mtu = 1400, .mac = mac_a };
	struct link_spec eb = { .name = "eth0", .mtu = 1400 };
	char out[8192];
	ino_t self = t_netns_ino();

	T_ASSERT_OK(tns_create(&a, "va"));
	T_ASSERT_OK(tns_create(&b, "vb"));
	T_ASSERT_OK(nlk_open(&nl));
	mon = link_monitor_open();
	T_ASSERT_OK(mon);

	ea.netns_fd = a.fd;
	eb.netns_fd = b.fd;
	T_ASSERT_OK(link_add_veth(nl, &ea, &eb));
	T_ASSERT(t_netns_ino() == self);

	/* Nothing was ever created in our own netns (not even briefly, to be moved). */
	T_ASSERT(link_monitor_count(mon) == 0);
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show") == 0);
	T_ASSERT(count_links(out) == 1);
	T_ASSERT_LACKS(out, "eth0");

	T_ASSERT(t_sh(out, sizeof(out), "ip -n %s -j -d link show eth0", a.name) == 0);
	T_ASSERT_CONTAINS(out, "\"ifname\":\"eth0\"");
	T_ASSERT_CONTAINS(out, "\"mtu\":1400");
	T_ASSERT_CONTAINS(out, "\"address\":\"02:00:5e:00:53:0a\"");
	T_ASSERT_CONTAINS(out, "\"info_kind\":\"veth\"");
	T_ASSERT_CONTAINS(out, "\"link_netnsid\""); /* its peer lives in another netns */
	T_ASSERT(t_sh(out, sizeof(out), "ip -n %s -j -d link show eth0", b.name) == 0);
	T_ASSERT_CONTAINS(out, "\"mtu\":1400");
	T_ASSERT_CONTAINS(out, "\"info_kind\":\"veth\"");
	T_ASSERT_CONTAINS(out, "\"link_netnsid\"");

	/* The same names again: the ends exist in their namespaces now. */
	T_ASSERT_ERR(link_add_veth(nl, &ea, &eb), -EEXIST);
	T_ASSERT(link_monitor_count(mon) == 0);
	return 0;
}

static int test_veth_name_in_sender_netns(void)
{
	_cleanup_(tns_done) struct tns a = TNS_INIT, b = TNS_INIT;
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	struct link_spec local = { .name = "clash0", .netns_fd = -1 };
	struct link_spec ea = { .name = "clash0" }, eb = { .name = "clash0" };
	struct link_spec fa = { .name = "x0" }, fb = { .name = "x1", .netns_fd = -1 };
	char out[8192];

	T_ASSERT_OK(tns_create(&a, "ca"));
	T_ASSERT_OK(tns_create(&b, "cb"));
	T_ASSERT_OK(nlk_open(&nl));
	/* Our own netns has a "clash0"; the kernel looks new names up in the sender's netns. */
	T_ASSERT_OK(link_add_bridge(nl, &local));

	ea.netns_fd = a.fd;
	eb.netns_fd = b.fd;
	T_ASSERT_OK(link_add_veth(nl, &ea, &eb));
	T_ASSERT(t_sh(out, sizeof(out), "ip -n %s -j -d link show clash0", a.name) == 0);
	T_ASSERT_CONTAINS(out, "\"info_kind\":\"veth\"");
	T_ASSERT(t_sh(out, sizeof(out), "ip -n %s -j -d link show clash0", b.name) == 0);
	T_ASSERT_CONTAINS(out, "\"info_kind\":\"veth\"");
	T_ASSERT(t_sh(out, sizeof(out), "ip -j -d link show clash0") == 0);
	T_ASSERT_CONTAINS(out, "\"info_kind\":\"bridge\""); /* ours untouched */

	/* One end here, one there: @b is the local one, so the pair is sent from here. */
	fa.netns_fd = a.fd;
	T_ASSERT_OK(link_add_veth(nl, &fa, &fb));
	T_ASSERT(link_exists(nl, "x1") == 1);
	T_ASSERT(link_exists(nl, "x0") == 0);
	T_ASSERT(t_sh(NULL, 0, "ip -n %s link show x0 >/dev/null", a.name) == 0);
	return 0;
}

static int test_veth_duplicate(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	struct link_spec d0 = { .name = "d0", .netns_fd = -1 };
	struct link_spec d1 = { .name = "d1", .netns_fd = -1 };
	struct link_spec d2 = { .name = "d2", .netns_fd = -1 };
	struct link_spec d3 = { .name = "d3", .netns_fd = -1 };
	struct link_spec bad = { .name = "this-name-is-too-long", .netns_fd = -1 };

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(link_add_veth(nl, &d0, &d1));
	T_ASSERT_ERR(link_add_veth(nl, &d0, &d2), -EEXIST);
	fprintf(stderr, "# duplicate veth name: extack \"%s\"\n", nlk_last_extack(nl));
	T_ASSERT(link_exists(nl, "d2") == 0); /* the peer of the refused pair is not left over */
	T_ASSERT_ERR(link_add_veth(nl, &d3, &d1), -EEXIST);
	T_ASSERT(link_exists(nl, "d3") == 0);
	T_ASSERT_ERR(link_add_veth(nl, &bad, &d2), -EINVAL);
	T_ASSERT_ERR(link_add_veth(nl, &d2, NULL), -EINVAL);
	return 0;
}

static int test_extack_text(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	struct link_spec br = { .name = "tiny0", .netns_fd = -1, .mtu = 60 };
	int r;

	T_ASSERT_OK(nlk_open(&nl));
	r = link_add_bridge(nl, &br);
	T_ASSERT(r == -EINVAL);
	fprintf(stderr, "# bridge mtu 60: extack \"%s\"\n", nlk_last_extack(nl));
	T_ASSERT(nlk_last_extack(nl)[0] != '\0');
	T_ASSERT(link_exists(nl, "tiny0") == 0);
	T_ASSERT_STREQ(nlk_last_extack(nl), ""); /* reset by the next request */
	return 0;
}

static int test_bridge_ports(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL, *other = NULL;
	struct link_spec br = { .name = "br0", .netns_fd = -1, .no_ipv6_ll = true };
	struct link_spec p0 = { .name = "p0", .netns_fd = -1, .no_ipv6_ll = true };
	struct link_spec p1 = { .name = "p1", .netns_fd = -1 };
	char out[8192];

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(nlk_open(&other));
	T_ASSERT_OK(link_add_bridge(nl, &br));
	T_ASSERT_OK(link_add_veth(nl, &p0, &p1));
	T_ASSERT_OK(link_set_master(nl, "p0", "br0"));
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show p0") == 0);
	T_ASSERT_CONTAINS(out, "\"master\":\"br0\"");

	T_ASSERT_ERR(link_set_master(nl, "p0", "nosuchbr"), -ENODEV);
	T_ASSERT_ERR(link_set_master(nl, "nosuchport", "br0"), -ENODEV);
	T_ASSERT(link_set_master(nl, "p1", "p0") < 0); /* a veth takes no ports */

	T_ASSERT_OK(link_set_master(nl, "p0", NULL));
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show p0") == 0);
	T_ASSERT_LACKS(out, "\"master\"");

	/* br0 replaced behind @nl's back: its cached ifindex is stale, and must not stick. */
	T_ASSERT(link_del(other, "br0") == 1);
	T_ASSERT_OK(link_add_bridge(other, &br));
	T_ASSERT_OK(link_set_master(nl, "p0", "br0"));
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show p0") == 0);
	T_ASSERT_CONTAINS(out, "\"master\":\"br0\"");
	return 0;
}

static int test_dummy(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	struct link_spec d = { .name = "dum0", .netns_fd = -1, .mtu = 9000, .alias = "nsctl:t" };
	char out[8192], alias[64];
	int r;

	T_ASSERT_OK(nlk_open(&nl));
	r = link_add_dummy(nl, &d);
	if (r == -EOPNOTSUPP)
		T_SKIP_BECAUSE("kernel has no dummy driver (CONFIG_DUMMY): \"%s\"",
			       nlk_last_extack(nl));
	T_ASSERT_OK(r);
	T_ASSERT(t_sh(out, sizeof(out), "ip -j -d link show dum0") == 0);
	T_ASSERT_CONTAINS(out, "\"info_kind\":\"dummy\"");
	T_ASSERT_CONTAINS(out, "\"mtu\":9000");
	T_ASSERT(link_get_alias(nl, "dum0", alias, sizeof(alias)) == 7);
	T_ASSERT_STREQ(alias, "nsctl:t");
	return 0;
}

static int test_link_attrs(void)
{
	_cleanup_(tns_done) struct tns b = TNS_INIT;
	_cleanup_(nlk_freep) struct nlk *nl = NULL, *nlb = NULL;
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 };
	struct link_spec a0 = {
		.name = "a0", .netns_fd = -1, .mtu = 1280, .mac = mac, .alias = "nsctl:lab/h1:eth0"
	};
	struct link_spec b0 = { .name = "b0", .alias = "nsctl:lab/b0" };
	struct link_spec a1 = { .name = "a1", .netns_fd = -1, .alias = "one" };
	struct link_spec b1 = { .name = "b1", .alias = "two" };
	char out[8192], alias[IFALIASZ];

	T_ASSERT_OK(tns_create(&b, "attrs"));
	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(nlk_open_in(b.fd, &nlb));

	/* Peer in another netns without a handle for it (a temporary one does the alias)... */
	b0.netns_fd = b.fd;
	T_ASSERT_OK(link_add_veth(nl, &a0, &b0));
	/* ...and with one. */
	b1.netns_fd = b.fd;
	b1.nl = nlb;
	T_ASSERT_OK(link_add_veth(nl, &a1, &b1));

	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show a0") == 0);
	T_ASSERT_CONTAINS(out, "\"mtu\":1280");
	T_ASSERT_CONTAINS(out, "\"address\":\"02:00:5e:00:53:01\"");
	T_ASSERT_CONTAINS(out, "\"ifalias\":\"nsctl:lab/h1:eth0\"");
	T_ASSERT(link_get_alias(nl, "a0", alias, sizeof(alias)) == 17);
	T_ASSERT_STREQ(alias, "nsctl:lab/h1:eth0");
	T_ASSERT_ERR(link_get_alias(nl, "a0", alias, 5), -ERANGE);
	T_ASSERT(link_get_alias(nlb, "b0", alias, sizeof(alias)) >= 0);
	T_ASSERT_STREQ(alias, "nsctl:lab/b0");
	T_ASSERT(t_sh(out, sizeof(out), "ip -n %s -j link show b1", b.name) == 0);
	T_ASSERT_CONTAINS(out, "\"ifalias\":\"two\"");
	T_ASSERT(link_get_alias(nl, "a1", alias, sizeof(alias)) == 3);

	T_ASSERT_OK(link_set_alias(nl, "a1", NULL));
	T_ASSERT(link_get_alias(nl, "a1", alias, sizeof(alias)) == 0);
	T_ASSERT_ERR(link_get_alias(nl, "nosuch", alias, sizeof(alias)), -ENODEV);

	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show a0") == 0);
	T_ASSERT_LACKS(out, "\"UP\"");
	T_ASSERT_OK(link_set_up(nl, "a0"));
	T_ASSERT_OK(link_set_up(nl, "lo"));
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show a0") == 0);
	T_ASSERT_CONTAINS(out, "\"UP\"");
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show lo") == 0);
	T_ASSERT_CONTAINS(out, "\"UP\"");
	T_ASSERT_ERR(link_set_up(nl, "nosuch"), -ENODEV);
	return 0;
}

static int test_addresses(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	/* no_ipv6_ll: the kernel's own fe80:: address is tentative for a while; keep it out. */
	struct link_spec a = { .name = "ad0", .netns_fd = -1, .no_ipv6_ll = true };
	struct link_spec b = { .name = "ad1", .netns_fd = -1, .no_ipv6_ll = true };
	struct in_addr v4, v4h;
	struct in6_addr v6;
	char out[8192];

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(link_add_veth(nl, &a, &b));
	T_ASSERT_OK(ip4("192.0.2.1", &v4));
	T_ASSERT_OK(ip4("198.51.100.7", &v4h));
	T_ASSERT_OK(ip6("2001:db8::1", &v6));

	/* While the link is down: NODAD addresses never carry the tentative flag. */
	T_ASSERT_OK(addr_add(nl, "ad0", AF_INET6, &v6, 64));
	T_ASSERT(t_sh(out, sizeof(out), "ip -6 -j addr show dev ad0") == 0);
	T_ASSERT_CONTAINS(out, "\"local\":\"2001:db8::1\"");
	T_ASSERT_LACKS(out, "tentative");

	T_ASSERT_OK(addr_add(nl, "ad0", AF_INET, &v4, 24));
	T_ASSERT_OK(addr_add(nl, "ad0", AF_INET, &v4h, 32));
	T_ASSERT_OK(link_set_up(nl, "ad0"));
	T_ASSERT_OK(link_set_up(nl, "ad1"));

	T_ASSERT(t_sh(out, sizeof(out), "ip -4 -j addr show dev ad0") == 0);
	T_ASSERT_CONTAINS(out,
			  "\"local\":\"192.0.2.1\",\"prefixlen\":24,\"broadcast\":\"192.0.2.255\"");
	T_ASSERT_CONTAINS(out, "\"local\":\"198.51.100.7\",\"prefixlen\":32,");
	T_ASSERT_LACKS(out, "198.51.100.255");
	T_ASSERT(t_sh(out, sizeof(out), "ip -6 -j addr show dev ad0") == 0);
	T_ASSERT_CONTAINS(out, "\"local\":\"2001:db8::1\",\"prefixlen\":64");
	T_ASSERT_CONTAINS(out, "\"nodad\":true");
	T_ASSERT_LACKS(out, "tentative");

	T_ASSERT_ERR(addr_add(nl, "ad0", AF_INET, &v4, 24), -EEXIST);
	T_ASSERT_ERR(addr_add(nl, "ad0", AF_INET6, &v6, 64), -EEXIST);
	T_ASSERT_ERR(addr_add(nl, "nosuch", AF_INET, &v4, 24), -ENODEV);
	T_ASSERT_ERR(addr_add(nl, "ad0", AF_INET, &v4, 33), -EINVAL);
	T_ASSERT_ERR(addr_add(nl, "ad0", AF_UNIX, &v4, 8), -EINVAL);

	T_ASSERT(addr_del(nl, "ad0", AF_INET, &v4, 24) == 1);
	T_ASSERT(addr_del(nl, "ad0", AF_INET, &v4, 24) == 0);
	T_ASSERT(addr_del(nl, "ad0", AF_INET6, &v6, 64) == 1);
	T_ASSERT(addr_del(nl, "ad0", AF_INET6, &v6, 64) == 0);
	T_ASSERT(addr_del(nl, "nosuch", AF_INET6, &v6, 64) == 0);
	T_ASSERT(t_sh(out, sizeof(out), "ip -j addr show dev ad0") == 0);
	T_ASSERT_LACKS(out, "192.0.2.1");
	T_ASSERT_LACKS(out, "2001:db8::1\"");
	return 0;
}

static int test_no_ipv6_ll(void)
{
	_cleanup_(tns_done) struct tns b = TNS_INIT;
	_cleanup_(nlk_freep) struct nlk *nl = NULL, *nlb = NULL;
	struct link_spec a = { .name = "q0", .netns_fd = -1, .no_ipv6_ll = true };
	struct link_spec p = { .name = "q1", .no_ipv6_ll = true };
	struct link_spec c0 = { .name = "c0", .netns_fd = -1 };
	struct link_spec c1 = { .name = "c1", .netns_fd = -1 };
	struct link_spec br = { .name = "brq", .no_ipv6_ll = true };
	char out[8192];

	T_ASSERT_OK(tns_create(&b, "ll"));
	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(nlk_open_in(b.fd, &nlb));

	p.netns_fd = b.fd;
	T_ASSERT_OK(link_add_veth(nl, &a, &p));
	/* A control pair without it, to show the witness would see a link-local. */
	T_ASSERT_OK(link_add_veth(nl, &c0, &c1));
	br.netns_fd = b.fd;
	T_ASSERT_OK(link_add_bridge(nl, &br));

	T_ASSERT_OK(link_set_up(nl, "q0"));
	T_ASSERT_OK(link_set_up(nlb, "q1"));
	T_ASSERT_OK(link_set_up(nlb, "brq"));
	T_ASSERT_OK(link_set_up(nl, "c0"));
	T_ASSERT_OK(link_set_up(nl, "c1"));

	T_ASSERT(t_sh(out, sizeof(out), "ip -6 -j addr show dev c0") == 0);
	T_ASSERT_CONTAINS(out, "fe80::");
	T_ASSERT(t_sh(out, sizeof(out), "ip -6 -j addr show dev q0") == 0);
	T_ASSERT_LACKS(out, "fe80::");
	T_ASSERT(t_sh(out, sizeof(out), "ip -j -d link show q0") == 0);
	T_ASSERT_CONTAINS(out, "\"inet6_addr_gen_mode\":\"none\"");
	T_ASSERT(t_sh(out, sizeof(out), "ip -n %s -6 -j addr show", b.name) == 0);
	T_ASSERT_LACKS(out, "fe80::");
	T_ASSERT(t_sh(out, sizeof(out), "ip -n %s -j -d link show q1", b.name) == 0);
	T_ASSERT_CONTAINS(out, "\"inet6_addr_gen_mode\":\"none\"");
	T_ASSERT_CONTAINS(out, "\"LOWER_UP\""); /* carrier: the link-local would exist by now */
	return 0;
}

static int test_routes(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	struct link_spec a = { .name = "r0", .netns_fd = -1 };
	struct link_spec b = { .name = "r1", .netns_fd = -1 };
	struct in_addr a4, gw4, net4, net4b, far4;
	struct in6_addr a6, gw6, net6;
	struct route_spec def4 = { .family = AF_INET, .gw = &gw4 };
	struct route_spec pfx4 = { .family = AF_INET,
				   .dst = &net4,
				   .dst_len = 24,
				   .gw = &gw4,
				   .dev = "r0",
				   .metric = 100 };
	struct route_spec link4 = { .family = AF_INET, .dst = &net4b, .dst_len = 24, .dev = "r0" };
	struct route_spec def6 = { .family = AF_INET6, .gw = &gw6, .dev = "r0" };
	struct route_spec pfx6 = { .family = AF_INET6, .dst = &net6, .dst_len = 64, .gw = &gw6 };
	struct route_spec nodev = { .family = AF_INET, .gw = &gw4, .dev = "nosuch" };
	struct route_spec far = { .family = AF_INET, .dst = &net4b, .dst_len = 24, .gw = &far4 };
	struct route_spec bad = { .family = AF_INET, .dst_len = 8, .gw = &gw4 };
	struct route_spec nothing = { .family = AF_INET6 };
	char out[8192];

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(link_add_veth(nl, &a, &b));
	T_ASSERT_OK(ip4("192.0.2.1", &a4));
	T_ASSERT_OK(ip4("192.0.2.254", &gw4));
	T_ASSERT_OK(ip4("198.51.100.0", &net4));
	T_ASSERT_OK(ip4("203.0.113.0", &net4b));
	T_ASSERT_OK(ip4("198.51.100.1", &far4));
	T_ASSERT_OK(ip6("2001:db8:1::1", &a6));
	T_ASSERT_OK(ip6("2001:db8:1::fe", &gw6));
	T_ASSERT_OK(ip6("2001:db8:2::", &net6));
	T_ASSERT_OK(addr_add(nl, "r0", AF_INET, &a4, 24));
	T_ASSERT_OK(addr_add(nl, "r0", AF_INET6, &a6, 64));
	T_ASSERT_OK(link_set_up(nl, "r0"));
	T_ASSERT_OK(link_set_up(nl, "r1"));

	T_ASSERT_OK(route_add(nl, &def4));
	T_ASSERT_OK(route_add(nl, &pfx4));
	T_ASSERT_OK(route_add(nl, &link4));
	T_ASSERT_OK(route_add(nl, &def6));
	T_ASSERT_OK(route_add(nl, &pfx6));

	T_ASSERT(t_sh(out, sizeof(out), "ip -4 -j route show default") == 0);
	T_ASSERT_CONTAINS(out, "\"gateway\":\"192.0.2.254\",\"dev\":\"r0\"");
	T_ASSERT(t_sh(out, sizeof(out), "ip -4 -j route show 198.51.100.0/24") == 0);
	T_ASSERT_CONTAINS(out, "\"gateway\":\"192.0.2.254\"");
	T_ASSERT_CONTAINS(out, "\"metric\":100");
	T_ASSERT(t_sh(out, sizeof(out), "ip -4 -j route show 203.0.113.0/24") == 0);
	T_ASSERT_CONTAINS(out, "\"dev\":\"r0\"");
	T_ASSERT_CONTAINS(out, "\"scope\":\"link\"");
	T_ASSERT(t_sh(out, sizeof(out), "ip -6 -j route show default") == 0);
	T_ASSERT_CONTAINS(out, "\"gateway\":\"2001:db8:1::fe\",\"dev\":\"r0\"");
	T_ASSERT(t_sh(out, sizeof(out), "ip -6 -j route show 2001:db8:2::/64") == 0);
	T_ASSERT_CONTAINS(out, "\"gateway\":\"2001:db8:1::fe\"");

	T_ASSERT_ERR(route_add(nl, &def4), -EEXIST);
	T_ASSERT_ERR(route_add(nl, &pfx6), -EEXIST);
	T_ASSERT_ERR(route_add(nl, &nodev), -ENODEV);
	T_ASSERT_ERR(route_add(nl, &far), -ENETUNREACH);
	fprintf(stderr, "# unreachable gateway: extack \"%s\"\n", nlk_last_extack(nl));
	T_ASSERT_ERR(route_add(nl, &bad), -EINVAL);
	T_ASSERT_ERR(route_add(nl, &nothing), -EINVAL);

	T_ASSERT(route_del(nl, &def4) == 1);
	T_ASSERT(route_del(nl, &def4) == 0);
	T_ASSERT(route_del(nl, &pfx4) == 1);
	T_ASSERT(route_del(nl, &link4) == 1);
	T_ASSERT(route_del(nl, &def6) == 1);
	T_ASSERT(route_del(nl, &def6) == 0);
	T_ASSERT(route_del(nl, &pfx6) == 1);
	T_ASSERT(route_del(nl, &pfx6) == 0);
	T_ASSERT(route_del(nl, &nodev) == 0);
	T_ASSERT(t_sh(out, sizeof(out), "ip -j route show; ip -6 -j route show") == 0);
	T_ASSERT_LACKS(out, "192.0.2.254");
	T_ASSERT_LACKS(out, "2001:db8:1::fe");
	return 0;
}

static int test_sysctl_in_netns(void)
{
	_cleanup_(tns_done) struct tns a = TNS_INIT;
	_cleanup_close_ int notns = -EBADF;
	char buf[64], out[256];
	ino_t self = t_netns_ino();

	T_ASSERT_OK(tns_create(&a, "sysctl"));
	T_ASSERT(sysctl_read_in(-1, "net.ipv4.ip_forward", buf, sizeof(buf)) == 1);
	T_ASSERT_STREQ(buf, "0");

	T_ASSERT_OK(sysctl_write_in(a.fd, "net.ipv4.ip_forward", "1"));
	T_ASSERT_OK(sysctl_write_in(a.fd, "net.ipv6.conf.all.forwarding", "1"));
	T_ASSERT(t_netns_ino() == self);
	T_ASSERT(sysctl_read_in(a.fd, "net.ipv4.ip_forward", buf, sizeof(buf)) == 1);
	T_ASSERT_STREQ(buf, "1");
	T_ASSERT(sysctl_read_in(-1, "net.ipv4.ip_forward", buf, sizeof(buf)) == 1);
	T_ASSERT_STREQ(buf, "0"); /* ours is unchanged */
	T_ASSERT(sysctl_read_in(-1, "net.ipv6.conf.all.forwarding", buf, sizeof(buf)) == 1);
	T_ASSERT_STREQ(buf, "0");
	T_ASSERT(t_sh(out, sizeof(out), "ip netns exec %s cat /proc/sys/net/ipv4/ip_forward",
		      a.name) == 0);
	T_ASSERT_STREQ(out, "1\n");
	T_ASSERT(t_sh(out, sizeof(out), "cat /proc/sys/net/ipv4/ip_forward") == 0);
	T_ASSERT_STREQ(out, "0\n");

	T_ASSERT_ERR(sysctl_write_in(a.fd, "net.ipv4.no_such_sysctl", "1"), -ENOENT);
	T_ASSERT_ERR(sysctl_write_in(a.fd, "net.ipv4.ip_forward", "banana"), -EINVAL);
	T_ASSERT(t_netns_ino() == self);
	notns = open("/dev/null", O_RDONLY | O_CLOEXEC);
	T_ASSERT_ERR(sysctl_write_in(notns, "net.ipv4.ip_forward", "1"), -EINVAL);
	T_ASSERT(t_netns_ino() == self);
	return 0;
}

static int test_netem(void)
{
	_cleanup_(tns_done) struct tns a = TNS_INIT;
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	struct netem_spec n = {
		.delay_us = 5000, .jitter_us = 1000, .loss_ppm = 5000, .rate_bps = 100 * 1000 * 1000
	};
	struct link_spec e0 = { .name = "n0", .netns_fd = -1 };
	struct link_spec e1 = { .name = "n1", .netns_fd = -1 };
	char out[8192];
	int r;

	T_ASSERT_OK(tns_create(&a, "netem"));
	T_ASSERT_OK(nlk_open_in(a.fd, &nl));
	T_ASSERT_OK(link_add_veth(nl, &e0, &e1));

	r = qdisc_add_netem(nl, "n0", &n);
	if (r == -ENOENT)
		T_SKIP_BECAUSE("kernel has no netem (CONFIG_NET_SCH_NETEM): \"%s\"",
			       nlk_last_extack(nl));
	T_ASSERT_OK(r);
	T_ASSERT(t_sh(out, sizeof(out), "ip netns exec %s tc -j qdisc show dev n0", a.name) == 0);
	T_ASSERT_CONTAINS(out, "\"kind\":\"netem\"");
	T_ASSERT_CONTAINS(out, "\"root\":true");
	T_ASSERT_CONTAINS(out, "\"delay\":{\"delay\":0.005,\"jitter\":0.001");
	T_ASSERT_CONTAINS(out, "\"rate\":{\"rate\":12500000");
	T_ASSERT_ERR(qdisc_add_netem(nl, "n0", &n), -EEXIST);

	T_ASSERT(qdisc_del_root(nl, "n0") == 1);
	T_ASSERT(qdisc_del_root(nl, "n0") == 0);
	T_ASSERT(t_sh(out, sizeof(out), "ip netns exec %s tc -j qdisc show dev n0", a.name) == 0);
	T_ASSERT_LACKS(out, "netem");
	return 0;
}

static int test_qdisc_del_idempotent(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	struct netem_spec n = { .delay_us = 1000 };
	struct netem_spec bad = { .loss_ppm = 2000000 };
	struct link_spec e0 = { .name = "z0", .netns_fd = -1 };
	struct link_spec e1 = { .name = "z1", .netns_fd = -1 };

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(link_add_veth(nl, &e0, &e1));
	T_ASSERT(qdisc_del_root(nl, "z0") == 0); /* only the built-in default is there */
	T_ASSERT(qdisc_del_root(nl, "nosuch") == 0);
	T_ASSERT_ERR(qdisc_add_netem(nl, "nosuch", &n), -ENODEV);
	T_ASSERT_ERR(qdisc_add_netem(nl, "z0", &bad), -EINVAL);
	return 0;
}

static int test_deletes_idempotent(void)
{
	_cleanup_(tns_done) struct tns a = TNS_INIT;
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	struct link_spec e0 = { .name = "del0", .netns_fd = -1 };
	struct link_spec e1 = { .name = "del1", .netns_fd = -1 };
	char name[64];

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(link_add_veth(nl, &e0, &e1));
	T_ASSERT(link_get_ifindex(nl, "del1") > 0); /* cached now */
	T_ASSERT(link_del(nl, "del0") == 1);
	T_ASSERT(link_del(nl, "del0") == 0);
	T_ASSERT(link_exists(nl, "del1") == 0); /* the peer went with it */
	T_ASSERT(link_del(nl, "del1") == 0);
	T_ASSERT_ERR(link_get_ifindex(nl, "del1"), -ENODEV);
	T_ASSERT_ERR(link_del(nl, ""), -EINVAL);

	T_ASSERT_OK(tns_create(&a, "del"));
	snprintf(name, sizeof(name), "%s", a.name);
	T_ASSERT(netns_delete(name) == 1);
	T_ASSERT(netns_delete(name) == 0);
	return 0;
}

static int test_stale_ifindex(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL, *other = NULL;
	struct link_spec e0 = { .name = "st0", .netns_fd = -1 };
	struct link_spec e1 = { .name = "st1", .netns_fd = -1 };
	struct in_addr a4, b4;
	char out[4096];

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(nlk_open(&other));
	T_ASSERT_OK(ip4("192.0.2.1", &a4));
	T_ASSERT_OK(ip4("192.0.2.2", &b4));
	T_ASSERT_OK(link_add_veth(nl, &e0, &e1));
	T_ASSERT_OK(addr_add(nl, "st0", AF_INET, &a4, 24)); /* @nl caches st0's ifindex */

	/* Replaced through another handle: same name, new ifindex. */
	T_ASSERT(link_del(other, "st0") == 1);
	T_ASSERT_OK(link_add_veth(other, &e0, &e1));
	T_ASSERT_OK(addr_add(nl, "st0", AF_INET, &b4, 24));
	T_ASSERT(t_sh(out, sizeof(out), "ip -4 -j addr show dev st0") == 0);
	T_ASSERT_CONTAINS(out, "\"local\":\"192.0.2.2\"");

	/* Gone for good: the retry finds out too. */
	T_ASSERT(link_del(other, "st0") == 1);
	T_ASSERT_ERR(addr_add(nl, "st0", AF_INET, &a4, 24), -ENODEV);
	return 0;
}

static int test_ping(void)
{
	_cleanup_(tns_done) struct tns a = TNS_INIT, b = TNS_INIT;
	_cleanup_(nlk_freep) struct nlk *nl = NULL, *nla = NULL, *nlb = NULL;
	struct in_addr a4, b4;
	struct in6_addr a6, b6;
	struct link_spec ea = { .name = "eth0", .no_ipv6_ll = true };
	struct link_spec eb = { .name = "eth0", .no_ipv6_ll = true };
	char out[4096];

	T_ASSERT_OK(tns_create(&a, "pa"));
	T_ASSERT_OK(tns_create(&b, "pb"));
	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(nlk_open_in(a.fd, &nla));
	T_ASSERT_OK(nlk_open_in(b.fd, &nlb));

	ea.netns_fd = a.fd;
	ea.nl = nla;
	eb.netns_fd = b.fd;
	eb.nl = nlb;
	T_ASSERT_OK(link_add_veth(nl, &ea, &eb));
	T_ASSERT_OK(ip4("192.0.2.1", &a4));
	T_ASSERT_OK(ip4("192.0.2.2", &b4));
	T_ASSERT_OK(ip6("2001:db8::1", &a6));
	T_ASSERT_OK(ip6("2001:db8::2", &b6));
	T_ASSERT_OK(addr_add(nla, "eth0", AF_INET, &a4, 24));
	T_ASSERT_OK(addr_add(nlb, "eth0", AF_INET, &b4, 24));
	T_ASSERT_OK(addr_add(nla, "eth0", AF_INET6, &a6, 64));
	T_ASSERT_OK(addr_add(nlb, "eth0", AF_INET6, &b6, 64));
	T_ASSERT_OK(link_set_up(nla, "lo"));
	T_ASSERT_OK(link_set_up(nlb, "lo"));
	T_ASSERT_OK(link_set_up(nla, "eth0"));
	T_ASSERT_OK(link_set_up(nlb, "eth0"));

	T_ASSERT(t_sh(out, sizeof(out), "ip netns exec %s ping -c1 -W1 192.0.2.2", a.name) == 0);
	T_ASSERT_CONTAINS(out, "1 received");
	/* IPv6 with global addresses only (no link-local): neighbour discovery still works. -W3:
	 * @a's carrier came on when @b went up, and the kernel configures IPv6 on such an end
	 * asynchronously (linkwatch); its first neighbour solicitation within ~1 s of that is
	 * lost, and ND retransmits after 1 s. IPv4 is not affected. */
	T_ASSERT(t_sh(out, sizeof(out), "ip netns exec %s ping -6 -c1 -W3 2001:db8::2", a.name) ==
		 0);
	T_ASSERT_CONTAINS(out, "1 received");
	return 0;
}

/* ---- dumps ---- */

static const struct link_info *find_link(const struct link_info *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(l[i].name, name))
			return &l[i];
	return NULL;
}

/* Returns the address of family @family equal to @s on @ifindex, or NULL. */
static const struct addr_info *find_addr(const struct addr_info *a, size_t n, int ifindex,
					 int family, const char *s)
{
	uint8_t want[16];

	if (inet_pton(family, s, want) != 1)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (a[i].ifindex == ifindex && a[i].family == family &&
		    memcmp(a[i].addr, want, family == AF_INET ? 4 : 16) == 0)
			return &a[i];
	return NULL;
}

/* A fresh netns: lo only, down, and no address at all (lo gets 127.0.0.1 when it comes up). */
static int test_dump_empty_netns(void)
{
	_cleanup_(tns_done) struct tns t = TNS_INIT;
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	_cleanup_free_ struct link_info *links = NULL;
	_cleanup_free_ struct addr_info *addrs = NULL;
	size_t n_links = 99, n_addrs = 99;

	T_ASSERT_OK(tns_create(&t, "dump0"));
	T_ASSERT_OK(nlk_open_in(t.fd, &nl));
	T_ASSERT_OK(link_list(nl, &links, &n_links));
	T_ASSERT(n_links == 1);
	T_ASSERT_STREQ(links[0].name, "lo");
	T_ASSERT(!links[0].up && !links[0].lower_up);
	T_ASSERT_STREQ(links[0].kind, "");
	T_ASSERT_STREQ(links[0].master, "");
	T_ASSERT(links[0].has_mac && memcmp(links[0].mac, "\0\0\0\0\0\0", 6) == 0);
	T_ASSERT(links[0].mtu == 65536);
	T_ASSERT_OK(addr_list(nl, AF_UNSPEC, &addrs, &n_addrs));
	T_ASSERT(n_addrs == 0 && addrs == NULL);
	return 0;
}

static int test_dump_links_addrs(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x42 };
	struct link_spec br = { .name = "dbr0", .netns_fd = -1 };
	struct link_spec a = {
		.name = "d0", .netns_fd = -1, .mtu = 1400, .mac = mac, .alias = "nsctl:lab:d0"
	};
	struct link_spec b = { .name = "d1", .netns_fd = -1, .no_ipv6_ll = true };
	const struct link_info *lo = NULL, *d0 = NULL, *d1 = NULL, *dbr = NULL;
	const struct addr_info *x;
	struct in_addr v4;
	struct in6_addr v6;
	char out[16384];
	size_t n_links = 0, n_addrs = 0;
	bool ll = false;

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(link_add_bridge(nl, &br));
	T_ASSERT_OK(link_add_veth(nl, &a, &b));
	T_ASSERT_OK(link_set_master(nl, "d1", "dbr0"));
	T_ASSERT_OK(ip4("192.0.2.5", &v4));
	T_ASSERT_OK(ip6("2001:db8::5", &v6));
	T_ASSERT_OK(addr_add(nl, "d0", AF_INET, &v4, 24));
	T_ASSERT_OK(addr_add(nl, "d0", AF_INET6, &v6, 64));
	T_ASSERT_OK(link_set_up(nl, "lo"));
	T_ASSERT_OK(link_set_up(nl, "d0"));
	T_ASSERT_OK(link_set_up(nl, "d1"));

	/* Operational state and d0's fe80:: address follow carrier asynchronously (linkwatch,
	 * then addrconf's NETDEV_CHANGE): wait up to 3 s for both. */
	for (int i = 0; i < 30; i++) {
		_cleanup_free_ struct link_info *links = NULL;
		_cleanup_free_ struct addr_info *addrs = NULL;

		T_ASSERT_OK(link_list(nl, &links, &n_links));
		T_ASSERT_OK(addr_list(nl, AF_UNSPEC, &addrs, &n_addrs));
		d0 = find_link(links, n_links, "d0");
		T_ASSERT(d0);
		ll = false;
		for (size_t j = 0; j < n_addrs; j++)
			if (addrs[j].ifindex == d0->ifindex && addrs[j].family == AF_INET6 &&
			    addrs[j].link_local && addrs[j].addr[0] == 0xfe &&
			    addrs[j].addr[1] == 0x80)
				ll = true;
		if (d0->oper_state == IF_OPER_UP && ll)
			break;
		usleep(100 * 1000);
	}
	T_ASSERT(ll);

	{
		_cleanup_free_ struct link_info *links = NULL;
		_cleanup_free_ struct addr_info *addrs = NULL, *v4only = NULL, *v6only = NULL;
		size_t n4 = 0, n6 = 0;

		T_ASSERT_OK(link_list(nl, &links, &n_links));
		T_ASSERT(t_sh(out, sizeof(out), "ip -j link show") == 0);
		T_ASSERT((int)n_links == count_links(out));
		for (size_t i = 1; i < n_links; i++)
			T_ASSERT(links[i - 1].ifindex < links[i].ifindex);

		lo = find_link(links, n_links, "lo");
		d0 = find_link(links, n_links, "d0");
		d1 = find_link(links, n_links, "d1");
		dbr = find_link(links, n_links, "dbr0");
		T_ASSERT(lo && d0 && d1 && dbr);
		T_ASSERT(d0->ifindex == link_get_ifindex(nl, "d0"));
		T_ASSERT(dbr->ifindex == link_get_ifindex(nl, "dbr0"));

		T_ASSERT(lo->up && lo->lower_up && lo->oper_state == IF_OPER_UNKNOWN);
		T_ASSERT_STREQ(lo->kind, "");

		T_ASSERT_STREQ(d0->kind, "veth");
		T_ASSERT(d0->mtu == 1400);
		T_ASSERT(d0->has_mac && memcmp(d0->mac, mac, 6) == 0);
		T_ASSERT_STREQ(d0->alias, "nsctl:lab:d0");
		T_ASSERT(d0->up && d0->lower_up && d0->oper_state == IF_OPER_UP);
		T_ASSERT_STREQ(d0->master, "");

		T_ASSERT_STREQ(d1->kind, "veth");
		T_ASSERT_STREQ(d1->master, "dbr0");
		T_ASSERT_STREQ(d1->alias, "");
		T_ASSERT(d1->up && d1->lower_up);
		T_ASSERT(d1->mtu == 1500); /* the MTU of a link_spec is its own end's only */

		T_ASSERT_STREQ(dbr->kind, "bridge");
		T_ASSERT(!dbr->up && !dbr->lower_up && dbr->oper_state == IF_OPER_DOWN);
		T_ASSERT_STREQ(dbr->master, "");

		T_ASSERT_OK(addr_list(nl, AF_UNSPEC, &addrs, &n_addrs));
		x = find_addr(addrs, n_addrs, d0->ifindex, AF_INET, "192.0.2.5");
		T_ASSERT(x && x->prefixlen == 24 && !x->link_local && !x->tentative);
		x = find_addr(addrs, n_addrs, d0->ifindex, AF_INET6, "2001:db8::5");
		T_ASSERT(x && x->prefixlen == 64 && !x->link_local && !x->tentative); /* NODAD */
		x = find_addr(addrs, n_addrs, lo->ifindex, AF_INET, "127.0.0.1");
		T_ASSERT(x && x->prefixlen == 8 && !x->link_local);
		x = find_addr(addrs, n_addrs, lo->ifindex, AF_INET6, "::1");
		T_ASSERT(x && x->prefixlen == 128);
		for (size_t i = 0; i < n_addrs; i++) /* no_ipv6_ll: no address at all */
			T_ASSERT(addrs[i].ifindex != d1->ifindex &&
				 addrs[i].ifindex != dbr->ifindex);
		/* Same count as ip's witness: one "local" per address. */
		T_ASSERT(t_sh(out, sizeof(out), "ip -j addr show | grep -o '\"local\"' | wc -l") ==
			 0);
		T_ASSERT((size_t)atoi(out) == n_addrs);

		T_ASSERT_OK(addr_list(nl, AF_INET, &v4only, &n4));
		T_ASSERT_OK(addr_list(nl, AF_INET6, &v6only, &n6));
		T_ASSERT(n4 == 2 && n4 + n6 == n_addrs);
		for (size_t i = 0; i < n4; i++)
			T_ASSERT(v4only[i].family == AF_INET);
		for (size_t i = 0; i < n6; i++)
			T_ASSERT(v6only[i].family == AF_INET6);
		T_ASSERT_ERR(addr_list(nl, AF_PACKET, &v4only, &n4), -EINVAL);
	}
	return 0;
}

/* Enough links and addresses that each dump spans many datagrams (multipart). */
static int test_dump_multipart(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	_cleanup_free_ struct link_info *links = NULL;
	_cleanup_free_ struct addr_info *addrs = NULL;
	struct link_spec a = { .netns_fd = -1, .no_ipv6_ll = true };
	struct link_spec b = { .netns_fd = -1, .no_ipv6_ll = true };
	char an[IFNAMSIZ], bn[IFNAMSIZ];
	size_t n_links = 0, n_addrs = 0, n_v4 = 0;
	int ifindex;

	T_ASSERT_OK(nlk_open(&nl));
	for (int i = 0; i < 100; i++) {
		snprintf(an, sizeof(an), "m%da", i);
		snprintf(bn, sizeof(bn), "m%db", i);
		a.name = an;
		b.name = bn;
		T_ASSERT_OK(link_add_veth(nl, &a, &b));
	}
	for (int i = 0; i < 500; i++) {
		struct in_addr v4 = { htonl(0x0a000000u | (uint32_t)(i + 1)) };

		T_ASSERT_OK(addr_add(nl, "m7a", AF_INET, &v4, 32));
	}
	T_ASSERT_OK(link_list(nl, &links, &n_links));
	T_ASSERT(n_links == 201);
	for (int i = 0; i < 100; i++) {
		snprintf(an, sizeof(an), "m%da", i);
		T_ASSERT(find_link(links, n_links, an));
		T_ASSERT_STREQ(find_link(links, n_links, an)->kind, "veth");
	}
	ifindex = link_get_ifindex(nl, "m7a");
	T_ASSERT_OK(addr_list(nl, AF_INET, &addrs, &n_addrs));
	T_ASSERT(n_addrs == 500);
	for (size_t i = 0; i < n_addrs; i++)
		if (addrs[i].ifindex == ifindex && addrs[i].prefixlen == 32)
			n_v4++;
	T_ASSERT(n_v4 == 500);
	T_ASSERT(find_addr(addrs, n_addrs, ifindex, AF_INET, "10.0.1.244")); /* the 500th */
	return 0;
}

static int test_link_set_mtu(void)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	_cleanup_free_ struct link_info *links = NULL;
	struct link_spec a = { .name = "u0", .netns_fd = -1 };
	struct link_spec b = { .name = "u1", .netns_fd = -1 };
	size_t n = 0;
	char out[8192];

	T_ASSERT_OK(nlk_open(&nl));
	T_ASSERT_OK(link_add_veth(nl, &a, &b));
	T_ASSERT_OK(link_set_mtu(nl, "u0", 1300));
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show u0") == 0);
	T_ASSERT_CONTAINS(out, "\"mtu\":1300,");
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show u1") == 0);
	T_ASSERT_LACKS(out, "\"mtu\":1300,"); /* the peer keeps its own */

	/* lo, as the executor sets it: MTU first, then up. */
	T_ASSERT_OK(link_set_mtu(nl, "lo", 9000));
	T_ASSERT_OK(link_set_up(nl, "lo"));
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show lo") == 0);
	T_ASSERT_CONTAINS(out, "\"mtu\":9000,");
	T_ASSERT_CONTAINS(out, "\"UP\"");

	T_ASSERT_OK(link_list(nl, &links, &n));
	T_ASSERT(find_link(links, n, "u0")->mtu == 1300);
	T_ASSERT(find_link(links, n, "lo")->mtu == 9000);

	T_ASSERT_ERR(link_set_mtu(nl, "nosuch", 1500), -ENODEV);
	T_ASSERT_ERR(link_set_mtu(nl, "u0", 0), -EINVAL);
	T_ASSERT_ERR(link_set_mtu(nl, "u0", 10), -EINVAL); /* below ETH_MIN_MTU (68) */
	T_ASSERT_ERR(link_set_mtu(nl, "", 1500), -EINVAL);
	T_ASSERT(t_sh(out, sizeof(out), "ip -j link show u0") == 0);
	T_ASSERT_CONTAINS(out, "\"mtu\":1300,");
	return 0;
}

static int test_no_leftovers(void)
{
	T_ASSERT(t_netns_leftovers(prefix) == 0);
	return 0;
}

static const struct t_case cases[] = {
	{ "nle: libnl errors map to errno", test_nle_map, 0 },
	{ "netem: TCA_OPTIONS encoding (latency64, rate64, probabilities)", test_netem_encoding,
	  0 },
	{ "sysctl: key validation and read", test_sysctl_keys, T_NETNS },
	{ "netns: create, open, exists, delete; caller stays in its netns", test_netns_lifecycle,
	  T_NETNS },
	{ "nlk_open_in: handle works in the target netns", test_open_in, T_NETNS },
	{ "veth: ends created directly in two named namespaces", test_veth_two_namespaces,
	  T_NETNS },
	{ "veth: a name taken in the sender's netns is no clash", test_veth_name_in_sender_netns,
	  T_NETNS },
	{ "veth: duplicate names give -EEXIST and leave nothing", test_veth_duplicate, T_NETNS },
	{ "extack: kernel text kept for a refused request", test_extack_text, T_NETNS },
	{ "bridge: port attach, bad master -ENODEV, stale cache", test_bridge_ports, T_NETNS },
	{ "dummy: created with MTU and alias", test_dummy, T_NETNS },
	{ "link: MTU, MAC, alias at creation; alias read; up", test_link_attrs, T_NETNS },
	{ "addr: IPv4 with broadcast, IPv6 not tentative, idempotent delete", test_addresses,
	  T_NETNS },
	{ "link: no_ipv6_ll leaves no fe80:: address", test_no_ipv6_ll, T_NETNS },
	{ "route: default and prefix, IPv4/IPv6, via gateway and on-link", test_routes, T_NETNS },
	{ "sysctl: write and read inside a netns, caller's value unchanged", test_sysctl_in_netns,
	  T_NETNS },
	{ "netem: root qdisc visible in tc, deleted", test_netem, T_NETNS },
	{ "qdisc: deleting the default root qdisc is a no-op", test_qdisc_del_idempotent, T_NETNS },
	{ "delete: link_del and netns_delete twice, second returns 0", test_deletes_idempotent,
	  T_NETNS },
	{ "cache: a stale ifindex is looked up again", test_stale_ifindex, T_NETNS },
	{ "ping: two namespaces joined by a veth, IPv4 and IPv6", test_ping, T_NETNS },
	{ "dump: fresh netns lists lo only and no address", test_dump_empty_netns, T_NETNS },
	{ "dump: links (kind, flags, MTU, MAC, alias, master) and addresses", test_dump_links_addrs,
	  T_NETNS },
	{ "dump: 201 links and 500 addresses span a multipart answer", test_dump_multipart,
	  T_NETNS },
	{ "link: set MTU of a veth and lo; errors", test_link_set_mtu, T_NETNS },
	{ "cleanup: nothing left in /run/netns with our prefix", test_no_leftovers, 0 },
};

int main(int argc, char **argv)
{
	int r;

	snprintf(prefix, sizeof(prefix), "nltest%d-", (int)getpid());
	r = t_run("integ-netlink", cases, ELEMENTSOF(cases), argc, argv);
	/* Backstop for cases killed before their cleanup ran (alarm, crash): their mounts died with
	 * their mount namespace, only the files remain. */
	t_netns_sweep(prefix);
	/* /run/netns itself stays, as `ip netns` leaves it: others may be using it right now. */
	return r;
}
