/* SPDX-License-Identifier: MIT */
/* What the topo/ unit tests (test-parse.c, test-validate.c) share: the topology and diagnostics
 * a case works on, a parse into them, and the diagnostics as text for exact comparisons.
 * Header-only: each test binary is one file, and each case runs in its own child (t_run()), so
 * the two file-level variables never carry anything from one case to the next. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tests/t.h"
#include "topo/topo.h"

static struct topo *T;
static struct topo_diag D;

/* Parses @yaml into T and D, dropping what they held before. Returns true when the parser ran
 * (problems in the file are in D.n_errors), false when it could not (e.g. out of memory). */
static inline bool load(const char *yaml)
{
	topo_free(T);
	T = NULL;
	topo_diag_clear(&D);
	return topo_parse_string("t.yaml", yaml, strlen(yaml), &T, &D) == 0;
}

/* Renders the diagnostics as text (sorted), for exact comparisons. The caller frees it. */
static inline char *diag_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	topo_diag_print(&D, f);
	fclose(f);
	return buf;
}

/* Asserts that the rendered diagnostics are exactly @expected. */
#define T_DIAG_IS(expected)                              \
	do {                                             \
		_cleanup_free_ char *_got = diag_text(); \
		T_ASSERT_STREQ(_got, expected);          \
	} while (0)
