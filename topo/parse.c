/* SPDX-License-Identifier: MIT */
/* YAML -> model in two passes: libyaml events -> a small position-carrying tree (with the
 * hostile-input caps applied there), then table-driven walkers fill struct topo. Every problem
 * is recorded in the caller's diag and parsing carries on, so one run reports them all. */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <yaml.h>

#include "common/macro.h"
#include "topo/topo-internal.h"

#define ANCHORS_MAX 10000

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ykind kind;
	bool plain; /* scalar written without quotes (so "null" and "~" mean null) */
	struct topo_loc loc;
	char *str;
	struct ynode **items; /* Y_MAP: key, value, key, value, ... */
	size_t n;
	uint64_t weight; /* nodes reachable from here, aliases expanded */
};

struct anchor {
	char *name;
	struct ynode *node;
};

struct pctx {
	struct topo *t;
	struct topo_diag *diag;
	struct ynode **all; /* every allocated node, for freeing (aliases share nodes) */
	size_t n_all;
	struct anchor *anchors;
	size_t n_anchors;
	bool oom;
};

static void perr(struct pctx *c, struct topo_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct pctx *c, struct topo_loc loc, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg || topo_diag_add(c->diag, TOPO_ERROR, loc, "%s", msg) < 0)
		c->oom = true;
	free(msg);
}

static struct topo_loc mark_loc(yaml_mark_t m)
{
	return (struct topo_loc){ .line = (unsigned)m.line + 1, .col = (unsigned)m.column + 1 };
}

/* ---- pass 1: events -> tree ---- */

static struct ynode *ynode_new(struct pctx *c, enum ykind kind, yaml_mark_t m)
{
	struct ynode *y = calloc(1, sizeof(*y)), **slot;

	if (!y)
		return NULL;
	slot = grow_one(&c->all, &c->n_all, sizeof(*slot));
	if (!slot) {
		free(y);
		return NULL;
	}
	*slot = y;
	y->kind = kind;
	y->loc = mark_loc(m);
	y->weight = 1;
	return y;
}

static int ynode_append(struct ynode *parent, struct ynode *child)
{
	struct ynode **slot = grow_one(&parent->items, &parent->n, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	*slot = child;
	parent->weight += child->weight;
	return 0;
}

static int anchor_add(struct pctx *c, const yaml_char_t *name, struct ynode *y, yaml_mark_t m)
{
	struct anchor *a;

	if (!name)
		return 0;
	if (c->n_anchors >= ANCHORS_MAX) {
		perr(c, mark_loc(m), "too many YAML anchors (more than %d)", ANCHORS_MAX);
		return -E2BIG;
	}
	a = grow_one(&c->anchors, &c->n_anchors, sizeof(*a));
	if (!a || !(a->name = strdup((const char *)name)))
		return -ENOMEM;
	a->node = y;
	return 0;
}

static struct ynode *anchor_find(struct pctx *c, const char *name)
{
	/* Latest definition wins (YAML allows re-anchoring a name). */
	for (size_t i = c->n_anchors; i > 0; i--)
		if (streq(c->anchors[i - 1].name, name))
			return c->anchors[i - 1].node;
	return NULL;
}

static int add_to_parent(struct pctx *c, struct ynode **stack, size_t depth, struct ynode **root,
			 struct ynode *y, yaml_mark_t m)
{
	if (depth == 0) {
		*root = y;
		return 0;
	}
	if (ynode_append(stack[depth - 1], y) < 0)
		return -ENOMEM;
	/* Ancestors' weights are summed when their own end event arrives; checking the parent
	 * here is enough to stop an alias bomb before its expansion is ever walked. */
	if (stack[depth - 1]->weight > TOPO_EXPANSION_MAX) {
		perr(c, mark_loc(m), "YAML alias expansion exceeds %u nodes (alias bomb?)",
		     TOPO_EXPANSION_MAX);
		return -E2BIG;
	}
	return 0;
}

static int build_tree(struct pctx *c, const char *buf, size_t len, struct ynode **ret)
{
	struct ynode *stack[TOPO_DEPTH_MAX + 1], *root = NULL;
	size_t depth = 0;
	unsigned docs = 0;
	yaml_parser_t p;
	int r = 0;

	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);

	for (bool done = false; !done && r == 0;) {
		yaml_event_t ev;
		struct ynode *y = NULL;

		if (!yaml_parser_parse(&p, &ev)) {
			struct topo_loc loc = mark_loc(p.problem_mark);
			if (p.context)
				perr(c, loc, "YAML syntax error: %s %s", p.problem, p.context);
			else
				perr(c, loc, "YAML syntax error: %s",
				     p.problem ? p.problem : "unknown problem");
			r = -EINVAL;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				perr(c, mark_loc(ev.start_mark),
				     "a topology file holds one YAML document, found a second");
				r = -EINVAL;
			}
			break;
		case YAML_SCALAR_EVENT:
			y = ynode_new(c, Y_SCALAR, ev.start_mark);
			if (!y || !(y->str = strndup((const char *)ev.data.scalar.value,
						     ev.data.scalar.length))) {
				r = -ENOMEM;
				break;
			}
			if (strlen(y->str) != ev.data.scalar.length) {
				perr(c, y->loc, "NUL byte inside a YAML scalar");
				r = -EINVAL;
				break;
			}
			y->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			r = anchor_add(c, ev.data.scalar.anchor, y, ev.start_mark);
			if (r == 0)
				r = add_to_parent(c, stack, depth, &root, y, ev.start_mark);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= TOPO_DEPTH_MAX) {
				perr(c, mark_loc(ev.start_mark),
				     "YAML nesting deeper than %d levels", TOPO_DEPTH_MAX);
				r = -E2BIG;
				break;
			}
			y = ynode_new(c, ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP,
				      ev.start_mark);
			if (!y) {
				r = -ENOMEM;
				break;
			}
			r = anchor_add(c,
				       ev.type == YAML_SEQUENCE_START_EVENT
					       ? ev.data.sequence_start.anchor
					       : ev.data.mapping_start.anchor,
				       y, ev.start_mark);
			if (r == 0)
				r = add_to_parent(c, stack, depth, &root, y, ev.start_mark);
			if (r == 0)
				stack[depth++] = y;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			/* The node's weight was complete only now: propagate it up. */
			if (depth > 0) {
				y = stack[--depth];
				if (depth > 0) {
					struct ynode *parent = stack[depth - 1];
					parent->weight += y->weight - 1;
					if (parent->weight > TOPO_EXPANSION_MAX) {
						perr(c, mark_loc(ev.start_mark),
						     "YAML alias expansion exceeds %u nodes (alias "
						     "bomb?)",
						     TOPO_EXPANSION_MAX);
						r = -E2BIG;
					}
				}
			}
			break;
		case YAML_ALIAS_EVENT:
			y = anchor_find(c, (const char *)ev.data.alias.anchor);
			if (!y) {
				perr(c, mark_loc(ev.start_mark), "unknown YAML alias '*%s'",
				     (const char *)ev.data.alias.anchor);
				r = -EINVAL;
				break;
			}
			/* An alias of a node still open would make the tree a cycle. */
			for (size_t i = 0; i < depth && r == 0; i++)
				if (stack[i] == y) {
					perr(c, mark_loc(ev.start_mark),
					     "recursive YAML alias '*%s' (refers to its own "
					     "ancestor)",
					     (const char *)ev.data.alias.anchor);
					r = -EINVAL;
				}
			if (r < 0)
				break;
			/* Shared, not copied: memory stays bounded by the file size; the weight
			 * counts what a walk would visit. */
			r = add_to_parent(c, stack, depth, &root, y, ev.start_mark);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (r == -ENOMEM)
		c->oom = true;
	*ret = root;
	return r;
}

static void tree_free(struct pctx *c)
{
	for (size_t i = 0; i < c->n_all; i++) {
		free(c->all[i]->str);
		free(c->all[i]->items);
		free(c->all[i]);
	}
	free(c->all);
	for (size_t i = 0; i < c->n_anchors; i++)
		free(c->anchors[i].name);
	free(c->anchors);
}

/* ---- scalar helpers ---- */

static bool is_null(const struct ynode *y)
{
	return !y || (y->kind == Y_SCALAR && y->plain &&
		      (!*y->str || streq(y->str, "~") || streq(y->str, "null") ||
		       streq(y->str, "Null") || streq(y->str, "NULL")));
}

static const char *kind_name(enum ykind k)
{
	return k == Y_SCALAR ? "a scalar" : k == Y_SEQ ? "a list" : "a mapping";
}

static bool expect_kind(struct pctx *c, const struct ynode *y, enum ykind k, const char *what)
{
	if (y->kind == k)
		return true;
	perr(c, y->loc, "%s must be %s, not %s", what, kind_name(k), kind_name(y->kind));
	return false;
}

/* Returns the scalar text, or NULL after reporting that @y is not a non-null scalar. */
static const char *scalar(struct pctx *c, const struct ynode *y, const char *what)
{
	if (!expect_kind(c, y, Y_SCALAR, what))
		return NULL;
	if (is_null(y) || !*y->str) {
		perr(c, y->loc, "%s is empty", what);
		return NULL;
	}
	return y->str;
}

static char *xstrdup(struct pctx *c, const char *s)
{
	char *d = strdup(s);

	if (!d)
		c->oom = true;
	return d;
}

/* Parses a decimal with up to @scale_digits fractional digits into an integer scaled by
 * 10^scale_digits. Returns the number of characters consumed, 0 on a malformed number. */
static size_t parse_decimal(const char *s, unsigned scale_digits, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p = s;
	unsigned frac = 0;
	bool digits = false;

	for (; isdigit((unsigned char)*p); p++, digits = true) {
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++, digits = true) {
			if (frac == scale_digits) {
				if (*p != '0')
					return 0; /* more precision than we keep */
				continue;
			}
			v = v * 10 + (uint64_t)(*p - '0');
			frac++;
		}
	}
	if (!digits)
		return 0;
	for (; frac < scale_digits; frac++) {
		if (v > UINT64_MAX / 10)
			return 0;
		v *= 10;
	}
	*ret = v;
	return (size_t)(p - s);
}

static bool parse_uint(struct pctx *c, const struct ynode *y, const char *what, uint64_t min,
		       uint64_t max, uint64_t *ret)
{
	const char *s = scalar(c, y, what);
	uint64_t v;

	if (!s)
		return false;
	if (parse_decimal(s, 0, &v) != strlen(s) || strchr(s, '.')) {
		perr(c, y->loc, "%s: '%s' is not a whole number", what, s);
		return false;
	}
	if (v < min || v > max) {
		perr(c, y->loc, "%s %s is out of range (%llu..%llu)", what, s,
		     (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*ret = v;
	return true;
}

static bool parse_bool(struct pctx *c, const struct ynode *y, const char *what, bool *ret)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "on", "On" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "off", "Off" };
	const char *s = scalar(c, y, what);

	if (!s)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(yes); i++)
		if (streq(s, yes[i]) || streq(s, no[i])) {
			*ret = streq(s, yes[i]);
			return true;
		}
	perr(c, y->loc, "%s: '%s' is not a boolean (true or false)", what, s);
	return false;
}

static bool parse_mac(struct pctx *c, const struct ynode *y, const char *what, uint8_t mac[6])
{
	const char *s = scalar(c, y, what);
	unsigned b[6];
	int n = 0;

	if (!s)
		return false;
	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) !=
		    6 ||
	    n != 17) {
		perr(c, y->loc, "%s: '%s' is not a MAC address (expected e.g. 02:00:00:00:00:01)",
		     what, s);
		return false;
	}
	for (int i = 0; i < 6; i++)
		if (!isxdigit((unsigned char)s[i * 3]) || !isxdigit((unsigned char)s[i * 3 + 1])) {
			perr(c, y->loc, "%s: '%s' is not a MAC address", what, s);
			return false;
		}
	if (b[0] & 1) {
		perr(c, y->loc,
		     "%s: '%s' is a multicast MAC address; an interface needs a unicast one", what,
		     s);
		return false;
	}
	if ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0) {
		perr(c, y->loc, "%s: '%s' is the all-zero MAC address", what, s);
		return false;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return true;
}

struct unit {
	const char *suffix;
	uint64_t mult;
};

/* Matches the suffix case-insensitively; returns false on an unknown unit. */
static bool unit_lookup(const struct unit *u, size_t n, const char *suffix, uint64_t *mult)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(u[i].suffix, suffix) == 0) {
			*mult = u[i].mult;
			return true;
		}
	return false;
}

/* number[unit] with up to 3 decimals -> value * mult / 1000, range-checked. */
static bool parse_with_unit(struct pctx *c, const struct ynode *y, const char *what,
			    const struct unit *units, size_t n_units, bool unit_required,
			    const char *example, uint64_t *ret)
{
	const char *s = scalar(c, y, what);
	uint64_t v, mult = 1;
	size_t used;

	if (!s)
		return false;
	used = parse_decimal(s, 3, &v);
	if (used == 0) {
		perr(c, y->loc, "%s: '%s' is not a number (expected e.g. %s)", what, s, example);
		return false;
	}
	if (s[used] == '\0' && unit_required) {
		perr(c, y->loc, "%s: '%s' needs a unit (e.g. %s)", what, s, example);
		return false;
	}
	if (s[used] && !unit_lookup(units, n_units, s + used, &mult)) {
		perr(c, y->loc, "%s: unknown unit '%s' in '%s' (expected e.g. %s)", what, s + used,
		     s, example);
		return false;
	}
	if (mult && v > UINT64_MAX / mult) {
		perr(c, y->loc, "%s: '%s' is too large", what, s);
		return false;
	}
	*ret = v * mult / 1000;
	return true;
}

static const struct unit size_units[] = {
	{ "", 1 },
	{ "b", 1 },
	{ "k", 1ull << 10 },
	{ "kb", 1ull << 10 },
	{ "kib", 1ull << 10 },
	{ "m", 1ull << 20 },
	{ "mb", 1ull << 20 },
	{ "mib", 1ull << 20 },
	{ "g", 1ull << 30 },
	{ "gb", 1ull << 30 },
	{ "gib", 1ull << 30 },
	{ "t", 1ull << 40 },
	{ "tb", 1ull << 40 },
	{ "tib", 1ull << 40 },
};

static const struct unit time_units[] = {
	{ "us", 1 },
	{ "ms", 1000 },
	{ "s", 1000000 },
};

static const struct unit rate_units[] = {
	{ "bit", 1 },
	{ "kbit", 1000 },
	{ "mbit", 1000000 },
	{ "gbit", 1000000000 },
	{ "tbit", 1000000000000ull },
	{ "bps", 8 },
	{ "kbps", 8000 },
	{ "mbps", 8000000 },
	{ "gbps", 8000000000ull },
};

static bool parse_percent_ppm(struct pctx *c, const struct ynode *y, const char *what,
			      uint32_t *ret)
{
	static const struct unit pct[] = { { "%", 10000 } };
	uint64_t v;

	if (!parse_with_unit(c, y, what, pct, ELEMENTSOF(pct), true, "0.5%", &v))
		return false;
	if (v > 1000000) {
		perr(c, y->loc, "%s %s is over 100%%", what, y->str);
		return false;
	}
	*ret = (uint32_t)v;
	return true;
}

static bool parse_addr(struct pctx *c, const struct ynode *y, const char *what,
		       struct topo_addr *ret)
{
	const char *s = scalar(c, y, what);
	struct topo_addr a = { .loc = y->loc };

	if (!s)
		return false;
	if (topo_addr_parse(s, &a) < 0) {
		perr(c, y->loc,
		     "%s: '%s' is not an address (expected e.g. 192.0.2.1/24 or 2001:db8::1/64)",
		     what, s);
		return false;
	}
	a.loc = y->loc;
	*ret = a;
	return true;
}

/* ---- pass 2: table-driven walkers ---- */

struct field {
	const char *key;
	/* @obj is the walker's object plus @off; @what names the value for messages. */
	void (*fn)(struct pctx *c, const struct ynode *key, const struct ynode *val, void *obj,
		   const char *what);
	size_t off;
};

/* Calls the handler of every key of mapping @m; reports unknown and duplicate keys. */
static void walk_map(struct pctx *c, const struct ynode *m, const struct field *f, size_t nf,
		     void *obj, const char *where)
{
	const char *names[32];

	if (!expect_kind(c, m, Y_MAP, where))
		return;
	for (size_t i = 0; i + 1 < m->n; i += 2) {
		const struct ynode *k = m->items[i], *v = m->items[i + 1];
		const struct field *hit = NULL;
		char what[256];

		if (k->kind != Y_SCALAR) {
			perr(c, k->loc, "keys in %s must be scalars", where);
			continue;
		}
		for (size_t j = 0; j < nf && !hit; j++)
			if (streq(f[j].key, k->str))
				hit = &f[j];
		if (!hit) {
			const char *s;
			for (size_t j = 0; j < nf && j < ELEMENTSOF(names); j++)
				names[j] = f[j].key;
			s = topo_suggest(k->str, names, nf < ELEMENTSOF(names) ? nf : 32);
			if (s)
				perr(c, k->loc, "unknown key '%s' in %s (did you mean '%s'?)",
				     k->str, where, s);
			else
				perr(c, k->loc, "unknown key '%s' in %s", k->str, where);
			continue;
		}
		snprintf(what, sizeof(what), "'%s' of %s", k->str, where);
		hit->fn(c, k, v, (char *)obj + hit->off, what);
	}
}

static int key_cmp(const void *a, const void *b)
{
	const struct ynode *const *x = a, *const *y = b;
	int r = strcmp((*x)->str, (*y)->str);

	if (r)
		return r;
	/* Equal keys: earlier in the file first, so the report points at the later one. */
	if ((*x)->loc.line != (*y)->loc.line)
		return (*x)->loc.line < (*y)->loc.line ? -1 : 1;
	return (*x)->loc.col < (*y)->loc.col ? -1 : (*x)->loc.col > (*y)->loc.col;
}

/* Reports every repeated key of mapping @m, O(n log n) so large node maps stay fast. */
static void check_duplicate_keys(struct pctx *c, const struct ynode *m, const char *where)
{
	_cleanup_free_ const struct ynode **keys = NULL;
	size_t n = 0;

	if (m->kind != Y_MAP || m->n < 4)
		return;
	keys = malloc(m->n / 2 * sizeof(*keys));
	if (!keys) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i + 1 < m->n; i += 2)
		if (m->items[i]->kind == Y_SCALAR)
			keys[n++] = m->items[i];
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t i = 1; i < n; i++)
		if (streq(keys[i]->str, keys[i - 1]->str)) {
			size_t first = i - 1;
			while (first > 0 && streq(keys[first - 1]->str, keys[i]->str))
				first--;
			perr(c, keys[i]->loc, "duplicate key '%s' in %s (first at %u:%u)",
			     keys[i]->str, where, keys[first]->loc.line, keys[first]->loc.col);
		}
}

/* Iterates a mapping of named children; calls @fn(name key, value) for each. The caller
 * checks duplicates; a null mapping (e.g. "nodes:" with nothing under it) is empty. */
#define FOR_EACH_PAIR(m, k, v) \
	for (size_t _i = 0;    \
	     _i + 1 < (m)->n && ((k) = (m)->items[_i], (v) = (m)->items[_i + 1], 1); _i += 2)

/* -- interfaces -- */

static void f_iface_addresses(struct pctx *c, const struct ynode *k, const struct ynode *v,
			      void *obj, const char *what)
{
	struct topo_iface *ifc = obj;

	if (!expect_kind(c, v, Y_SEQ, what))
		return;
	for (size_t i = 0; i < v->n; i++) {
		struct topo_addr a, *slot;

		if (!parse_addr(c, v->items[i], "address", &a))
			continue;
		if (a.family == AF_INET ? a.bytes[0] >= 224 && a.bytes[0] < 240
					: a.bytes[0] == 0xff) {
			perr(c, a.loc, "address %s is multicast; an interface needs a unicast one",
			     v->items[i]->str);
			continue;
		}
		slot = grow_one(&ifc->addrs, &ifc->n_addrs, sizeof(*slot));
		if (!slot) {
			c->oom = true;
			return;
		}
		*slot = a;
	}
}

static void f_iface_mtu(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	unsigned *mtu = obj;
	uint64_t x;

	/* 68 is IPv4's minimum (RFC 791); 65535 the largest a veth accepts. */
	if (parse_uint(c, v, "mtu", 68, 65535, &x))
		*mtu = (unsigned)x;
}

static void f_iface_mac(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo_iface *ifc = obj;

	ifc->has_mac = parse_mac(c, v, "mac", ifc->mac);
}

static void f_iface_type(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			 const char *what)
{
	struct topo_iface *ifc = obj;
	const char *s = scalar(c, v, what);

	if (!s)
		return;
	if (streq(ifc->name, "lo")) {
		if (!streq(s, "loopback"))
			perr(c, v->loc, "'lo' is the loopback interface; its type cannot be '%s'",
			     s);
		return;
	}
	if (streq(s, "veth"))
		ifc->type = TOPO_IF_VETH;
	else if (streq(s, "dummy"))
		ifc->type = TOPO_IF_DUMMY;
	else
		perr(c, v->loc, "unknown interface type '%s' (expected veth or dummy)", s);
}

static const struct field iface_fields[] = {
	{ "addresses", f_iface_addresses, 0 },
	{ "mtu", f_iface_mtu, offsetof(struct topo_iface, mtu) },
	{ "mac", f_iface_mac, 0 },
	{ "type", f_iface_type, 0 },
};

/* The host: section has no dummies or loopback: its interfaces are veth ends. */
static const struct field host_iface_fields[] = {
	{ "addresses", f_iface_addresses, 0 },
	{ "mtu", f_iface_mtu, offsetof(struct topo_iface, mtu) },
	{ "mac", f_iface_mac, 0 },
};

static void parse_ifaces(struct pctx *c, const struct ynode *m, struct topo_iface **arr, size_t *n,
			 const struct field *fields, size_t nf, const char *owner)
{
	const struct ynode *k, *v;
	char where[256];

	if (is_null(m))
		return;
	snprintf(where, sizeof(where), "interfaces of %s", owner);
	if (!expect_kind(c, m, Y_MAP, where))
		return;
	check_duplicate_keys(c, m, where);
	FOR_EACH_PAIR(m, k, v)
	{
		struct topo_iface *ifc;

		if (k->kind != Y_SCALAR || !*k->str) {
			perr(c, k->loc, "interface names must be non-empty scalars");
			continue;
		}
		ifc = grow_one(arr, n, sizeof(*ifc));
		if (!ifc || !(ifc->name = xstrdup(c, k->str))) {
			c->oom = true;
			return;
		}
		ifc->loc = k->loc;
		ifc->link = -1;
		ifc->type = streq(ifc->name, "lo") ? TOPO_IF_LOOPBACK : TOPO_IF_VETH;
		if (is_null(v))
			continue;
		snprintf(where, sizeof(where), "interface '%s' of %s", ifc->name, owner);
		check_duplicate_keys(c, v, where);
		walk_map(c, v, fields, nf, ifc, where);
	}
}

/* -- routes -- */

static void f_route_to(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		       const char *what)
{
	struct topo_route *rt = obj;

	if (v->kind == Y_SCALAR && streq(v->str, "default")) {
		rt->is_default = true;
		rt->dst.loc = v->loc;
		return;
	}
	if (parse_addr(c, v, "route destination", &rt->dst))
		rt->dst.loc = v->loc;
}

static void f_route_via(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo_route *rt = obj;
	struct topo_addr a;

	/* A via that does not parse still counts as given (family 0), so validation does not
	 * add "needs 'via' or 'dev'" on top of the parse error. */
	rt->has_via = true;
	rt->via = (struct topo_addr){ .loc = v->loc };
	if (!parse_addr(c, v, "route gateway", &a))
		return;
	if (strchr(v->str, '/')) {
		perr(c, v->loc, "route gateway '%s' must be an address without a prefix length",
		     v->str);
		return;
	}
	rt->via = a;
	rt->has_via = true;
}

static void f_route_dev(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo_route *rt = obj;
	const char *s = scalar(c, v, what);

	if (s)
		rt->dev = xstrdup(c, s);
}

static void f_route_metric(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			   const char *what)
{
	struct topo_route *rt = obj;
	uint64_t x;

	if (parse_uint(c, v, "route metric", 0, UINT32_MAX, &x))
		rt->metric = (unsigned)x;
}

static const struct field route_fields[] = {
	{ "to", f_route_to, 0 },
	{ "via", f_route_via, 0 },
	{ "dev", f_route_dev, 0 },
	{ "metric", f_route_metric, 0 },
};

static void f_node_routes(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			  const char *what)
{
	struct topo_node *n = obj;
	char where[256];

	if (is_null(v))
		return;
	if (!expect_kind(c, v, Y_SEQ, what))
		return;
	snprintf(where, sizeof(where), "a route of node '%s'", n->name);
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *item = v->items[i];
		struct topo_route *rt = grow_one(&n->routes, &n->n_routes, sizeof(*rt));
		bool has_to = false;

		if (!rt) {
			c->oom = true;
			return;
		}
		rt->loc = item->loc;
		check_duplicate_keys(c, item, where);
		walk_map(c, item, route_fields, ELEMENTSOF(route_fields), rt, where);
		for (size_t j = 0; item->kind == Y_MAP && j + 1 < item->n; j += 2)
			has_to |= item->items[j]->kind == Y_SCALAR &&
				  streq(item->items[j]->str, "to");
		if (item->kind == Y_MAP && !has_to)
			perr(c, item->loc, "a route of node '%s' needs 'to' (a prefix or default)",
			     n->name);
		if (rt->is_default)
			rt->dst.family = rt->has_via ? rt->via.family : AF_INET;
	}
}

/* -- node settings (also under defaults:) -- */

static void parse_kv_map(struct pctx *c, const struct ynode *v, struct topo_kv **arr, size_t *n,
			 const char *what, bool bool_as_int)
{
	const struct ynode *k, *val;

	if (is_null(v))
		return;
	if (!expect_kind(c, v, Y_MAP, what))
		return;
	check_duplicate_keys(c, v, what);
	FOR_EACH_PAIR(v, k, val)
	{
		struct topo_kv *kv;
		const char *s = "";

		if (k->kind != Y_SCALAR || !*k->str) {
			perr(c, k->loc, "keys in %s must be non-empty scalars", what);
			continue;
		}
		if (!is_null(val)) {
			if (!expect_kind(c, val, Y_SCALAR, what))
				continue;
			s = val->str;
		}
		/* The kernel wants 1/0 where YAML authors naturally write true/false. */
		if (bool_as_int && val->plain && (streq(s, "true") || streq(s, "false")))
			s = streq(s, "true") ? "1" : "0";
		kv = grow_one(arr, n, sizeof(*kv));
		if (!kv || !(kv->key = xstrdup(c, k->str)) || !(kv->value = xstrdup(c, s))) {
			c->oom = true;
			return;
		}
		kv->loc = k->loc;
	}
}

static void f_sysctls(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		      const char *what)
{
	struct topo_node_settings *s = obj;

	parse_kv_map(c, v, &s->sysctls, &s->n_sysctls, what, true);
}

static void f_env(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		  const char *what)
{
	struct topo_node_settings *s = obj;
	size_t before = s->n_env;

	parse_kv_map(c, v, &s->env, &s->n_env, what, false);
	for (size_t i = before; i < s->n_env; i++) {
		const char *name = s->env[i].key;
		bool ok = isalpha((unsigned char)name[0]) || name[0] == '_';
		for (const char *p = name; ok && *p; p++)
			ok = isalnum((unsigned char)*p) || *p == '_';
		if (!ok)
			perr(c, s->env[i].loc,
			     "environment variable name '%s' is not valid ([A-Za-z_][A-Za-z0-9_]*)",
			     name);
	}
}

static void f_limit_memory(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			   const char *what)
{
	struct topo_limits *l = obj;
	uint64_t x;

	if (!parse_with_unit(c, v, "memory limit", size_units, ELEMENTSOF(size_units), false,
			     "64MiB", &x))
		return;
	/* Below 1 MiB not even the node's init fits; cgroup v1 rounds to pages anyway. */
	if (x < (1u << 20) || x > (1ull << 50)) {
		perr(c, v->loc, "memory limit %s is out of range (1MiB..1PiB)", v->str);
		return;
	}
	l->memory = x;
	l->has_memory = true;
	l->memory_loc = v->loc;
}

static void f_limit_cpu(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo_limits *l = obj;
	const char *str = scalar(c, v, "cpu limit");
	uint64_t millis;

	if (!str)
		return;
	if (parse_decimal(str, 3, &millis) != strlen(str)) {
		perr(c, v->loc, "cpu limit: '%s' is not a number of cores (expected e.g. 0.5)",
		     str);
		return;
	}
	/* 10 millicores: the CFS quota floor is 1 ms per 100 ms period. */
	if (millis < 10 || millis > 1024000) {
		perr(c, v->loc, "cpu limit %s is out of range (0.01..1024 cores)", str);
		return;
	}
	l->cpu_millis = (uint32_t)millis;
	l->has_cpu = true;
	l->cpu_loc = v->loc;
}

static void f_limit_pids(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			 const char *what)
{
	struct topo_limits *l = obj;
	uint64_t x;

	/* 4194304 is PID_MAX_LIMIT on 64-bit kernels. */
	if (!parse_uint(c, v, "pids limit", 1, 4194304, &x))
		return;
	l->pids = (uint32_t)x;
	l->has_pids = true;
	l->pids_loc = v->loc;
}

static const struct field limit_fields[] = {
	{ "memory", f_limit_memory, 0 },
	{ "cpu", f_limit_cpu, 0 },
	{ "pids", f_limit_pids, 0 },
};

static void f_limits(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		     const char *what)
{
	struct topo_node_settings *s = obj;

	if (is_null(v))
		return;
	check_duplicate_keys(c, v, what);
	walk_map(c, v, limit_fields, ELEMENTSOF(limit_fields), &s->limits, what);
}

static void f_rootfs(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		     const char *what)
{
	struct topo_node_settings *s = obj;
	const char *str = scalar(c, v, what);

	if (!str)
		return;
	free(s->rootfs);
	s->rootfs = xstrdup(c, str);
	s->rootfs_loc = v->loc;
}

static void f_binds(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		    const char *what)
{
	struct topo_node_settings *s = obj;

	s->has_binds = true;
	if (is_null(v))
		return;
	if (!expect_kind(c, v, Y_SEQ, what))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const char *str = scalar(c, v->items[i], "bind");
		const char *colon, *opt;
		struct topo_bind *b;

		if (!str)
			continue;
		colon = strchr(str, ':');
		if (!colon || colon == str || !colon[1]) {
			perr(c, v->items[i]->loc, "bind '%s' must be 'src:dst' or 'src:dst:ro'",
			     str);
			continue;
		}
		opt = strchr(colon + 1, ':');
		if (opt && !streq(opt + 1, "ro") && !streq(opt + 1, "rw")) {
			perr(c, v->items[i]->loc,
			     "bind '%s': unknown option '%s' (expected ro or rw)", str, opt + 1);
			continue;
		}
		b = grow_one(&s->binds, &s->n_binds, sizeof(*b));
		if (!b || !(b->src = strndup(str, (size_t)(colon - str))) ||
		    !(b->dst = opt ? strndup(colon + 1, (size_t)(opt - colon - 1))
				   : strdup(colon + 1))) {
			c->oom = true;
			return;
		}
		b->ro = opt && streq(opt + 1, "ro");
		b->loc = v->items[i]->loc;
	}
}

static bool argv_push(struct pctx *c, struct topo_node_settings *s, const char *arg, size_t len)
{
	/* Keep a NULL terminator after the last argument at all times. */
	char **nv = realloc(s->cmd, (s->n_cmd + 2) * sizeof(*nv));

	if (!nv || !(nv[s->n_cmd] = strndup(arg, len))) {
		if (nv)
			s->cmd = nv;
		c->oom = true;
		return false;
	}
	s->cmd = nv;
	s->cmd[++s->n_cmd] = NULL;
	return true;
}

static void f_cmd(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		  const char *what)
{
	struct topo_node_settings *s = obj;

	s->has_cmd = true;
	s->cmd_loc = v->loc;
	if (is_null(v))
		return;
	if (v->kind == Y_SCALAR) {
		/* A string is split on white space, never given to a shell. */
		for (const char *p = v->str; *p;) {
			size_t len;
			while (isspace((unsigned char)*p))
				p++;
			len = strcspn(p, " \t\n");
			if (len && !argv_push(c, s, p, len))
				return;
			p += len;
		}
		return;
	}
	if (!expect_kind(c, v, Y_SEQ, what))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const char *arg = scalar(c, v->items[i], "a cmd argument");
		if (arg && !argv_push(c, s, arg, strlen(arg)))
			return;
	}
}

static void f_exec_cmd(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		       const char *what)
{
	struct topo_exec *e = obj;
	const char *s = scalar(c, v, what);

	if (s) {
		free(e->cmd);
		e->cmd = xstrdup(c, s);
	}
}

static void f_exec_optional(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			    const char *what)
{
	struct topo_exec *e = obj;

	parse_bool(c, v, what, &e->optional);
}

static const struct field exec_fields[] = {
	{ "cmd", f_exec_cmd, 0 },
	{ "optional", f_exec_optional, 0 },
};

static void f_exec(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		   const char *what)
{
	struct topo_node_settings *s = obj;

	s->has_exec = true;
	if (is_null(v))
		return;
	if (!expect_kind(c, v, Y_SEQ, what))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *item = v->items[i];
		struct topo_exec *e = grow_one(&s->exec, &s->n_exec, sizeof(*e));

		if (!e) {
			c->oom = true;
			return;
		}
		e->loc = item->loc;
		if (item->kind == Y_MAP) {
			check_duplicate_keys(c, item, "an exec entry");
			walk_map(c, item, exec_fields, ELEMENTSOF(exec_fields), e, "an exec entry");
			if (!e->cmd)
				perr(c, item->loc, "an exec entry needs 'cmd'");
		} else {
			const char *str = scalar(c, item, "an exec entry");
			if (str)
				e->cmd = xstrdup(c, str);
		}
	}
}

static void f_node_hostname(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			    const char *what)
{
	struct topo_node *n = obj;
	const char *s = scalar(c, v, what);

	if (s) {
		free(n->hostname);
		n->hostname = xstrdup(c, s);
		n->hostname_loc = v->loc;
	}
}

static void f_node_interfaces(struct pctx *c, const struct ynode *k, const struct ynode *v,
			      void *obj, const char *what)
{
	struct topo_node *n = obj;
	char owner[256];

	snprintf(owner, sizeof(owner), "node '%s'", n->name);
	parse_ifaces(c, v, &n->ifaces, &n->n_ifaces, iface_fields, ELEMENTSOF(iface_fields), owner);
}

#define S_OFF offsetof(struct topo_node, s)
static const struct field node_fields[] = {
	{ "interfaces", f_node_interfaces, 0 },
	{ "routes", f_node_routes, 0 },
	{ "hostname", f_node_hostname, 0 },
	{ "sysctls", f_sysctls, S_OFF },
	{ "limits", f_limits, S_OFF },
	{ "rootfs", f_rootfs, S_OFF },
	{ "binds", f_binds, S_OFF },
	{ "env", f_env, S_OFF },
	{ "cmd", f_cmd, S_OFF },
	{ "exec", f_exec, S_OFF },
};

static const struct field defaults_fields[] = {
	{ "sysctls", f_sysctls, 0 }, { "limits", f_limits, 0 }, { "rootfs", f_rootfs, 0 },
	{ "binds", f_binds, 0 },     { "env", f_env, 0 },	{ "cmd", f_cmd, 0 },
	{ "exec", f_exec, 0 },
};

/* -- top-level sections -- */

static void f_top_name(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		       const char *what)
{
	struct topo *t = obj;
	const char *s = scalar(c, v, "the lab name");

	if (s) {
		free(t->name);
		t->name = xstrdup(c, s);
		t->name_loc = v->loc;
	}
}

static void f_top_defaults(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			   const char *what)
{
	struct topo *t = obj;

	t->defaults_loc = k->loc;
	if (is_null(v))
		return;
	check_duplicate_keys(c, v, "defaults");
	walk_map(c, v, defaults_fields, ELEMENTSOF(defaults_fields), &t->defaults, "defaults");
}

static void f_top_nodes(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo *t = obj;
	const struct ynode *nk, *nv;

	if (is_null(v))
		return;
	if (!expect_kind(c, v, Y_MAP, "'nodes'"))
		return;
	check_duplicate_keys(c, v, "nodes");
	FOR_EACH_PAIR(v, nk, nv)
	{
		struct topo_node *n;
		char where[256];

		if (nk->kind != Y_SCALAR || !*nk->str) {
			perr(c, nk->loc, "node names must be non-empty scalars");
			continue;
		}
		n = grow_one(&t->nodes, &t->n_nodes, sizeof(*n));
		if (!n || !(n->name = xstrdup(c, nk->str))) {
			c->oom = true;
			return;
		}
		n->loc = nk->loc;
		if (is_null(nv))
			continue;
		snprintf(where, sizeof(where), "node '%s'", n->name);
		check_duplicate_keys(c, nv, where);
		walk_map(c, nv, node_fields, ELEMENTSOF(node_fields), n, where);
	}
}

static const struct field bridge_fields[] = {
	{ "mtu", f_iface_mtu, offsetof(struct topo_bridge, mtu) },
};

static void f_top_bridges(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			  const char *what)
{
	struct topo *t = obj;
	const struct ynode *bk, *bv;

	if (is_null(v))
		return;
	if (!expect_kind(c, v, Y_MAP, "'bridges'"))
		return;
	check_duplicate_keys(c, v, "bridges");
	FOR_EACH_PAIR(v, bk, bv)
	{
		struct topo_bridge *b;
		char where[256];

		if (bk->kind != Y_SCALAR || !*bk->str) {
			perr(c, bk->loc, "bridge names must be non-empty scalars");
			continue;
		}
		b = grow_one(&t->bridges, &t->n_bridges, sizeof(*b));
		if (!b || !(b->name = xstrdup(c, bk->str))) {
			c->oom = true;
			return;
		}
		b->loc = bk->loc;
		if (is_null(bv))
			continue;
		snprintf(where, sizeof(where), "bridge '%s'", b->name);
		check_duplicate_keys(c, bv, where);
		walk_map(c, bv, bridge_fields, ELEMENTSOF(bridge_fields), b, where);
	}
}

/* -- links -- */

static void f_ep_node(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		      const char *what)
{
	struct topo_endpoint *ep = obj;
	const char *s = scalar(c, v, what);

	if (!s) {
		ep->bad = true;
		return;
	}
	free(ep->node);
	ep->node = xstrdup(c, s);
}

static void f_ep_interface(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			   const char *what)
{
	struct topo_endpoint *ep = obj;
	const char *s = scalar(c, v, what);

	if (!s) {
		ep->bad = true;
		return;
	}
	free(ep->iface);
	ep->iface = xstrdup(c, s);
}

static void f_ep_mac(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		     const char *what)
{
	struct topo_endpoint *ep = obj;

	ep->has_mac = parse_mac(c, v, "mac", ep->mac);
}

static void f_ep_bridge(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo_endpoint *ep = obj;

	f_ep_node(c, k, v, obj, what);
	ep->kind = TOPO_EP_BRIDGE;
}

static const struct field ep_fields[] = {
	{ "node", f_ep_node, 0 },
	{ "interface", f_ep_interface, 0 },
	{ "mac", f_ep_mac, 0 },
	{ "bridge", f_ep_bridge, 0 },
};

static bool node_key_given(const struct ynode *m)
{
	for (size_t i = 0; i + 1 < m->n; i += 2)
		if (m->items[i]->kind == Y_SCALAR && streq(m->items[i]->str, "node"))
			return true;
	return false;
}

static void parse_endpoint(struct pctx *c, const struct ynode *y, struct topo_endpoint *ep)
{
	ep->loc = y->loc;
	ep->idx = ep->iface_idx = -1;
	if (y->kind == Y_MAP) {
		bool bridge_key = false;

		check_duplicate_keys(c, y, "a link endpoint");
		walk_map(c, y, ep_fields, ELEMENTSOF(ep_fields), ep, "a link endpoint");
		for (size_t i = 0; i + 1 < y->n; i += 2)
			bridge_key |=
				y->items[i]->kind == Y_SCALAR && streq(y->items[i]->str, "bridge");
		if (bridge_key && node_key_given(y)) {
			perr(c, y->loc,
			     "a link endpoint names either 'node' or 'bridge', not both");
			ep->bad = true;
		} else if (bridge_key && ep->iface) {
			perr(c, y->loc, "a bridge endpoint takes no 'interface'");
			ep->bad = true;
		} else if (bridge_key) {
			ep->kind = TOPO_EP_BRIDGE;
		} else if (!ep->node) {
			perr(c, y->loc, "a link endpoint needs 'node' (or 'bridge')");
			ep->bad = true;
		} else if (streq(ep->node, "host")) {
			if (!ep->iface) {
				perr(c, y->loc, "a host endpoint needs 'interface'");
				ep->bad = true;
			}
			ep->kind = TOPO_EP_HOST;
			free(ep->node);
			ep->node = NULL;
		} else
			ep->kind = ep->iface ? TOPO_EP_NODE : TOPO_EP_BRIDGE;
		return;
	}
	const char *s = scalar(c, y, "a link endpoint");
	const char *colon;

	if (!s) {
		ep->bad = true;
		return;
	}
	colon = strchr(s, ':');
	if (!colon) {
		ep->kind = TOPO_EP_BRIDGE;
		ep->node = xstrdup(c, s);
		return;
	}
	if (colon == s || !colon[1] || strchr(colon + 1, ':')) {
		perr(c, y->loc,
		     "link endpoint '%s' must be 'node:interface', 'host:ifname' or a bridge name",
		     s);
		ep->bad = true;
		return;
	}
	ep->iface = xstrdup(c, colon + 1);
	if ((size_t)(colon - s) == 4 && strncmp(s, "host", 4) == 0) {
		ep->kind = TOPO_EP_HOST;
		return;
	}
	ep->kind = TOPO_EP_NODE;
	if (!(ep->node = strndup(s, (size_t)(colon - s))))
		c->oom = true;
}

static void f_link_endpoints(struct pctx *c, const struct ynode *k, const struct ynode *v,
			     void *obj, const char *what)
{
	struct topo_link *l = obj;

	if (!expect_kind(c, v, Y_SEQ, what)) {
		l->ep[0].bad = l->ep[1].bad = true;
		return;
	}
	if (v->n != 2) {
		perr(c, v->loc, "a link has exactly 2 endpoints, found %zu", v->n);
		l->ep[0].bad = l->ep[1].bad = true;
		return;
	}
	parse_endpoint(c, v->items[0], &l->ep[0]);
	parse_endpoint(c, v->items[1], &l->ep[1]);
}

static void f_netem_delay(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			  const char *what)
{
	struct topo_netem *ne = obj;
	char label[32];
	uint64_t us;

	snprintf(label, sizeof(label), "netem %s", k->str);
	if (!parse_with_unit(c, v, label, time_units, ELEMENTSOF(time_units), true, "5ms", &us))
		return;
	/* tc's netem keeps times in 32 bits of microseconds... in practice keep it under 1 hour. */
	if (us > 3600ull * 1000000) {
		perr(c, v->loc, "netem %s %s is over one hour", k->str, v->str);
		return;
	}
	if (streq(k->str, "delay")) {
		ne->delay_us = (uint32_t)us;
		ne->has_delay = true;
	} else {
		ne->jitter_us = (uint32_t)us;
		ne->has_jitter = true;
	}
}

static void f_netem_pct(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo_netem *ne = obj;
	uint32_t ppm;
	char label[64];

	snprintf(label, sizeof(label), "netem %s", k->str);
	if (!parse_percent_ppm(c, v, label, &ppm))
		return;
	if (streq(k->str, "loss")) {
		ne->loss_ppm = ppm;
		ne->has_loss = true;
	} else if (streq(k->str, "duplicate")) {
		ne->duplicate_ppm = ppm;
		ne->has_duplicate = true;
	} else {
		ne->corrupt_ppm = ppm;
		ne->has_corrupt = true;
	}
}

static void f_netem_rate(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			 const char *what)
{
	struct topo_netem *ne = obj;
	uint64_t bps;

	if (!parse_with_unit(c, v, "netem rate", rate_units, ELEMENTSOF(rate_units), true,
			     "100mbit", &bps))
		return;
	if (bps < 8) {
		perr(c, v->loc, "netem rate %s is below 8 bit/s", v->str);
		return;
	}
	ne->rate_bps = bps;
	ne->has_rate = true;
}

static const struct field netem_fields[] = {
	{ "delay", f_netem_delay, 0 }, { "jitter", f_netem_delay, 0 },
	{ "loss", f_netem_pct, 0 },    { "duplicate", f_netem_pct, 0 },
	{ "corrupt", f_netem_pct, 0 }, { "rate", f_netem_rate, 0 },
};

static void f_link_netem(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			 const char *what)
{
	struct topo_link *l = obj;

	l->has_netem = true;
	l->netem.loc = k->loc;
	if (is_null(v))
		return;
	check_duplicate_keys(c, v, "netem");
	walk_map(c, v, netem_fields, ELEMENTSOF(netem_fields), &l->netem, "netem");
}

static const struct field link_fields[] = {
	{ "endpoints", f_link_endpoints, 0 },
	{ "mtu", f_iface_mtu, offsetof(struct topo_link, mtu) },
	{ "netem", f_link_netem, 0 },
};

static void f_top_links(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo *t = obj;

	if (is_null(v))
		return;
	if (!expect_kind(c, v, Y_SEQ, "'links'"))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *item = v->items[i];
		struct topo_link *l = grow_one(&t->links, &t->n_links, sizeof(*l));
		bool has_ep = false;

		if (!l) {
			c->oom = true;
			return;
		}
		l->loc = item->loc;
		l->ep[0].idx = l->ep[1].idx = l->ep[0].iface_idx = l->ep[1].iface_idx = -1;
		check_duplicate_keys(c, item, "a link");
		walk_map(c, item, link_fields, ELEMENTSOF(link_fields), l, "a link");
		for (size_t j = 0; item->kind == Y_MAP && j + 1 < item->n; j += 2)
			has_ep |= item->items[j]->kind == Y_SCALAR &&
				  streq(item->items[j]->str, "endpoints");
		if (!has_ep) {
			if (item->kind == Y_MAP)
				perr(c, item->loc, "a link needs 'endpoints'");
			l->ep[0].bad = l->ep[1].bad = true;
		}
	}
}

static void f_host_interfaces(struct pctx *c, const struct ynode *k, const struct ynode *v,
			      void *obj, const char *what)
{
	struct topo *t = obj;

	parse_ifaces(c, v, &t->host_ifaces, &t->n_host_ifaces, host_iface_fields,
		     ELEMENTSOF(host_iface_fields), "the host");
}

static const struct field host_fields[] = {
	{ "interfaces", f_host_interfaces, 0 },
};

static void f_top_host(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
		       const char *what)
{
	if (is_null(v))
		return;
	check_duplicate_keys(c, v, "host");
	walk_map(c, v, host_fields, ELEMENTSOF(host_fields), obj, "'host'");
}

/* -- tests -- */

static void f_test_ping(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo_test *tt = obj;
	const char *from, *to;

	if (!expect_kind(c, v, Y_SEQ, what))
		return;
	if (v->n != 2) {
		perr(c, v->loc, "ping takes [from, to], found %zu items", v->n);
		return;
	}
	from = scalar(c, v->items[0], "ping source");
	to = scalar(c, v->items[1], "ping target");
	if (!from || !to)
		return;
	tt->from = xstrdup(c, from);
	tt->to = xstrdup(c, to);
	if (strpbrk(to, ".:")) {
		struct topo_addr a = { .loc = v->items[1]->loc };
		/* Addresses contain '.' or ':'; node names may contain '.', so only a string
		 * that parses as an address is one. */
		if (topo_addr_parse(to, &a) == 0) {
			if (strchr(to, '/')) {
				perr(c, v->items[1]->loc,
				     "ping target '%s' must be an address without a prefix length",
				     to);
				return;
			}
			tt->to_is_addr = true;
			tt->to_addr = a;
		}
	}
}

static void f_test_expect(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			  const char *what)
{
	struct topo_test *tt = obj;
	const char *s = scalar(c, v, what);

	if (!s)
		return;
	if (streq(s, "ok") || streq(s, "pass") || streq(s, "success"))
		tt->expect_fail = false;
	else if (streq(s, "fail") || streq(s, "failure"))
		tt->expect_fail = true;
	else
		perr(c, v->loc, "expect: '%s' is not 'ok' or 'fail'", s);
}

static const struct field test_fields[] = {
	{ "ping", f_test_ping, 0 },
	{ "expect", f_test_expect, 0 },
};

static void f_top_tests(struct pctx *c, const struct ynode *k, const struct ynode *v, void *obj,
			const char *what)
{
	struct topo *t = obj;

	if (is_null(v))
		return;
	if (!expect_kind(c, v, Y_SEQ, "'tests'"))
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *item = v->items[i];
		struct topo_test *tt = grow_one(&t->tests, &t->n_tests, sizeof(*tt));

		if (!tt) {
			c->oom = true;
			return;
		}
		tt->loc = item->loc;
		check_duplicate_keys(c, item, "a test");
		walk_map(c, item, test_fields, ELEMENTSOF(test_fields), tt, "a test");
		if (item->kind == Y_MAP && !tt->from) {
			bool has_ping = false;
			for (size_t j = 0; j + 1 < item->n; j += 2)
				has_ping |= item->items[j]->kind == Y_SCALAR &&
					    streq(item->items[j]->str, "ping");
			if (!has_ping)
				perr(c, item->loc, "a test needs 'ping: [from, to]'");
		}
	}
}

static const struct field top_fields[] = {
	{ "name", f_top_name, 0 },   { "defaults", f_top_defaults, 0 },
	{ "nodes", f_top_nodes, 0 }, { "bridges", f_top_bridges, 0 },
	{ "links", f_top_links, 0 }, { "host", f_top_host, 0 },
	{ "tests", f_top_tests, 0 },
};

/* ---- entry points ---- */

int topo_parse_string(const char *name, const char *buf, size_t len, struct topo **ret,
		      struct topo_diag *diag)
{
	struct pctx c = { .diag = diag };
	struct ynode *root = NULL;
	struct topo *t;
	int r;

	if (!diag->file && !(diag->file = strdup(name)))
		return -ENOMEM;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->file = strdup(name))) {
		free(t);
		return -ENOMEM;
	}
	c.t = t;
	if (len > TOPO_FILE_SIZE_MAX) {
		perr(&c, (struct topo_loc){ 1, 1 }, "file is larger than %u MiB",
		     TOPO_FILE_SIZE_MAX >> 20);
		r = 0;
		goto out;
	}
	r = build_tree(&c, buf, len, &root);
	if (r == -ENOMEM || c.oom) {
		r = -ENOMEM;
		goto out;
	}
	if (r < 0) {
		/* Syntax errors and caps were reported; the model stays empty. */
		r = 0;
		goto out;
	}
	if (is_null(root)) {
		perr(&c, (struct topo_loc){ 1, 1 },
		     "the file is empty (expected a topology mapping)");
		goto out;
	}
	if (root->kind != Y_MAP) {
		perr(&c, root->loc, "the top level must be a mapping (name:, nodes:, links:, ...)");
		goto out;
	}
	check_duplicate_keys(&c, root, "the top level");
	walk_map(&c, root, top_fields, ELEMENTSOF(top_fields), t, "the top level");
	r = c.oom ? -ENOMEM : 0;
out:
	tree_free(&c);
	if (r < 0) {
		topo_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

int topo_parse_file(const char *path, struct topo **ret, struct topo_diag *diag)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;

	if (!diag->file && !(diag->file = strdup(path)))
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	/* Read at most cap+1 bytes whatever st_size says (pipes, /proc files). */
	buf = malloc(TOPO_FILE_SIZE_MAX + 2);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + len, TOPO_FILE_SIZE_MAX + 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > TOPO_FILE_SIZE_MAX)
			break;
	}
	buf[len] = '\0';
	return topo_parse_string(path, buf, len, ret, diag);
}
