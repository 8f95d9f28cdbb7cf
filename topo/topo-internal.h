/* SPDX-License-Identifier: MIT */
/* Internals shared by the topo module only. */
#pragma once

#include "topo/topo.h"

/* Frees everything @s owns and zeroes it. */
void topo_settings_free(struct topo_node_settings *s);
/* Builds the node-name hash (replacing any old one). 0 or -ENOMEM. */
int topo_index_build(struct topo *t);
/* Returns the index of node @name, or -1 (also when no index was built). */
long topo_index_lookup(const struct topo *t, const char *name);
/* Frees the hash; safe to call twice. */
void topo_index_free(struct topo *t);
