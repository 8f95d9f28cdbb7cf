/* SPDX-License-Identifier: MIT */
/* Per-netns sysctls through /proc/sys, from inside the target netns. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "netlink/nl-internal.h"

#define SYSCTL_VALUE_MAX 4096 /* one page: what proc_dostring & co. hand out per read */

/* "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward". Dots are the only separators:
 * a '/' would let a key walk elsewhere, and an empty component (a "..", or a leading or
 * trailing dot) is never a sysctl. Interface names with dots (VLANs, "eth0.100") are not
 * expressible; sysctl(8)'s '/'-for-'.' swap is deliberately not supported. */
static int sysctl_path(const char *key, char *buf, size_t len)
{
	size_t n, i;

	if (!key || !*key || strchr(key, '/') || key[0] == '.' || strstr(key, ".."))
		return -EINVAL;
	n = strlen(key);
	if (key[n - 1] == '.')
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "/proc/sys/%s", key) >= len)
		return -EINVAL;
	for (i = strlen("/proc/sys/"); buf[i]; i++)
		if (buf[i] == '.')
			buf[i] = '/';
	return 0;
}

static int sysctl_write_here(const char *path, const char *value)
{
	_cleanup_close_ int fd = -EBADF;
	size_t n = strlen(value);
	ssize_t k;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* procfs sysctl handlers take the value in one write; a short write is an error. */
	k = write(fd, value, n);
	if (k < 0)
		return -errno;
	if ((size_t)k != n)
		return -EIO;
	return 0;
}

static int sysctl_read_here(const char *path, char *buf, size_t len)
{
	_cleanup_close_ int fd = -EBADF;
	char val[SYSCTL_VALUE_MAX];
	size_t n = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t k = read(fd, val + n, sizeof(val) - 1 - n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n == sizeof(val) - 1)
			return -ERANGE;
	}
	while (n > 0 && val[n - 1] == '\n')
		n--;
	if (n >= len)
		return -ERANGE;
	memcpy(buf, val, n);
	buf[n] = '\0';
	return (int)n;
}

/* Runs the read or write with the calling thread inside @netns_fd. Both the open() and the I/O
 * happen there: the open resolves /proc/sys/net against the thread's netns, and some handlers
 * look at the writer's netns as well. */
static int sysctl_io_in(int netns_fd, const char *key, const char *value, char *buf, size_t len)
{
	char path[PATH_MAX];
	int saved = -EBADF, r, q;

	r = sysctl_path(key, path, sizeof(path));
	if (r < 0)
		return r;
	if (netns_fd >= 0) {
		r = netns_enter(netns_fd, &saved);
		if (r < 0)
			return r;
	}
	r = value ? sysctl_write_here(path, value) : sysctl_read_here(path, buf, len);
	if (netns_fd >= 0) {
		/* Failing to switch back leaves the thread in @netns_fd: that outranks the
		 * I/O result. */
		q = netns_leave(saved);
		if (q < 0)
			return q;
	}
	return r;
}

int sysctl_write_in(int netns_fd, const char *key, const char *value)
{
	if (!value)
		return -EINVAL;
	return sysctl_io_in(netns_fd, key, value, NULL, 0);
}

int sysctl_read_in(int netns_fd, const char *key, char *buf, size_t len)
{
	if (!buf || len == 0)
		return -EINVAL;
	return sysctl_io_in(netns_fd, key, NULL, buf, len);
}
