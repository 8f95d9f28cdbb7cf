/* SPDX-License-Identifier: MIT */
/* Dumps: every link and every address of a handle's netns, each in one RTM_GET* dump request,
 * as plain C arrays (for `nsctl status` and the tests). The dump goes through nlk_call(): the
 * kernel ends it with NLMSG_DONE instead of an ACK (a dump request is never ACKed, see
 * netlink_rcv_skb()), and libnl hands each part of the multipart answer to our parser. */
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <net/ethernet.h>
#include <stdlib.h>
#include <string.h>

#include "netlink/nl-internal.h"

/* The kernel marks a dump NLM_F_DUMP_INTR when the list changed while it was being sent (it
 * may then hold duplicates or miss entries); start over this many times before giving up. */
#define DUMP_ATTEMPTS 5

/* Sends the dump request @type with the header @hdr of @hdrlen bytes (and @ext_mask as
 * IFLA_EXT_MASK if non-zero), passing every answer to @parse. @reset runs before each attempt
 * so that an interrupted dump leaves nothing behind. */
static int dump_run(struct nlk *nl, int type, const void *hdr, size_t hdrlen, uint32_t ext_mask,
		    nlk_parse_fn parse, void (*reset)(void *userdata), void *userdata)
{
	int r = -EAGAIN;

	for (int attempt = 0; attempt < DUMP_ATTEMPTS && r == -EAGAIN; attempt++) {
		_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;

		reset(userdata);
		msg = nlmsg_alloc_simple(type, NLM_F_DUMP);
		if (!msg)
			return -ENOMEM;
		if (nlmsg_append(msg, (void *)hdr, hdrlen, NLMSG_ALIGNTO) < 0 ||
		    (ext_mask && nla_put_u32(msg, IFLA_EXT_MASK, ext_mask) < 0))
			return -EMSGSIZE;
		/* libnl reads the whole dump before it reports NLE_DUMP_INTR (-EAGAIN here), so
		 * the socket is in step for the next attempt. */
		r = nlk_call(nl, msg, parse, userdata);
	}
	return r;
}

/* ---- links ---- */

struct link_entry {
	struct link_info info;
	int master; /* IFLA_MASTER ifindex, resolved to a name once the dump is complete */
};

struct link_dump {
	struct link_entry *e;
	size_t n;
};

static void link_dump_reset(void *userdata)
{
	struct link_dump *d = userdata;

	free(d->e);
	d->e = NULL;
	d->n = 0;
}

static int link_dump_parse(struct nlmsghdr *nlh, void *userdata)
{
	static const struct nla_policy policy[IFLA_MAX + 1] = {
		[IFLA_IFNAME] = { .type = NLA_STRING },	 [IFLA_MTU] = { .type = NLA_U32 },
		[IFLA_OPERSTATE] = { .type = NLA_U8 },	 [IFLA_MASTER] = { .type = NLA_U32 },
		[IFLA_IFALIAS] = { .type = NLA_STRING }, [IFLA_LINKINFO] = { .type = NLA_NESTED },
	};
	static const struct nla_policy info_policy[IFLA_INFO_MAX + 1] = {
		[IFLA_INFO_KIND] = { .type = NLA_STRING },
	};
	struct link_dump *d = userdata;
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	const struct ifinfomsg *ifi;
	struct link_entry *e;
	int r;

	r = nlk_parse_reply(nlh, RTM_NEWLINK, sizeof(*ifi), tb, IFLA_MAX, policy);
	if (r <= 0)
		return r;
	ifi = nlmsg_data(nlh);
	if (ifi->ifi_index <= 0 || !tb[IFLA_IFNAME])
		return -EBADMSG;

	e = grow_one(&d->e, &d->n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->info.ifindex = ifi->ifi_index;
	e->info.up = ifi->ifi_flags & IFF_UP;
	e->info.lower_up = ifi->ifi_flags & IFF_LOWER_UP;
	nla_strlcpy(e->info.name, tb[IFLA_IFNAME], sizeof(e->info.name));
	if (tb[IFLA_MTU])
		e->info.mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_OPERSTATE])
		e->info.oper_state = nla_get_u8(tb[IFLA_OPERSTATE]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == ETH_ALEN) {
		memcpy(e->info.mac, nla_data(tb[IFLA_ADDRESS]), ETH_ALEN);
		e->info.has_mac = true;
	}
	if (tb[IFLA_IFALIAS])
		nla_strlcpy(e->info.alias, tb[IFLA_IFALIAS], sizeof(e->info.alias));
	if (tb[IFLA_MASTER])
		e->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINKINFO]) {
		r = nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], info_policy);
		if (r < 0)
			return nlk_errno_from_nle(r);
		if (info[IFLA_INFO_KIND])
			nla_strlcpy(e->info.kind, info[IFLA_INFO_KIND], sizeof(e->info.kind));
	}
	return 0;
}

static int link_entry_cmp(const void *a, const void *b)
{
	int x = ((const struct link_entry *)a)->info.ifindex;
	int y = ((const struct link_entry *)b)->info.ifindex;

	return (x > y) - (x < y);
}

int link_list(struct nlk *nl, struct link_info **ret, size_t *ret_n)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_dump d = { 0 };
	struct link_info *out = NULL;
	int r;

	r = dump_run(nl, RTM_GETLINK, &ifi, sizeof(ifi), RTEXT_FILTER_SKIP_STATS, link_dump_parse,
		     link_dump_reset, &d);
	if (r < 0) {
		link_dump_reset(&d);
		return r;
	}
	/* Kernels before 6.x dump by hash bucket, not by index; sort for stable output. */
	if (d.n > 0)
		qsort(d.e, d.n, sizeof(*d.e), link_entry_cmp);
	if (d.n > 0) {
		out = calloc(d.n, sizeof(*out));
		if (!out) {
			link_dump_reset(&d);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < d.n; i++) {
		out[i] = d.e[i].info;
		/* A master in another netns (not the case for anything nsctl builds) has no
		 * name here; leave it empty rather than guess. */
		for (size_t j = 0; d.e[i].master > 0 && j < d.n; j++)
			if (d.e[j].info.ifindex == d.e[i].master) {
				memcpy(out[i].master, d.e[j].info.name, sizeof(out[i].master));
				break;
			}
	}
	*ret_n = d.n;
	link_dump_reset(&d);
	*ret = out;
	return 0;
}

/* ---- addresses ---- */

struct addr_dump {
	int family; /* filter: AF_UNSPEC = AF_INET and AF_INET6 */
	struct addr_info *a;
	size_t n;
};

static void addr_dump_reset(void *userdata)
{
	struct addr_dump *d = userdata;

	free(d->a);
	d->a = NULL;
	d->n = 0;
}

static int addr_dump_parse(struct nlmsghdr *nlh, void *userdata)
{
	static const struct nla_policy policy[IFA_MAX + 1] = {
		[IFA_FLAGS] = { .type = NLA_U32 },
	};
	struct addr_dump *d = userdata;
	struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa;
	const struct nlattr *addr;
	struct addr_info *a;
	uint32_t flags;
	size_t len;
	int r;

	r = nlk_parse_reply(nlh, RTM_NEWADDR, sizeof(*ifa), tb, IFA_MAX, policy);
	if (r <= 0)
		return r;
	ifa = nlmsg_data(nlh);
	len = family_addr_len(ifa->ifa_family);
	if (!len || (d->family != AF_UNSPEC && ifa->ifa_family != d->family))
		return 0;
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's on a
	 * point-to-point link and the same as IFA_LOCAL otherwise. IPv6 sends IFA_LOCAL only
	 * with a peer. iproute2's print_addrinfo() makes the same choice. */
	addr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!addr || (size_t)nla_len(addr) != len || ifa->ifa_prefixlen > len * 8)
		return -EBADMSG;
	/* ifa_flags has 8 bits; IFA_FLAGS (kernel >= 3.14) carries all of them. */
	flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;

	a = grow_one(&d->a, &d->n, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->ifindex = (int)ifa->ifa_index;
	a->family = ifa->ifa_family;
	memcpy(a->addr, nla_data(addr), len);
	a->prefixlen = ifa->ifa_prefixlen;
	a->tentative = flags & IFA_F_TENTATIVE;
	a->link_local = ifa->ifa_scope == RT_SCOPE_LINK;
	return 0;
}

int addr_list(struct nlk *nl, int family, struct addr_info **ret, size_t *ret_n)
{
	/* The kernel filters an address dump by ifa_family (AF_UNSPEC: every family). */
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)family };
	struct addr_dump d = { .family = family };
	int r;

	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		return -EINVAL;
	r = dump_run(nl, RTM_GETADDR, &ifa, sizeof(ifa), 0, addr_dump_parse, addr_dump_reset, &d);
	if (r < 0) {
		addr_dump_reset(&d);
		return r;
	}
	*ret = d.a;
	*ret_n = d.n;
	return 0;
}
