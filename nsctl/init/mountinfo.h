/* SPDX-License-Identifier: MIT */
/* /proc/self/mountinfo (proc(5)) and the read-only copy of the host's root that a node with
 * rootfs "host" gets. Header-only because both the launcher (in the nsctl library: it builds one
 * copy per lab in its launch namespace) and nsctl-init (a libc-only static binary that links
 * nothing of ours: it builds its own when started without one) need them. No malloc, no stdio. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Decodes mountinfo's octal escapes (\040 for a space, \011, \012, \134) in place. */
static inline void mountinfo_unoctal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Splits @line (one line, no newline; modified) into its mount point (decoded) and file system
 * type. Fields: id parent major:minor root mount-point options [optional fields...] - fstype
 * source super-options. Returns 0, or -1 for a line that does not have that shape. */
static inline int mountinfo_split(char *line, char **ret_mount_point, char **ret_fstype)
{
	char *mp = line, *end, *sep, *type;

	for (int f = 0; f < 4 && mp; f++)
		if ((mp = strchr(mp, ' ')))
			mp++;
	if (!mp || !(end = strchr(mp, ' ')))
		return -1;
	*end = '\0';
	/* The optional fields end at a lone "-"; the type follows it. */
	sep = strstr(end + 1, " - ");
	if (!sep)
		return -1;
	type = sep + 3;
	end = strchr(type, ' ');
	if (end)
		*end = '\0';
	mountinfo_unoctal(mp);
	*ret_mount_point = mp;
	*ret_fstype = type;
	return 0;
}

static inline bool mountinfo_path_under(const char *path, const char *prefix, size_t plen)
{
	return strncmp(path, prefix, plen) == 0 && (path[plen] == '\0' || path[plen] == '/');
}

/* Where the host's root copy gets filesystems of the node's own: the host's mounts there are
 * detached from the copy, not merely covered, or they would pin what they hold (the host's
 * /run/netns entries among others). */
static const char *const mountinfo_host_covered[] = {
	"/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp",
};

/* One pass over /proc/self/mountinfo: detaches every mount at or below <@root><covered> for
 * each of mountinfo_host_covered. Returns how many it detached, or a negative errno with the
 * mount point (or the file) that failed in @failed (PATH_MAX bytes). */
static inline int mountinfo_prune_pass(const char *root, char *failed)
{
	size_t rlen = strlen(root), have = 0;
	bool skipping = false;
	int detached = 0, fd;
	char buf[8192];

	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail_file;
	for (;;) {
		ssize_t k = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *line, *nl;

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			goto fail_file;
		if (k == 0)
			break;
		have += (size_t)k;
		buf[have] = '\0';
		line = buf;
		while ((nl = strchr(line, '\n'))) {
			char *mp, *type;

			*nl = '\0';
			if (skipping || mountinfo_split(line, &mp, &type) < 0)
				mp = NULL;
			for (size_t i = 0;
			     mp && i < sizeof(mountinfo_host_covered) / sizeof(char *); i++) {
				const char *c = mountinfo_host_covered[i];

				if (!mountinfo_path_under(mp, root, rlen) ||
				    !mountinfo_path_under(mp + rlen, c, strlen(c)))
					continue;
				/* EINVAL/ENOENT: gone already, with a parent detached before. */
				if (umount2(mp, MNT_DETACH) == 0) {
					detached++;
				} else if (errno != EINVAL && errno != ENOENT) {
					int err = errno;

					close(fd);
					strncpy(failed, mp, PATH_MAX - 1);
					failed[PATH_MAX - 1] = '\0';
					return -err;
				}
				break;
			}
			skipping = false;
			line = nl + 1;
		}
		have = strlen(line);
		if (have == sizeof(buf) - 1) { /* a line longer than the buffer: not ours */
			skipping = true;
			have = 0;
		}
		memmove(buf, line, have);
	}
	close(fd);
	return detached;

fail_file : {
	int err = errno;

	if (fd >= 0)
		close(fd);
	strcpy(failed, "/proc/self/mountinfo");
	return -err;
}
}

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* mount_setattr(2)'s argument (include/uapi/linux/mount.h), for libc headers without it. */
struct mountinfo_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* Mounts a read-only copy of the host's root on @dir: "/" bound recursively (so that /home,
 * /boot, … show up too; the copies share our propagation), the covered places pruned, and
 * everything made read-only with mount_setattr(2) (Linux 5.12), which keeps each mount's
 * nosuid/nodev/noexec where MS_REMOUNT|MS_BIND|MS_RDONLY would reach the top mount only and reset
 * them. Returns 0, or a negative errno with what failed in @failed (PATH_MAX bytes). */
static inline int mountinfo_host_root(const char *dir, char *failed)
{
	struct mountinfo_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int r = 0;

	if (mount("/", dir, NULL, MS_BIND | MS_REC, NULL) < 0) {
		strcpy(failed, "bind / recursively");
		return -errno;
	}
	for (int pass = 0; pass < 16 && (r = mountinfo_prune_pass(dir, failed)) > 0; pass++)
		;
	if (r < 0)
		return r;
#ifdef SYS_mount_setattr
	if (syscall(SYS_mount_setattr, AT_FDCWD, dir, AT_RECURSIVE, &ro, sizeof(ro)) == 0)
		return 0;
	if (errno != ENOSYS) {
		strcpy(failed, "make the host root read-only");
		return -errno;
	}
#endif
	if (mount(NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
		strcpy(failed, "make the host root read-only");
		return -errno;
	}
	return 0;
}
