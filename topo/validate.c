/* SPDX-License-Identifier: MIT */
/* Cross-reference checks on a parsed model: names, endpoints, addresses, routes, settings,
 * tests. Every problem goes to the caller's diag and checking carries on, so one run reports
 * them all. Everything that grows with the file (addresses, MACs, node lookups) is sorted or
 * hashed: a 10,000-node lab validates in milliseconds. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/macro.h"
#include "topo/topo-internal.h"

#define IPV6_MIN_MTU 1280 /* RFC 8200 section 5 */
#define DEFAULT_MTU  1500 /* a new veth's, ETH_DATA_LEN */

struct vctx {
	struct topo *t;
	struct topo_diag *d;
	bool oom;
	const char **node_names; /* for "did you mean" */
	const char **bridge_names;
	long *bridge_slots; /* bridge name hash: open addressing, -1 = empty */
	size_t bridge_mask;
};

static void report(struct vctx *c, enum topo_severity sev, struct topo_loc loc, const char *fmt,
		   va_list ap) __attribute__((format(printf, 4, 0)));

static void report(struct vctx *c, enum topo_severity sev, struct topo_loc loc, const char *fmt,
		   va_list ap)
{
	_cleanup_free_ char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		c->oom = true;
		return;
	}
	if (topo_diag_add(c->d, sev, loc, "%s", msg) < 0)
		c->oom = true;
}

static void verr(struct vctx *c, struct topo_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void verr(struct vctx *c, struct topo_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(c, TOPO_ERROR, loc, fmt, ap);
	va_end(ap);
}

static void vwarn(struct vctx *c, struct topo_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void vwarn(struct vctx *c, struct topo_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(c, TOPO_WARNING, loc, fmt, ap);
	va_end(ap);
}

/* "interface 'eth0' of node 'h1'" / "interface 'x' of the host"; NULL (and oom) on failure. */
static char *ifdesc(struct vctx *c, long node, const char *ifname)
{
	char *s = NULL;
	int r;

	if (node >= 0)
		r = asprintf(&s, "interface '%s' of node '%s'", ifname, c->t->nodes[node].name);
	else
		r = asprintf(&s, "interface '%s' of the host", ifname);
	if (r < 0) {
		c->oom = true;
		return NULL;
	}
	return s;
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static int loc_cmp(struct topo_loc a, struct topo_loc b)
{
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	if (a.col != b.col)
		return a.col < b.col ? -1 : 1;
	return 0;
}

/* Allocates @n zeroed elements with the capacity grow_one() assumes for @n elements, so the
 * array can be grown by grow_one() later like any array the parser built. */
static void *array_new(size_t n, size_t size)
{
	size_t cap = 4;

	if (n == 0)
		return NULL;
	while (cap < n)
		cap *= 2;
	return calloc(cap, size);
}

/* ---- names ---- */

static bool lab_name_ok(const char *s)
{
	if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static bool is_ipv4_literal(const char *s)
{
	struct topo_addr a = { 0 };

	return !strchr(s, '/') && topo_addr_parse(s, &a) == 0 && a.family == AF_INET;
}

static bool node_name_ok(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* The kernel's dev_valid_name() without the length test, plus '%': the kernel expands a
 * name holding '%' as a template ("eth%d" becomes eth0), so the device would not carry the
 * name written in the file. "all" and "default" are taken by /proc/sys/net/ipv{4,6}/conf/,
 * so registering a device under either name fails. */
static bool ifname_chars_ok(const char *s)
{
	if (!*s || streq(s, ".") || streq(s, "..") || streq(s, "all") || streq(s, "default"))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == '%' || isspace((unsigned char)*s))
			return false;
	return true;
}

#define IFNAME_RULES "no '/', ':', '%%' or white space; not '.', '..', 'all' or 'default'"

/* @what is "interface" or "bridge"; @owner is " of node 'x'", " of the host" or "". */
static void check_ifname(struct vctx *c, const char *what, const char *name, const char *owner,
			 struct topo_loc loc)
{
	if (strlen(name) >= TOPO_IFNAMSIZ)
		verr(c, loc, "%s name '%s'%s is longer than %d bytes (IFNAMSIZ)", what, name, owner,
		     TOPO_IFNAMSIZ - 1);
	else if (!ifname_chars_ok(name))
		verr(c, loc, "%s name '%s'%s is not a valid interface name (" IFNAME_RULES ")",
		     what, name, owner);
}

static void check_hostname(struct vctx *c, const struct topo_node *n)
{
	const char *h = n->hostname;

	if (!h)
		return;
	/* Same pattern as node names, which are the default hostnames. */
	if (strlen(h) > 64) /* HOST_NAME_MAX */
		verr(c, n->hostname_loc, "hostname '%s' of node '%s' is longer than 64 bytes", h,
		     n->name);
	if (!node_name_ok(h))
		verr(c, n->hostname_loc,
		     "hostname '%s' of node '%s' is not valid: use letters, digits, '_', '.' "
		     "and '-', starting with a letter or digit",
		     h, n->name);
}

static void check_names(struct vctx *c)
{
	struct topo *t = c->t;

	if (!t->name)
		verr(c, (struct topo_loc){ 1, 1 },
		     "the lab needs a 'name' (lowercase letters, digits and '-')");
	else {
		if (!lab_name_ok(t->name))
			verr(c, t->name_loc,
			     "lab name '%s' is not valid: use lowercase letters, digits and "
			     "'-', starting with a letter or digit",
			     t->name);
		else if (t->name[strlen(t->name) - 1] == '-' || strstr(t->name, "--"))
			/* "<lab>--fabric" holds the bridges: a lab "a-" or "a--b" could make a
			 * namespace name that another lab also makes. */
			verr(c, t->name_loc,
			     "lab name '%s' must not end with '-' or contain '--' (the lab's "
			     "bridges "
			     "live in the namespace '<lab>--fabric')",
			     t->name);
		if (strlen(t->name) > TOPO_LAB_NAME_MAX)
			verr(c, t->name_loc,
			     "lab name '%s' is longer than %d bytes (it prefixes every "
			     "namespace, cgroup and state directory of the lab)",
			     t->name, TOPO_LAB_NAME_MAX);
	}

	if (t->n_nodes == 0)
		verr(c, (struct topo_loc){ 1, 1 }, "the lab has no nodes");
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		if (streq(n->name, "host"))
			verr(c, n->loc,
			     "node name 'host' is reserved (it means the host namespace in link "
			     "endpoints)");
		else if (!node_name_ok(n->name))
			verr(c, n->loc,
			     "node name '%s' is not valid: use letters, digits, '_', '.' and "
			     "'-', starting with a letter or digit",
			     n->name);
		else if (is_ipv4_literal(n->name))
			/* A ping target is a node name or an address: it must be one or the
			 * other. (IPv6 literals hold ':', which node names cannot.) */
			verr(c, n->loc,
			     "node name '%s' is an IPv4 address (ping targets could not tell "
			     "the node from the address)",
			     n->name);
		if (strlen(n->name) > TOPO_NODE_NAME_MAX)
			verr(c, n->loc,
			     "node name '%s' is longer than %d bytes (it is the node's default "
			     "hostname)",
			     n->name, TOPO_NODE_NAME_MAX);
		check_hostname(c, n);
	}

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct topo_bridge *b = &t->bridges[i];
		long n = topo_index_lookup(t, b->name);

		check_ifname(c, "bridge", b->name, "", b->loc);
		/* A bare endpoint name must mean one thing. */
		if (streq(b->name, "host"))
			verr(c, b->loc,
			     "bridge name 'host' is reserved (it means the host namespace in "
			     "link endpoints)");
		else if (streq(b->name, "lo"))
			/* The bridges' namespace has its own loopback called lo. */
			verr(c, b->loc, "bridge name 'lo' is reserved (the loopback interface)");
		else if (n >= 0)
			verr(c, b->loc, "bridge '%s' has the same name as node '%s' (at %u:%u)",
			     b->name, t->nodes[n].name, t->nodes[n].loc.line, t->nodes[n].loc.col);
	}
}

/* ---- lookups ---- */

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

static int lookups_build(struct vctx *c)
{
	struct topo *t = c->t;
	size_t size = 16;
	int r;

	r = topo_index_build(t);
	if (r < 0)
		return r;
	c->node_names = calloc(t->n_nodes + 1, sizeof(*c->node_names));
	c->bridge_names = calloc(t->n_bridges + 1, sizeof(*c->bridge_names));
	while (size < t->n_bridges * 2)
		size *= 2;
	c->bridge_slots = malloc(size * sizeof(*c->bridge_slots));
	if (!c->node_names || !c->bridge_names || !c->bridge_slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_nodes; i++)
		c->node_names[i] = t->nodes[i].name;
	c->bridge_mask = size - 1;
	for (size_t i = 0; i < size; i++)
		c->bridge_slots[i] = -1;
	for (size_t i = 0; i < t->n_bridges; i++) {
		size_t h = fnv1a(t->bridges[i].name) & c->bridge_mask;

		c->bridge_names[i] = t->bridges[i].name;
		/* First definition wins; the parser reported duplicate keys. */
		while (c->bridge_slots[h] >= 0 &&
		       !streq(t->bridges[c->bridge_slots[h]].name, t->bridges[i].name))
			h = (h + 1) & c->bridge_mask;
		if (c->bridge_slots[h] < 0)
			c->bridge_slots[h] = (long)i;
	}
	return 0;
}

static long bridge_lookup(const struct vctx *c, const char *name)
{
	for (size_t h = fnv1a(name) & c->bridge_mask; c->bridge_slots[h] >= 0;
	     h = (h + 1) & c->bridge_mask)
		if (streq(c->t->bridges[c->bridge_slots[h]].name, name))
			return c->bridge_slots[h];
	return -1;
}

/* Nodes have a handful of interfaces: a linear scan is the fast path. */
static long iface_lookup(const struct topo_iface *ifaces, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(ifaces[i].name, name))
			return (long)i;
	return -1;
}

/* Returns the index of interface @name in *@arr, appending an implicit one at @loc if it is
 * not declared. -1 on OOM. */
static long iface_get(struct vctx *c, struct topo_iface **arr, size_t *n, const char *name,
		      struct topo_loc loc)
{
	long i = iface_lookup(*arr, *n, name);
	struct topo_iface *ifc;

	if (i >= 0)
		return i;
	ifc = grow_one(arr, n, sizeof(*ifc));
	if (!ifc) {
		c->oom = true;
		return -1;
	}
	ifc->name = strdup(name);
	if (!ifc->name) {
		(*n)--;
		c->oom = true;
		return -1;
	}
	ifc->type = TOPO_IF_VETH;
	ifc->loc = loc;
	ifc->link = -1;
	ifc->implicit = true;
	return (long)(*n - 1);
}

/* ---- links ---- */

/* The interface an endpoint resolved to, or NULL (bridge end, or unresolved). */
static struct topo_iface *ep_iface(struct topo *t, const struct topo_endpoint *ep)
{
	if (ep->bad || ep->idx < 0)
		return NULL;
	if (ep->kind == TOPO_EP_NODE)
		return ep->iface_idx >= 0 ? &t->nodes[ep->idx].ifaces[ep->iface_idx] : NULL;
	if (ep->kind == TOPO_EP_HOST)
		return &t->host_ifaces[ep->idx];
	return NULL;
}

static long ep_owner(const struct topo_endpoint *ep)
{
	return ep->kind == TOPO_EP_NODE ? ep->idx : -1;
}

/* Where link @l names the interface @ifc (for "first at"). */
static struct topo_loc link_use_loc(struct topo *t, size_t l, const struct topo_iface *ifc)
{
	for (size_t e = 0; e < 2; e++)
		if (ep_iface(t, &t->links[l].ep[e]) == ifc)
			return t->links[l].ep[e].loc;
	return t->links[l].loc;
}

struct mac_ent {
	uint8_t mac[6];
	struct topo_loc loc;
	long node; /* -1 = host */
	const char *name;
};

struct mac_list {
	struct mac_ent *v;
	size_t n;
};

static void mac_add(struct vctx *c, struct mac_list *ml, const uint8_t mac[6], struct topo_loc loc,
		    long node, const char *name)
{
	struct mac_ent *m = grow_one(&ml->v, &ml->n, sizeof(*m));

	if (!m) {
		c->oom = true;
		return;
	}
	memcpy(m->mac, mac, 6);
	m->loc = loc;
	m->node = node;
	m->name = name;
}

static void resolve_endpoint(struct vctx *c, struct topo_endpoint *ep)
{
	struct topo *t = c->t;
	const char *s;
	long i;

	ep->idx = ep->iface_idx = -1;
	if (ep->bad)
		return;
	switch (ep->kind) {
	case TOPO_EP_NODE:
		if (!ep->node || !ep->iface)
			return;
		i = topo_index_lookup(t, ep->node);
		if (i < 0 && bridge_lookup(c, ep->node) >= 0) {
			verr(c, ep->loc,
			     "endpoint '%s:%s' names bridge '%s': a bridge end is written '%s' "
			     "(nsctl names bridge ports itself)",
			     ep->node, ep->iface, ep->node, ep->node);
			return;
		}
		if (i < 0) {
			s = topo_suggest(ep->node, c->node_names, t->n_nodes);
			if (s)
				verr(c, ep->loc,
				     "link endpoint names missing node '%s' (did you mean '%s'?)",
				     ep->node, s);
			else
				verr(c, ep->loc, "link endpoint names missing node '%s'", ep->node);
			return;
		}
		ep->idx = i;
		if (streq(ep->iface, "lo")) {
			/* Don't make an implicit veth called lo: report it when linking. */
			ep->iface_idx =
				iface_lookup(t->nodes[i].ifaces, t->nodes[i].n_ifaces, "lo");
			return;
		}
		ep->iface_idx = iface_get(c, &t->nodes[i].ifaces, &t->nodes[i].n_ifaces, ep->iface,
					  ep->loc);
		return;
	case TOPO_EP_BRIDGE:
		if (!ep->node)
			return;
		i = bridge_lookup(c, ep->node);
		if (i >= 0) {
			ep->idx = i;
			return;
		}
		if (topo_index_lookup(t, ep->node) >= 0) {
			verr(c, ep->loc,
			     "endpoint '%s' names a node but no interface (write '%s:eth0')",
			     ep->node, ep->node);
			return;
		}
		s = topo_suggest(ep->node, c->bridge_names, t->n_bridges);
		if (s)
			verr(c, ep->loc,
			     "link endpoint names missing bridge '%s' (did you mean '%s'?)",
			     ep->node, s);
		else
			verr(c, ep->loc, "link endpoint names missing bridge '%s'", ep->node);
		return;
	case TOPO_EP_HOST:
		if (!ep->iface)
			return;
		if (streq(ep->iface, "lo")) {
			verr(c, ep->loc, "the host's loopback 'lo' cannot be a link endpoint");
			return;
		}
		ep->idx = iface_get(c, &t->host_ifaces, &t->n_host_ifaces, ep->iface, ep->loc);
		return;
	}
}

static const char *ep_kind_name(enum topo_ep_kind k)
{
	return k == TOPO_EP_BRIDGE ? "bridge" : k == TOPO_EP_HOST ? "host interface" : "node";
}

/* Marks the interface of end @e of link @l as used by it; reports what cannot be linked. */
static void link_end(struct vctx *c, struct mac_list *macs, size_t l, size_t e)
{
	struct topo *t = c->t;
	struct topo_endpoint *ep = &t->links[l].ep[e];
	struct topo_iface *ifc;
	_cleanup_free_ char *desc = NULL;

	if (ep->kind == TOPO_EP_BRIDGE) {
		t->bridges[ep->idx].n_ports++;
		if (ep->has_mac)
			verr(c, ep->loc,
			     "the end on bridge '%s' takes no 'mac' (only node and host ends do)",
			     t->bridges[ep->idx].name);
		return;
	}
	if (ep->kind == TOPO_EP_NODE && streq(ep->iface, "lo")) {
		verr(c, ep->loc,
		     "interface 'lo' of node '%s' is the loopback and cannot be a link endpoint",
		     t->nodes[ep->idx].name);
		return;
	}
	ifc = ep_iface(t, ep);
	if (!ifc)
		return; /* out of memory while resolving */
	desc = ifdesc(c, ep_owner(ep), ifc->name);
	if (!desc)
		return;
	if (ifc->type == TOPO_IF_DUMMY) {
		verr(c, ep->loc, "%s is a dummy and cannot be a link endpoint", desc);
		return;
	}
	if (ifc->link >= 0) {
		struct topo_loc first = link_use_loc(t, (size_t)ifc->link, ifc);

		verr(c, ep->loc, "%s is used by two links (first at %u:%u)", desc, first.line,
		     first.col);
		return;
	}
	ifc->link = (long)l;
	if (!ep->has_mac)
		return;
	if (!ifc->has_mac) {
		/* The endpoint's mac becomes the interface's: the model has one place for it. */
		ifc->has_mac = true;
		memcpy(ifc->mac, ep->mac, 6);
		mac_add(c, macs, ep->mac, ep->loc, ep_owner(ep), ifc->name);
	} else if (memcmp(ifc->mac, ep->mac, 6) != 0)
		verr(c, ep->loc,
		     "link endpoint sets mac %02x:%02x:%02x:%02x:%02x:%02x but %s declares "
		     "%02x:%02x:%02x:%02x:%02x:%02x (at %u:%u)",
		     ep->mac[0], ep->mac[1], ep->mac[2], ep->mac[3], ep->mac[4], ep->mac[5], desc,
		     ifc->mac[0], ifc->mac[1], ifc->mac[2], ifc->mac[3], ifc->mac[4], ifc->mac[5],
		     ifc->loc.line, ifc->loc.col);
}

static void check_links(struct vctx *c, struct mac_list *macs)
{
	struct topo *t = c->t;

	for (size_t l = 0; l < t->n_links; l++) {
		struct topo_link *lk = &t->links[l];
		struct topo_endpoint *a = &lk->ep[0], *b = &lk->ep[1];
		bool ok_a, ok_b;

		/* Both ends first: resolving may append implicit interfaces (and move arrays). */
		resolve_endpoint(c, a);
		resolve_endpoint(c, b);
		ok_a = !a->bad && a->idx >= 0;
		ok_b = !b->bad && b->idx >= 0;

		if (ok_a && ok_b && a->kind != TOPO_EP_NODE && b->kind != TOPO_EP_NODE) {
			verr(c, lk->loc,
			     "link joins %s '%s' and %s '%s': one end must be a node's interface",
			     ep_kind_name(a->kind), a->kind == TOPO_EP_HOST ? a->iface : a->node,
			     ep_kind_name(b->kind), b->kind == TOPO_EP_HOST ? b->iface : b->node);
			/* The host ends are still "used": don't report them as unused too. */
			for (size_t e = 0; e < 2; e++)
				if (lk->ep[e].kind == TOPO_EP_HOST &&
				    t->host_ifaces[lk->ep[e].idx].link < 0)
					t->host_ifaces[lk->ep[e].idx].link = (long)l;
			continue;
		}
		if (ok_a && ok_b && ep_iface(t, a) && ep_iface(t, a) == ep_iface(t, b)) {
			struct topo_iface *ifc = ep_iface(t, a);
			_cleanup_free_ char *desc = ifdesc(c, ep_owner(a), ifc->name);

			if (desc)
				verr(c, lk->loc, "link joins %s to itself", desc);
			if (ifc->link < 0)
				ifc->link = (long)l;
			continue;
		}
		if (ok_a)
			link_end(c, macs, l, 0);
		if (ok_b)
			link_end(c, macs, l, 1);
	}

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct topo_bridge *br = &t->bridges[i];

		if (br->n_ports > TOPO_BRIDGE_PORTS_MAX)
			verr(c, br->loc,
			     "bridge '%s' has %zu ports; a Linux bridge takes at most %d", br->name,
			     br->n_ports, TOPO_BRIDGE_PORTS_MAX);
		else if (br->n_ports >= TOPO_BRIDGE_PORTS_WARN)
			vwarn(c, br->loc,
			      "bridge '%s' has %zu ports: on an L2 segment this large, IPv6 "
			      "multicast (neighbour discovery, link-local addresses) floods "
			      "every port; consider routers between smaller bridges",
			      br->name, br->n_ports);
		else if (br->n_ports == 0)
			vwarn(c, br->loc, "bridge '%s' has no ports (no link ends on it)",
			      br->name);
	}
}

static void check_netem(struct vctx *c)
{
	for (size_t l = 0; l < c->t->n_links; l++) {
		const struct topo_netem *ne = &c->t->links[l].netem;
		const struct {
			bool has;
			uint32_t ppm;
			const char *what;
		} pct[] = {
			{ ne->has_loss, ne->loss_ppm, "loss" },
			{ ne->has_duplicate, ne->duplicate_ppm, "duplicate" },
			{ ne->has_corrupt, ne->corrupt_ppm, "corrupt" },
		};

		if (!c->t->links[l].has_netem)
			continue;
		if (!ne->has_delay && !ne->has_jitter && !ne->has_loss && !ne->has_rate &&
		    !ne->has_duplicate && !ne->has_corrupt)
			vwarn(c, ne->loc, "netem sets nothing (it adds no impairment)");
		/* jitter varies the delay around its mean; tc refuses it alone. */
		if (ne->has_jitter && !ne->has_delay)
			verr(c, ne->loc, "netem jitter needs a delay (jitter varies the delay)");
		for (size_t i = 0; i < ELEMENTSOF(pct); i++)
			if (pct[i].has && pct[i].ppm > 1000000)
				verr(c, ne->loc, "netem %s is over 100%%", pct[i].what);
	}
}

/* The mtu end @e of @lk gets (docs/topology.md, "Link MTU"); 0 = the kernel default. */
static unsigned end_mtu(struct vctx *c, const struct topo_link *lk, size_t e)
{
	const struct topo_iface *ifc = ep_iface(c->t, &lk->ep[e]);
	const struct topo_iface *peer = ep_iface(c->t, &lk->ep[!e]);

	if (lk->mtu)
		return lk->mtu;
	if (ifc && ifc->mtu)
		return ifc->mtu;
	if (lk->ep[e].kind != TOPO_EP_NODE && lk->ep[!e].kind == TOPO_EP_NODE && peer)
		return peer->mtu;
	return 0;
}

static char *end_desc(struct vctx *c, const struct topo_endpoint *ep)
{
	char *s = NULL;

	if (ep->kind != TOPO_EP_BRIDGE)
		return ifdesc(c, ep_owner(ep), ep_iface(c->t, ep)->name);
	if (asprintf(&s, "the port on bridge '%s'", c->t->bridges[ep->idx].name) < 0) {
		c->oom = true;
		return NULL;
	}
	return s;
}

/* Frames above the smaller mtu of a link are dropped: sometimes the point of a lab, more
 * often a mistake. Warnings, on links that are otherwise valid. */
static void check_link_mtus(struct vctx *c)
{
	struct topo *t = c->t;

	for (size_t l = 0; l < t->n_links; l++) {
		const struct topo_link *lk = &t->links[l];
		unsigned mtu[2];
		bool ok = lk->ep[0].kind == TOPO_EP_NODE || lk->ep[1].kind == TOPO_EP_NODE;

		for (size_t e = 0; e < 2 && ok; e++) {
			const struct topo_endpoint *ep = &lk->ep[e];
			const struct topo_iface *ifc = ep_iface(t, ep);

			ok = !ep->bad && ep->idx >= 0 &&
			     (ep->kind == TOPO_EP_BRIDGE || (ifc && ifc->link == (long)l));
		}
		if (!ok || ep_iface(t, &lk->ep[0]) == ep_iface(t, &lk->ep[1]))
			continue;
		for (size_t e = 0; e < 2; e++)
			mtu[e] = end_mtu(c, lk, e) ?: DEFAULT_MTU;
		if (mtu[0] != mtu[1]) {
			_cleanup_free_ char *d0 = end_desc(c, &lk->ep[0]);
			_cleanup_free_ char *d1 = end_desc(c, &lk->ep[1]);

			if (d0 && d1)
				vwarn(c, lk->loc,
				      "the ends of this link get different mtus: %u (%s) and %u "
				      "(%s)",
				      mtu[0], d0, mtu[1], d1);
		}
		for (size_t e = 0; e < 2; e++) {
			const struct topo_bridge *br;

			if (lk->ep[e].kind != TOPO_EP_BRIDGE)
				continue;
			br = &t->bridges[lk->ep[e].idx];
			if (br->mtu && br->mtu != mtu[e])
				vwarn(c, lk->loc,
				      "bridge '%s' has mtu %u but its port on this link has mtu %u",
				      br->name, br->mtu, mtu[e]);
		}
	}
}

/* ---- interfaces ---- */

static bool addr_is_zero(const struct topo_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, a->family == AF_INET6 ? 16 : 4) == 0;
}

static bool addr_is_multicast(const struct topo_addr *a)
{
	return a->family == AF_INET6 ? a->bytes[0] == 0xff : (a->bytes[0] & 0xf0) == 0xe0;
}

/* Why @a cannot be an interface's address, or NULL. (Multicast: the parser said so.) */
static const char *addr_unassignable(const struct topo_addr *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (addr_is_zero(a))
		return "the unspecified address";
	if (a->family == AF_INET && memcmp(a->bytes, "\xff\xff\xff\xff", 4) == 0)
		return "the IPv4 broadcast address";
	/* ::ffff:0:0/96 stands for IPv4 peers of an IPv6 socket; it never goes on the wire. */
	if (a->family == AF_INET6 && memcmp(a->bytes, mapped, 12) == 0)
		return "an IPv4-mapped IPv6 address";
	return NULL;
}

/* The mtu an interface ends up with, and where it is written (line 0: kernel default). */
static unsigned iface_mtu(struct vctx *c, long node, const struct topo_iface *ifc,
			  struct topo_loc *ret_loc)
{
	const struct topo_link *lk = ifc->link >= 0 ? &c->t->links[ifc->link] : NULL;

	*ret_loc = (struct topo_loc){ 0, 0 };
	if (lk && lk->mtu) {
		*ret_loc = lk->loc;
		return lk->mtu;
	}
	if (ifc->mtu) {
		*ret_loc = ifc->loc;
		return ifc->mtu;
	}
	/* A host end without its own mtu takes the node end's. */
	for (size_t e = 0; lk && node < 0 && e < 2; e++) {
		const struct topo_iface *peer = ep_iface(c->t, &lk->ep[e]);

		if (lk->ep[e].kind == TOPO_EP_NODE && peer && peer->mtu) {
			*ret_loc = peer->loc;
			return peer->mtu;
		}
	}
	return 0;
}

static void check_iface(struct vctx *c, long node, const struct topo_iface *ifc)
{
	const struct topo_link *lk = ifc->link >= 0 ? &c->t->links[ifc->link] : NULL;
	_cleanup_free_ char *desc = ifdesc(c, node, ifc->name);
	struct topo_loc mtu_loc;
	unsigned mtu;
	bool v6 = false;

	if (!desc)
		return;
	if (node >= 0) {
		_cleanup_free_ char *owner = NULL;

		if (asprintf(&owner, " of node '%s'", c->t->nodes[node].name) < 0) {
			c->oom = true;
			return;
		}
		check_ifname(c, "interface", ifc->name, owner, ifc->loc);
	} else if (ifc->type == TOPO_IF_LOOPBACK) {
		verr(c, ifc->loc,
		     "the host's loopback 'lo' is not part of the lab (host: interfaces are the "
		     "host ends of links)");
		return;
	} else
		check_ifname(c, "interface", ifc->name, " of the host", ifc->loc);

	if (!ifc->implicit && ifc->link < 0 && ifc->type == TOPO_IF_VETH)
		verr(c, ifc->loc, "%s is not used by any link", desc);
	if (ifc->type == TOPO_IF_LOOPBACK && ifc->has_mac)
		verr(c, ifc->loc, "%s takes no 'mac' (the loopback has none)", desc);

	for (size_t i = 0; i < ifc->n_addrs; i++) {
		const char *why = addr_unassignable(&ifc->addrs[i]);
		char buf[TOPO_ADDRSTRLEN];

		v6 |= ifc->addrs[i].family == AF_INET6;
		if (why)
			verr(c, ifc->addrs[i].loc,
			     "address %s of %s is %s; it cannot be assigned to an interface",
			     topo_addr_format(&ifc->addrs[i], buf, sizeof(buf)), desc, why);
	}

	if (lk && lk->mtu && ifc->mtu && lk->mtu != ifc->mtu)
		verr(c, ifc->loc, "%s sets mtu %u but its link (at %u:%u) sets mtu %u", desc,
		     ifc->mtu, lk->loc.line, lk->loc.col, lk->mtu);
	mtu = iface_mtu(c, node, ifc, &mtu_loc);
	/* The kernel removes IPv6 from a device whose mtu is below the IPv6 minimum. */
	if (v6 && mtu && mtu < IPV6_MIN_MTU)
		verr(c, mtu_loc, "%s has an IPv6 address, so its mtu (%u) must be at least %d",
		     desc, mtu, IPV6_MIN_MTU);
}

static void check_ifaces(struct vctx *c)
{
	struct topo *t = c->t;

	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			check_iface(c, (long)i, &t->nodes[i].ifaces[j]);
	for (size_t j = 0; j < t->n_host_ifaces; j++)
		check_iface(c, -1, &t->host_ifaces[j]);
}

/* ---- addresses and MACs: sorted, never pairwise ---- */

struct addr_ent {
	const struct topo_addr *a;
	long node; /* -1 = host (one namespace, like a node) */
	long seg;  /* L2 segment, -1 = none (lo, dummy, unlinked) */
	const struct topo_iface *ifc;
};

static int addr_ent_cmp(const void *x, const void *y)
{
	const struct addr_ent *p = x, *q = y;
	int r;

	if (p->a->family != q->a->family)
		return p->a->family < q->a->family ? -1 : 1;
	r = memcmp(p->a->bytes, q->a->bytes, sizeof(p->a->bytes));
	if (r)
		return r;
	/* Equal addresses in file order, so the first one is the one to name. Aliased YAML
	 * shares positions: the node and pointer keep the order total. */
	r = loc_cmp(p->a->loc, q->a->loc);
	if (r)
		return r;
	if (p->node != q->node)
		return p->node < q->node ? -1 : 1;
	return p->a < q->a ? -1 : p->a > q->a;
}

/* The L2 segment of an interface: its link, or the bridge at the link's other end. */
static long iface_segment(const struct topo *t, const struct topo_iface *ifc)
{
	const struct topo_link *lk;

	if (ifc->link < 0)
		return -1;
	lk = &t->links[ifc->link];
	for (size_t e = 0; e < 2; e++)
		if (lk->ep[e].kind == TOPO_EP_BRIDGE && !lk->ep[e].bad && lk->ep[e].idx >= 0)
			return (long)t->n_links + lk->ep[e].idx;
	return ifc->link;
}

static void addrs_push(const struct topo *t, struct addr_ent *v, size_t *n, long node,
		       const struct topo_iface *ifc)
{
	long seg = iface_segment(t, ifc);

	for (size_t k = 0; k < ifc->n_addrs; k++)
		v[(*n)++] = (struct addr_ent){
			.a = &ifc->addrs[k], .node = node, .seg = seg, .ifc = ifc
		};
}

struct group_key {
	long key;
	size_t pos;
};

static int group_key_cmp(const void *x, const void *y)
{
	const struct group_key *p = x, *q = y;

	if (p->key != q->key)
		return p->key < q->key ? -1 : 1;
	return p->pos < q->pos ? -1 : p->pos > q->pos;
}

/* For each of the @k entries in @g (positions in file order), stores in first[pos] the
 * earliest position with the same key. O(k log k). */
static void group_first(struct group_key *g, size_t k, size_t *first)
{
	qsort(g, k, sizeof(*g), group_key_cmp);
	for (size_t i = 0, head = 0; i < k; i++) {
		if (g[i].key != g[head].key)
			head = i;
		first[g[i].pos] = g[head].pos;
	}
}

static void report_dup_addr(struct vctx *c, const struct addr_ent *dup,
			    const struct addr_ent *first, bool error)
{
	_cleanup_free_ char *d1 = ifdesc(c, dup->node, dup->ifc->name);
	_cleanup_free_ char *d2 = ifdesc(c, first->node, first->ifc->name);
	char host[TOPO_ADDRSTRLEN];

	if (!d1 || !d2)
		return;
	topo_addr_format_host(dup->a, host, sizeof(host));
	if (error)
		verr(c, dup->a->loc, "address %s of %s is already assigned to %s (first at %u:%u)",
		     host, d1, d2, first->a->loc.line, first->a->loc.col);
	else
		vwarn(c, dup->a->loc,
		      "address %s of %s is also assigned to %s (first at %u:%u), on another L2 "
		      "segment",
		      host, d1, d2, first->a->loc.line, first->a->loc.col);
}

/* The same address twice in one namespace, or on one L2 segment, is a clash (the kernel
 * accepts it; ARP and neighbour discovery then answer for both). On separate segments of
 * separate nodes it can be meant, anycast on lo above all: a warning. Sorted, never
 * pairwise, so a lab where every node shares one anycast address stays O(n log n). */
static void check_addresses(struct vctx *c)
{
	struct topo *t = c->t;
	_cleanup_free_ struct addr_ent *v = NULL;
	_cleanup_free_ struct group_key *g = NULL;
	_cleanup_free_ size_t *first_node = NULL, *first_seg = NULL;
	size_t n = 0, total = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			total += t->nodes[i].ifaces[j].n_addrs;
	for (size_t j = 0; j < t->n_host_ifaces; j++)
		total += t->host_ifaces[j].n_addrs;
	if (total < 2)
		return;
	v = malloc(total * sizeof(*v));
	g = malloc(total * sizeof(*g));
	first_node = malloc(total * sizeof(*first_node));
	first_seg = malloc(total * sizeof(*first_seg));
	if (!v || !g || !first_node || !first_seg) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			addrs_push(t, v, &n, (long)i, &t->nodes[i].ifaces[j]);
	for (size_t j = 0; j < t->n_host_ifaces; j++)
		addrs_push(t, v, &n, -1, &t->host_ifaces[j]);
	qsort(v, n, sizeof(*v), addr_ent_cmp);

	for (size_t start = 0, end; start < n; start = end) {
		size_t k = 0;

		for (end = start + 1; end < n && v[end].a->family == v[start].a->family &&
				      memcmp(v[end].a->bytes, v[start].a->bytes, 16) == 0;
		     end++)
			;
		if (end - start == 1)
			continue;
		/* One run of equal addresses, in file order: find each one's earliest
		 * predecessor in the same namespace and on the same segment. */
		for (size_t i = start; i < end; i++)
			g[i - start] = (struct group_key){ .key = v[i].node, .pos = i };
		group_first(g, end - start, first_node);
		for (size_t i = start; i < end; i++) {
			first_seg[i] = i;
			if (v[i].seg >= 0)
				g[k++] = (struct group_key){ .key = v[i].seg, .pos = i };
		}
		group_first(g, k, first_seg);

		for (size_t i = start + 1; i < end; i++) {
			size_t f = first_node[i] < first_seg[i] ? first_node[i] : first_seg[i];

			if (f < i)
				report_dup_addr(c, &v[i], &v[f], true);
			else
				report_dup_addr(c, &v[i], &v[start], false);
		}
	}
}

static int mac_ent_cmp(const void *x, const void *y)
{
	const struct mac_ent *p = x, *q = y;
	int r = memcmp(p->mac, q->mac, 6);

	if (r)
		return r;
	r = loc_cmp(p->loc, q->loc);
	if (r)
		return r;
	return p < q ? -1 : p > q;
}

/* The same MAC in two network namespaces works; on one L2 segment it breaks forwarding
 * there. Either way it is rarely meant: a warning. */
static void check_macs(struct vctx *c, struct mac_list *ml)
{
	if (ml->n < 2)
		return;
	qsort(ml->v, ml->n, sizeof(*ml->v), mac_ent_cmp);
	for (size_t i = 1, first = 0; i < ml->n; i++) {
		_cleanup_free_ char *d1 = NULL, *d2 = NULL;
		const uint8_t *m = ml->v[i].mac;

		if (memcmp(ml->v[i].mac, ml->v[i - 1].mac, 6) != 0) {
			first = i;
			continue;
		}
		d1 = ifdesc(c, ml->v[i].node, ml->v[i].name);
		d2 = ifdesc(c, ml->v[first].node, ml->v[first].name);
		if (d1 && d2)
			vwarn(c, ml->v[i].loc,
			      "mac %02x:%02x:%02x:%02x:%02x:%02x of %s is also used by %s "
			      "(first at %u:%u)",
			      m[0], m[1], m[2], m[3], m[4], m[5], d1, d2, ml->v[first].loc.line,
			      ml->v[first].loc.col);
	}
}

/* MACs written on interfaces, before endpoints add theirs. */
static void collect_iface_macs(struct vctx *c, struct mac_list *ml)
{
	struct topo *t = c->t;

	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++) {
			const struct topo_iface *ifc = &t->nodes[i].ifaces[j];
			if (ifc->has_mac)
				mac_add(c, ml, ifc->mac, ifc->loc, (long)i, ifc->name);
		}
	for (size_t j = 0; j < t->n_host_ifaces; j++) {
		const struct topo_iface *ifc = &t->host_ifaces[j];
		if (ifc->has_mac)
			mac_add(c, ml, ifc->mac, ifc->loc, -1, ifc->name);
	}
}

/* ---- routes ---- */

static bool is_v6_link_local(const struct topo_addr *a)
{
	return a->family == AF_INET6 && a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

/* Clears the host bits of @a; returns true if any was set. */
static bool mask_host_bits(struct topo_addr *a)
{
	unsigned len = a->family == AF_INET6 ? 16 : 4;
	bool changed = false;

	for (unsigned i = 0; i < len; i++) {
		unsigned bits = a->prefixlen > i * 8 ? a->prefixlen - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if (a->bytes[i] & (uint8_t)~mask) {
			a->bytes[i] &= mask;
			changed = true;
		}
	}
	return changed;
}

static const char *route_dst(const struct topo_route *rt, char *buf, size_t len)
{
	if (rt->is_default)
		return "default";
	return topo_addr_format(&rt->dst, buf, len);
}

/* Is @via on a subnet of @ifc? Sets *@own if it is one of the interface's own addresses. */
static bool iface_reaches(const struct topo_iface *ifc, const struct topo_addr *via, bool *own)
{
	bool hit = false;

	for (size_t k = 0; k < ifc->n_addrs; k++) {
		const struct topo_addr *a = &ifc->addrs[k];

		if (a->family == via->family && memcmp(a->bytes, via->bytes, 16) == 0)
			*own = true;
		hit |= topo_addr_in_prefix(via, a);
	}
	return hit;
}

static void check_gateway(struct vctx *c, const struct topo_node *n, const struct topo_route *rt,
			  long dev, const char *dst)
{
	char gw[TOPO_ADDRSTRLEN];
	bool reach = false, own = false;

	topo_addr_format_host(&rt->via, gw, sizeof(gw));
	if (!rt->is_default && rt->dst.family && rt->via.family != rt->dst.family) {
		verr(c, rt->via.loc,
		     "route to '%s' on node '%s': gateway %s is %s but the destination is %s", dst,
		     n->name, gw, family_name(rt->via.family), family_name(rt->dst.family));
		return;
	}
	if (addr_is_zero(&rt->via) || addr_is_multicast(&rt->via)) {
		verr(c, rt->via.loc, "route to '%s' on node '%s': gateway %s is %s", dst, n->name,
		     gw,
		     addr_is_zero(&rt->via) ? "the unspecified address" : "a multicast address");
		return;
	}
	if (is_v6_link_local(&rt->via)) {
		bool v6 = false;

		/* fe80::/64 exists on every link: only the device says which one, and it has
		 * a link-local address only if it has IPv6 (addrgenmode none otherwise). */
		if (!rt->dev) {
			verr(c, rt->via.loc,
			     "route to '%s' on node '%s': link-local gateway %s needs 'dev'", dst,
			     n->name, gw);
			return;
		}
		for (size_t k = 0; k < n->ifaces[dev].n_addrs; k++)
			v6 |= n->ifaces[dev].addrs[k].family == AF_INET6;
		if (!v6)
			verr(c, rt->via.loc,
			     "route to '%s' on node '%s': link-local gateway %s is not "
			     "reachable: interface '%s' has no IPv6 address, so no link-local "
			     "address",
			     dst, n->name, gw, rt->dev);
		return;
	}
	/* A subnet on lo is the node itself, not a link a gateway could sit on. */
	for (size_t j = 0; j < n->n_ifaces; j++) {
		bool hit = iface_reaches(&n->ifaces[j], &rt->via, &own);

		if ((dev < 0 || (size_t)dev == j) && n->ifaces[j].type != TOPO_IF_LOOPBACK)
			reach |= hit;
	}
	if (own)
		/* The kernel refuses a local address as gateway ("invalid gateway"). */
		verr(c, rt->via.loc,
		     "route to '%s' on node '%s': gateway %s is an address of '%s' itself", dst,
		     n->name, gw, n->name);
	else if (!reach && dev >= 0)
		verr(c, rt->via.loc,
		     "route to '%s' on node '%s': gateway %s is not reachable from interface "
		     "'%s' of '%s'",
		     dst, n->name, gw, rt->dev, n->name);
	else if (!reach)
		verr(c, rt->via.loc,
		     "route to '%s' on node '%s': gateway %s is not reachable from any "
		     "interface of '%s'",
		     dst, n->name, gw, n->name);
}

static int route_cmp(const void *x, const void *y)
{
	const struct topo_route *p = *(const struct topo_route *const *)x;
	const struct topo_route *q = *(const struct topo_route *const *)y;
	int r;

	if (p->dst.family != q->dst.family)
		return p->dst.family < q->dst.family ? -1 : 1;
	if (p->dst.prefixlen != q->dst.prefixlen)
		return p->dst.prefixlen < q->dst.prefixlen ? -1 : 1;
	r = memcmp(p->dst.bytes, q->dst.bytes, 16);
	if (r)
		return r;
	if (p->metric != q->metric)
		return p->metric < q->metric ? -1 : 1;
	r = loc_cmp(p->loc, q->loc);
	if (r)
		return r;
	return p < q ? -1 : p > q;
}

static bool route_same(const struct topo_route *p, const struct topo_route *q)
{
	return p->dst.family == q->dst.family && p->dst.prefixlen == q->dst.prefixlen &&
	       memcmp(p->dst.bytes, q->dst.bytes, 16) == 0 && p->metric == q->metric;
}

static void check_node_routes(struct vctx *c, const struct topo_node *n)
{
	_cleanup_free_ const struct topo_route **sorted = NULL;
	size_t n_sorted = 0;

	for (size_t i = 0; i < n->n_routes; i++) {
		const struct topo_route *rt = &n->routes[i];
		char buf[TOPO_ADDRSTRLEN];
		const char *dst = route_dst(rt, buf, sizeof(buf));
		long dev = -1;

		/* A destination that did not parse was reported; its family is unknown. */
		if (!rt->dst.family && !rt->is_default)
			continue;
		if (!rt->is_default) {
			struct topo_addr net = rt->dst;
			char nbuf[TOPO_ADDRSTRLEN];

			/* Routes, unlike interface addresses, are prefixes: the kernel answers
			 * EINVAL ("Invalid prefix for given prefix length"). */
			if (mask_host_bits(&net))
				verr(c, rt->dst.loc,
				     "route to '%s' on node '%s': the destination has host bits "
				     "set (did you mean '%s'?)",
				     dst, n->name, topo_addr_format(&net, nbuf, sizeof(nbuf)));
		}
		if (rt->dev) {
			dev = iface_lookup(n->ifaces, n->n_ifaces, rt->dev);
			if (dev < 0) {
				verr(c, rt->loc,
				     "route to '%s' on node '%s': node '%s' has no interface '%s'",
				     dst, n->name, n->name, rt->dev);
				continue;
			}
		}
		if (rt->is_default && !rt->has_via)
			verr(c, rt->loc,
			     "route to 'default' on node '%s' needs 'via' (it takes its family "
			     "from the gateway; for a device route write '0.0.0.0/0' or '::/0' "
			     "with 'dev')",
			     n->name);
		else if (!rt->has_via && !rt->dev)
			verr(c, rt->loc, "route to '%s' on node '%s' needs 'via' or 'dev'", dst,
			     n->name);
		/* has_via with no family: a gateway that did not parse (already reported). */
		if (rt->has_via && rt->via.family)
			check_gateway(c, n, rt, dev, dst);
	}

	if (n->n_routes < 2)
		return;
	sorted = malloc(n->n_routes * sizeof(*sorted));
	if (!sorted) {
		c->oom = true;
		return;
	}
	/* A default without a gateway has no family to compare by; it was reported above. */
	for (size_t i = 0; i < n->n_routes; i++)
		if (n->routes[i].dst.family && (!n->routes[i].is_default || n->routes[i].has_via))
			sorted[n_sorted++] = &n->routes[i];
	qsort(sorted, n_sorted, sizeof(*sorted), route_cmp);
	for (size_t i = 1, first = 0; i < n_sorted; i++) {
		char buf[TOPO_ADDRSTRLEN];

		if (!route_same(sorted[i], sorted[i - 1])) {
			first = i;
			continue;
		}
		/* The kernel answers EEXIST to the second one. */
		verr(c, sorted[i]->loc,
		     "route to '%s' with metric %u on node '%s' is already declared (first at "
		     "%u:%u)",
		     route_dst(sorted[i], buf, sizeof(buf)), sorted[i]->metric, n->name,
		     sorted[first]->loc.line, sorted[first]->loc.col);
	}
}

/* ---- node settings ---- */

static void check_settings(struct vctx *c, const struct topo_node_settings *s, const char *owner)
{
	for (size_t i = 0; i < s->n_sysctls; i++) {
		const struct topo_kv *kv = &s->sysctls[i];
		const char *k = kv->key;
		size_t len = strlen(k);

		/* The key becomes a path under /proc/sys: no '/', and no empty part, which
		 * is how "a..b" or a trailing '.' would read. */
		if (strchr(k, '/') || strstr(k, "..") || k[0] == '.' || (len && k[len - 1] == '.'))
			verr(c, kv->loc,
			     "sysctl '%s' of %s must be dot-separated names, without '/' or "
			     "empty parts",
			     k, owner);
		/* Only net.* is per network namespace; kernel.*, vm.*, fs.* are host-wide. */
		else if (strncmp(k, "net.", 4) != 0)
			verr(c, kv->loc,
			     "sysctl '%s' of %s is not a 'net.' key: sysctls are applied inside "
			     "the node's network namespace, anything else would change the host",
			     kv->key, owner);
	}
	for (size_t i = 0; i < s->n_binds; i++) {
		const struct topo_bind *b = &s->binds[i];

		if (!b->src || !*b->src)
			verr(c, b->loc, "bind of %s has an empty source", owner);
		if (!b->dst || b->dst[0] != '/')
			verr(c, b->loc,
			     "bind '%s' of %s: destination '%s' must be an absolute path",
			     b->src ? b->src : "", owner, b->dst ? b->dst : "");
		else {
			/* The target is created under the node's root before pivot_root: '..'
			 * would climb out of it into the host's tree. */
			for (const char *p = b->dst; (p = strstr(p, "..")); p += 2)
				if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0')) {
					verr(c, b->loc,
					     "bind '%s' of %s: destination '%s' must not "
					     "contain '..'",
					     b->src ? b->src : "", owner, b->dst);
					break;
				}
		}
	}
	if (s->has_cmd && s->n_cmd == 0)
		verr(c, s->cmd_loc, "cmd of %s is empty (leave 'cmd' out for the idle init)",
		     owner);
	if (s->rootfs && !*s->rootfs)
		verr(c, s->rootfs_loc, "rootfs of %s is empty (write 'host' or a directory)",
		     owner);
}

static bool kv_has(const struct topo_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (streq(kv[i].key, key))
			return true;
	return false;
}

static int kv_merge(struct topo_kv **arr, size_t *n, const struct topo_kv *def, size_t n_def)
{
	struct topo_kv *out;
	size_t k = 0, keep = 0;

	for (size_t i = 0; i < n_def; i++)
		keep += !kv_has(*arr, *n, def[i].key);
	if (keep == 0)
		return 0;
	out = array_new(keep + *n, sizeof(*out));
	if (!out)
		return -ENOMEM;
	/* Defaults first, then the node's own: sysctls apply in order, so a node's
	 * per-interface keys come after the defaults' "all" and "default" ones. */
	for (size_t i = 0; i < n_def; i++) {
		if (kv_has(*arr, *n, def[i].key))
			continue;
		out[k].key = strdup(def[i].key);
		out[k].value = strdup(def[i].value);
		out[k].loc = def[i].loc;
		if (!out[k].key || !out[k].value) {
			for (size_t j = 0; j <= k; j++) {
				free(out[j].key);
				free(out[j].value);
			}
			free(out);
			return -ENOMEM;
		}
		k++;
	}
	if (*n)
		memcpy(out + k, *arr, *n * sizeof(*out));
	free(*arr);
	*arr = out;
	*n += k;
	return 0;
}

static int binds_copy(struct topo_node_settings *s, const struct topo_node_settings *def)
{
	struct topo_bind *out = array_new(def->n_binds, sizeof(*out));

	if (def->n_binds && !out)
		return -ENOMEM;
	for (size_t i = 0; i < def->n_binds; i++) {
		out[i] = def->binds[i];
		out[i].src = strdup(def->binds[i].src);
		out[i].dst = strdup(def->binds[i].dst);
		if (!out[i].src || !out[i].dst) {
			for (size_t j = 0; j <= i; j++) {
				free(out[j].src);
				free(out[j].dst);
			}
			free(out);
			return -ENOMEM;
		}
	}
	s->binds = out;
	s->n_binds = def->n_binds;
	s->has_binds = true;
	return 0;
}

static int exec_copy(struct topo_node_settings *s, const struct topo_node_settings *def)
{
	struct topo_exec *out = array_new(def->n_exec, sizeof(*out));

	if (def->n_exec && !out)
		return -ENOMEM;
	for (size_t i = 0; i < def->n_exec; i++) {
		out[i] = def->exec[i];
		out[i].cmd = def->exec[i].cmd ? strdup(def->exec[i].cmd) : NULL;
		if (def->exec[i].cmd && !out[i].cmd) {
			for (size_t j = 0; j < i; j++)
				free(out[j].cmd);
			free(out);
			return -ENOMEM;
		}
	}
	s->exec = out;
	s->n_exec = def->n_exec;
	s->has_exec = true;
	return 0;
}

static int cmd_copy(struct topo_node_settings *s, const struct topo_node_settings *def)
{
	char **out = NULL;

	if (def->cmd) {
		out = calloc(def->n_cmd + 1, sizeof(*out));
		if (!out)
			return -ENOMEM;
		for (size_t i = 0; i < def->n_cmd; i++)
			if (!(out[i] = strdup(def->cmd[i]))) {
				for (size_t j = 0; j < i; j++)
					free(out[j]);
				free(out);
				return -ENOMEM;
			}
	}
	s->cmd = out;
	s->n_cmd = def->cmd ? def->n_cmd : 0;
	s->has_cmd = true;
	s->cmd_loc = def->cmd_loc;
	return 0;
}

/* Node values win: per key for sysctls and env, per field for limits, whole for the rest. */
static int merge_defaults(struct topo_node_settings *s, const struct topo_node_settings *def)
{
	struct topo_limits *l = &s->limits;
	const struct topo_limits *dl = &def->limits;
	int r;

	r = kv_merge(&s->sysctls, &s->n_sysctls, def->sysctls, def->n_sysctls);
	if (r < 0)
		return r;
	r = kv_merge(&s->env, &s->n_env, def->env, def->n_env);
	if (r < 0)
		return r;
	if (!l->has_memory && dl->has_memory) {
		l->has_memory = true;
		l->memory = dl->memory;
		l->memory_loc = dl->memory_loc;
	}
	if (!l->has_cpu && dl->has_cpu) {
		l->has_cpu = true;
		l->cpu_millis = dl->cpu_millis;
		l->cpu_loc = dl->cpu_loc;
	}
	if (!l->has_pids && dl->has_pids) {
		l->has_pids = true;
		l->pids = dl->pids;
		l->pids_loc = dl->pids_loc;
	}
	if (!s->rootfs && def->rootfs) {
		s->rootfs = strdup(def->rootfs);
		if (!s->rootfs)
			return -ENOMEM;
		s->rootfs_loc = def->rootfs_loc;
	}
	if (!s->has_binds && def->has_binds) {
		r = binds_copy(s, def);
		if (r < 0)
			return r;
	}
	if (!s->has_cmd && def->has_cmd) {
		r = cmd_copy(s, def);
		if (r < 0)
			return r;
	}
	if (!s->has_exec && def->has_exec) {
		r = exec_copy(s, def);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- tests ---- */

static void check_tests(struct vctx *c)
{
	struct topo *t = c->t;

	for (size_t i = 0; i < t->n_tests; i++) {
		const struct topo_test *tt = &t->tests[i];
		const struct topo_node *from = NULL, *to = NULL;
		const char *s;
		long k;

		if (!tt->from || !tt->to)
			continue; /* the ping list did not parse */
		k = topo_index_lookup(t, tt->from);
		if (k >= 0)
			from = &t->nodes[k];
		else if ((s = topo_suggest(tt->from, c->node_names, t->n_nodes)))
			verr(c, tt->loc, "ping source '%s' is not a node (did you mean '%s'?)",
			     tt->from, s);
		else
			verr(c, tt->loc, "ping source '%s' is not a node", tt->from);
		if (!tt->to_is_addr) {
			k = topo_index_lookup(t, tt->to);
			if (k >= 0)
				to = &t->nodes[k];
			else if ((s = topo_suggest(tt->to, c->node_names, t->n_nodes)))
				verr(c, tt->loc,
				     "ping target '%s' is neither a node nor an address (did "
				     "you mean '%s'?)",
				     tt->to, s);
			else
				verr(c, tt->loc,
				     "ping target '%s' is neither a node nor an address", tt->to);
		}

		if (from && !topo_node_first_addr(from, 0))
			verr(c, tt->loc, "ping from '%s' to '%s': node '%s' has no address",
			     tt->from, tt->to, from->name);
		if (to && !topo_node_first_addr(to, 0))
			verr(c, tt->loc, "ping from '%s' to '%s': node '%s' has no address",
			     tt->from, tt->to, to->name);
		if (!from || !topo_node_first_addr(from, 0))
			continue;
		if (tt->to_is_addr && !topo_node_first_addr(from, tt->to_addr.family))
			verr(c, tt->loc, "ping from '%s' to '%s': node '%s' has no %s address",
			     tt->from, tt->to, from->name, family_name(tt->to_addr.family));
		/* A node target is its first address of a family the source has, IPv4 first
		 * (the rule `nsctl test` applies): the two need one family in common. */
		if (to && topo_node_first_addr(to, 0) &&
		    !(topo_node_first_addr(from, AF_INET) && topo_node_first_addr(to, AF_INET)) &&
		    !(topo_node_first_addr(from, AF_INET6) && topo_node_first_addr(to, AF_INET6)))
			verr(c, tt->loc,
			     "ping from '%s' to '%s': the two nodes have no address family in "
			     "common",
			     tt->from, tt->to);
	}
}

/* ---- entry point ---- */

static bool model_empty(const struct topo *t)
{
	return !t->name && !t->n_nodes && !t->n_bridges && !t->n_links && !t->n_tests &&
	       !t->n_host_ifaces;
}

int topo_validate(struct topo *t, struct topo_diag *d)
{
	struct vctx c = { .t = t, .d = d };
	struct mac_list macs = { 0 };
	size_t errors_before = d->n_errors;
	int r;

	/* The parser could not read the file at all (syntax error, size cap): it said so, and
	 * "no name, no nodes" would only repeat it. */
	if (d->n_errors > 0 && model_empty(t))
		return -EINVAL;

	r = lookups_build(&c);
	if (r < 0)
		goto out;
	/* Validation owns these fields: start over, so running it twice gives the same model. */
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			t->nodes[i].ifaces[j].link = -1;
	for (size_t j = 0; j < t->n_host_ifaces; j++)
		t->host_ifaces[j].link = -1;
	for (size_t i = 0; i < t->n_bridges; i++)
		t->bridges[i].n_ports = 0;

	check_names(&c);
	collect_iface_macs(&c, &macs);
	check_links(&c, &macs);
	check_netem(&c);
	check_link_mtus(&c);
	check_ifaces(&c);
	check_addresses(&c);
	check_macs(&c, &macs);
	for (size_t i = 0; i < t->n_nodes; i++)
		check_node_routes(&c, &t->nodes[i]);

	/* Settings are checked where they are written, before defaults are copied into every
	 * node: one bad default is one error, not one per node. */
	check_settings(&c, &t->defaults, "the defaults");
	for (size_t i = 0; i < t->n_nodes; i++) {
		_cleanup_free_ char *owner = NULL;

		if (asprintf(&owner, "node '%s'", t->nodes[i].name) < 0) {
			owner = NULL;
			c.oom = true;
			break;
		}
		check_settings(&c, &t->nodes[i].s, owner);
	}
	for (size_t i = 0; i < t->n_nodes && !c.oom; i++)
		if (merge_defaults(&t->nodes[i].s, &t->defaults) < 0)
			c.oom = true;

	check_tests(&c);
	r = 0;
out:
	free(macs.v);
	free(c.node_names);
	free(c.bridge_names);
	free(c.bridge_slots);
	if (r < 0 || c.oom)
		return -ENOMEM;
	return d->n_errors > errors_before ? -EINVAL : 0;
}
