/* SPDX-License-Identifier: MIT */
/* A tiny test runner: one forked child per case, exit 77 = skip, TAP-ish output and a
 * closing "tier: N passed, N failed, N skipped" line. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

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

/* Runs the shell command line printf(@fmt, ...) (at most 2047 bytes) through popen() and captures
 * up to @len - 1 bytes of its stdout into @out, NUL-terminated; with @out NULL or @len 0 the
 * output is read and dropped. Returns the command's exit status, or -1 if it could not run or
 * died by a signal. */
int t_sh(char *out, size_t len, const char *fmt, ...) _printf_(3, 4);

/* The inode of the calling thread's netns (0 if unknown), to prove a call switched back. */
ino_t t_netns_ino(void);

/* Names on stderr ("left behind: /run/netns/...") every entry of /run/netns that starts with
 * @prefix. Returns how many there are (0 when /run/netns does not exist), or a negative errno. */
int t_netns_leftovers(const char *prefix);

/* Deletes (netns_delete()) every entry of /run/netns that starts with @prefix: the backstop for
 * cases killed before their cleanup ran. Errors are ignored. */
void t_netns_sweep(const char *prefix);

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

/* Asserts that @call returns exactly @err (e.g. -EEXIST, or 0). */
#define T_ASSERT_ERR(call, err)                                                                  \
	do {                                                                                     \
		int _e = (call);                                                                 \
		if (_e != (err)) {                                                               \
			fprintf(stderr, "%s:%d: %s returned %d (%s), expected %s\n", __FILE__,   \
				__LINE__, #call, _e, _e < 0 ? strerror(-_e) : "no error", #err); \
			return 1;                                                                \
		}                                                                                \
	} while (0)

/* Asserts that the string @hay contains / does not contain @needle; prints @hay otherwise. */
#define T_ASSERT_CONTAINS(hay, needle)                                                         \
	do {                                                                                   \
		if (!strstr((hay), (needle))) {                                                \
			fprintf(stderr, "%s:%d: expected \"%s\" in: %s\n", __FILE__, __LINE__, \
				(needle), (hay));                                              \
			return 1;                                                              \
		}                                                                              \
	} while (0)

#define T_ASSERT_LACKS(hay, needle)                                                              \
	do {                                                                                     \
		if (strstr((hay), (needle))) {                                                   \
			fprintf(stderr, "%s:%d: unexpected \"%s\" in: %s\n", __FILE__, __LINE__, \
				(needle), (hay));                                                \
			return 1;                                                                \
		}                                                                                \
	} while (0)
