/* SPDX-License-Identifier: MIT */
/* Scoped cleanup and small helpers shared by every module (header-only). */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _unused_       __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Returns the pointer/fd held in @x and clears @x, so a cleanup attribute skips it. */
#define TAKE_PTR(x)                 \
	({                          \
		typeof(x) _p = (x); \
		(x) = NULL;         \
		_p;                 \
	})
#define TAKE_FD(x)             \
	({                     \
		int _fd = (x); \
		(x) = -EBADF;  \
		_fd;           \
	})

/* Defines func##p(type *p) that calls func(*p) when *p is non-NULL. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
	static inline void func##p(type *p)     \
	{                                       \
		if (*p)                         \
			func(*p);               \
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_	 _cleanup_(freep)
#define _cleanup_close_	 _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Grows *@arr (of *@n elements of @size bytes) by one zeroed element; returns it or NULL. */
void *grow_one(void *arr_ptr, size_t *n, size_t size);

#define streq(a, b) (strcmp((a), (b)) == 0)
