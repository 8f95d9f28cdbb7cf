/* SPDX-License-Identifier: MIT */
/* Logging to stderr with syslog levels; only nsctl/ logs above debug. */
#pragma once

#include <syslog.h>

#include "macro.h"

/* Sets the highest level printed (LOG_ERR … LOG_DEBUG); default LOG_NOTICE. */
void log_set_max_level(int level);
/* Returns the current maximum level. */
int log_get_max_level(void);

/* Prints "nsctl: <level>: message" to stderr if @level is enabled; returns @error (a -errno or 0).
 */
int log_internal(int level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_error(...)		  log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_warning(...)	  log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_notice(...)		  log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_info(...)		  log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...)		  log_internal(LOG_DEBUG, 0, __VA_ARGS__)
/* Logs with ": <strerror(-r)>" appended and returns @r (negative errno). */
#define log_error_errno(r, ...)	  log_internal(LOG_ERR, (r), __VA_ARGS__)
#define log_warning_errno(r, ...) log_internal(LOG_WARNING, (r), __VA_ARGS__)
#define log_debug_errno(r, ...)	  log_internal(LOG_DEBUG, (r), __VA_ARGS__)
