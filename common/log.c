/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int max_level = LOG_NOTICE;

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

int log_internal(int level, int error, const char *fmt, ...)
{
	static const char *const names[] = {
		[LOG_EMERG] = "error", [LOG_ALERT] = "error",	  [LOG_CRIT] = "error",
		[LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "note",
		[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
	};
	int saved = errno;
	va_list ap;

	if (level > max_level)
		return error;
	/* One fprintf per line keeps concurrent writers from interleaving mid-line. */
	char buf[2048];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (error < 0)
		fprintf(stderr, "nsctl: %s: %s: %s\n", names[level], buf, strerror(-error));
	else
		fprintf(stderr, "nsctl: %s: %s\n", names[level], buf);
	errno = saved;
	return error;
}
