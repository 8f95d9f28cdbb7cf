/* SPDX-License-Identifier: MIT */
/* The action table: one row per kind with apply, undo, describe and its JSON members.
 * apply/undo arrive with the executor. describe() lines are what `nsctl plan` prints and what
 * the .plan files in tests/golden/ hold: their format is a contract, changed with the goldens. */
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "common/macro.h"
#include "nsctl/exec.h"
#include "nsctl/plan.h"

/* ---- describe helpers ---- */

/* Prints one byte, control characters escaped, so one action is always one line. */
static void put_char(FILE *out, unsigned char c)
{
	if (c == '\n')
		fputs("\\n", out);
	else if (c == '\t')
		fputs("\\t", out);
	else if (c < 0x20 || c == 0x7f)
		fprintf(out, "\\x%02x", c);
	else
		fputc(c, out);
}

static void put_text(FILE *out, const char *s)
{
	for (; *s; s++)
		put_char(out, (unsigned char)*s);
}

/* An argv element as a shell would need it: bare when it is plain, else in single quotes. */
static void put_arg(FILE *out, const char *s)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789@%+=:,./-_";

	if (*s && strspn(s, plain) == strlen(s)) {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else
			put_char(out, (unsigned char)*s);
	}
	fputc('\'', out);
}

static void put_verb(const struct action *a, FILE *out)
{
	fprintf(out, "%-*s", ACTION_VERB_WIDTH, action_ops[a->kind].name);
}

/* "ns:ifname", or "host:ifname" for the host namespace. */
static void put_dev(FILE *out, const char *netns, const char *ifname)
{
	fprintf(out, "%s:%s", netns ? netns : "host", ifname);
}

static void put_mac(FILE *out, const uint8_t *m)
{
	fprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The creation attributes of @d: " (mtu 9000, mac …, alias …, addrgenmode none)" or nothing. */
static void put_dev_attrs(FILE *out, const struct action_dev *d)
{
	const char *sep = " (";

	if (d->mtu) {
		fprintf(out, "%smtu %u", sep, d->mtu);
		sep = ", ";
	}
	if (d->mac) {
		fputs(sep, out);
		fputs("mac ", out);
		put_mac(out, d->mac);
		sep = ", ";
	}
	if (d->alias) {
		fprintf(out, "%salias %s", sep, d->alias);
		sep = ", ";
	}
	/* iproute2's name for IN6_ADDR_GEN_MODE_NONE: no IPv6 link-local address. */
	if (d->no_ipv6_ll) {
		fprintf(out, "%saddrgenmode none", sep);
		sep = ", ";
	}
	if (sep[0] == ',')
		fputc(')', out);
}

/* Microseconds as tc writes them: "5ms", "1500us", "2s". */
static void put_time(FILE *out, uint32_t us)
{
	if (us && us % 1000000 == 0)
		fprintf(out, "%" PRIu32 "s", us / 1000000);
	else if (us % 1000 == 0)
		fprintf(out, "%" PRIu32 "ms", us / 1000);
	else
		fprintf(out, "%" PRIu32 "us", us);
}

/* Parts per million as a percentage without trailing zeros: 5000 -> "0.5%". */
static void put_ppm(FILE *out, uint32_t ppm)
{
	uint32_t frac = ppm % 10000;
	int digits = 4;

	fprintf(out, "%" PRIu32, ppm / 10000);
	if (frac) {
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		fprintf(out, ".%0*" PRIu32, digits, frac);
	}
	fputc('%', out);
}

/* Bits per second in tc's units (SI: 1mbit = 1000000 bit/s). */
static void put_rate(FILE *out, uint64_t bps)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} units[] = { { 1000000000000ull, "tbit" },
		      { 1000000000, "gbit" },
		      { 1000000, "mbit" },
		      { 1000, "kbit" } };

	for (size_t i = 0; i < ELEMENTSOF(units); i++)
		if (bps && bps % units[i].div == 0) {
			fprintf(out, "%" PRIu64 "%s", bps / units[i].div, units[i].unit);
			return;
		}
	fprintf(out, "%" PRIu64 "bit", bps);
}

static void put_addr(FILE *out, const struct topo_addr *a, bool prefix)
{
	char buf[TOPO_ADDRSTRLEN];

	fputs(prefix ? topo_addr_format(a, buf, sizeof(buf))
		     : topo_addr_format_host(a, buf, sizeof(buf)),
	      out);
}

/* ---- describe ---- */

static void netns_describe(const struct action *a, FILE *out)
{
	put_verb(a, out);
	fputs(a->netns.name, out);
	if (!a->netns.node)
		fputs(" (holds the bridges)", out);
}

static void sysctl_describe(const struct action *a, FILE *out)
{
	put_verb(a, out);
	fprintf(out, "%s ", a->sysctl.netns);
	put_text(out, a->sysctl.kv->key);
	fputc('=', out);
	put_text(out, a->sysctl.kv->value);
}

static void dev_describe(const struct action *a, FILE *out)
{
	put_verb(a, out);
	put_dev(out, a->dev.netns, a->dev.ifname);
	put_dev_attrs(out, &a->dev);
}

static void veth_describe(const struct action *a, FILE *out)
{
	put_verb(a, out);
	for (int i = 0; i < 2; i++) {
		const struct action_dev *d = &a->veth.end[i];

		if (i)
			fputs(" <-> ", out);
		put_dev(out, d->netns, d->ifname);
		put_dev_attrs(out, d);
	}
}

static void master_describe(const struct action *a, FILE *out)
{
	put_verb(a, out);
	put_dev(out, a->master.netns, a->master.ifname);
	fprintf(out, " master %s", a->master.master);
}

static void addr_describe(const struct action *a, FILE *out)
{
	put_verb(a, out);
	put_dev(out, a->addr.netns, a->addr.ifname);
	fputc(' ', out);
	put_addr(out, a->addr.addr, true);
}

static void up_describe(const struct action *a, FILE *out)
{
	put_verb(a, out);
	put_dev(out, a->dev.netns, a->dev.ifname);
	if (a->dev.mtu)
		fprintf(out, " (mtu %u)", a->dev.mtu);
}

static void route_describe(const struct action *a, FILE *out)
{
	const struct topo_route *rt = a->route.route;

	put_verb(a, out);
	fprintf(out, "%s ", a->route.netns);
	if (rt->is_default)
		fputs("default", out);
	else
		put_addr(out, &rt->dst, true);
	if (rt->has_via) {
		fputs(" via ", out);
		put_addr(out, &rt->via, false);
	}
	if (rt->dev)
		fprintf(out, " dev %s", rt->dev);
	if (rt->metric)
		fprintf(out, " metric %u", rt->metric);
}

void actions_print_netem(FILE *out, const struct topo_netem *ne)
{
	const char *sep = "";

	/* The same words and order as `tc qdisc add … netem`. */
	if (ne->has_delay || ne->has_jitter) {
		fputs("delay ", out);
		put_time(out, ne->delay_us);
		sep = " ";
	}
	if (ne->has_jitter) {
		fprintf(out, "%sjitter ", sep);
		put_time(out, ne->jitter_us);
		sep = " ";
	}
	if (ne->has_loss) {
		fprintf(out, "%sloss ", sep);
		put_ppm(out, ne->loss_ppm);
		sep = " ";
	}
	if (ne->has_duplicate) {
		fprintf(out, "%sduplicate ", sep);
		put_ppm(out, ne->duplicate_ppm);
		sep = " ";
	}
	if (ne->has_corrupt) {
		fprintf(out, "%scorrupt ", sep);
		put_ppm(out, ne->corrupt_ppm);
		sep = " ";
	}
	if (ne->has_rate) {
		fprintf(out, "%srate ", sep);
		put_rate(out, ne->rate_bps);
	}
}

static void netem_describe(const struct action *a, FILE *out)
{
	const struct topo_netem *ne = a->netem.netem;

	put_verb(a, out);
	put_dev(out, a->netem.netns, a->netem.ifname);
	if (ne->has_delay || ne->has_jitter || ne->has_loss || ne->has_duplicate ||
	    ne->has_corrupt || ne->has_rate)
		fputc(' ', out);
	actions_print_netem(out, ne);
}

static void node_start_describe(const struct action *a, FILE *out)
{
	const struct topo_node *n = a->node.node;
	const struct topo_node_settings *s = &n->s;

	put_verb(a, out);
	fputs(a->node.netns, out);
	if (n->hostname)
		fprintf(out, " hostname %s", n->hostname);
	if (s->rootfs && !streq(s->rootfs, "host")) {
		fputs(" rootfs ", out);
		put_arg(out, s->rootfs);
	}
	/* Limits as the cgroup files take them: bytes, millicores, a count. */
	if (s->limits.has_memory)
		fprintf(out, " memory %" PRIu64, s->limits.memory);
	if (s->limits.has_cpu)
		fprintf(out, " cpu %u.%03u", s->limits.cpu_millis / 1000,
			s->limits.cpu_millis % 1000);
	if (s->limits.has_pids)
		fprintf(out, " pids %u", s->limits.pids);
	for (size_t i = 0; i < s->n_binds; i++) {
		fputs(" bind ", out);
		put_arg(out, s->binds[i].src);
		fputc(':', out);
		put_arg(out, s->binds[i].dst);
		if (s->binds[i].ro)
			fputs(":ro", out);
	}
	for (size_t i = 0; i < s->n_env; i++) {
		fputs(" env ", out);
		put_arg(out, s->env[i].key);
	}
	if (s->n_cmd == 0) {
		fputs(" cmd (idle init)", out);
		return;
	}
	fputs(" cmd", out);
	for (size_t i = 0; i < s->n_cmd; i++) {
		fputc(' ', out);
		put_arg(out, s->cmd[i]);
	}
}

static void exec_describe(const struct action *a, FILE *out)
{
	put_verb(a, out);
	fprintf(out, "%s ", a->node.netns);
	put_text(out, a->node.exec->cmd);
	if (a->node.exec->optional)
		fputs("  (optional)", out);
}

/* ---- JSON members ---- */

static void json_str(FILE *out, const char *key, const char *val)
{
	fprintf(out, ",\"%s\":", key);
	json_print_string(out, val);
}

static void json_addr(FILE *out, const char *key, const struct topo_addr *a, bool prefix)
{
	char buf[TOPO_ADDRSTRLEN];

	json_str(out, key,
		 prefix ? topo_addr_format(a, buf, sizeof(buf))
			: topo_addr_format_host(a, buf, sizeof(buf)));
}

static void json_dev_members(FILE *out, const struct action_dev *d)
{
	json_str(out, "netns", d->netns);
	json_str(out, "ifname", d->ifname);
	if (d->mtu)
		fprintf(out, ",\"mtu\":%u", d->mtu);
	if (d->mac) {
		fputs(",\"mac\":\"", out);
		put_mac(out, d->mac);
		fputc('"', out);
	}
	if (d->alias)
		json_str(out, "alias", d->alias);
	fprintf(out, ",\"no_ipv6_ll\":%s", d->no_ipv6_ll ? "true" : "false");
}

static void netns_json(const struct action *a, FILE *out)
{
	json_str(out, "netns", a->netns.name);
	json_str(out, "node", a->netns.node ? a->netns.node->name : NULL);
}

static void sysctl_json(const struct action *a, FILE *out)
{
	json_str(out, "netns", a->sysctl.netns);
	json_str(out, "key", a->sysctl.kv->key);
	json_str(out, "value", a->sysctl.kv->value);
}

static void dev_json(const struct action *a, FILE *out)
{
	json_dev_members(out, &a->dev);
}

static void veth_json(const struct action *a, FILE *out)
{
	fputs(",\"ends\":[", out);
	for (int i = 0; i < 2; i++) {
		fputs(i ? ",{" : "{", out);
		/* json_dev_members() writes ",key:…" members; start with a real one. */
		fprintf(out, "\"end\":%d", i);
		json_dev_members(out, &a->veth.end[i]);
		fputc('}', out);
	}
	fputc(']', out);
}

static void master_json(const struct action *a, FILE *out)
{
	json_str(out, "netns", a->master.netns);
	json_str(out, "ifname", a->master.ifname);
	json_str(out, "master", a->master.master);
}

static void addr_json(const struct action *a, FILE *out)
{
	json_str(out, "netns", a->addr.netns);
	json_str(out, "ifname", a->addr.ifname);
	json_str(out, "family", a->addr.addr->family == AF_INET6 ? "inet6" : "inet");
	json_addr(out, "address", a->addr.addr, true);
}

static void up_json(const struct action *a, FILE *out)
{
	json_str(out, "netns", a->dev.netns);
	json_str(out, "ifname", a->dev.ifname);
	if (a->dev.mtu)
		fprintf(out, ",\"mtu\":%u", a->dev.mtu);
}

static void route_json(const struct action *a, FILE *out)
{
	const struct topo_route *rt = a->route.route;

	json_str(out, "netns", a->route.netns);
	json_str(out, "family", rt->dst.family == AF_INET6 ? "inet6" : "inet");
	if (rt->is_default)
		json_str(out, "to", "default");
	else
		json_addr(out, "to", &rt->dst, true);
	if (rt->has_via)
		json_addr(out, "via", &rt->via, false);
	if (rt->dev)
		json_str(out, "dev", rt->dev);
	if (rt->metric)
		fprintf(out, ",\"metric\":%u", rt->metric);
}

static void netem_json(const struct action *a, FILE *out)
{
	const struct topo_netem *ne = a->netem.netem;

	json_str(out, "netns", a->netem.netns);
	json_str(out, "ifname", a->netem.ifname);
	if (ne->has_delay || ne->has_jitter)
		fprintf(out, ",\"delay_us\":%" PRIu32, ne->delay_us);
	if (ne->has_jitter)
		fprintf(out, ",\"jitter_us\":%" PRIu32, ne->jitter_us);
	if (ne->has_loss)
		fprintf(out, ",\"loss_ppm\":%" PRIu32, ne->loss_ppm);
	if (ne->has_duplicate)
		fprintf(out, ",\"duplicate_ppm\":%" PRIu32, ne->duplicate_ppm);
	if (ne->has_corrupt)
		fprintf(out, ",\"corrupt_ppm\":%" PRIu32, ne->corrupt_ppm);
	if (ne->has_rate)
		fprintf(out, ",\"rate_bps\":%" PRIu64, ne->rate_bps);
}

static void node_start_json(const struct action *a, FILE *out)
{
	const struct topo_node *n = a->node.node;

	json_str(out, "netns", a->node.netns);
	json_str(out, "node", n->name);
	json_str(out, "hostname", n->hostname ? n->hostname : n->name);
	if (n->s.n_cmd == 0) {
		fputs(",\"cmd\":null", out);
		return;
	}
	fputs(",\"cmd\":[", out);
	for (size_t i = 0; i < n->s.n_cmd; i++) {
		if (i)
			fputc(',', out);
		json_print_string(out, n->s.cmd[i]);
	}
	fputc(']', out);
}

static void exec_json(const struct action *a, FILE *out)
{
	json_str(out, "netns", a->node.netns);
	json_str(out, "node", a->node.node->name);
	json_str(out, "cmd", a->node.exec->cmd);
	fprintf(out, ",\"optional\":%s", a->node.exec->optional ? "true" : "false");
}

/* apply/undo come with the executor (nsctl/exec.c); until then they are NULL. */
const struct action_ops action_ops[_ACT_MAX] = {
	[ACT_NETNS_ADD] = { .name = "netns-add",
			    .apply = exec_netns_add,
			    .describe = netns_describe,
			    .json = netns_json },
	[ACT_SYSCTL_SET] = { .name = "sysctl",
			     .apply = exec_sysctl_set,
			     .describe = sysctl_describe,
			     .json = sysctl_json },
	[ACT_LINK_BRIDGE] = { .name = "bridge-add",
			      .apply = exec_link_bridge,
			      .describe = dev_describe,
			      .json = dev_json },
	[ACT_LINK_DUMMY] = { .name = "dummy-add",
			     .apply = exec_link_dummy,
			     .describe = dev_describe,
			     .json = dev_json },
	[ACT_LINK_VETH] = { .name = "veth-add",
			    .apply = exec_link_veth,
			    .describe = veth_describe,
			    .json = veth_json },
	[ACT_LINK_MASTER] = { .name = "link-master",
			      .apply = exec_link_master,
			      .describe = master_describe,
			      .json = master_json },
	[ACT_ADDR_ADD] = { .name = "addr-add",
			   .apply = exec_addr_add,
			   .describe = addr_describe,
			   .json = addr_json },
	[ACT_LINK_UP] = { .name = "link-up",
			  .apply = exec_link_up,
			  .describe = up_describe,
			  .json = up_json },
	[ACT_ROUTE_ADD] = { .name = "route-add",
			    .apply = exec_route_add,
			    .describe = route_describe,
			    .json = route_json },
	[ACT_QDISC_NETEM] = { .name = "netem",
			      .apply = exec_qdisc_netem,
			      .describe = netem_describe,
			      .json = netem_json },
	[ACT_NODE_START] = { .name = "node-start",
			     .apply = exec_node_start,
			     .describe = node_start_describe,
			     .json = node_start_json,
			     .finish = exec_node_start_finish },
	[ACT_NODE_EXEC] = { .name = "exec",
			    .apply = exec_node_exec,
			    .describe = exec_describe,
			    .json = exec_json },
};
