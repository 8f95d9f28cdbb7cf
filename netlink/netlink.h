/* SPDX-License-Identifier: MIT */
/* Every kernel networking call nsctl makes: network namespaces, links, addresses, routes, qdiscs
 * and per-netns sysctls, over rtnetlink (libnl-route-3, libmnl for the kernel's extended ACK).
 *
 * Conventions: functions return 0 (or a documented positive value) on success and a negative
 * errno on failure; the errno is the kernel's own when the kernel refused a request, and
 * nlk_last_extack() then holds its explanation. Nothing here logs above debug or prints. A
 * handle is used by one thread at a time. Namespace switches (setns) are per thread: the
 * process is expected to be single-threaded while it calls nlk_open_in(), netns_create() and
 * sysctl_*_in(), which switch the calling thread and always switch it back before returning. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macro.h"

/* An rtnetlink handle: one socket bound to the netns it was opened in, the kernel's last extack
 * text and a small name -> ifindex cache. Opaque. */
struct nlk;

/* Opens a handle in the calling thread's current netns. On success *@ret owns it (nlk_free()).
 * Returns 0 or a negative errno (-ENOMEM, socket errors). */
int nlk_open(struct nlk **ret);

/* Opens a handle inside the netns referred to by @netns_fd: saves the calling thread's netns,
 * setns()es to @netns_fd, opens the socket (which stays bound to that netns) and switches back,
 * as iproute2's netns_save()/netns_restore() do. Returns 0, -EBADF/-EINVAL for a bad fd, or
 * another negative errno; if switching back fails, that error is returned (never ignored). */
int nlk_open_in(int netns_fd, struct nlk **ret);

/* Closes the socket and frees @nl. Accepts NULL; returns NULL. */
struct nlk *nlk_free(struct nlk *nl);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nlk *, nlk_free);

/* The kernel's extended-ACK text (NLMSGERR_ATTR_MSG) for the most recent request on @nl, e.g.
 * "Unknown device type"; "" if that request succeeded or the kernel gave no text. Owned by @nl,
 * valid until the next call on it. Accepts NULL. */
const char *nlk_last_extack(const struct nlk *nl);

/* Maps a libnl error (-NLE_* or NLE_*) to a negative errno; 0 stays 0. The only place in nsctl
 * where libnl codes are translated; kernel refusals never go through it (their exact errno is
 * kept, libnl's own mapping would merge e.g. ESRCH into ENOENT). */
int nlk_errno_from_nle(int nle);

/* Creates a named network namespace like `ip netns add @name`: /run/netns/@name is an nsfs bind
 * mount, /run/netns itself a shared mount point so that deletes propagate to other mount
 * namespaces. The calling thread is back in its own netns on return. If @ret_fd is non-NULL it
 * receives an O_CLOEXEC fd to the new namespace (the caller closes it). Returns 0, -EEXIST if
 * /run/netns/@name exists, -EINVAL for a name that is empty, ".", "..", contains '/' or is
 * longer than NAME_MAX, or another negative errno (nothing is left behind on failure). */
int netns_create(const char *name, int *ret_fd);

/* Opens /run/netns/@name. Returns an O_RDONLY|O_CLOEXEC fd owned by the caller, -ENOENT if there
 * is no such namespace, -EINVAL if the file exists but is not a namespace (a stale file a
 * crashed `ip netns add` left; netns_delete() removes it), or another negative errno. */
int netns_open(const char *name);

/* Removes /run/netns/@name: lazy unmount (MNT_DETACH), then unlink. The namespace and its devices
 * go away once nothing else holds it; the kernel does that asynchronously. Returns 1 if it
 * removed something, 0 if there was nothing (idempotent undo), or a negative errno. */
int netns_delete(const char *name);

/* Returns 1 if /run/netns/@name exists, 0 if not, or a negative errno (-EINVAL for a bad name). */
int netns_exists(const char *name);

/* One end of a link to create. */
struct link_spec {
	const char *name;   /* interface name, 1..15 bytes (IFNAMSIZ - 1) */
	int netns_fd;	    /* -1 = the handle's own netns (say so: 0 is a valid fd); else the
			     * end is created directly in the netns this fd refers to */
	unsigned mtu;	    /* 0 = kernel default */
	const uint8_t *mac; /* 6 bytes (Ethernet); NULL = kernel random */
	const char *alias;  /* IFLA_IFALIAS owner mark; NULL or "" = none */
	bool no_ipv6_ll;    /* IPv6 addrgenmode none: no fe80:: address is ever generated */
	/* Optional: an open handle whose netns is @netns_fd's. The kernel ignores IFLA_IFALIAS and
	 * refuses IFLA_AF_SPEC in a create request, so @alias and @no_ipv6_ll are applied by a
	 * second request sent from inside the end's netns (still before the link is up); without
	 * a handle here a temporary one is opened for that. NULL is always correct. */
	struct nlk *nl;
};

/* Creates a veth pair with one RTM_NEWLINK: each end directly in its own netns (IFLA_NET_NS_FD
 * on the link and inside the VETH_INFO_PEER ifinfomsg), never in a third netns and moved. The
 * request is sent from inside one end's netns (@nl's if either end is there), because the kernel
 * first looks the new name up in the sending socket's netns. Both ends are left down. On any
 * failure nothing is left behind. Returns 0, -EEXIST if either name exists in its netns,
 * -EINVAL for a bad name, or another negative errno. */
int link_add_veth(struct nlk *nl, const struct link_spec *a, const struct link_spec *b);

/* Creates a bridge (left down) as link_add_veth() creates one end. Returns 0, -EEXIST, or
 * another negative errno. */
int link_add_bridge(struct nlk *nl, const struct link_spec *br);

/* Creates a dummy interface (left down). Returns 0, -EEXIST, -EOPNOTSUPP if the kernel has no
 * dummy driver (CONFIG_DUMMY), or another negative errno. */
int link_add_dummy(struct nlk *nl, const struct link_spec *d);

/* Enslaves @ifname to @master (a bridge), or releases it from its master if @master is NULL.
 * Returns 0, -ENODEV if @ifname or @master does not exist, -EOPNOTSUPP/-EINVAL (kernel) if
 * @master cannot take ports, or another negative errno. */
int link_set_master(struct nlk *nl, const char *ifname, const char *master);

/* Sets @ifname administratively up (also used for "lo"). Returns 0, -ENODEV, or another
 * negative errno. */
int link_set_up(struct nlk *nl, const char *ifname);

/* Sets or clears (@alias NULL or "") the IFLA_IFALIAS of @ifname. Returns 0, -ENODEV, -EINVAL
 * if the alias is 256 bytes or longer, or another negative errno. */
int link_set_alias(struct nlk *nl, const char *ifname, const char *alias);

/* Deletes @ifname (a veth takes its peer with it). Returns 1 if deleted, 0 if it did not exist
 * (idempotent undo), or a negative errno. */
int link_del(struct nlk *nl, const char *ifname);

/* Returns 1 if @ifname exists in @nl's netns, 0 if not, or a negative errno. */
int link_exists(struct nlk *nl, const char *ifname);

/* Returns the ifindex (> 0) of @ifname in @nl's netns, -ENODEV, or another negative errno. */
int link_get_ifindex(struct nlk *nl, const char *ifname);

/* Copies the IFLA_IFALIAS of @ifname into @buf ("" if none). Returns its length (>= 0), -ENODEV,
 * -ERANGE if @len is too small, or another negative errno. */
int link_get_alias(struct nlk *nl, const char *ifname, char *buf, size_t len);

/* Adds @addr/@prefixlen (@family AF_INET: 4 bytes, AF_INET6: 16 bytes, network byte order) to
 * @ifname. IPv6 addresses get IFA_F_NODAD, so they are never "tentative" and usable as soon as
 * the link has carrier; IPv4 addresses get the broadcast address of their prefix (none for /31
 * and /32, RFC 3021). Returns 0, -EEXIST if present, -ENODEV, -EINVAL for a bad family or
 * prefix length, or another negative errno. */
int addr_add(struct nlk *nl, const char *ifname, int family, const void *addr, unsigned prefixlen);

/* Removes an address added by addr_add(). Returns 1 if removed, 0 if it (or @ifname) was not
 * there (idempotent undo), or a negative errno. */
int addr_del(struct nlk *nl, const char *ifname, int family, const void *addr, unsigned prefixlen);

/* A unicast route in the main table. Addresses are in network byte order, 4 or 16 bytes. */
struct route_spec {
	int family;	  /* AF_INET or AF_INET6 */
	const void *dst;  /* NULL (with dst_len 0) = default route */
	unsigned dst_len; /* prefix length of @dst */
	const void *gw;	  /* NULL = on-link via @dev */
	const char *dev;  /* NULL = the kernel picks it from @gw; one of @gw/@dev is required */
	unsigned metric;  /* RTA_PRIORITY; 0 = kernel default (0 for IPv4, 1024 for IPv6) */
};

/* Adds route @r (protocol "static"). Returns 0, -EEXIST if the same route exists, -ENODEV if
 * @r->dev does not exist, -ENETUNREACH if @r->gw is not reachable, -EINVAL for a malformed
 * spec, or another negative errno. */
int route_add(struct nlk *nl, const struct route_spec *r);

/* Deletes a route added by route_add() (it matches protocol "static" routes only). Returns 1 if
 * deleted, 0 if there was no such route or @r->dev is gone (idempotent undo), or a negative
 * errno. */
int route_del(struct nlk *nl, const struct route_spec *r);

/* Writes @value to the sysctl @key (dotted, e.g. "net.ipv4.ip_forward") as seen from inside the
 * netns @netns_fd (-1 = the calling thread's): /proc/sys/net shows the netns of the thread that
 * opens a file there, so the calling thread briefly setns()es to @netns_fd and back. Returns 0,
 * -EINVAL for a key that is empty or contains '/' or an empty component (".." included),
 * -ENOENT if there is no such sysctl, or another negative errno (an error switching back wins
 * over any other). */
int sysctl_write_in(int netns_fd, const char *key, const char *value);

/* Reads the sysctl @key inside @netns_fd into @buf without the trailing newline. Returns the
 * value's length (>= 0), -ERANGE if @len is too small, or the errors of sysctl_write_in(). */
int sysctl_read_in(int netns_fd, const char *key, char *buf, size_t len);

/* netem impairments; 0 = off for every field. */
struct netem_spec {
	uint32_t delay_us;  /* added delay */
	uint32_t jitter_us; /* +/- random delay variation (reorders packets unless rate is set) */
	uint32_t loss_ppm;  /* random loss, parts per million (1000000 = all) */
	uint32_t duplicate_ppm; /* duplication, parts per million */
	uint32_t corrupt_ppm;	/* single-bit corruption, parts per million */
	uint64_t rate_bps;	/* rate limit in bits per second; above 32 bits of bytes/s it goes
				 * in TCA_NETEM_RATE64 */
};

/* Installs netem as the root qdisc of @ifname (like `tc qdisc add dev IF root netem ...`; delay
 * and jitter go in the 64-bit nanosecond attributes, kernel >= 4.15). Returns 0, -EEXIST if a
 * root qdisc was already added, -ENODEV, -EINVAL for a ppm above 1000000, -ENOENT if the kernel
 * has no netem (CONFIG_NET_SCH_NETEM), or another negative errno. */
int qdisc_add_netem(struct nlk *nl, const char *ifname, const struct netem_spec *n);

/* Deletes the root qdisc of @ifname, restoring the device's default. Returns 1 if deleted, 0 if
 * there was none to delete or @ifname is gone (idempotent undo), or a negative errno. */
int qdisc_del_root(struct nlk *nl, const char *ifname);

/* ---- dumps (netlink/dump.c) ---- */

/* One network device as the kernel reports it in an RTM_GETLINK dump. */
struct link_info {
	char name[16];	 /* IFLA_IFNAME */
	int ifindex;	 /* > 0 */
	unsigned mtu;	 /* IFLA_MTU; 0 if the kernel sent none */
	uint8_t mac[6];	 /* IFLA_ADDRESS, when it is 6 bytes long (lo's is all zeros) */
	bool has_mac;	 /* false for devices without a 6-byte hardware address */
	bool up;	 /* IFF_UP: administratively up */
	bool lower_up;	 /* IFF_LOWER_UP: carrier (a veth has it once both ends are up) */
	int oper_state;	 /* IFLA_OPERSTATE, an IF_OPER_* value; IF_OPER_UNKNOWN (0) if absent */
	char kind[16];	 /* IFLA_INFO_KIND: "veth", "bridge", "dummy"; "" for lo and kindless */
	char master[16]; /* name of the IFLA_MASTER device (a bridge port's bridge); "" if none
			  * or if the master is not in this netns */
	char alias[64];	 /* IFLA_IFALIAS, truncated to 63 bytes; "" if none */
};

/* One interface address as the kernel reports it in an RTM_GETADDR dump. */
struct addr_info {
	int ifindex;	    /* the link it is on (struct link_info.ifindex) */
	int family;	    /* AF_INET or AF_INET6 */
	uint8_t addr[16];   /* network byte order; 4 bytes used for AF_INET */
	unsigned prefixlen; /* 0..32 or 0..128 */
	bool tentative;	    /* IFA_F_TENTATIVE: IPv6 duplicate address detection not finished */
	bool link_local;    /* scope link (fe80::/10, 169.254/16 by the kernel's choice) */
};

/* Lists every link of @nl's netns with one RTM_GETLINK dump (statistics skipped). On success
 * *@ret is a malloc()ed array of *@ret_n entries sorted by ifindex (free() it; NULL when there
 * are none) and 0 is returned. A dump the kernel marks interrupted (NLM_F_DUMP_INTR: links
 * changed while it ran) is repeated, a few times at most. Returns 0, -ENOMEM, -EAGAIN if it
 * kept being interrupted, -EBADMSG for a malformed answer, or another negative errno. */
int link_list(struct nlk *nl, struct link_info **ret, size_t *ret_n);

/* Lists the addresses of @nl's netns with one RTM_GETADDR dump: those of @family (AF_INET or
 * AF_INET6), or both for AF_UNSPEC; other families are skipped. *@ret is a malloc()ed array of
 * *@ret_n entries in the kernel's order (per link: primary before secondary), free() it; NULL
 * when there are none. Returns 0, -EINVAL for another @family, -ENOMEM, -EAGAIN, -EBADMSG,
 * or another negative errno. */
int addr_list(struct nlk *nl, int family, struct addr_info **ret, size_t *ret_n);

/* Sets the MTU of @ifname (RTM_SETLINK with IFLA_MTU; also used for "lo"). Returns 0,
 * -ENODEV, -EINVAL for @mtu 0 or (kernel) outside the device's min..max MTU, or another
 * negative errno. */
int link_set_mtu(struct nlk *nl, const char *ifname, unsigned mtu);
