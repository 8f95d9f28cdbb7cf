/* SPDX-License-Identifier: MIT */
/* An in-process ICMP echo engine: many pings from many network namespaces at once, in one event
 * loop, without running ping(8). One raw socket per (source namespace, family). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_TIMEOUT_MS_DEFAULT 1000
#define PROBE_ATTEMPTS_DEFAULT	 3

enum probe_status {
	PROBE_PENDING = 0, /* not run (yet) */
	PROBE_OK,	   /* an echo reply came from @dst; @rtt_us is set */
	PROBE_TIMEOUT,	   /* every attempt went out, nothing came back */
	/* An ICMP destination-unreachable or time-exceeded (@icmp_type, @icmp_code, sent by
	 * @from), or sendto() said the kernel has no route or neighbour for @dst (@err is
	 * -ENETUNREACH, -EHOSTUNREACH or -ENETDOWN; @icmp_type is -1). */
	PROBE_UNREACHABLE,
	PROBE_ERROR, /* the request could not be sent: @err (-EPERM from a firewall, -EINVAL for a
		      * link-local @dst, -EAGAIN if the socket never had room, ...) */
	_PROBE_STATUS_MAX,
};

struct probe {
	/* Filled by the caller. */
	int netns_fd;	 /* source namespace; -1 = the calling thread's own. One socket is opened
			  * per distinct fd value and family, so probes from one namespace should
			  * share one fd. */
	int family;	 /* AF_INET or AF_INET6 */
	uint8_t dst[16]; /* network byte order; the first 4 bytes for AF_INET */

	/* Filled by probe_run(). */
	enum probe_status status;
	uint32_t rtt_us; /* PROBE_OK: round trip in microseconds, >= 1 */
	int err;	 /* 0, or a negative errno from sendto() (see the statuses) */
	int icmp_type;	 /* PROBE_UNREACHABLE from an ICMP message: its type and code; else -1 */
	int icmp_code;
	uint8_t from[16]; /* PROBE_UNREACHABLE from ICMP: who sent it (a router, or the source
			   * itself when its neighbour discovery failed) */
	unsigned sent;	  /* echo requests actually sent (attempts used) */
};

/* Pings every @p[i].dst from its namespace: opens one raw ICMP/ICMPv6 socket per distinct
 * (netns_fd, family) — switching the calling thread into the namespace and back, so the process
 * must not have other threads that care about this thread's netns — sends all requests, and
 * collects replies in one epoll loop until each probe is answered or @timeout_ms passed since
 * the round's last request; probes still unanswered are sent again, @attempts rounds in all
 * (0 = the defaults above). Every probe gets a final status (never PROBE_PENDING), also when the
 * socket for its namespace could not be opened (PROBE_ERROR with that errno, e.g. -EINVAL for
 * an fd that is not a network namespace).
 *
 * Raises the RLIMIT_NOFILE soft limit when the sockets need it (never above the hard limit).
 * Returns 0 when every probe has a result (whatever it is), or a negative errno for a setup
 * failure: -EINVAL (bad family, @n too large), -EPERM (no CAP_NET_RAW), -EMFILE/-ENFILE,
 * -ENOMEM, or the error of switching back to the calling thread's own namespace (then nothing
 * else is attempted). On a setup failure the results are undefined. */
int probe_run(struct probe *p, size_t n, unsigned timeout_ms, unsigned attempts);

/* Makes sure @extra more file descriptors can be opened: raises the RLIMIT_NOFILE soft limit
 * (up to the hard limit) if the current one leaves no room for them. Returns 0, or -EMFILE if
 * even the hard limit is too low. */
int probe_reserve_fds(size_t extra);

/* Formats @rtt_us the way ping(8) does: "0.045 ms", "1.23 ms", "12.3 ms", "123 ms". Returns
 * @buf. */
char *probe_format_rtt(uint32_t rtt_us, char *buf, size_t len);

/* "ok", "timeout", "unreachable", "error" (the JSON result words); "pending" for PROBE_PENDING. */
const char *probe_status_to_string(enum probe_status s);

/* Writes a human reason for @p's status into @buf: "reply in 0.045 ms",
 * "timeout (no reply to 3 requests)", "network unreachable (no route)",
 * "host unreachable (from 192.0.2.1)", "send failed: Operation not permitted", ...
 * Returns @buf. */
char *probe_describe(const struct probe *p, char *buf, size_t len);
