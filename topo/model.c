/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/macro.h"
#include "topo/topo-internal.h"

static void kv_free(struct topo_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static void iface_free(struct topo_iface *ifc)
{
	free(ifc->name);
	free(ifc->addrs);
}

void topo_settings_free(struct topo_node_settings *s)
{
	kv_free(s->sysctls, s->n_sysctls);
	kv_free(s->env, s->n_env);
	free(s->rootfs);
	for (size_t i = 0; i < s->n_binds; i++) {
		free(s->binds[i].src);
		free(s->binds[i].dst);
	}
	free(s->binds);
	for (size_t i = 0; i < s->n_cmd; i++)
		free(s->cmd[i]);
	free(s->cmd);
	for (size_t i = 0; i < s->n_exec; i++)
		free(s->exec[i].cmd);
	free(s->exec);
	*s = (struct topo_node_settings){ 0 };
}

struct topo *topo_free(struct topo *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct topo_node *n = &t->nodes[i];
		free(n->name);
		free(n->hostname);
		for (size_t j = 0; j < n->n_ifaces; j++)
			iface_free(&n->ifaces[j]);
		free(n->ifaces);
		for (size_t j = 0; j < n->n_routes; j++)
			free(n->routes[j].dev);
		free(n->routes);
		topo_settings_free(&n->s);
	}
	free(t->nodes);
	for (size_t i = 0; i < t->n_bridges; i++)
		free(t->bridges[i].name);
	free(t->bridges);
	for (size_t i = 0; i < t->n_links; i++)
		for (size_t j = 0; j < 2; j++) {
			free(t->links[i].ep[j].node);
			free(t->links[i].ep[j].iface);
		}
	free(t->links);
	for (size_t i = 0; i < t->n_host_ifaces; i++)
		iface_free(&t->host_ifaces[i]);
	free(t->host_ifaces);
	for (size_t i = 0; i < t->n_tests; i++) {
		free(t->tests[i].from);
		free(t->tests[i].to);
	}
	free(t->tests);
	topo_settings_free(&t->defaults);
	topo_index_free(t);
	free(t->name);
	free(t->file);
	free(t);
	return NULL;
}

const struct topo_node *topo_find_node(const struct topo *t, const char *name)
{
	long i = topo_index_lookup(t, name);

	if (i >= 0)
		return &t->nodes[i];
	if (t->node_index)
		return NULL;
	for (size_t k = 0; k < t->n_nodes; k++)
		if (streq(t->nodes[k].name, name))
			return &t->nodes[k];
	return NULL;
}

const struct topo_iface *topo_node_find_iface(const struct topo_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		if (streq(n->ifaces[i].name, name))
			return &n->ifaces[i];
	return NULL;
}

const struct topo_addr *topo_node_first_addr(const struct topo_node *n, int family)
{
	const struct topo_addr *any = NULL;

	/* Two passes: real interfaces first in file order, loopback last, so a node's
	 * "first address" is the one on the wire, not a router-id on lo. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n->n_ifaces; i++) {
			const struct topo_iface *ifc = &n->ifaces[i];
			if ((ifc->type == TOPO_IF_LOOPBACK) != (pass == 1))
				continue;
			for (size_t j = 0; j < ifc->n_addrs; j++) {
				if (!family || ifc->addrs[j].family == family)
					return &ifc->addrs[j];
				if (!any)
					any = &ifc->addrs[j];
			}
		}
	return family ? NULL : any;
}
