/* SPDX-License-Identifier: MIT */
/* The planner: walks the validated model once per phase and appends actions. Pure: no
 * syscalls, no kernel state; the same model always gives the same plan (the golden files in
 * tests/golden/ rely on it). */
#include "nsctl/plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/macro.h"

/* Generated strings live in a chain of blocks, so pointers into it stay valid as it grows and
 * one free walks it. 16 KiB blocks keep a 1000-node lab at a few dozen mallocs. */
#define POOL_BLOCK (16u << 10)

struct pool_block {
	struct pool_block *next;
	size_t used, size;
	char data[];
};

struct plan {
	struct action *actions;
	size_t n_actions, cap;
	struct pool_block *pool;
	const char **node_netns; /* [n_nodes] */
	size_t n_nodes;
	const char *fabric_netns; /* NULL: no bridges */
};

/* Build-time state, freed before plan_build() returns. */
struct builder {
	const struct topo *t;
	struct plan *p;
	const char **port; /* [2 * n_links]: fabric port name of each bridge end, else NULL */
	const char **seen; /* open-addressing set of names taken in the fabric namespace */
	size_t seen_cap;
};

static char *pool_alloc(struct plan *p, size_t n)
{
	struct pool_block *b = p->pool;
	char *s;

	if (!b || b->size - b->used < n) {
		size_t size = n > POOL_BLOCK ? n : POOL_BLOCK;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->next = p->pool;
		b->used = 0;
		b->size = size;
		p->pool = b;
	}
	s = b->data + b->used;
	b->used += n;
	return s;
}

static const char *pool_printf(struct plan *p, const char *fmt, ...) _printf_(2, 3);

static const char *pool_printf(struct plan *p, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = pool_alloc(p, (size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

struct plan *plan_free(struct plan *p)
{
	if (!p)
		return NULL;
	while (p->pool) {
		struct pool_block *b = p->pool;

		p->pool = b->next;
		free(b);
	}
	free(p->actions);
	free(p->node_netns);
	free(p);
	return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct plan *, plan_free);

size_t plan_count(const struct plan *p)
{
	return p->n_actions;
}

const struct action *plan_get(const struct plan *p, size_t i)
{
	return i < p->n_actions ? &p->actions[i] : NULL;
}

const char *plan_node_netns(const struct plan *p, size_t node_idx)
{
	return node_idx < p->n_nodes ? p->node_netns[node_idx] : NULL;
}

const char *plan_fabric_netns(const struct plan *p)
{
	return p->fabric_netns;
}

/* Appends a zeroed action; returns it, or NULL on ENOMEM (also when @object is NULL, which is
 * how a failed pool_printf() arrives here). */
static struct action *push(struct builder *b, enum action_kind kind, struct topo_loc loc,
			   const char *object)
{
	struct plan *p = b->p;
	struct action *a;

	if (!object)
		return NULL;
	if (p->n_actions == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		struct action *na = reallocarray(p->actions, ncap, sizeof(*na));

		if (!na)
			return NULL;
		p->actions = na;
		p->cap = ncap;
	}
	a = &p->actions[p->n_actions++];
	*a = (struct action){ .kind = kind, .loc = loc, .object = object };
	return a;
}

/* ---- names ---- */

static size_t str_hash(const char *s)
{
	size_t h = 14695981039346656037ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Returns the slot of @name in the fabric-namespace name set, or the empty slot it would take. */
static size_t seen_slot(const struct builder *b, const char *name)
{
	size_t mask = b->seen_cap - 1, i;

	for (i = str_hash(name) & mask; b->seen[i]; i = (i + 1) & mask)
		if (streq(b->seen[i], name))
			break;
	return i;
}

/* Adds @name (which must outlive the builder) to the set unless it is there already. */
static void seen_add(struct builder *b, const char *name)
{
	size_t i = seen_slot(b, name);

	if (!b->seen[i])
		b->seen[i] = name;
}

static bool iface_has_v6(const struct topo_iface *ifc)
{
	for (size_t i = 0; i < ifc->n_addrs; i++)
		if (ifc->addrs[i].family == AF_INET6)
			return true;
	return false;
}

/* Whether the model's interface exists once the links are made: lo always, dummies always, a
 * veth end only when a link uses it (the validator rejects the others; skip them anyway rather
 * than address an interface nothing creates). */
static bool iface_exists(const struct topo_iface *ifc)
{
	return ifc->type != TOPO_IF_VETH || ifc->link >= 0;
}

/* Picks the fabric-namespace name of the bridge end @side of link @li: "<node>-<iface>" of the
 * other end when it fits IFNAMSIZ and is free, else "p<link index>", else "p<link index>_<n>".
 * Every name is checked against the bridges, "lo" and the ports named so far, so it is unique
 * in the fabric namespace whatever the node, interface and bridge names are. */
static int port_name(struct builder *b, size_t li, int side, const char **ret)
{
	const struct topo_endpoint *peer = &b->t->links[li].ep[!side];
	char buf[TOPO_IFNAMSIZ + 64];
	int n;

	switch (peer->kind) {
	case TOPO_EP_NODE:
		n = snprintf(buf, sizeof(buf), "%s-%s", peer->node, peer->iface);
		break;
	case TOPO_EP_HOST:
		n = snprintf(buf, sizeof(buf), "host-%s", peer->iface);
		break;
	default: /* bridge to bridge: named after the far bridge */
		n = snprintf(buf, sizeof(buf), "to-%s", peer->node);
		break;
	}
	for (unsigned k = 0;; k++) {
		const char *s;

		if (k == 1)
			n = snprintf(buf, sizeof(buf), "p%zu", li);
		else if (k > 1)
			n = snprintf(buf, sizeof(buf), "p%zu_%u", li, k - 1);
		if (n < 0 || (size_t)n >= TOPO_IFNAMSIZ)
			continue; /* over IFNAMSIZ: next form */
		/* Look before copying into the pool, so rejected candidates cost nothing. */
		if (b->seen[seen_slot(b, buf)])
			continue;
		s = pool_printf(b->p, "%s", buf);
		if (!s)
			return -ENOMEM;
		seen_add(b, s);
		*ret = s;
		return 0;
	}
}

static int name_ports(struct builder *b)
{
	const struct topo *t = b->t;
	size_t want = 2 * (t->n_bridges + 2 * t->n_links + 1);

	b->seen_cap = 16;
	while (b->seen_cap < want)
		b->seen_cap *= 2;
	b->seen = calloc(b->seen_cap, sizeof(*b->seen));
	b->port = calloc(2 * t->n_links + 1, sizeof(*b->port));
	if (!b->seen || !b->port)
		return -ENOMEM;

	seen_add(b, "lo");
	for (size_t i = 0; i < t->n_bridges; i++)
		seen_add(b, t->bridges[i].name);
	for (size_t li = 0; li < t->n_links; li++)
		for (int side = 0; side < 2; side++) {
			int r;

			if (t->links[li].ep[side].kind != TOPO_EP_BRIDGE)
				continue;
			r = port_name(b, li, side, &b->port[2 * li + (size_t)side]);
			if (r < 0)
				return r;
		}
	return 0;
}

/* The model's interface behind a node or host endpoint. */
static const struct topo_iface *ep_iface(const struct topo *t, const struct topo_endpoint *ep)
{
	if (ep->kind == TOPO_EP_NODE)
		return &t->nodes[ep->idx].ifaces[ep->iface_idx];
	if (ep->kind == TOPO_EP_HOST)
		return &t->host_ifaces[ep->idx];
	return NULL;
}

/* The MTU of end @side of @l (docs/topology.md, "Link MTU"): the link's; else the end's own
 * interface's; else, for a bridge or host end, the node end's; else 0 (kernel default). A
 * bridge's own mtu is not inherited by its ports: a difference is a validate warning. */
static unsigned end_mtu(const struct topo *t, const struct topo_link *l, int side)
{
	const struct topo_iface *own = ep_iface(t, &l->ep[side]);
	const struct topo_endpoint *peer = &l->ep[!side];

	if (l->mtu)
		return l->mtu;
	if (own && own->mtu)
		return own->mtu;
	if (l->ep[side].kind != TOPO_EP_NODE && peer->kind == TOPO_EP_NODE)
		return ep_iface(t, peer)->mtu;
	return 0;
}

/* Fills @d for end @side of link @li and returns its message label ("r1:eth0",
 * "host:lab-h2", "lan1:r1-eth0"), or NULL on ENOMEM. */
static const char *link_end(struct builder *b, size_t li, int side, struct action_dev *d)
{
	const struct topo *t = b->t;
	const struct topo_link *l = &t->links[li];
	const struct topo_endpoint *ep = &l->ep[side];
	const struct topo_iface *ifc = ep_iface(t, ep);

	*d = (struct action_dev){ .mtu = end_mtu(t, l, side) };
	switch (ep->kind) {
	case TOPO_EP_NODE:
	case TOPO_EP_HOST:
		d->ifname = ifc->name;
		d->mac = ifc->has_mac ? ifc->mac : ep->has_mac ? ep->mac : NULL;
		/* DESIGN.md: no link-local unless the interface asks for IPv6. */
		d->no_ipv6_ll = !iface_has_v6(ifc);
		if (ep->kind == TOPO_EP_NODE) {
			d->netns = b->p->node_netns[ep->idx];
			return pool_printf(b->p, "%s:%s", t->nodes[ep->idx].name, ifc->name);
		}
		/* The only kind of object a lab owns in the host namespace: the alias marks it
		 * as ours, so down and rollback never delete a same-named interface of someone
		 * else's. */
		d->alias = pool_printf(b->p, "nsctl:%s:%s", t->name, ifc->name);
		if (!d->alias)
			return NULL;
		return pool_printf(b->p, "host:%s", ifc->name);
	default:
		d->netns = b->p->fabric_netns;
		d->ifname = b->port[2 * li + (size_t)side];
		d->no_ipv6_ll = true; /* a bridge port needs no address of its own */
		return pool_printf(b->p, "%s:%s", ep->node, d->ifname);
	}
}

/* ---- phases ---- */

static int phase_netns(struct builder *b)
{
	const struct topo *t = b->t;
	struct action *a;

	for (size_t i = 0; i < t->n_nodes; i++) {
		a = push(b, ACT_NETNS_ADD, t->nodes[i].loc, t->nodes[i].name);
		if (!a)
			return -ENOMEM;
		a->netns.name = b->p->node_netns[i];
		a->netns.node = &t->nodes[i];
	}
	if (b->p->fabric_netns) {
		a = push(b, ACT_NETNS_ADD, t->bridges[0].loc, b->p->fabric_netns);
		if (!a)
			return -ENOMEM;
		a->netns.name = b->p->fabric_netns;
	}
	return 0;
}

/* True when a sysctl key names one interface (net.ipv4.conf.eth0.rp_filter, also in the '/'
 * form): such a key exists only once the interface does, so it is set after the links are
 * created. all/default/lo exist with the namespace; "default" in particular must be set before
 * the links, since it seeds their per-interface values. */
static bool sysctl_per_iface(const char *key)
{
	static const char *const pfx[] = { "net.ipv4.conf.",  "net.ipv6.conf.", "net.ipv4.neigh.",
					   "net.ipv6.neigh.", "net/ipv4/conf/", "net/ipv6/conf/",
					   "net/ipv4/neigh/", "net/ipv6/neigh/" };

	for (size_t i = 0; i < ELEMENTSOF(pfx); i++) {
		size_t plen = strlen(pfx[i]), n;
		const char *seg, *end;

		if (strncmp(key, pfx[i], plen) != 0)
			continue;
		seg = key + plen;
		end = strchr(seg, pfx[i][plen - 1]);
		n = end ? (size_t)(end - seg) : strlen(seg);
		return !((n == 3 && !strncmp(seg, "all", 3)) ||
			 (n == 7 && !strncmp(seg, "default", 7)) ||
			 (n == 2 && !strncmp(seg, "lo", 2)));
	}
	return false;
}

static int phase_sysctl(struct builder *b, bool per_iface)
{
	const struct topo *t = b->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		for (size_t j = 0; j < n->s.n_sysctls; j++) {
			const struct topo_kv *kv = &n->s.sysctls[j];
			struct action *a;

			if (sysctl_per_iface(kv->key) != per_iface)
				continue;
			a = push(b, ACT_SYSCTL_SET, kv->loc, n->name);
			if (!a)
				return -ENOMEM;
			a->sysctl.netns = b->p->node_netns[i];
			a->sysctl.kv = kv;
		}
	}
	return 0;
}

static int phase_sysctl_ns(struct builder *b)
{
	return phase_sysctl(b, false);
}

static int phase_sysctl_iface(struct builder *b)
{
	return phase_sysctl(b, true);
}

static int phase_bridges(struct builder *b)
{
	const struct topo *t = b->t;

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct topo_bridge *br = &t->bridges[i];
		struct action *a = push(b, ACT_LINK_BRIDGE, br->loc, br->name);

		if (!a)
			return -ENOMEM;
		a->dev = (struct action_dev){ .netns = b->p->fabric_netns,
					      .ifname = br->name,
					      .mtu = br->mtu,
					      .no_ipv6_ll = true };
	}
	return 0;
}

static int phase_dummies(struct builder *b)
{
	const struct topo *t = b->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		for (size_t j = 0; j < n->n_ifaces; j++) {
			const struct topo_iface *ifc = &n->ifaces[j];
			struct action *a;

			if (ifc->type != TOPO_IF_DUMMY)
				continue;
			a = push(b, ACT_LINK_DUMMY, ifc->loc,
				 pool_printf(b->p, "%s:%s", n->name, ifc->name));
			if (!a)
				return -ENOMEM;
			a->dev = (struct action_dev){ .netns = b->p->node_netns[i],
						      .ifname = ifc->name,
						      .mac = ifc->has_mac ? ifc->mac : NULL,
						      .mtu = ifc->mtu,
						      .no_ipv6_ll = !iface_has_v6(ifc) };
		}
	}
	return 0;
}

/* Which end names a link in messages: a node end (the user's words), else a host end. */
static int label_side(const struct topo_link *l)
{
	for (int side = 0; side < 2; side++)
		if (l->ep[side].kind == TOPO_EP_NODE)
			return side;
	return l->ep[1].kind == TOPO_EP_HOST && l->ep[0].kind != TOPO_EP_HOST ? 1 : 0;
}

static int phase_veths(struct builder *b)
{
	const struct topo *t = b->t;

	for (size_t li = 0; li < t->n_links; li++) {
		struct action_dev d[2];
		const char *label[2];
		struct action *a;
		int pick;

		for (int side = 0; side < 2; side++) {
			label[side] = link_end(b, li, side, &d[side]);
			if (!label[side])
				return -ENOMEM;
		}
		pick = label_side(&t->links[li]);
		a = push(b, ACT_LINK_VETH, t->links[li].loc, label[pick]);
		if (!a)
			return -ENOMEM;
		a->veth.end[0] = d[0];
		a->veth.end[1] = d[1];
	}
	return 0;
}

static int phase_master(struct builder *b)
{
	const struct topo *t = b->t;

	for (size_t li = 0; li < t->n_links; li++)
		for (int side = 0; side < 2; side++) {
			const struct topo_endpoint *ep = &t->links[li].ep[side];
			const char *port = b->port[2 * li + (size_t)side];
			struct action *a;

			if (ep->kind != TOPO_EP_BRIDGE)
				continue;
			a = push(b, ACT_LINK_MASTER, t->links[li].loc,
				 pool_printf(b->p, "%s:%s", ep->node, port));
			if (!a)
				return -ENOMEM;
			a->master.netns = b->p->fabric_netns;
			a->master.ifname = port;
			a->master.master = t->bridges[ep->idx].name;
		}
	return 0;
}

static int push_addrs(struct builder *b, const char *netns, const char *owner,
		      const struct topo_iface *ifc)
{
	const char *label;

	if (ifc->n_addrs == 0)
		return 0;
	label = pool_printf(b->p, "%s:%s", owner, ifc->name);
	for (size_t k = 0; k < ifc->n_addrs; k++) {
		struct action *a = push(b, ACT_ADDR_ADD, ifc->addrs[k].loc, label);

		if (!a)
			return -ENOMEM;
		a->addr.netns = netns;
		a->addr.ifname = ifc->name;
		a->addr.addr = &ifc->addrs[k];
	}
	return 0;
}

static int phase_addrs(struct builder *b)
{
	const struct topo *t = b->t;
	int r;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		for (size_t j = 0; j < n->n_ifaces; j++) {
			if (!iface_exists(&n->ifaces[j]))
				continue;
			r = push_addrs(b, b->p->node_netns[i], n->name, &n->ifaces[j]);
			if (r < 0)
				return r;
		}
	}
	/* Host ends in link order: only those a link creates get addresses. */
	for (size_t li = 0; li < t->n_links; li++)
		for (int side = 0; side < 2; side++) {
			const struct topo_endpoint *ep = &t->links[li].ep[side];

			if (ep->kind != TOPO_EP_HOST)
				continue;
			r = push_addrs(b, NULL, "host", &t->host_ifaces[ep->idx]);
			if (r < 0)
				return r;
		}
	return 0;
}

static int push_up(struct builder *b, struct topo_loc loc, const char *object, const char *netns,
		   const char *ifname)
{
	struct action *a = push(b, ACT_LINK_UP, loc, object);

	if (!a)
		return -ENOMEM;
	a->dev.netns = netns;
	a->dev.ifname = ifname;
	return 0;
}

static int phase_up(struct builder *b)
{
	const struct topo *t = b->t;
	int r;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		const struct topo_iface *lo = topo_node_find_iface(n, "lo");
		const char *ns = b->p->node_netns[i];

		/* lo first: a fresh namespace has it down, and local traffic (the node's own
		 * addresses, 127.0.0.1) needs it before anything else. */
		r = push_up(b, lo ? lo->loc : n->loc, pool_printf(b->p, "%s:lo", n->name), ns,
			    "lo");
		if (r < 0)
			return r;
		/* No action creates lo, so its MTU goes with its link-up (one request). */
		if (lo && lo->mtu)
			b->p->actions[b->p->n_actions - 1].dev.mtu = lo->mtu;
		for (size_t j = 0; j < n->n_ifaces; j++) {
			const struct topo_iface *ifc = &n->ifaces[j];

			if (ifc->type == TOPO_IF_LOOPBACK || !iface_exists(ifc))
				continue;
			r = push_up(b, ifc->loc, pool_printf(b->p, "%s:%s", n->name, ifc->name), ns,
				    ifc->name);
			if (r < 0)
				return r;
		}
	}
	for (size_t i = 0; i < t->n_bridges; i++) {
		r = push_up(b, t->bridges[i].loc, t->bridges[i].name, b->p->fabric_netns,
			    t->bridges[i].name);
		if (r < 0)
			return r;
	}
	for (size_t li = 0; li < t->n_links; li++)
		for (int side = 0; side < 2; side++) {
			const struct topo_endpoint *ep = &t->links[li].ep[side];
			const char *port = b->port[2 * li + (size_t)side];

			if (ep->kind != TOPO_EP_BRIDGE)
				continue;
			r = push_up(b, t->links[li].loc, pool_printf(b->p, "%s:%s", ep->node, port),
				    b->p->fabric_netns, port);
			if (r < 0)
				return r;
		}
	for (size_t li = 0; li < t->n_links; li++)
		for (int side = 0; side < 2; side++) {
			const struct topo_endpoint *ep = &t->links[li].ep[side];

			if (ep->kind != TOPO_EP_HOST)
				continue;
			r = push_up(b, ep->loc, pool_printf(b->p, "host:%s", ep->iface), NULL,
				    t->host_ifaces[ep->idx].name);
			if (r < 0)
				return r;
		}
	return 0;
}

static int phase_routes(struct builder *b)
{
	const struct topo *t = b->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		for (size_t j = 0; j < n->n_routes; j++) {
			struct action *a = push(b, ACT_ROUTE_ADD, n->routes[j].loc, n->name);

			if (!a)
				return -ENOMEM;
			a->route.netns = b->p->node_netns[i];
			a->route.route = &n->routes[j];
		}
	}
	return 0;
}

static int phase_netem(struct builder *b)
{
	const struct topo *t = b->t;

	/* Node-side ends only: the host's and the fabric's ends keep their default qdisc. On a
	 * node-to-node link both ends shape their own egress, so the delay applies each way. */
	for (size_t li = 0; li < t->n_links; li++) {
		const struct topo_link *l = &t->links[li];

		if (!l->has_netem)
			continue;
		for (int side = 0; side < 2; side++) {
			const struct topo_endpoint *ep = &l->ep[side];
			const struct topo_node *n;
			struct action *a;

			if (ep->kind != TOPO_EP_NODE)
				continue;
			n = &t->nodes[ep->idx];
			a = push(
				b, ACT_QDISC_NETEM, l->netem.loc,
				pool_printf(b->p, "%s:%s", n->name, n->ifaces[ep->iface_idx].name));
			if (!a)
				return -ENOMEM;
			a->netem.netns = b->p->node_netns[ep->idx];
			a->netem.ifname = n->ifaces[ep->iface_idx].name;
			a->netem.netem = &l->netem;
		}
	}
	return 0;
}

static int phase_nodes(struct builder *b)
{
	const struct topo *t = b->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		struct action *a = push(b, ACT_NODE_START, t->nodes[i].loc, t->nodes[i].name);

		if (!a)
			return -ENOMEM;
		a->node.netns = b->p->node_netns[i];
		a->node.node = &t->nodes[i];
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		for (size_t j = 0; j < n->s.n_exec; j++) {
			struct action *a = push(b, ACT_NODE_EXEC, n->s.exec[j].loc, n->name);

			if (!a)
				return -ENOMEM;
			a->node.netns = b->p->node_netns[i];
			a->node.node = n;
			a->node.exec = &n->s.exec[j];
		}
	}
	return 0;
}

/* Checks what the planner indexes with: every endpoint resolved by topo_validate(). */
static int check_resolved(const struct topo *t)
{
	for (size_t li = 0; li < t->n_links; li++)
		for (int side = 0; side < 2; side++) {
			const struct topo_endpoint *ep = &t->links[li].ep[side];

			if (ep->bad || ep->idx < 0)
				return -EINVAL;
			switch (ep->kind) {
			case TOPO_EP_NODE:
				if ((size_t)ep->idx >= t->n_nodes || ep->iface_idx < 0 ||
				    (size_t)ep->iface_idx >= t->nodes[ep->idx].n_ifaces)
					return -EINVAL;
				break;
			case TOPO_EP_BRIDGE:
				if ((size_t)ep->idx >= t->n_bridges)
					return -EINVAL;
				break;
			case TOPO_EP_HOST:
				if ((size_t)ep->idx >= t->n_host_ifaces)
					return -EINVAL;
				break;
			default:
				return -EINVAL;
			}
		}
	return t->name ? 0 : -EINVAL;
}

int plan_build(const struct topo *t, struct plan **ret)
{
	/* The order is the contract (docs/ and the golden files describe it). */
	static int (*const phases[])(struct builder *) = {
		phase_netns,	    /* everything else lives in one of them */
		phase_sysctl_ns,    /* forwarding and conf.default.* before any link exists */
		phase_bridges,	    /* masters before their ports */
		phase_dummies,	    /* node-local devices, no peer */
		phase_veths,	    /* each end created in its namespace, MTU/MAC included */
		phase_sysctl_iface, /* conf.<ifname>.* once the interface exists */
		phase_master,	    /* ports join their bridges while still down */
		phase_addrs,	    /* addresses before up: no traffic from an unaddressed link */
		phase_up,	    /* lo first in each node */
		phase_routes,	    /* the kernel refuses a gateway route on a down link */
		phase_netem,	    /* qdiscs on node-side ends of the up links */
		phase_nodes,	    /* processes start on a complete network; exec after */
	};
	_cleanup_(plan_freep) struct plan *p = NULL;
	struct builder b = { .t = t };
	int r;

	r = check_resolved(t);
	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	b.p = p;
	p->n_nodes = t->n_nodes;
	p->node_netns = calloc(t->n_nodes + 1, sizeof(*p->node_netns));
	if (!p->node_netns)
		return -ENOMEM;
	/* DESIGN.md: node namespaces are "<lab>-<node>". The fabric's "<lab>--fabric" cannot be
	 * one of them: node names start with an alphanumeric, never with '-'. */
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!(p->node_netns[i] = pool_printf(p, "%s-%s", t->name, t->nodes[i].name)))
			return -ENOMEM;
	if (t->n_bridges > 0 && !(p->fabric_netns = pool_printf(p, "%s--fabric", t->name)))
		return -ENOMEM;

	r = name_ports(&b);
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(phases); i++)
		r = phases[i](&b);
	free(b.port);
	free(b.seen);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

/* ---- output ---- */

int plan_print(const struct plan *p, FILE *out)
{
	for (size_t i = 0; i < p->n_actions; i++) {
		const struct action *a = &p->actions[i];

		fprintf(out, "%4zu ", i + 1);
		action_ops[a->kind].describe(a, out);
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

void json_print_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (*c < 0x20 || *c == 0x7f)
				fprintf(out, "\\u%04x", *c);
			else
				fputc(*c, out);
		}
	}
	fputc('"', out);
}

int plan_print_json(const struct plan *p, FILE *out)
{
	fputc('[', out);
	for (size_t i = 0; i < p->n_actions; i++) {
		const struct action *a = &p->actions[i];

		fprintf(out, "%s\n  {\"step\":%zu,\"kind\":", i ? "," : "", i + 1);
		json_print_string(out, action_ops[a->kind].name);
		fputs(",\"object\":", out);
		json_print_string(out, a->object);
		if (a->loc.line)
			fprintf(out, ",\"line\":%u,\"col\":%u", a->loc.line, a->loc.col);
		action_ops[a->kind].json(a, out);
		fputc('}', out);
	}
	fputs(p->n_actions ? "\n]\n" : "]\n", out);
	return ferror(out) ? -EIO : 0;
}
