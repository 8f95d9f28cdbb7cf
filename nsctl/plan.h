/* SPDX-License-Identifier: MIT */
/* The planner: a validated topology model -> an ordered, const array of kernel actions.
 * Pure: no syscalls. The executor (exec.c) runs the actions through the action_ops table. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "topo/topo.h"

/* Action kinds, in the order their phases run (plan_build() emits them phase by phase):
 * namespaces, sysctls, bridges, dummies, veths, per-interface sysctls, bridge ports, addresses,
 * link up (lo first), routes, netem, node start, exec. */
enum action_kind {
	ACT_NETNS_ADD,	 /* one per node, plus the fabric namespace when the lab has bridges */
	ACT_SYSCTL_SET,	 /* one key in one node's namespace */
	ACT_LINK_BRIDGE, /* a bridge in the fabric namespace */
	ACT_LINK_DUMMY,	 /* a dummy interface in a node */
	ACT_LINK_VETH,	 /* a veth pair, each end created directly in its namespace */
	ACT_LINK_MASTER, /* attach a fabric port to its bridge */
	ACT_ADDR_ADD,	 /* one address on one interface */
	ACT_LINK_UP,	 /* set one interface up */
	ACT_ROUTE_ADD,	 /* one route in one node */
	ACT_QDISC_NETEM, /* a netem root qdisc on a node-side link end */
	ACT_NODE_START,	 /* start the node's init (issue 4) */
	ACT_NODE_EXEC,	 /* run one exec: entry inside a node */
	_ACT_MAX,
};

/* One network device as created: where it lives and the attributes set in the creating
 * netlink request itself (one request, not a create followed by changes). */
struct action_dev {
	const char *netns;  /* namespace name; NULL = the host namespace */
	const char *ifname; /* name inside that namespace */
	const uint8_t *mac; /* 6 bytes, or NULL for the kernel's random address */
	const char *alias;  /* IFLA_IFALIAS owner mark for host-namespace ends, else NULL */
	unsigned mtu;	    /* 0 = kernel default */
	bool no_ipv6_ll;    /* IN6_ADDR_GEN_MODE_NONE: no IPv6 link-local (no v6 address asked) */
};

/* One step. Strings and model pointers stay valid while both the plan and the model live;
 * the plan never outlives the model it was built from. */
struct action {
	enum action_kind kind;
	struct topo_loc loc; /* the model element this step comes from */
	const char *object;  /* label for messages: "r1", "r1:eth0", "lan1", "host:lab-h2" */
	union {
		struct {
			const char *name;
			const struct topo_node *node; /* NULL for the fabric namespace */
		} netns;
		struct {
			const char *netns;
			const struct topo_kv *kv; /* key as written (dots), value */
		} sysctl;
		/* ACT_LINK_BRIDGE, ACT_LINK_DUMMY; ACT_LINK_UP uses netns, ifname and, for lo
		 * only (which no action creates), mtu: set in the same request as IFF_UP. */
		struct action_dev dev;
		struct {
			struct action_dev end[2]; /* in the link's endpoint order */
		} veth;
		struct {
			const char *netns, *ifname, *master;
		} master;
		struct {
			const char *netns, *ifname;
			const struct topo_addr *addr;
		} addr;
		struct {
			const char *netns;
			const struct topo_route *route;
		} route;
		struct {
			const char *netns, *ifname;
			const struct topo_netem *netem;
		} netem;
		struct {
			const char *netns;
			const struct topo_node *node;
			const struct topo_exec *exec; /* ACT_NODE_EXEC only */
		} node;
	};
};

struct plan;

/* Builds the plan for the validated model @t (topo_validate() returned 0). Pure: no system
 * calls. *@ret must be freed with plan_free() before @t is. Returns 0, -ENOMEM, or -EINVAL
 * when @t is not a validated model (an unresolved endpoint). */
int plan_build(const struct topo *t, struct plan **ret);
/* Frees @p; accepts NULL; returns NULL. */
struct plan *plan_free(struct plan *p);

/* Number of actions. */
size_t plan_count(const struct plan *p);
/* Action @i (0-based, i < plan_count()), or NULL when out of range. */
const struct action *plan_get(const struct plan *p, size_t i);
/* The network namespace name of node @node_idx ("<lab>-<node>"), NULL when out of range. */
const char *plan_node_netns(const struct plan *p, size_t node_idx);
/* The lab's fabric namespace name ("<lab>--fabric"), or NULL when the lab has no bridges. */
const char *plan_fabric_netns(const struct plan *p);

/* Prints one line per action: "%4zu " + describe(). Returns 0 or -EIO. */
int plan_print(const struct plan *p, FILE *out);
/* Prints the plan as a JSON array of {"step":N,"kind":…,"object":…,…}. Returns 0 or -EIO. */
int plan_print_json(const struct plan *p, FILE *out);

/* ---- the action table (nsctl/actions.c) ---- */

struct exec_ctx;
struct action_result;

/* There is no undo member: undo is data, not code. apply() journals every object that needs an
 * explicit undo (namespaces, host-side links) before creating it, and `down` and the rollback
 * replay that journal, without the plan (docs/teardown.md, docs/decisions.md). */
struct action_ops {
	const char *name; /* the describe verb, also "kind" in JSON */
	/* Performs the step (or, with a finish, starts it). */
	int (*apply)(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
	/* NULL, or the second half of a step that apply leaves in flight (node-start): the
	 * executor calls it later, after applying up to a window of further such steps, and
	 * always before a step that has none. */
	int (*finish)(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
	/* Prints the action as one line (no newline), aligned columns: verb, object, details. */
	void (*describe)(const struct action *a, FILE *out);
	/* Prints the kind-specific JSON members, each preceded by ",". */
	void (*json)(const struct action *a, FILE *out);
};

extern const struct action_ops action_ops[_ACT_MAX];

/* Width of the verb column in describe() output. */
#define ACTION_VERB_WIDTH 12

/* Prints @ne's settings as tc words ("delay 5ms jitter 1ms loss 0.5% rate 100mbit"), no
 * leading or trailing space. */
void actions_print_netem(FILE *out, const struct topo_netem *ne);

/* Writes @s to @out as a JSON string literal (quotes included); NULL prints null. */
void json_print_string(FILE *out, const char *s);
