/* SPDX-License-Identifier: MIT */
/* libFuzzer target: any bytes through topo_parse_string() + topo_validate(). Built with
 * `make fuzz` (clang -fsanitize=fuzzer); replay-main.c replays the corpus in `make check`. */
#include <stddef.h>
#include <stdint.h>

#include "topo/topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct topo_diag d = { 0 };
	struct topo *t = NULL;

	/* 64 KiB keeps each run fast; the size cap itself is tested by the unit tests. */
	if (size > 65536)
		return 0;
	if (topo_parse_string("fuzz.yaml", (const char *)data, size, &t, &d) == 0) {
		(void)topo_validate(t, &d);
		topo_free(t);
	}
	topo_diag_clear(&d);
	return 0;
}
