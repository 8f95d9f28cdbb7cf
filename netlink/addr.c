/* SPDX-License-Identifier: MIT */
/* Interface addresses, through libnl-route's rtnl_addr. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <string.h>

#include "netlink/nl-internal.h"

struct addr_req {
	int family;
	const void *addr;
	unsigned prefixlen;
	bool add;
};

static int addr_req_valid(int family, const void *addr, unsigned prefixlen)
{
	size_t len = family_addr_len(family);

	if (!len || !addr || prefixlen > len * 8)
		return -EINVAL;
	return 0;
}

static int addr_build(int ifindex, const void *ctx, struct nl_msg **ret)
{
	const struct addr_req *q = ctx;
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *a = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *local = NULL, *brd = NULL;
	size_t len = family_addr_len(q->family);
	int r;

	a = rtnl_addr_alloc();
	local = nl_addr_build(q->family, q->addr, len);
	if (!a || !local)
		return -ENOMEM;
	nl_addr_set_prefixlen(local, (int)q->prefixlen);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, q->family);
	r = rtnl_addr_set_local(a, local); /* also sets the prefix length */
	if (r < 0)
		return nlk_errno_from_nle(r);

	if (q->add && q->family == AF_INET && q->prefixlen <= 30) {
		/* `ip addr add ... brd +`: host bits all ones. /31 and /32 have no broadcast
		 * address (RFC 3021), as iproute2 decides too. */
		uint32_t host_mask = q->prefixlen ? UINT32_MAX >> q->prefixlen : UINT32_MAX;
		uint32_t b;

		memcpy(&b, q->addr, sizeof(b));
		b |= htonl(host_mask);
		brd = nl_addr_build(AF_INET, &b, sizeof(b));
		if (!brd)
			return -ENOMEM;
		r = rtnl_addr_set_broadcast(a, brd);
		if (r < 0)
			return nlk_errno_from_nle(r);
	}
	/* No duplicate address detection: the address is valid at once instead of "tentative"
	 * for about a second, and a lab has no other owner for it to detect. */
	if (q->add && q->family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);

	r = q->add ? rtnl_addr_build_add_request(a, NLM_F_EXCL, ret)
		   : rtnl_addr_build_delete_request(a, 0, ret);
	return r < 0 ? nlk_errno_from_nle(r) : 0;
}

int addr_add(struct nlk *nl, const char *ifname, int family, const void *addr, unsigned prefixlen)
{
	struct addr_req q = { family, addr, prefixlen, true };
	int r;

	r = addr_req_valid(family, addr, prefixlen);
	if (r < 0)
		return r;
	return nlk_call_on_link(nl, ifname, addr_build, &q);
}

int addr_del(struct nlk *nl, const char *ifname, int family, const void *addr, unsigned prefixlen)
{
	struct addr_req q = { family, addr, prefixlen, false };
	int r;

	r = addr_req_valid(family, addr, prefixlen);
	if (r < 0)
		return r;
	r = nlk_call_on_link(nl, ifname, addr_build, &q);
	/* Not there (EADDRNOTAVAIL), or its link is gone and took it along (ENODEV). */
	if (r == -EADDRNOTAVAIL || r == -ENODEV)
		return 0;
	return r < 0 ? r : 1;
}
