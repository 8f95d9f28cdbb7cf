/* SPDX-License-Identifier: MIT */
/* A tiny test runner: one forked child per case, exit 77 = skip, TAP-ish output and a
 * closing "tier: N passed, N failed, N skipped" line. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/macro.h"

#define T_SKIP 77

enum {
	T_NETNS = 1u << 0, /* run in a fresh network + mount namespace (needs root) */
	T_ROOT = 1u << 1,  /* skip unless running as root */
};

struct t_case {
	const char *name;
	int (*fn)(void);
	unsigned flags;
};

/* Runs each case in its own child; prints one line per case and a closing summary line.
 * With argv[1] given, runs only cases whose name contains it. Returns an exit status. */
int t_run(const char *tier, const struct t_case *cases, size_t n, int argc, char **argv);

#define T_ASSERT(expr)                                                                       \
	do {                                                                                 \
		if (!(expr)) {                                                               \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, \
				#expr);                                                      \
			return 1;                                                            \
		}                                                                            \
	} while (0)

/* Asserts that @call returns >= 0; prints strerror of a negative errno otherwise. */
#define T_ASSERT_OK(call)                                                                    \
	do {                                                                                 \
		long _r = (long)(call);                                                      \
		if (_r < 0) {                                                                \
			fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, \
				strerror((int)-_r));                                         \
			return 1;                                                            \
		}                                                                            \
	} while (0)

#define T_ASSERT_STREQ(a, b)                                                                   \
	do {                                                                                   \
		const char *_a = (a), *_b = (b);                                               \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                       \
			fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\" (%s)\n", __FILE__, \
				__LINE__, _b ? _b : "(null)", _a ? _a : "(null)", #a);         \
			return 1;                                                              \
		}                                                                              \
	} while (0)

/* Skips the current case with a reason on stderr. */
#define T_SKIP_BECAUSE(...)                            \
	do {                                           \
		fprintf(stderr, "skip: " __VA_ARGS__); \
		fputc('\n', stderr);                   \
		return T_SKIP;                         \
	} while (0)
