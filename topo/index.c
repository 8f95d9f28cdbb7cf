/* SPDX-License-Identifier: MIT */
/* Node name -> index: open addressing, FNV-1a, load factor <= 1/2. Validation and the
 * planner resolve every endpoint and ping target through it, so 10,000-node files stay linear. */
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "topo/topo-internal.h"

struct node_index {
	size_t mask;
	long slots[]; /* node index, or -1 = empty */
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

void topo_index_free(struct topo *t)
{
	free(t->node_index);
	t->node_index = NULL;
}

int topo_index_build(struct topo *t)
{
	struct node_index *ix;
	size_t size = 16;

	while (size < t->n_nodes * 2)
		size *= 2;
	ix = malloc(sizeof(*ix) + size * sizeof(long));
	if (!ix)
		return -ENOMEM;
	ix->mask = size - 1;
	for (size_t i = 0; i < size; i++)
		ix->slots[i] = -1;
	for (size_t i = 0; i < t->n_nodes; i++) {
		size_t h = fnv1a(t->nodes[i].name) & ix->mask;
		/* First definition wins on duplicates; the parser already reported them. */
		while (ix->slots[h] >= 0 && !streq(t->nodes[ix->slots[h]].name, t->nodes[i].name))
			h = (h + 1) & ix->mask;
		if (ix->slots[h] < 0)
			ix->slots[h] = (long)i;
	}
	topo_index_free(t);
	t->node_index = ix;
	return 0;
}

long topo_index_lookup(const struct topo *t, const char *name)
{
	const struct node_index *ix = t->node_index;
	size_t h;

	if (!ix)
		return -1;
	for (h = fnv1a(name) & ix->mask; ix->slots[h] >= 0; h = (h + 1) & ix->mask)
		if (streq(t->nodes[ix->slots[h]].name, name))
			return ix->slots[h];
	return -1;
}
