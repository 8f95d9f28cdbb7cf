/* SPDX-License-Identifier: MIT */
#include "nsctl/cli.h"

#include <string.h>

#include "common/log.h"
#include "common/macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct topo *, topo_free);

int cli_unsupported(const struct topo *t, struct topo_diag *d)
{
	/* Nothing in a file is silently ignored (DESIGN.md): a key that parses but whose effect
	 * `up` does not build gets a warning here and makes `up` refuse the file. Today `up`
	 * builds every key of the topology file, so there is nothing to list; a new key goes
	 * here until its effect is built. */
	(void)t;
	(void)d;
	return 0;
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
