/* SPDX-License-Identifier: MIT */
/* Links: veth/bridge/dummy creation, master, up, alias, delete, and name -> ifindex lookups.
 *
 * Requests are built field by field with libnl's message API rather than through rtnl_link
 * objects: libnl's veth peer encoder (rtnl_link_fill_info) has no IFLA_AF_SPEC, and name-based
 * RTM_SETLINK/RTM_DELLINK need no object (and no cache) at all. */
#include <linux/if_link.h>
#include <linux/veth.h>
#include <net/ethernet.h>
#include <stdlib.h>
#include <string.h>

#include "netlink/nl-internal.h"

int ifname_valid(const char *ifname)
{
	if (!ifname || !*ifname || strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		return -EINVAL;
	return 0;
}

/* ---- lookups and the ifindex cache ---- */

struct link_answer {
	int ifindex;
	char alias[IFALIASZ];
};

static int link_answer_parse(struct nlmsghdr *nlh, void *userdata)
{
	static const struct nla_policy policy[IFLA_MAX + 1] = {
		[IFLA_IFALIAS] = { .type = NLA_STRING },
	};
	struct link_answer *info = userdata;
	struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;
	int r;

	r = nlk_parse_reply(nlh, RTM_NEWLINK, sizeof(*ifi), tb, IFLA_MAX, policy);
	if (r <= 0)
		return r;
	ifi = nlmsg_data(nlh);
	info->ifindex = ifi->ifi_index;
	if (tb[IFLA_IFALIAS])
		nla_strlcpy(info->alias, tb[IFLA_IFALIAS], sizeof(info->alias));
	return 0;
}

/* Builds an rtnetlink link request: the ifinfomsg @ifi (zeroed if NULL) and, if given,
 * IFLA_IFNAME, by which the kernel finds the device when ifi_index is 0. */
static int link_msg_new(int type, int flags, const struct ifinfomsg *ifi, const char *ifname,
			struct nl_msg **ret)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	struct ifinfomsg hdr = { .ifi_family = AF_UNSPEC };

	if (ifi)
		hdr = *ifi;
	msg = nlmsg_alloc_simple(type, flags);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &hdr, sizeof(hdr), NLMSG_ALIGNTO) < 0 ||
	    (ifname && nla_put_string(msg, IFLA_IFNAME, ifname) < 0))
		return -EMSGSIZE;
	*ret = TAKE_PTR(msg);
	return 0;
}

/* One RTM_GETLINK by name; the reply skips statistics, which are most of its size. */
static int link_query(struct nlk *nl, const char *ifname, struct link_answer *ret)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	struct link_answer info = { 0 };
	int r;

	r = ifname_valid(ifname);
	if (r < 0)
		return r;
	r = link_msg_new(RTM_GETLINK, 0, NULL, ifname, &msg);
	if (r < 0)
		return r;
	if (nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
		return -EMSGSIZE;
	r = nlk_call(nl, msg, link_answer_parse, &info);
	if (r < 0)
		return r;
	if (info.ifindex <= 0)
		return -EBADMSG; /* ACKed without an answer */
	*ret = info;
	return 0;
}

static struct nlk_ifindex_entry *ifindex_cache_find(struct nlk *nl, const char *ifname)
{
	for (size_t i = 0; i < nl->n_ifindex_cache; i++)
		if (streq(nl->ifindex_cache[i].name, ifname))
			return &nl->ifindex_cache[i];
	return NULL;
}

void nlk_ifindex_forget(struct nlk *nl, const char *ifname)
{
	struct nlk_ifindex_entry *e = ifname ? ifindex_cache_find(nl, ifname) : NULL;

	if (!e)
		return;
	/* Order does not matter: move the last entry into the hole. */
	*e = nl->ifindex_cache[--nl->n_ifindex_cache];
}

int nlk_ifindex(struct nlk *nl, const char *ifname, bool *ret_cached)
{
	struct nlk_ifindex_entry *e;
	struct link_answer info;
	int r;

	r = ifname_valid(ifname);
	if (r < 0)
		return r;
	e = ifindex_cache_find(nl, ifname);
	if (e) {
		if (ret_cached)
			*ret_cached = true;
		return e->ifindex;
	}
	r = link_query(nl, ifname, &info);
	if (r < 0)
		return r;
	/* Out of memory for the cache costs a lookup next time, nothing more. */
	e = grow_one(&nl->ifindex_cache, &nl->n_ifindex_cache, sizeof(*e));
	if (e) {
		snprintf(e->name, sizeof(e->name), "%s", ifname);
		e->ifindex = info.ifindex;
	}
	if (ret_cached)
		*ret_cached = false;
	return info.ifindex;
}

int nlk_call_on_link(struct nlk *nl, const char *ifname, nlk_build_fn build, const void *ctx)
{
	for (int attempt = 0;; attempt++) {
		_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
		bool cached = false;
		int ifindex, r;

		ifindex = nlk_ifindex(nl, ifname, &cached);
		if (ifindex < 0)
			return ifindex;
		r = build(ifindex, ctx, &msg);
		if (r < 0)
			return r;
		r = nlk_call(nl, msg, NULL, NULL);
		if (r != -ENODEV || !cached || attempt > 0)
			return r;
		/* The link we remembered is gone; the name may belong to a new one now. */
		nlk_ifindex_forget(nl, ifname);
	}
}

int link_get_ifindex(struct nlk *nl, const char *ifname)
{
	return nlk_ifindex(nl, ifname, NULL);
}

int link_exists(struct nlk *nl, const char *ifname)
{
	struct link_answer info;
	int r;

	r = link_query(nl, ifname, &info);
	if (r == -ENODEV)
		return 0;
	return r < 0 ? r : 1;
}

int link_get_alias(struct nlk *nl, const char *ifname, char *buf, size_t len)
{
	struct link_answer info;
	size_t n;
	int r;

	r = link_query(nl, ifname, &info);
	if (r < 0)
		return r;
	n = strlen(info.alias);
	if (n >= len)
		return -ERANGE;
	memcpy(buf, info.alias, n + 1);
	return (int)n;
}

/* ---- creation ---- */

/* Starts a container attribute that holds a fixed header before its attributes (VETH_INFO_PEER,
 * TCA_OPTIONS of netem). iproute2 sends these without NLA_F_NESTED, which libnl sets, and the
 * kernel's policies do not call them nested; send them the same way. */
static struct nlattr *nest_start_plain(struct nl_msg *msg, int type)
{
	struct nlattr *nla = nla_nest_start(msg, type);

	if (nla)
		nla->nla_type &= ~NLA_F_NESTED;
	return nla;
}

static int spec_valid(const struct link_spec *s)
{
	if (!s)
		return -EINVAL;
	if (s->alias && strlen(s->alias) >= IFALIASZ)
		return -EINVAL;
	return ifname_valid(s->name);
}

/* The attributes the kernel applies while it creates a device (rtnl_create_link()): netns, MTU,
 * MAC. IFLA_NET_NS_FD pointing at the sender's own netns is harmless. */
static int put_create_attrs(struct nl_msg *msg, const struct link_spec *s)
{
	if ((s->netns_fd >= 0 && nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)s->netns_fd) < 0) ||
	    (s->mtu && nla_put_u32(msg, IFLA_MTU, s->mtu) < 0) ||
	    (s->mac && nla_put(msg, IFLA_ADDRESS, ETH_ALEN, s->mac) < 0))
		return -EMSGSIZE;
	return 0;
}

static int put_alias(struct nl_msg *msg, const char *alias)
{
	/* Without the NUL, as iproute2 sends it; a length of 0 clears the alias. */
	size_t n = alias ? strlen(alias) : 0;

	if (n >= IFALIASZ)
		return -EINVAL;
	return nla_put(msg, IFLA_IFALIAS, (int)n, alias) < 0 ? -EMSGSIZE : 0;
}

/* Applies what a create request cannot carry, from a handle @h inside the device's netns:
 * - IFLA_IFALIAS is silently ignored by rtnl_create_link();
 * - IFLA_AF_SPEC in RTM_NEWLINK with NLM_F_CREATE fails with EAFNOSUPPORT (seen on 6.18 for
 *   veth and bridge alike, also via `ip link add ... addrgenmode none`).
 * Both are fine right after creation: the device is still down, and IPv6 generates its
 * link-local address only when the device comes up (addrconf_notify(NETDEV_UP)). */
static int link_finish(struct nlk *h, const struct link_spec *s)
{
	bool want_alias = s->alias && *s->alias;
	bool want_no_ll = s->no_ipv6_ll;

	while (want_alias || want_no_ll) {
		_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
		struct nlattr *af, *in6;
		int r;

		r = link_msg_new(RTM_SETLINK, 0, NULL, s->name, &msg);
		if (r < 0)
			return r;
		if (want_alias) {
			r = put_alias(msg, s->alias);
			if (r < 0)
				return r;
		}
		if (want_no_ll) {
			af = nla_nest_start(msg, IFLA_AF_SPEC);
			in6 = af ? nla_nest_start(msg, AF_INET6) : NULL;
			if (!in6 ||
			    nla_put_u8(msg, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE) < 0 ||
			    nla_nest_end(msg, in6) < 0 || nla_nest_end(msg, af) < 0)
				return -EMSGSIZE;
		}
		r = nlk_call(h, msg, NULL, NULL);
		if (r == -EAFNOSUPPORT && want_no_ll) {
			/* No IPv6 on this device (IPv6 disabled in the kernel, or an MTU below
			 * 1280): there is no link-local to suppress. The request was refused as
			 * a whole, so send the alias again on its own. */
			want_no_ll = false;
			continue;
		}
		return r;
	}
	return 0;
}

/* Finds a handle inside @s's netns: @nl, @s->nl, or a temporary one returned in *@tmp (the
 * caller frees it). */
static int spec_handle(struct nlk *nl, const struct link_spec *s, struct nlk **tmp,
		       struct nlk **ret)
{
	int r;

	r = nlk_owns_netns(nl, s->netns_fd);
	if (r < 0)
		return r;
	if (r > 0) {
		*ret = nl;
		return 0;
	}
	if (s->nl) {
		*ret = s->nl;
		return 0;
	}
	if (!*tmp) {
		r = nlk_open_in(s->netns_fd, tmp);
		if (r < 0)
			return r;
	}
	*ret = *tmp;
	return 0;
}

/* Undo after a failed follow-up: the device exists in @h's netns under @name. Deleting one veth
 * end deletes the pair. */
static void link_undo_create(struct nlk *h, struct nlk *nl, const char *name)
{
	char extack[NLK_EXTACK_MAX];

	/* Keep the text of the failure, not of the cleanup. */
	memcpy(extack, h->extack, sizeof(extack));
	(void)link_del(h, name);
	memcpy(h->extack, extack, sizeof(extack));
	nlk_copy_extack(nl, h);
}

/* Runs link_finish() for both ends of a new veth pair sent from @ha (in @a's netns). On failure
 * the kernel's text ends up in @ha. */
static int veth_finish(struct nlk *ha, const struct link_spec *a, const struct link_spec *b)
{
	_cleanup_(nlk_freep) struct nlk *tmp_b = NULL;
	struct nlk *hb = NULL;
	int r;

	r = link_finish(ha, a);
	if (r < 0 || (!b->alias && !b->no_ipv6_ll))
		return r;
	/* @b->netns_fd == -1 is @nl's netns, which is @ha's whenever @b can be -1 (see the swap
	 * in link_add_veth()). */
	r = spec_handle(ha, b, &tmp_b, &hb);
	if (r < 0)
		return r;
	r = link_finish(hb, b);
	if (r < 0)
		nlk_copy_extack(ha, hb);
	return r;
}

int link_add_veth(struct nlk *nl, const struct link_spec *a, const struct link_spec *b)
{
	_cleanup_(nlk_freep) struct nlk *tmp_a = NULL;
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	struct nlattr *linkinfo, *data, *peer;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlk *ha = NULL;
	int r;

	if (spec_valid(a) < 0 || spec_valid(b) < 0)
		return -EINVAL;

	/* rtnl_newlink() first looks the new name up in the *sending socket's* netns and treats a
	 * hit as "modify that device" (-EEXIST with NLM_F_EXCL), even when IFLA_NET_NS_FD says
	 * the device belongs elsewhere. So the request must leave from the netns of the end it
	 * names: @nl's if one end lives there (veth is symmetric, so swap if it is @b), else a
	 * handle in @a's netns. The peer's name is only checked in the peer's own netns. */
	r = nlk_owns_netns(nl, a->netns_fd);
	if (r < 0)
		return r;
	if (r == 0) {
		r = nlk_owns_netns(nl, b->netns_fd);
		if (r < 0)
			return r;
		if (r > 0 || (!a->nl && b->nl)) {
			const struct link_spec *t = a;

			a = b;
			b = t;
		}
	}
	r = spec_handle(nl, a, &tmp_a, &ha);
	if (r < 0)
		return r;

	r = link_msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, a->name, &msg);
	if (r < 0)
		return r;
	r = put_create_attrs(msg, a);
	if (r < 0)
		return r;
	linkinfo = nla_nest_start(msg, IFLA_LINKINFO);
	if (!linkinfo || nla_put_string(msg, IFLA_INFO_KIND, "veth") < 0)
		return -EMSGSIZE;
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	peer = data ? nest_start_plain(msg, VETH_INFO_PEER) : NULL;
	if (!peer || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, b->name) < 0)
		return -EMSGSIZE;
	r = put_create_attrs(msg, b);
	if (r < 0)
		return r;
	if (nla_nest_end(msg, peer) < 0 || nla_nest_end(msg, data) < 0 ||
	    nla_nest_end(msg, linkinfo) < 0)
		return -EMSGSIZE;

	r = nlk_call(ha, msg, NULL, NULL);
	nlk_copy_extack(nl, ha);
	if (r < 0)
		return r;
	/* Names we may have cached as other, now deleted, links. */
	nlk_ifindex_forget(ha, a->name);
	nlk_ifindex_forget(ha, b->name);
	nlk_ifindex_forget(nl, a->name);
	nlk_ifindex_forget(nl, b->name);

	r = veth_finish(ha, a, b);
	if (r < 0) {
		link_undo_create(ha, nl, a->name);
		return r;
	}
	return 0;
}

static int link_add_kind(struct nlk *nl, const struct link_spec *s, const char *kind)
{
	_cleanup_(nlk_freep) struct nlk *tmp = NULL;
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	struct nlattr *linkinfo;
	struct nlk *h = NULL;
	int r;

	r = spec_valid(s);
	if (r < 0)
		return r;
	/* Sent from inside the target netns, for the name lookup reason in link_add_veth(). */
	r = spec_handle(nl, s, &tmp, &h);
	if (r < 0)
		return r;

	r = link_msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, NULL, s->name, &msg);
	if (r < 0)
		return r;
	r = put_create_attrs(msg, s);
	if (r < 0)
		return r;
	linkinfo = nla_nest_start(msg, IFLA_LINKINFO);
	if (!linkinfo || nla_put_string(msg, IFLA_INFO_KIND, kind) < 0 ||
	    nla_nest_end(msg, linkinfo) < 0)
		return -EMSGSIZE;

	r = nlk_call(h, msg, NULL, NULL);
	nlk_copy_extack(nl, h);
	if (r < 0)
		return r;
	nlk_ifindex_forget(h, s->name);

	r = link_finish(h, s);
	if (r < 0) {
		link_undo_create(h, nl, s->name);
		return r;
	}
	return 0;
}

int link_add_bridge(struct nlk *nl, const struct link_spec *br)
{
	return link_add_kind(nl, br, "bridge");
}

int link_add_dummy(struct nlk *nl, const struct link_spec *d)
{
	return link_add_kind(nl, d, "dummy");
}

/* ---- changes ---- */

int link_set_master(struct nlk *nl, const char *ifname, const char *master)
{
	int r;

	r = ifname_valid(ifname);
	if (r < 0)
		return r;

	for (int attempt = 0;; attempt++) {
		_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
		bool cached = false;
		int master_index = 0;

		if (master) {
			master_index = nlk_ifindex(nl, master, &cached);
			if (master_index < 0)
				return master_index;
		}
		r = link_msg_new(RTM_SETLINK, 0, NULL, ifname, &msg);
		if (r < 0)
			return r;
		if (nla_put_u32(msg, IFLA_MASTER, (uint32_t)master_index) < 0)
			return -EMSGSIZE;
		r = nlk_call(nl, msg, NULL, NULL);
		/* do_set_master() answers an unknown master index with EINVAL, not ENODEV. */
		if (r != -EINVAL || !cached || attempt > 0)
			return r;
		nlk_ifindex_forget(nl, master);
	}
}

int link_set_up(struct nlk *nl, const char *ifname)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	int r;

	r = ifname_valid(ifname);
	if (r < 0)
		return r;
	r = link_msg_new(RTM_SETLINK, 0, &ifi, ifname, &msg);
	if (r < 0)
		return r;
	return nlk_call(nl, msg, NULL, NULL);
}

int link_set_mtu(struct nlk *nl, const char *ifname, unsigned mtu)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	int r;

	r = ifname_valid(ifname);
	if (r < 0)
		return r;
	if (mtu == 0)
		return -EINVAL; /* 0 means "kernel default" elsewhere; there is no such request */
	r = link_msg_new(RTM_SETLINK, 0, NULL, ifname, &msg);
	if (r < 0)
		return r;
	if (nla_put_u32(msg, IFLA_MTU, mtu) < 0)
		return -EMSGSIZE;
	return nlk_call(nl, msg, NULL, NULL);
}

int link_set_alias(struct nlk *nl, const char *ifname, const char *alias)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	int r;

	r = ifname_valid(ifname);
	if (r < 0)
		return r;
	r = link_msg_new(RTM_SETLINK, 0, NULL, ifname, &msg);
	if (r < 0)
		return r;
	r = put_alias(msg, alias);
	if (r < 0)
		return r;
	return nlk_call(nl, msg, NULL, NULL);
}

int link_del(struct nlk *nl, const char *ifname)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	int r;

	r = ifname_valid(ifname);
	if (r < 0)
		return r;
	r = link_msg_new(RTM_DELLINK, 0, NULL, ifname, &msg);
	if (r < 0)
		return r;
	nlk_ifindex_forget(nl, ifname);
	r = nlk_call(nl, msg, NULL, NULL);
	if (r == -ENODEV) /* already gone: undo is idempotent */
		return 0;
	return r < 0 ? r : 1;
}
