/* SPDX-License-Identifier: MIT */
/* Named network namespaces the iproute2 way (/run/netns/<name> bind mounts of nsfs files), and
 * the per-thread netns switch every "do this inside netns X" helper uses. */
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "common/log.h"
#include "netlink/nl-internal.h"

#define NETNS_RUN_DIR "/run/netns"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

int netns_enter(int netns_fd, int *ret_saved)
{
	_cleanup_close_ int saved = -EBADF;

	/* setns() moves only the calling thread, so save the thread's netns, not the process's
	 * (/proc/self/ns/net is the main thread's). */
	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return -errno;
	*ret_saved = TAKE_FD(saved);
	return 0;
}

/* Like netns_enter(), but into a new, empty netns. */
static int netns_enter_new(int *ret_saved)
{
	_cleanup_close_ int saved = -EBADF;

	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return -errno;
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	*ret_saved = TAKE_FD(saved);
	return 0;
}

int netns_leave(int saved)
{
	int r = 0;

	if (setns(saved, CLONE_NEWNET) < 0) {
		r = -errno;
		log_debug("netns: cannot switch back to the saved netns: %s", strerror(-r));
	}
	close(saved);
	return r;
}

static int netns_path(const char *name, char *buf, size_t len)
{
	/* The name becomes one path component: no separators, no dot entries. */
	if (!name || !*name || strchr(name, '/') || streq(name, ".") || streq(name, "..") ||
	    strlen(name) > NAME_MAX)
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s/%s", NETNS_RUN_DIR, name) >= len)
		return -EINVAL;
	return 0;
}

/* Makes /run/netns a shared mount point, as `ip netns add` does: a netns file unmounted in one
 * mount namespace is then unmounted in all the others that see /run/netns, so the netns can be
 * freed instead of being pinned by a copy of the mount in, e.g., a node's private mount
 * namespace. The flock serialises the make-shared/bind dance between concurrent callers, which
 * otherwise stacks bind mounts recursively (Debian bug #949235). */
static int netns_run_dir_setup(void)
{
	_cleanup_close_ int lock = -EBADF;
	bool made_mount_point = false;
	int r = 0;

	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;

	lock = open(NETNS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0)
		return -errno;
	if (flock(lock, LOCK_EX) < 0)
		log_debug("netns: cannot lock %s, going on unlocked: %m", NETNS_RUN_DIR);

	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		/* EINVAL: not a mount point yet. Bind it onto itself once, then retry. */
		if (errno != EINVAL || made_mount_point) {
			r = -errno;
			break;
		}
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0) {
			r = -errno;
			break;
		}
		made_mount_point = true;
	}
	(void)flock(lock, LOCK_UN);
	return r;
}

int netns_create(const char *name, int *ret_fd)
{
	/* Once per process: a lab's thousand namespaces need not lock and remount it a thousand
	 * times. */
	static bool run_dir_ready;
	char path[PATH_MAX];
	_cleanup_close_ int fd = -EBADF;
	int saved = -EBADF, r, q;

	r = netns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	if (!run_dir_ready) {
		r = netns_run_dir_setup();
		if (r < 0)
			return r;
		run_dir_ready = true;
	}

	/* The file is the mount point for the nsfs bind mount; O_EXCL makes the name ours. */
	r = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (r < 0)
		return -errno;
	close(r);

	/* unshare() moves the calling thread into a fresh netns; the bind mount of its nsfs file
	 * keeps that netns alive after the thread moves back. Everything between enter and leave
	 * falls through to netns_leave(). */
	r = netns_enter_new(&saved);
	if (r >= 0) {
		if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
			r = -errno;
		q = netns_leave(saved);
		if (q < 0) {
			/* Stranded in the new netns: take the name away from it, and report the
			 * failed switch, which outranks everything else. */
			if (r >= 0)
				(void)umount2(path, MNT_DETACH);
			r = q;
		}
	}
	if (r < 0) {
		(void)unlink(path);
		return r;
	}

	if (ret_fd) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			(void)umount2(path, MNT_DETACH);
			(void)unlink(path);
			return r;
		}
		*ret_fd = TAKE_FD(fd);
	}
	return 0;
}

int netns_open(const char *name)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -EBADF;
	struct statfs sfs;
	int r;

	r = netns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* An unmounted leftover is an empty tmpfs file; setns() on it would fail later and
	 * further from the cause. */
	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != NSFS_MAGIC)
		return -EINVAL;
	return TAKE_FD(fd);
}

int netns_delete(const char *name)
{
	char path[PATH_MAX];
	int r;

	r = netns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	/* MNT_DETACH as in `ip netns del`: other holders (open fds, processes inside) keep the
	 * netns alive; our name for it goes away now. EINVAL = not mounted (a stale file). */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 1;
}

int netns_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	int r;

	r = netns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 1;
}
