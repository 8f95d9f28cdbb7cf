/* SPDX-License-Identifier: MIT */
/* nsctl status [LAB] [--json]: the labs under the state root, or one lab as the kernel sees it.
 *
 * The node list comes from the lab's stored topology copy; everything else (interfaces, states,
 * MTUs, addresses, bridge ports) comes from the kernel, one link dump and one address dump per
 * namespace, so status shows what is there, not what the file asked for. It takes no lock:
 * status never waits for, or makes fail, an `up` or `down` of the same lab. Every namespace fd
 * and socket is closed before printing: an open namespace fd pins the namespace, and `down`
 * would not free it while a slow reader of our output keeps us alive. */
#include "nsctl/status.h"

#include <arpa/inet.h>
#include <string.h>

#include "common/log.h"
#include "common/macro.h"
#include "netlink/netlink.h"
#include "nsctl/cli.h"
#include "nsctl/plan.h"
#include "nsctl/state.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct topo *, topo_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plan *, plan_free);

/* What one namespace holds, copied out of the kernel. */
struct ns_view {
	const char *netns; /* NULL = the host namespace */
	bool present;	   /* false: no such namespace (or a stale file where it should be) */
	struct link_info *links;
	size_t n_links;
	struct addr_info *addrs;
	size_t n_addrs;
};

static void ns_view_clear(struct ns_view *v)
{
	free(v->links);
	free(v->addrs);
	*v = (struct ns_view){ .netns = v->netns };
}

/* Dumps links and addresses of @v->netns into @v. A missing namespace is not an error: it sets
 * present = false. Returns 0 or a negative errno (logged). */
static int ns_view_load(struct ns_view *v)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	int r;

	if (v->netns) {
		_cleanup_close_ int fd = netns_open(v->netns);

		/* -EINVAL: a file that is not a namespace, left by a crashed `ip netns add`. */
		if (fd == -ENOENT || fd == -EINVAL)
			return 0;
		if (fd < 0)
			return log_error_errno(fd, "cannot open network namespace '%s'", v->netns);
		/* The socket keeps the namespace alive only as long as it is open; the fd is
		 * closed at the end of this block, the socket before we return. */
		r = nlk_open_in(fd, &nl);
	} else
		r = nlk_open(&nl);
	if (r < 0)
		return log_error_errno(r, "cannot open rtnetlink in %s",
				       v->netns ? v->netns : "host");
	r = link_list(nl, &v->links, &v->n_links);
	if (r < 0)
		return log_error_errno(r, "cannot list the links of %s",
				       v->netns ? v->netns : "host");
	r = addr_list(nl, AF_UNSPEC, &v->addrs, &v->n_addrs);
	if (r < 0) {
		ns_view_clear(v);
		return log_error_errno(r, "cannot list the addresses of %s",
				       v->netns ? v->netns : "host");
	}
	v->present = true;
	return 0;
}

static const struct link_info *ns_view_link(const struct ns_view *v, const char *name)
{
	for (size_t i = 0; i < v->n_links; i++)
		if (streq(v->links[i].name, name))
			return &v->links[i];
	return NULL;
}

/* "up" = administratively up with carrier, "no-carrier" = up without (a veth whose peer is
 * down, a bridge without a running port), "down" = administratively down. */
static const char *link_state(const struct link_info *l)
{
	if (!l->up)
		return "down";
	return l->lower_up ? "up" : "no-carrier";
}

static const char *mac_str(const struct link_info *l, char buf[static 18])
{
	if (!l->has_mac)
		return NULL;
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1], l->mac[2],
		 l->mac[3], l->mac[4], l->mac[5]);
	return buf;
}

#define CIDR_STRLEN (INET6_ADDRSTRLEN + 4)

static const char *addr_str(const struct addr_info *a, char buf[static CIDR_STRLEN])
{
	size_t n;

	if (!inet_ntop(a->family, a->addr, buf, INET6_ADDRSTRLEN))
		return "?";
	n = strlen(buf);
	snprintf(buf + n, CIDR_STRLEN - n, "/%u", a->prefixlen);
	return buf;
}

/* Prints the addresses of @ifindex that are not link-local: space-separated, or as the items
 * of a JSON array. */
static void print_addrs(FILE *out, const struct ns_view *v, int ifindex, bool json)
{
	bool first = true;

	for (size_t i = 0; i < v->n_addrs; i++) {
		const struct addr_info *a = &v->addrs[i];
		char buf[CIDR_STRLEN];

		if (a->ifindex != ifindex || a->link_local)
			continue;
		if (!first)
			fputc(json ? ',' : ' ', out);
		if (json)
			json_print_string(out, addr_str(a, buf));
		else
			fputs(addr_str(a, buf), out);
		first = false;
	}
}

/* The members of an interface object, without braces: name, state, mtu, mac, kind. */
static void json_link_members(FILE *out, const struct link_info *l)
{
	char mac[18];

	fputs("\"name\":", out);
	json_print_string(out, l->name);
	fputs(",\"state\":", out);
	json_print_string(out, link_state(l));
	fprintf(out, ",\"mtu\":%u,\"mac\":", l->mtu);
	json_print_string(out, mac_str(l, mac));
	fputs(",\"kind\":", out);
	json_print_string(out, l->kind);
}

static void json_iface(FILE *out, const struct ns_view *v, const struct link_info *l)
{
	fputc('{', out);
	json_link_members(out, l);
	fputs(",\"addresses\":[", out);
	print_addrs(out, v, l->ifindex, true);
	fputs("]}", out);
}

/* Whether host interface @l is this lab's: the planner marks every host-side end it creates
 * with the alias "nsctl:<lab>:<ifname>"; an interface of that name without the mark belongs to
 * someone else and is not shown. */
static bool host_link_ours(const struct link_info *l, const char *lab)
{
	char want[sizeof(l->alias) + 1];

	snprintf(want, sizeof(want), "nsctl:%s:%s", lab, l->name);
	return streq(l->alias, want);
}

/* ---- one lab ---- */

struct lab_view {
	const struct topo *t;
	const char *topo_path;
	bool complete;
	struct ns_view *nodes; /* [t->n_nodes] */
	struct ns_view fabric; /* .netns NULL when the lab has no bridges */
	struct ns_view host;
};

static void lab_view_clear(struct lab_view *lv)
{
	if (lv->nodes)
		for (size_t i = 0; i < lv->t->n_nodes; i++)
			ns_view_clear(&lv->nodes[i]);
	free(lv->nodes);
	lv->nodes = NULL;
	ns_view_clear(&lv->fabric);
	ns_view_clear(&lv->host);
}

static bool lab_has_host_ends(const struct topo *t)
{
	for (size_t i = 0; i < t->n_host_ifaces; i++)
		if (t->host_ifaces[i].link >= 0)
			return true;
	return false;
}

static int width_max(int w, const char *s)
{
	int n = s ? (int)strlen(s) : 0;

	return n > w ? n : w;
}

static void print_lab_text(const struct lab_view *lv, FILE *out)
{
	const struct topo *t = lv->t;
	int w_node = 4, w_ns = 9, w_if = 5;
	char mac[18];

	fprintf(out, "lab '%s': %s, %zu node%s (topology %s)\n\n", t->name,
		lv->complete ? "up" : "incomplete (up interrupted: run nsctl down)", t->n_nodes,
		t->n_nodes == 1 ? "" : "s", lv->topo_path);

	for (size_t i = 0; i < t->n_nodes; i++) {
		w_node = width_max(w_node, t->nodes[i].name);
		w_ns = width_max(w_ns, lv->nodes[i].netns);
		for (size_t j = 0; j < lv->nodes[i].n_links; j++)
			w_if = width_max(w_if, lv->nodes[i].links[j].name);
	}
	fprintf(out, "%-*s  %-*s  %-*s  %-10s  %-5s  %-17s  %s\n", w_node, "NODE", w_ns,
		"NAMESPACE", w_if, "IFACE", "STATE", "MTU", "MAC", "ADDRESSES");
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct ns_view *v = &lv->nodes[i];

		if (!v->present) {
			fprintf(out, "%-*s  %-*s  missing (no network namespace)\n", w_node,
				t->nodes[i].name, w_ns, v->netns);
			continue;
		}
		for (size_t j = 0; j < v->n_links; j++) {
			const struct link_info *l = &v->links[j];
			const char *m = mac_str(l, mac);

			fprintf(out, "%-*s  %-*s  %-*s  %-10s  %-5u  %-17s  ", w_node,
				j ? "" : t->nodes[i].name, w_ns, j ? "" : v->netns, w_if, l->name,
				link_state(l), l->mtu, m ? m : "-");
			print_addrs(out, v, l->ifindex, false);
			fputc('\n', out);
		}
	}

	if (t->n_bridges > 0) {
		int w_br = 6, w_fab = width_max(9, lv->fabric.netns);

		for (size_t i = 0; i < t->n_bridges; i++)
			w_br = width_max(w_br, t->bridges[i].name);
		fprintf(out, "\n%-*s  %-*s  %-10s  %-5s  %-17s  %s\n", w_br, "BRIDGE", w_fab,
			"NAMESPACE", "STATE", "MTU", "MAC", "PORTS");
		for (size_t i = 0; i < t->n_bridges; i++) {
			const struct link_info *br = ns_view_link(&lv->fabric, t->bridges[i].name);
			const char *m;

			if (!br || !streq(br->kind, "bridge")) {
				fprintf(out, "%-*s  %-*s  missing%s\n", w_br, t->bridges[i].name,
					w_fab, lv->fabric.netns,
					lv->fabric.present ? "" : " (no network namespace)");
				continue;
			}
			m = mac_str(br, mac);
			fprintf(out, "%-*s  %-*s  %-10s  %-5u  %-17s ", w_br, br->name, w_fab,
				lv->fabric.netns, link_state(br), br->mtu, m ? m : "-");
			for (size_t j = 0; j < lv->fabric.n_links; j++) {
				const struct link_info *p = &lv->fabric.links[j];

				if (!streq(p->master, br->name))
					continue;
				/* Only a port that is not up says so: the usual case stays short.
				 */
				fprintf(out, " %s", p->name);
				if (!streq(link_state(p), "up"))
					fprintf(out, "(%s)", link_state(p));
			}
			fputc('\n', out);
		}
	}

	if (lab_has_host_ends(t)) {
		int w_h = 4;

		for (size_t i = 0; i < t->n_host_ifaces; i++)
			w_h = width_max(w_h, t->host_ifaces[i].name);
		fprintf(out, "\n%-*s  %-10s  %-5s  %-17s  %s\n", w_h, "HOST", "STATE", "MTU", "MAC",
			"ADDRESSES");
		for (size_t i = 0; i < t->n_host_ifaces; i++) {
			const struct topo_iface *ifc = &t->host_ifaces[i];
			const struct link_info *l = ns_view_link(&lv->host, ifc->name);
			const char *m;

			if (ifc->link < 0)
				continue;
			if (!l || !host_link_ours(l, t->name)) {
				fprintf(out, "%-*s  missing\n", w_h, ifc->name);
				continue;
			}
			m = mac_str(l, mac);
			fprintf(out, "%-*s  %-10s  %-5u  %-17s  ", w_h, l->name, link_state(l),
				l->mtu, m ? m : "-");
			print_addrs(out, &lv->host, l->ifindex, false);
			fputc('\n', out);
		}
	}
}

static void print_lab_json(const struct lab_view *lv, FILE *out)
{
	const struct topo *t = lv->t;
	bool first = true;

	fputs("{\"lab\":", out);
	json_print_string(out, t->name);
	fprintf(out, ",\"complete\":%s,\"topology\":", lv->complete ? "true" : "false");
	json_print_string(out, lv->topo_path);
	fputs(",\"nodes\":[", out);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct ns_view *v = &lv->nodes[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_print_string(out, t->nodes[i].name);
		fputs(",\"netns\":", out);
		json_print_string(out, v->netns);
		fprintf(out, ",\"present\":%s,\"interfaces\":[", v->present ? "true" : "false");
		for (size_t j = 0; j < v->n_links; j++) {
			if (j)
				fputc(',', out);
			json_iface(out, v, &v->links[j]);
		}
		fputs("]}", out);
	}
	fputs("],\"bridges\":[", out);
	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct link_info *br = ns_view_link(&lv->fabric, t->bridges[i].name);
		bool first_port = true;

		if (br && !streq(br->kind, "bridge"))
			br = NULL;
		fputs(i ? ",{" : "{", out);
		if (br)
			json_link_members(out, br);
		else {
			fputs("\"name\":", out);
			json_print_string(out, t->bridges[i].name);
		}
		fputs(",\"netns\":", out);
		json_print_string(out, lv->fabric.netns);
		fprintf(out, ",\"present\":%s,\"ports\":[", br ? "true" : "false");
		for (size_t j = 0; br && j < lv->fabric.n_links; j++) {
			const struct link_info *p = &lv->fabric.links[j];

			if (!streq(p->master, br->name))
				continue;
			fputs(first_port ? "{" : ",{", out);
			json_link_members(out, p);
			fputc('}', out);
			first_port = false;
		}
		fputs("]}", out);
	}
	fputs("],\"host\":[", out);
	for (size_t i = 0; i < t->n_host_ifaces; i++) {
		const struct topo_iface *ifc = &t->host_ifaces[i];
		const struct link_info *l = ns_view_link(&lv->host, ifc->name);

		if (ifc->link < 0)
			continue;
		if (l && !host_link_ours(l, t->name))
			l = NULL;
		fputs(first ? "{" : ",{", out);
		first = false;
		if (l) {
			json_link_members(out, l);
			fputs(",\"addresses\":[", out);
			print_addrs(out, &lv->host, l->ifindex, true);
			fputc(']', out);
		} else {
			fputs("\"name\":", out);
			json_print_string(out, ifc->name);
		}
		fprintf(out, ",\"present\":%s}", l ? "true" : "false");
	}
	fputs("]}\n", out);
}

static int status_lab(const char *lab, bool json, FILE *out)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	_cleanup_free_ char *topo_path = NULL;
	struct lab_view lv = { 0 };
	bool complete = false;
	int r;

	if (!state_lab_name_ok(lab)) {
		log_error("'%s' is not a lab name ([a-z0-9][a-z0-9-]*, at most 32 bytes)", lab);
		return EXIT_USAGE;
	}
	r = state_peek(lab, &complete);
	if (r < 0) {
		log_error_errno(r, "cannot read the state of lab '%s' under %s", lab, state_root());
		return EXIT_FAILED;
	}
	if (r == 0) {
		log_error("lab '%s' is not up", lab);
		return EXIT_FAILED;
	}
	topo_path = state_topology_path_of(lab);
	if (!topo_path) {
		log_error_errno(-ENOMEM, "cannot show lab status");
		return EXIT_FAILED;
	}
	/* The copy `up` stored, not the user's file, which may have changed since. */
	if (cli_load_topology(topo_path, true, &t, NULL) < 0)
		return EXIT_FAILED;
	r = plan_build(t, &p);
	if (r < 0) {
		log_error_errno(r, "cannot plan lab '%s'", lab);
		return EXIT_FAILED;
	}

	lv = (struct lab_view){ .t = t, .topo_path = topo_path, .complete = complete };
	lv.nodes = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*lv.nodes));
	if (!lv.nodes) {
		log_error_errno(-ENOMEM, "cannot show lab status");
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < t->n_nodes && r >= 0; i++) {
		lv.nodes[i].netns = plan_node_netns(p, i);
		r = ns_view_load(&lv.nodes[i]);
	}
	if (r >= 0 && plan_fabric_netns(p)) {
		lv.fabric.netns = plan_fabric_netns(p);
		r = ns_view_load(&lv.fabric);
	}
	if (r >= 0 && lab_has_host_ends(t))
		r = ns_view_load(&lv.host);
	if (r < 0) {
		lab_view_clear(&lv);
		return EXIT_FAILED;
	}

	if (json)
		print_lab_json(&lv, out);
	else
		print_lab_text(&lv, out);
	lab_view_clear(&lv);
	return fflush(out) == 0 && !ferror(out) ? EXIT_OK : EXIT_FAILED;
}

/* ---- every lab ---- */

struct lab_line {
	const char *name;
	int state; /* state_peek(): 1 journal, 0 none, < 0 errno */
	bool complete;
	long n_nodes; /* -1: unknown (no readable topology copy) */
	char *topo_path;
};

/* The STATE column, or with @json the "state" member's word. */
static const char *lab_line_state(const struct lab_line *l, bool json)
{
	if (l->state < 0)
		return "unknown";
	if (l->state == 0)
		return json ? "not-up" : "not up";
	if (!l->complete)
		return json ? "incomplete" : "incomplete (up interrupted: run nsctl down)";
	return "up";
}

static int status_all(bool json, FILE *out)
{
	_cleanup_free_ struct lab_line *lines = NULL;
	char **names = NULL;
	int n, w_name = 3, w_state = 5;

	n = state_list_labs(&names);
	if (n < 0) {
		log_error_errno(n, "cannot list the labs under %s", state_root());
		return EXIT_FAILED;
	}
	lines = calloc((size_t)n + 1, sizeof(*lines));
	if (!lines) {
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
		log_error_errno(-ENOMEM, "cannot show lab status");
		return EXIT_FAILED;
	}
	for (int i = 0; i < n; i++) {
		struct lab_line *l = &lines[i];

		l->name = names[i];
		l->n_nodes = -1;
		l->state = state_peek(l->name, &l->complete);
		if (l->state < 0)
			log_warning_errno(l->state, "cannot read the state of lab '%s'", l->name);
		l->topo_path = state_topology_path_of(l->name);
		if (l->state > 0 && l->topo_path && access(l->topo_path, F_OK) == 0) {
			_cleanup_(topo_freep) struct topo *t = NULL;

			if (cli_load_topology(l->topo_path, true, &t, NULL) == 0)
				l->n_nodes = (long)t->n_nodes;
		}
		w_name = width_max(w_name, l->name);
		w_state = width_max(w_state, lab_line_state(l, false));
	}

	if (json) {
		fputs("{\"labs\":[", out);
		for (int i = 0; i < n; i++) {
			const struct lab_line *l = &lines[i];

			fputs(i ? ",{\"lab\":" : "{\"lab\":", out);
			json_print_string(out, l->name);
			fputs(",\"state\":", out);
			json_print_string(out, lab_line_state(l, true));
			fprintf(out, ",\"complete\":%s,\"nodes\":",
				l->state > 0 && l->complete ? "true" : "false");
			if (l->n_nodes >= 0)
				fprintf(out, "%ld", l->n_nodes);
			else
				fputs("null", out);
			fputs(",\"topology\":", out);
			json_print_string(out, l->state > 0 ? l->topo_path : NULL);
			fputc('}', out);
		}
		fputs("]}\n", out);
	} else if (n == 0) {
		log_notice("no lab is up (nothing under %s)", state_root());
	} else {
		fprintf(out, "%-*s  %5s  %-*s  %s\n", w_name, "LAB", "NODES", w_state, "STATE",
			"TOPOLOGY");
		for (int i = 0; i < n; i++) {
			const struct lab_line *l = &lines[i];

			fprintf(out, "%-*s  ", w_name, l->name);
			if (l->n_nodes >= 0)
				fprintf(out, "%5ld", l->n_nodes);
			else
				fprintf(out, "%5s", "-");
			fprintf(out, "  %-*s  %s\n", w_state, lab_line_state(l, false),
				l->state > 0 && l->topo_path ? l->topo_path : "-");
		}
	}
	for (int i = 0; i < n; i++) {
		free(lines[i].topo_path);
		free(names[i]);
	}
	free(names);
	return fflush(out) == 0 && !ferror(out) ? EXIT_OK : EXIT_FAILED;
}

int status_run(const char *lab_or_null, bool json, FILE *out)
{
	return lab_or_null ? status_lab(lab_or_null, json, out) : status_all(json, out);
}
