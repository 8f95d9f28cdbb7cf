/* SPDX-License-Identifier: MIT */
#include "nsctl/cli.h"

#include <string.h>

#include "common/log.h"
#include "common/macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct topo *, topo_free);

struct key_use {
	bool set;
	const char *key;
	struct topo_loc loc;
};

/* The keys of @s (and a node's hostname) whose effect `up` does not build yet. */
static size_t unsupported_keys(const struct topo_node_settings *s, const char *hostname,
			       struct topo_loc hostname_loc, struct key_use out[static 9])
{
	const struct topo_loc none = { 0 };
	size_t k = 0;

	out[k++] = (struct key_use){ s->limits.has_memory, "limits.memory", s->limits.memory_loc };
	out[k++] = (struct key_use){ s->limits.has_cpu, "limits.cpu", s->limits.cpu_loc };
	out[k++] = (struct key_use){ s->limits.has_pids, "limits.pids", s->limits.pids_loc };
	out[k++] =
		(struct key_use){ s->rootfs && !streq(s->rootfs, "host"), "rootfs", s->rootfs_loc };
	out[k++] = (struct key_use){ s->n_binds > 0, "binds", s->n_binds ? s->binds[0].loc : none };
	out[k++] = (struct key_use){ s->n_cmd > 0, "cmd", s->cmd_loc };
	out[k++] = (struct key_use){ s->n_exec > 0, "exec", s->n_exec ? s->exec[0].loc : none };
	out[k++] = (struct key_use){ s->n_env > 0, "env", s->n_env ? s->env[0].loc : none };
	out[k++] = (struct key_use){ hostname != NULL, "hostname", hostname_loc };
	return k;
}

static bool same_loc(struct topo_loc a, struct topo_loc b)
{
	return a.line == b.line && a.col == b.col;
}

int cli_unsupported(const struct topo *t, struct topo_diag *d)
{
	struct key_use defaults[9], keys[9];
	bool said_default[9] = { false };
	size_t nk = unsupported_keys(&t->defaults, NULL, (struct topo_loc){ 0 }, defaults);
	int n = 0, r;

	/* Nothing in a file is silently ignored (DESIGN.md): each key whose effect `up` does not
	 * build yet is listed here, and removed from here when it is built. */
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *node = &t->nodes[i];
		char owner[128];

		unsupported_keys(&node->s, node->hostname, node->hostname_loc, keys);
		snprintf(owner, sizeof(owner), "node '%s'", node->name);
		for (size_t k = 0; k < nk; k++) {
			bool from_defaults =
				defaults[k].set && same_loc(keys[k].loc, defaults[k].loc);

			if (!keys[k].set)
				continue;
			n++;
			/* Merged from defaults: said once, at the defaults line, not per node. */
			if (from_defaults && said_default[k])
				continue;
			said_default[k] |= from_defaults;
			r = topo_diag_add(
				d, TOPO_WARNING, keys[k].loc,
				"'%s' of %s is not supported yet: 'nsctl up' refuses this "
				"file",
				keys[k].key, from_defaults ? "defaults" : owner);
			if (r < 0)
				return r;
		}
	}
	return n;
}

int cli_load_topology(const char *path, bool quiet_warnings, struct topo **ret,
		      int *ret_unsupported)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	struct topo_diag d = { 0 };
	int r;

	r = topo_parse_file(path, &t, &d);
	if (r < 0) {
		topo_diag_clear(&d);
		return log_error_errno(r, "cannot read topology '%s'", path);
	}
	/* Validation runs even after structural errors so one pass reports as much as it can;
	 * parse marks what it could not read (endpoint.bad) so nothing is reported twice. */
	(void)topo_validate(t, &d);
	if (d.n_errors == 0) {
		r = cli_unsupported(t, &d);
		if (r < 0) {
			topo_diag_clear(&d);
			return log_error_errno(r, "cannot check '%s'", path);
		}
		if (ret_unsupported)
			*ret_unsupported = r;
	}
	if (d.n_errors > 0 || !quiet_warnings) {
		if (quiet_warnings) {
			/* Drop warnings, keep errors. */
			size_t k = 0;
			for (size_t i = 0; i < d.n_entries; i++) {
				if (d.entries[i].severity == TOPO_ERROR)
					d.entries[k++] = d.entries[i];
				else
					free(d.entries[i].msg);
			}
			d.n_entries = k;
		}
		topo_diag_print(&d, stderr);
	}
	r = d.n_errors > 0 ? -EINVAL : 0;
	if (r < 0 && log_get_max_level() >= LOG_NOTICE)
		fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", path, d.n_errors,
			d.n_errors == 1 ? "" : "s", d.n_warnings, d.n_warnings == 1 ? "" : "s");
	topo_diag_clear(&d);
	if (r == 0)
		*ret = TAKE_PTR(t);
	return r;
}
