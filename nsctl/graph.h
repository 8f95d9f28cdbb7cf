/* SPDX-License-Identifier: MIT */
/* `nsctl graph`: the topology as a Graphviz DOT or mermaid graph. */
#pragma once

#include <stdio.h>

struct topo;

enum graph_format {
	GRAPH_DOT,     /* Graphviz: `nsctl graph lab.yaml | dot -Tsvg > lab.svg` */
	GRAPH_MERMAID, /* a mermaid flowchart, e.g. for a Markdown page */
};

/* Prints the validated model @t as a graph: nodes (boxes, with their addresses), bridges
 * (hexagons), the host (when a link ends there) and one edge per link, labelled with the
 * interface names at each end and the link's netem settings. Returns 0 or -EIO. */
int graph_print(const struct topo *t, enum graph_format fmt, FILE *out);
