/* SPDX-License-Identifier: MIT */
/* Unicast routes in the main table, through libnl-route's rtnl_route. */
#include <linux/rtnetlink.h>

#include "netlink/nl-internal.h"

struct route_req {
	const struct route_spec *r;
	bool add;
};

static int route_spec_valid(const struct route_spec *r)
{
	size_t len = r ? family_addr_len(r->family) : 0;

	if (!len || r->dst_len > len * 8 || (!r->dst && r->dst_len) || (!r->gw && !r->dev))
		return -EINVAL;
	if (r->dev)
		return ifname_valid(r->dev);
	return 0;
}

/* @ifindex is 0 when the spec names no device. */
static int route_build(int ifindex, const void *ctx, struct nl_msg **ret)
{
	const struct route_req *q = ctx;
	const struct route_spec *r = q->r;
	_cleanup_(rtnl_route_putp) struct rtnl_route *route = NULL;
	_cleanup_(rtnl_route_nh_freep) struct rtnl_nexthop *nh = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *dst = NULL, *gw = NULL;
	size_t len = family_addr_len(r->family);
	int e;

	route = rtnl_route_alloc(); /* table main, protocol static, type unicast */
	nh = rtnl_route_nh_alloc();
	/* A default route is an empty RTA_DST (omitted), as `ip route add default` sends. */
	dst = r->dst ? nl_addr_build(r->family, r->dst, len) : nl_addr_build(r->family, NULL, 0);
	if (!route || !nh || !dst)
		return -ENOMEM;
	nl_addr_set_prefixlen(dst, (int)r->dst_len);

	e = rtnl_route_set_family(route, (uint8_t)r->family);
	if (e >= 0)
		e = rtnl_route_set_dst(route, dst);
	if (e < 0)
		return nlk_errno_from_nle(e);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	if (r->metric)
		rtnl_route_set_priority(route, r->metric);
	/* Scope is left to libnl's guess (universe with a gateway, link without), the same rule
	 * iproute2 uses, so a delete matches the scope its add chose (fib_table_delete() compares
	 * it for IPv4). */

	if (r->gw) {
		gw = nl_addr_build(r->family, r->gw, len);
		if (!gw)
			return -ENOMEM;
		rtnl_route_nh_set_gateway(nh, gw);
	}
	if (ifindex > 0)
		rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(route, TAKE_PTR(nh)); /* @route owns it now */

	e = q->add ? rtnl_route_build_add_request(route, NLM_F_EXCL, ret)
		   : rtnl_route_build_del_request(route, 0, ret);
	return e < 0 ? nlk_errno_from_nle(e) : 0;
}

static int route_do(struct nlk *nl, const struct route_spec *r, bool add)
{
	struct route_req q = { r, add };
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	int e;

	if (r->dev)
		return nlk_call_on_link(nl, r->dev, route_build, &q);
	e = route_build(0, &q, &msg);
	if (e < 0)
		return e;
	return nlk_call(nl, msg, NULL, NULL);
}

int route_add(struct nlk *nl, const struct route_spec *r)
{
	int e;

	e = route_spec_valid(r);
	if (e < 0)
		return e;
	return route_do(nl, r, true);
}

int route_del(struct nlk *nl, const struct route_spec *r)
{
	int e;

	e = route_spec_valid(r);
	if (e < 0)
		return e;
	e = route_do(nl, r, false);
	/* No such route (ESRCH; ENOENT for a missing table), or its device is gone and took it
	 * along (ENODEV): undo is idempotent. */
	if (e == -ESRCH || e == -ENOENT || e == -ENODEV)
		return 0;
	return e < 0 ? e : 1;
}
