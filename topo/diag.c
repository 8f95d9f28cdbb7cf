/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "topo/topo.h"

int topo_diag_add(struct topo_diag *d, enum topo_severity sev, struct topo_loc loc, const char *fmt,
		  ...)
{
	struct topo_diag_entry *e;
	char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	e = grow_one(&d->entries, &d->n_entries, sizeof(*e));
	if (!e) {
		free(msg);
		return -ENOMEM;
	}
	e->severity = sev;
	e->loc = loc;
	e->msg = msg;
	if (sev == TOPO_ERROR)
		d->n_errors++;
	else
		d->n_warnings++;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct topo_diag_entry *x = a, *y = b;

	if (x->loc.line != y->loc.line)
		return x->loc.line < y->loc.line ? -1 : 1;
	if (x->loc.col != y->loc.col)
		return x->loc.col < y->loc.col ? -1 : 1;
	/* Same position: keep insertion order (qsort is not stable, so compare addresses). */
	return x < y ? -1 : x > y;
}

void topo_diag_print(struct topo_diag *d, FILE *out)
{
	const char *file = d->file ? d->file : "<input>";

	if (d->n_entries > 1)
		qsort(d->entries, d->n_entries, sizeof(d->entries[0]), entry_cmp);
	for (size_t i = 0; i < d->n_entries; i++) {
		const struct topo_diag_entry *e = &d->entries[i];
		const char *sev = e->severity == TOPO_ERROR ? "error" : "warning";
		unsigned line = e->loc.line ? e->loc.line : 1, col = e->loc.col ? e->loc.col : 1;

		fprintf(out, "%s:%u:%u: %s: %s\n", file, line, col, sev, e->msg);
	}
}

void topo_diag_clear(struct topo_diag *d)
{
	for (size_t i = 0; i < d->n_entries; i++)
		free(d->entries[i].msg);
	free(d->entries);
	free(d->file);
	*d = (struct topo_diag){ 0 };
}

static size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	/* Keys are short; anything long is not a typo of a key. */
	if (la >= ELEMENTSOF(row) || lb >= ELEMENTSOF(row))
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *topo_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (size_t i = 0; i < n; i++) {
		size_t dist = edit_distance(word, candidates[i], best_d);
		if (dist < best_d) {
			best_d = dist;
			best = candidates[i];
		}
	}
	return best;
}
