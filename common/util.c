/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>

#include "macro.h"

void *grow_one(void *arr_ptr, size_t *n, size_t size)
{
	void **arr = arr_ptr;
	size_t cap = *n;
	char *p;

	/* Capacity is max(4, next power of two >= n), so growth is amortised O(1)
	 * without storing a separate capacity field in every model array. */
	if (cap == 0 || (cap >= 4 && (cap & (cap - 1)) == 0)) {
		size_t ncap = cap ? cap * 2 : 4;
		if (ncap > SIZE_MAX / size)
			return NULL;
		p = realloc(*arr, ncap * size);
		if (!p)
			return NULL;
		*arr = p;
	}
	p = (char *)*arr + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}
