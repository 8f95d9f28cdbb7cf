/* SPDX-License-Identifier: MIT */
/* Internals of netlink/: the handle's layout, the request/ACK loop, libnl cleanup helpers and
 * the thread netns switch. Only the .c files of netlink/ (and white-box tests) include this. */
#pragma once

/* libnl's <netlink/netlink.h> has the same path as our public "netlink/netlink.h", and with
 * -I. ahead of -I/usr/include/libnl3 every libnl header that includes <netlink/netlink.h> would
 * get ours. Including libnl's by its unambiguous path first sets its include guard, so those
 * nested includes become no-ops whatever the search order. For the same reason our .c files
 * include libnl headers only through this file, never before it. */
/* clang-format off */
#include <libnl3/netlink/netlink.h>
/* clang-format on */

#include <libnl3/netlink/attr.h>
#include <libnl3/netlink/msg.h>
#include <libnl3/netlink/route/addr.h>
#include <libnl3/netlink/route/link.h>
#include <libnl3/netlink/route/nexthop.h>
#include <libnl3/netlink/route/route.h>
#include <linux/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/macro.h"
#include "netlink/netlink.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_sock *, nl_socket_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_msg *, nlmsg_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_addr *, nl_addr_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_link *, rtnl_link_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_addr *, rtnl_addr_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_route *, rtnl_route_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_nexthop *, rtnl_route_nh_free);

#define NLK_EXTACK_MAX 256

/* Parses one reply message (not the ACK) of a request; returns 0 or a negative errno. */
typedef int (*nlk_parse_fn)(struct nlmsghdr *nlh, void *userdata);

/* For an nlk_parse_fn: if @nlh is of @type, checks that it holds a fixed header of @hdrlen bytes
 * and parses its attributes into @tb[0..@maxtype] by @policy. Returns 1 when parsed, 0 for a
 * message of another type (to be skipped), -EBADMSG for a short one, or a libnl parse error as
 * a negative errno. */
int nlk_parse_reply(struct nlmsghdr *nlh, int type, int hdrlen, struct nlattr **tb, int maxtype,
		    const struct nla_policy *policy);

/* State of the request in flight; the socket's callbacks fill it. */
struct nlk_call {
	uint32_t seq;	    /* sequence number of the request; replies with another are stale */
	bool done;	    /* ACK, error or NLMSG_DONE seen */
	int kernel_error;   /* the kernel's -errno from NLMSG_ERROR, 0 if none */
	int parse_error;    /* first error returned by @parse */
	nlk_parse_fn parse; /* NULL = replies are ignored */
	void *userdata;
};

struct nlk_ifindex_entry {
	char name[IFNAMSIZ];
	int ifindex;
};

struct nlk {
	struct nl_sock *sk;
	struct nlk_call call;
	char extack[NLK_EXTACK_MAX];
	/* Identity of the netns the socket lives in (nsfs inode), to tell whether a netns fd
	 * refers to it. */
	dev_t ns_dev;
	ino_t ns_ino;
	/* name -> ifindex for names this handle looked up. Entries can go stale when a link is
	 * deleted behind our back; users retry once after nlk_ifindex_forget() on the error a
	 * stale index produces (see nlk_call_on_link()). */
	struct nlk_ifindex_entry *ifindex_cache;
	size_t n_ifindex_cache;
};

/* Sends @msg (NLM_F_ACK is added) and waits for its ACK or error, passing every reply message to
 * @parse. Returns 0, the first error of @parse, the kernel's -errno (its extack text in
 * nl->extack), or a negative errno for a local failure. */
int nlk_call(struct nlk *nl, struct nl_msg *msg, nlk_parse_fn parse, void *userdata);

/* Returns 1 if @netns_fd refers to @nl's netns (or is negative: "the handle's own"), 0 if it
 * refers to another one, or a negative errno. */
int nlk_owns_netns(const struct nlk *nl, int netns_fd);

/* Copies @src's extack text to @dst, so a failure on a helper handle reads as @dst's. */
void nlk_copy_extack(struct nlk *dst, const struct nlk *src);

/* Address length in bytes for @family (AF_INET, AF_INET6), 0 for any other. */
static inline size_t family_addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* Returns 0 if @ifname fits in IFNAMSIZ and is not empty, else -EINVAL. */
int ifname_valid(const char *ifname);

/* Resolves @ifname with one RTM_GETLINK (or the cache). Returns the ifindex (> 0), -ENODEV, or
 * another negative errno; *@ret_cached (optional) tells whether it came from the cache. */
int nlk_ifindex(struct nlk *nl, const char *ifname, bool *ret_cached);

/* Drops @ifname from @nl's ifindex cache (after deleting, creating or finding it stale). */
void nlk_ifindex_forget(struct nlk *nl, const char *ifname);

/* Builds a request that concerns the link with index @ifindex. */
typedef int (*nlk_build_fn)(int ifindex, const void *ctx, struct nl_msg **ret);

/* Resolves @ifname, builds the request with @build and sends it. If the kernel answers -ENODEV
 * and the index came from the cache, the entry was stale: it is dropped and the request is
 * rebuilt and sent once more. Returns what nlk_call() returns. */
int nlk_call_on_link(struct nlk *nl, const char *ifname, nlk_build_fn build, const void *ctx);

/* Switches the calling thread to the netns @netns_fd; *@ret_saved receives an fd to the netns it
 * was in (for netns_leave()). Returns 0 or a negative errno (then nothing changed). */
int netns_enter(int netns_fd, int *ret_saved);

/* Switches the calling thread back to @saved and closes it. Returns 0 or a negative errno: the
 * thread is then still in the other netns, and the caller must report it. */
int netns_leave(int saved);

/* Builds the TCA_OPTIONS payload of a netem qdisc into @msg (exposed for white-box tests, since
 * not every test kernel has netem). Returns 0, -EINVAL for a ppm above 1000000, or -EMSGSIZE. */
int qdisc_put_netem_options(struct nl_msg *msg, const struct netem_spec *n);
