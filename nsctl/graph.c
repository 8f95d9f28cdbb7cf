/* SPDX-License-Identifier: MIT */
/* `nsctl graph`: DOT and mermaid renderings of the model. Every DOT ID is quoted and
 * prefixed by its kind ("node/r1", "bridge/lan1", "host"), so no name can collide with a
 * keyword, with another kind's name, or be read as a port ("a:b"). */
#include "nsctl/graph.h"

#include <errno.h>
#include <stdbool.h>

#include "nsctl/plan.h"
#include "topo/topo.h"

struct gfmt {
	/* Writes user text inside a quoted label. */
	void (*text)(FILE *out, const char *s);
	const char *newline; /* a line break inside a label */
};

static void dot_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s < 0x20)
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

/* Mermaid labels are HTML: entity-encode what would end the string or open a tag. */
static void mermaid_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '"':
			fputs("#quot;", out);
			break;
		case '<':
			fputs("#lt;", out);
			break;
		case '>':
			fputs("#gt;", out);
			break;
		case '#':
			fputs("#35;", out);
			break;
		default:
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
		}
	}
}

static const struct gfmt dot = { dot_text, "\\n" };
static const struct gfmt mermaid = { mermaid_text, "<br/>" };

/* One label line per interface that has something to show: "eth0: 192.0.2.1/24, 2001:db8::1/64",
 * "dum0 (dummy): 10.255.1.1/24". Interfaces with neither addresses nor a special type are
 * shown on the edges only. */
static void iface_lines(FILE *out, const struct gfmt *f, const struct topo_iface *ifaces, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct topo_iface *ifc = &ifaces[i];

		if (ifc->n_addrs == 0 && ifc->type != TOPO_IF_DUMMY)
			continue;
		fputs(f->newline, out);
		f->text(out, ifc->name);
		if (ifc->type == TOPO_IF_DUMMY)
			fputs(" (dummy)", out);
		for (size_t k = 0; k < ifc->n_addrs; k++) {
			char buf[TOPO_ADDRSTRLEN];

			fputs(k ? ", " : ": ", out);
			f->text(out, topo_addr_format(&ifc->addrs[k], buf, sizeof(buf)));
		}
	}
}

static bool has_host(const struct topo *t)
{
	for (size_t i = 0; i < t->n_links; i++)
		if (t->links[i].ep[0].kind == TOPO_EP_HOST ||
		    t->links[i].ep[1].kind == TOPO_EP_HOST)
			return true;
	return false;
}

static bool netem_set(const struct topo_link *l)
{
	const struct topo_netem *ne = &l->netem;

	return l->has_netem && (ne->has_delay || ne->has_jitter || ne->has_loss ||
				ne->has_duplicate || ne->has_corrupt || ne->has_rate);
}

/* ---- DOT ---- */

static void dot_id(FILE *out, const struct topo_endpoint *ep)
{
	switch (ep->kind) {
	case TOPO_EP_NODE:
		fputs("\"node/", out);
		dot_text(out, ep->node);
		fputc('"', out);
		break;
	case TOPO_EP_BRIDGE:
		fputs("\"bridge/", out);
		dot_text(out, ep->node);
		fputc('"', out);
		break;
	default:
		fputs("\"host\"", out);
	}
}

static void dot_print(const struct topo *t, FILE *out)
{
	fputs("graph \"", out);
	dot_text(out, t->name);
	fputs("\" {\n\tgraph [label=\"lab ", out);
	dot_text(out, t->name);
	fputs("\", labelloc=\"t\"];\n"
	      "\tnode [shape=\"box\", style=\"rounded\"];\n"
	      "\tedge [fontsize=\"10\"];\n",
	      out);

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		fputs("\t\"node/", out);
		dot_text(out, n->name);
		fputs("\" [label=\"", out);
		dot_text(out, n->name);
		iface_lines(out, &dot, n->ifaces, n->n_ifaces);
		fputs("\"];\n", out);
	}
	for (size_t i = 0; i < t->n_bridges; i++) {
		fputs("\t\"bridge/", out);
		dot_text(out, t->bridges[i].name);
		fputs("\" [shape=\"hexagon\", style=\"solid\", label=\"", out);
		dot_text(out, t->bridges[i].name);
		if (t->bridges[i].mtu)
			fprintf(out, "\\nmtu %u", t->bridges[i].mtu);
		fputs("\"];\n", out);
	}
	if (has_host(t)) {
		fputs("\t\"host\" [shape=\"box3d\", style=\"solid\", label=\"host", out);
		iface_lines(out, &dot, t->host_ifaces, t->n_host_ifaces);
		fputs("\"];\n", out);
	}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const char *attr_sep = " [";

		fputc('\t', out);
		dot_id(out, &l->ep[0]);
		fputs(" -- ", out);
		dot_id(out, &l->ep[1]);
		for (int side = 0; side < 2; side++) {
			if (!l->ep[side].iface)
				continue;
			fprintf(out, "%s%s=\"", attr_sep, side ? "headlabel" : "taillabel");
			dot_text(out, l->ep[side].iface);
			fputc('"', out);
			attr_sep = ", ";
		}
		if (netem_set(l) || l->mtu) {
			fprintf(out, "%slabel=\"", attr_sep);
			if (l->mtu)
				fprintf(out, "mtu %u%s", l->mtu, netem_set(l) ? "\\n" : "");
			if (netem_set(l))
				actions_print_netem(out, &l->netem);
			fputc('"', out);
			attr_sep = ", ";
		}
		fputs(attr_sep[0] == ',' ? "];\n" : ";\n", out);
	}
	fputs("}\n", out);
}

/* ---- mermaid ---- */

static void mermaid_id(FILE *out, const struct topo_endpoint *ep)
{
	/* Generated IDs: node names may hold '.' and '-', which mermaid IDs do not take. */
	if (ep->kind == TOPO_EP_NODE)
		fprintf(out, "n%ld", ep->idx);
	else if (ep->kind == TOPO_EP_BRIDGE)
		fprintf(out, "b%ld", ep->idx);
	else
		fputs("host", out);
}

static void mermaid_print(const struct topo *t, FILE *out)
{
	/* The diagram type first, then the lab name as a comment. */
	fputs("flowchart LR\n\t%% lab ", out);
	mermaid_text(out, t->name);
	fputc('\n', out);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		fprintf(out, "\tn%zu(\"", i);
		mermaid_text(out, n->name);
		iface_lines(out, &mermaid, n->ifaces, n->n_ifaces);
		fputs("\")\n", out);
	}
	for (size_t i = 0; i < t->n_bridges; i++) {
		fprintf(out, "\tb%zu{{\"", i);
		mermaid_text(out, t->bridges[i].name);
		if (t->bridges[i].mtu)
			fprintf(out, "<br/>mtu %u", t->bridges[i].mtu);
		fputs("\"}}\n", out);
	}
	if (has_host(t)) {
		fputs("\thost[[\"host", out);
		iface_lines(out, &mermaid, t->host_ifaces, t->n_host_ifaces);
		fputs("\"]]\n", out);
	}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		fputc('\t', out);
		mermaid_id(out, &l->ep[0]);
		fputs(" ---|\"", out);
		/* Mermaid has no head/tail labels: "tail-iface / head-iface", a bridge end blank.
		 */
		if (l->ep[0].iface)
			mermaid_text(out, l->ep[0].iface);
		if (l->ep[0].iface && l->ep[1].iface)
			fputs(" / ", out);
		if (l->ep[1].iface)
			mermaid_text(out, l->ep[1].iface);
		if (l->mtu)
			fprintf(out, "<br/>mtu %u", l->mtu);
		if (netem_set(l)) {
			fputs("<br/>", out);
			actions_print_netem(out, &l->netem);
		}
		fputs("\"| ", out);
		mermaid_id(out, &l->ep[1]);
		fputc('\n', out);
	}
}

int graph_print(const struct topo *t, enum graph_format fmt, FILE *out)
{
	switch (fmt) {
	case GRAPH_DOT:
		dot_print(t, out);
		break;
	case GRAPH_MERMAID:
		mermaid_print(t, out);
		break;
	default:
		return -EINVAL;
	}
	return ferror(out) ? -EIO : 0;
}
