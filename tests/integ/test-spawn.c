/* SPDX-License-Identifier: MIT */
/* Integration tests of the node launcher (nsctl/spawn.c) and nsctl-init: real namespaces,
 * pivot_root, overlayfs, tmpfs, cgroups, as root. Each case creates a named netns
 * "spw<pid>-<tag>" and a state/temp dir /tmp/spw<pid>-XXXXXX, stops and reaps every init it
 * started, deletes both, and checks that nothing is left: no process, no netns, no mount of
 * ours in the host's mountinfo. The programs inside the nodes are the witnesses: the host's
 * coreutils/dash on the host root, busybox on the rootfs dir; a chroot-escape program is
 * compiled with cc at run time. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "netlink/netlink.h"
#include "nsctl/spawn.h"
#include "tests/t.h"

#define BUSYBOX "/bin/busybox"
/* Mount point and filesystem type of mountinfo lines (the type follows the " - " separator,
 * after a variable number of optional fields). */
#define FSTYPE	"awk '{ for (i = 7; i < NF; i++) if ($i == \"-\") { print $5, $(i + 1); break } }'"

static char prefix[32]; /* "spw<pid>-", set in main() before the cases fork */
static char init_path[PATH_MAX];

/* ---- helpers ---- */

/* snprintf() whose truncation the tests never rely on: paths here are short, and GCC's
 * -Wformat-truncation cannot know that about PATH_MAX buffers. */
static int _printf_(3, 4) xsnprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static void msleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A case's fixture: temp dir, netns, the inits it started. Torn down on scope exit whatever
 * happened; fx_finish() tears down and reports what it could not remove. */
struct fx {
	char dir[64];
	char ns[64];
	char host[64];
	int netns_fd;
	pid_t pids[4];
	size_t n_pids;
};

static int fx_teardown(struct fx *f)
{
	int bad = 0;

	for (size_t i = 0; i < f->n_pids; i++) {
		int r = spawn_stop(f->pids[i], 2000);

		if (r < 0) {
			fprintf(stderr, "spawn_stop(%d): %s (%s)\n", (int)f->pids[i], strerror(-r),
				spawn_last_error());
			bad++;
		}
		if (kill(f->pids[i], 0) == 0) {
			fprintf(stderr, "init %d still there after spawn_stop\n", (int)f->pids[i]);
			bad++;
		}
	}
	f->n_pids = 0;
	if (f->netns_fd >= 0)
		close(f->netns_fd);
	f->netns_fd = -1;
	if (f->ns[0] && netns_delete(f->ns) < 0)
		bad++;
	if (f->ns[0] && netns_exists(f->ns) != 0) {
		fprintf(stderr, "netns %s left behind\n", f->ns);
		bad++;
	}
	f->ns[0] = '\0';
	if (f->dir[0]) {
		char mi[1 << 16];

		/* No mount of ours on the host: everything happened in the nodes' namespaces. */
		if (read_text("/proc/self/mountinfo", mi, sizeof(mi)) > 0 && strstr(mi, f->dir)) {
			fprintf(stderr, "mount under %s left on the host:\n%s\n", f->dir, mi);
			bad++;
		}
		if (t_sh(NULL, 0, "rm -rf '%s'", f->dir) != 0)
			bad++;
		f->dir[0] = '\0';
	}
	return bad;
}

static void fx_done(struct fx *f)
{
	(void)fx_teardown(f);
}

static int fx_finish(struct fx *f)
{
	return fx_teardown(f);
}

static int fx_init(struct fx *f, const char *tag)
{
	*f = (struct fx){ .netns_fd = -1 };
	xsnprintf(f->dir, sizeof(f->dir), "/tmp/%sXXXXXX", prefix);
	if (!mkdtemp(f->dir)) {
		f->dir[0] = '\0';
		return -errno;
	}
	xsnprintf(f->ns, sizeof(f->ns), "%s%s", prefix, tag);
	xsnprintf(f->host, sizeof(f->host), "%s%s", prefix, tag);
	return netns_create(f->ns, &f->netns_fd);
}

/* Fills what every spec needs (init, netns, hostname, a state dir under the temp dir). */
static void fx_spec(struct fx *f, struct spawn_spec *s, const char *state_name, char *state_buf)
{
	xsnprintf(state_buf, PATH_MAX, "%s/%s", f->dir, state_name);
	s->init_path = init_path;
	s->netns_fd = f->netns_fd;
	if (!s->hostname)
		s->hostname = f->host;
	s->state_dir = state_buf;
}

static int fx_spawn(struct fx *f, struct spawn_spec *s, pid_t *ret)
{
	pid_t pid = 0;
	int r = spawn_node(s, &pid);

	if (r < 0) {
		fprintf(stderr, "spawn_node: %s: %s\n", spawn_last_error(), strerror(-r));
		return r;
	}
	f->pids[f->n_pids++] = pid;
	*ret = pid;
	return 0;
}

/* Runs @argv in the node via spawn_enter() with stdout captured into @out (through a file, so a
 * chatty program cannot block on a full pipe) and stdin from @in_path (NULL = ours). */
static int enter_io(struct fx *f, pid_t pid, char *out, size_t len, const char *in_path,
		    char *const *argv, char *const *env, char *const *cgs)
{
	char path[PATH_MAX];
	int fd, saved_out, saved_in = -1, r;

	xsnprintf(path, sizeof(path), "%s/out", f->dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	fflush(stdout);
	saved_out = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	if (in_path) {
		int in = open(in_path, O_RDONLY | O_CLOEXEC);

		saved_in = dup(STDIN_FILENO);
		dup2(in, STDIN_FILENO);
		close(in);
	}
	r = spawn_enter(pid, cgs, argv, env);
	dup2(saved_out, STDOUT_FILENO);
	close(saved_out);
	if (saved_in >= 0) {
		dup2(saved_in, STDIN_FILENO);
		close(saved_in);
	}
	if (out && len) {
		ssize_t n = pread(fd, out, len - 1, 0);

		out[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	if (r < 0)
		fprintf(stderr, "spawn_enter %s: %s: %s\n", argv[0], spawn_last_error(),
			strerror(-r));
	return r;
}

/* Runs a shell script inside the node; returns its exit status. */
static int in_node(struct fx *f, pid_t pid, char *out, size_t len, const char *script)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)script, NULL };

	return enter_io(f, pid, out, len, NULL, argv, NULL, NULL);
}

static bool have_overlay(void)
{
	char fs[8192];

	return read_text("/proc/filesystems", fs, sizeof(fs)) > 0 && strstr(fs, "\toverlay\n");
}

/* A tiny rootfs: busybox-static and its applets, an /etc, and one file to delete. */
static int make_rootfs(const char *dir)
{
	static const char *const applets[] = { "sh",	"ls",	 "cat",	 "rm",	  "hostname",
					       "ps",	"mount", "echo", "sleep", "chmod",
					       "mkdir", "touch", "test", "env",	  "readlink",
					       "kill",	"head",	 "wc",	 "stat",  "true",
					       "sort" };

	if (t_sh(NULL, 0,
		 "mkdir -p '%s/bin' '%s/etc' && cp %s '%s/bin/busybox' && echo lower > "
		 "'%s/lowerfile' && echo motd > '%s/etc/motd'",
		 dir, dir, BUSYBOX, dir, dir, dir) != 0)
		return -EIO;
	for (size_t i = 0; i < ELEMENTSOF(applets); i++) {
		char link[PATH_MAX];

		xsnprintf(link, sizeof(link), "%s/bin/%s", dir, applets[i]);
		if (symlink("busybox", link) < 0)
			return -errno;
	}
	return 0;
}

#define NEED_OVERLAY_AND_BUSYBOX()                                                           \
	do {                                                                                 \
		if (!have_overlay())                                                         \
			T_SKIP_BECAUSE("overlayfs is not in /proc/filesystems");             \
		if (access(BUSYBOX, X_OK) < 0)                                               \
			T_SKIP_BECAUSE(BUSYBOX " missing (apt-get install busybox-static)"); \
	} while (0)

/* Counts processes named nsctl-init whose hostname argument starts with our prefix. */
static int count_our_inits(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[300], buf[256];
		int k;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		xsnprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		k = read_text(path, buf, sizeof(buf));
		if (k > 0 && streq(buf, "nsctl-init") && (size_t)k > strlen(buf) + 1 &&
		    strncmp(buf + strlen(buf) + 1, prefix, strlen(prefix)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* ---- cases ---- */

static int test_host_identity(void)
{
	_cleanup_(fx_done) struct fx f;
	const char *hosts = "127.0.0.1\tlocalhost\n192.0.2.10\tspw-peer\n";
	struct spawn_spec s = { .hosts = hosts };
	char state[PATH_MAX], out[8192], host_name[128], line[256];
	pid_t pid;

	T_ASSERT_OK(fx_init(&f, "id"));
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));

	/* UTS: the node's name inside, the host's unchanged. */
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "cat /proc/sys/kernel/hostname") == 0);
	xsnprintf(line, sizeof(line), "%s\n", f.host);
	T_ASSERT_STREQ(out, line);
	T_ASSERT(gethostname(host_name, sizeof(host_name)) == 0);
	T_ASSERT(!streq(host_name, f.host));
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "cat /etc/hostname") == 0);
	T_ASSERT_STREQ(out, line);
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "cat /etc/hosts") == 0);
	T_ASSERT_STREQ(out, hosts);

	/* PID 1 is the init; only the node's processes are visible (init, sh, cat). */
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "cat /proc/1/comm") == 0);
	T_ASSERT_STREQ(out, "nsctl-init\n");
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "readlink /proc/1/exe") == 0);
	T_ASSERT_CONTAINS(out, "nsctl-init");
	T_ASSERT(in_node(&f, pid, out, sizeof(out),
			 "cat /proc/[0-9]*/comm | sort | tr '\\n' ' '") == 0);
	fprintf(stderr, "processes inside: %s\n", out);
	T_ASSERT_CONTAINS(out, "nsctl-init");
	T_ASSERT_LACKS(out, "test-spawn");
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "ls /proc | grep -c '^[0-9]'") == 0);
	T_ASSERT(atoi(out) >= 2 && atoi(out) <= 5);

	/* IPC and UTS: the node's own namespaces, not ours. */
	for (size_t i = 0; i < 2; i++) {
		static const char *const kinds[] = { "ipc", "uts" };
		char ns[64] = "", script[64];
		ssize_t n;

		xsnprintf(script, sizeof(script), "/proc/self/ns/%s", kinds[i]);
		T_ASSERT((n = readlink(script, ns, sizeof(ns) - 1)) > 0);
		ns[n] = '\0';
		xsnprintf(script, sizeof(script), "readlink /proc/1/ns/%s", kinds[i]);
		T_ASSERT(in_node(&f, pid, out, sizeof(out), script) == 0);
		T_ASSERT(strncmp(out, kinds[i], 3) == 0);
		T_ASSERT_LACKS(out, ns);
	}

	/* /sys is the node's netns view, read-only: a fresh netns has lo only. */
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "ls /sys/class/net") == 0);
	T_ASSERT_STREQ(out, "lo\n");
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "touch /sys/spw 2>/dev/null") != 0);

	/* /dev: the six nodes, the links, pts and shm; nothing of the host's. */
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "ls /dev | tr '\\n' ' '") == 0);
	T_ASSERT_STREQ(out,
		       "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero ");
	T_ASSERT(in_node(&f, pid, out, sizeof(out),
			 "echo x > /dev/null && head -c 16 /dev/urandom | wc -c && "
			 "test -c /dev/zero && test -c /dev/tty && readlink /dev/ptmx") == 0);
	T_ASSERT_STREQ(out, "16\npts/ptmx\n");
	T_ASSERT(in_node(&f, pid, out, sizeof(out),
			 "grep -E ' /dev/(pts|shm) ' /proc/self/mountinfo | " FSTYPE) == 0);
	T_ASSERT_STREQ(out, "/dev/pts devpts\n/dev/shm tmpfs\n");
	T_ASSERT_LACKS(out, "devtmpfs");

	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static int test_host_readonly_private(void)
{
	_cleanup_(fx_done) struct fx f;
	struct spawn_spec s = { 0 };
	char state[PATH_MAX], out[1 << 16], probe[PATH_MAX];
	pid_t pid;

	T_ASSERT_OK(fx_init(&f, "ro"));
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));

	/* The host's root is there, read-only (the file the test will look for is the host's
	 * own /etc/os-release), and nothing can be written to it. */
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "test -s /etc/os-release && echo yes") == 0);
	T_ASSERT_STREQ(out, "yes\n");
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "touch /spw-rofile 2>&1; echo $?") == 0);
	T_ASSERT_CONTAINS(out, "Read-only file system");
	T_ASSERT(access("/spw-rofile", F_OK) < 0);
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "touch /usr/spw-rofile 2>/dev/null") != 0);

	/* /tmp, /run and /var/tmp are the node's own tmpfs: writable, empty, and private. The
	 * host's temp dir of this test (under /tmp) is invisible inside. */
	xsnprintf(probe, sizeof(probe),
		  "test -e '%s' && echo visible; ls -A /tmp /run /var/tmp | "
		  "tr '\\n' ' '; touch /tmp/%sp /run/%sp /var/tmp/%sp && echo ok",
		  f.dir, prefix, prefix, prefix);
	T_ASSERT(in_node(&f, pid, out, sizeof(out), probe) == 0);
	T_ASSERT_LACKS(out, "visible");
	T_ASSERT_CONTAINS(out, "ok\n");
	xsnprintf(probe, sizeof(probe), "/tmp/%sp", prefix);
	T_ASSERT(access(probe, F_OK) < 0);
	xsnprintf(probe, sizeof(probe), "/run/%sp", prefix);
	T_ASSERT(access(probe, F_OK) < 0);
	T_ASSERT(in_node(&f, pid, out, sizeof(out),
			 "grep -E ' /(tmp|run|var/tmp) ' /proc/self/mountinfo | " FSTYPE) == 0);
	T_ASSERT_STREQ(out, "/run tmpfs\n/tmp tmpfs\n/var/tmp tmpfs\n");

	/* The generated files sit on a tmpfs bound over the host's, which are unchanged. */
	T_ASSERT(in_node(&f, pid, out, sizeof(out),
			 "grep -E ' /etc/(hostname|hosts) ' /proc/self/mountinfo | " FSTYPE) == 0);
	T_ASSERT_STREQ(out, "/etc/hostname tmpfs\n/etc/hosts tmpfs\n");
	T_ASSERT(read_text("/etc/hostname", out, sizeof(out)) >= 0);
	T_ASSERT_LACKS(out, prefix);

	/* The host's copies under /proc, /sys, /dev, /run were detached, not just covered (they
	 * would pin, e.g., the host's /run/netns entries); the generated files come from the
	 * node's own /run, with no scratch mount of their own. */
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "cat /proc/self/mountinfo") == 0);
	T_ASSERT_LACKS(out, " /run/netns");
	T_ASSERT_LACKS(out, " /sys/fs/cgroup");
	T_ASSERT_LACKS(out, "devtmpfs");
	T_ASSERT_LACKS(out, " /run/.nsctl-init ");
	T_ASSERT_CONTAINS(out, " /.nsctl-init/f1 /etc/hosts ");
	T_ASSERT_CONTAINS(out, " / / ro,");

	/* A mount made inside does not appear on the host. */
	xsnprintf(probe, sizeof(probe), "mount -t tmpfs %sleak /tmp && echo mounted", prefix);
	T_ASSERT(in_node(&f, pid, out, sizeof(out), probe) == 0);
	T_ASSERT_STREQ(out, "mounted\n");
	T_ASSERT(read_text("/proc/self/mountinfo", out, sizeof(out)) > 0);
	T_ASSERT_LACKS(out, "leak");

	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static int test_host_binds(void)
{
	_cleanup_(fx_done) struct fx f;
	char state[PATH_MAX], out[8192], rw[PATH_MAX], ro[PATH_MAX], hosts[PATH_MAX],
		b1[PATH_MAX + 32], b2[PATH_MAX + 32], b3[PATH_MAX + 32], path[PATH_MAX];
	const char *binds[] = { b1, b2, b3, NULL };
	struct spawn_spec s = { .binds = binds };
	pid_t pid;

	T_ASSERT_OK(fx_init(&f, "bd"));
	xsnprintf(rw, sizeof(rw), "%s/rw", f.dir);
	xsnprintf(ro, sizeof(ro), "%s/ro", f.dir);
	xsnprintf(hosts, sizeof(hosts), "%s/myhosts", f.dir);
	T_ASSERT(mkdir(rw, 0755) == 0 && mkdir(ro, 0755) == 0);
	xsnprintf(path, sizeof(path), "%s/a", rw);
	T_ASSERT_OK(write_text(path, "from-host\n"));
	T_ASSERT_OK(write_text(hosts, "10.0.0.1 mine\n"));
	/* Destinations the host lacks (/mnt/spw…): an overlay on /mnt makes them, for this node
	 * only. A file bound over /etc/hosts wins over the generated one. */
	xsnprintf(b1, sizeof(b1), "%s:/mnt/%srw", rw, prefix);
	xsnprintf(b2, sizeof(b2), "%s:/mnt/%sro/deeper:ro", ro, prefix);
	xsnprintf(b3, sizeof(b3), "%s:/etc/hosts", hosts);
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));

	xsnprintf(path, sizeof(path),
		  "cat /mnt/%1$srw/a && echo inside > /mnt/%1$srw/b && "
		  "(echo x > /mnt/%1$sro/deeper/c) 2>&1; cat /etc/hosts",
		  prefix);
	T_ASSERT(in_node(&f, pid, out, sizeof(out), path) == 0);
	T_ASSERT_CONTAINS(out, "from-host\n");
	T_ASSERT_CONTAINS(out, "Read-only file system");
	T_ASSERT_CONTAINS(out, "10.0.0.1 mine\n");
	xsnprintf(path, sizeof(path), "%s/b", rw);
	T_ASSERT(read_text(path, out, sizeof(out)) > 0);
	T_ASSERT_STREQ(out, "inside\n");
	xsnprintf(path, sizeof(path), "%s/c", ro);
	T_ASSERT(access(path, F_OK) < 0);
	/* Nothing was created on the host's /mnt. */
	xsnprintf(path, sizeof(path), "/mnt/%srw", prefix);
	T_ASSERT(access(path, F_OK) < 0);

	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static const char escape_src[] =
	"#include <stdio.h>\n"
	"#include <sys/stat.h>\n"
	"#include <unistd.h>\n"
	"/* The classic escape: chroot into a subdir while the cwd stays outside it, walk up with\n"
	" * chdir(\"..\") past the chroot, chroot(\".\") there. It leaves a chroot(2) jail; in a\n"
	" * pivot_root'ed mount namespace whose old root is detached there is nothing above. */\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	char buf[128] = \"\";\n"
	"	struct stat st;\n"
	"	FILE *f;\n"
	"	if (argc < 3 || chdir(argv[2]) || chroot(\"esc-jail\"))\n"
	"		return perror(\"setup\"), 2;\n"
	"	for (int i = 0; i < 256; i++)\n"
	"		(void)!chdir(\"..\");\n"
	"	if (chroot(\".\"))\n"
	"		return perror(\"chroot\"), 2;\n"
	"	printf(\"%s\\n\", stat(argv[1], &st) == 0 ? \"VISIBLE\" : \"hidden\");\n"
	"	if ((f = fopen(\"/etc/hostname\", \"r\")) && fgets(buf, sizeof(buf), f))\n"
	"		printf(\"hostname %s\", buf);\n"
	"	return 0;\n"
	"}\n";

/* Compiles the escape program (static when static libc exists: it also runs on busybox). */
static int build_escape(struct fx *f, char *bin, bool *is_static)
{
	char src[PATH_MAX];

	xsnprintf(src, sizeof(src), "%s/esc.c", f->dir);
	xsnprintf(bin, PATH_MAX, "%s/esc", f->dir);
	if (write_text(src, escape_src) < 0)
		return -EIO;
	*is_static = t_sh(NULL, 0, "cc -static -O1 -o '%s' '%s' 2>/dev/null", bin, src) == 0;
	if (!*is_static && t_sh(NULL, 0, "cc -O1 -o '%s' '%s'", bin, src) != 0)
		return -EIO;
	return 0;
}

static int run_escape(struct fx *f, pid_t pid, const char *bin, const char *marker, char *out,
		      size_t len)
{
	char script[PATH_MAX];
	char *const argv[] = { "/bin/sh", "-c", script, NULL };

	/* Copied in through stdin: the host's temp dir is not visible inside. */
	xsnprintf(
		script, sizeof(script),
		"cat > /tmp/esc && chmod 755 /tmp/esc && mkdir /tmp/esc-jail && /tmp/esc '%s' /tmp",
		marker);
	return enter_io(f, pid, out, len, bin, argv, NULL, NULL);
}

static int test_chroot_escape(void)
{
	_cleanup_(fx_done) struct fx f;
	char state1[PATH_MAX], state2[PATH_MAX], rootfs[PATH_MAX], marker[PATH_MAX], bin[PATH_MAX],
		out[4096], line[128];
	struct spawn_spec host = { 0 }, dir = { 0 };
	bool is_static;
	pid_t p1, p2;

	if (access("/usr/bin/cc", X_OK) < 0)
		T_SKIP_BECAUSE("no cc to build the escape program");
	T_ASSERT_OK(fx_init(&f, "esc"));
	T_ASSERT_OK(build_escape(&f, bin, &is_static));
	/* A marker only the host's root has: the test's temp dir lies under the host's /tmp,
	 * which the node's /tmp tmpfs hides (host root) or which is not there at all (rootfs). */
	xsnprintf(marker, sizeof(marker), "%s/marker", f.dir);
	T_ASSERT_OK(write_text(marker, "host\n"));

	/* Control: from a plain chroot on the host, the program does reach the real root. */
	xsnprintf(line, sizeof(line), "%s/esc-jail", f.dir);
	T_ASSERT(mkdir(line, 0755) == 0);
	T_ASSERT(t_sh(out, sizeof(out), "'%s' '%s' '%s'", bin, marker, f.dir) == 0);
	T_ASSERT_CONTAINS(out, "VISIBLE");

	fx_spec(&f, &host, "host", state1);
	T_ASSERT_OK(fx_spawn(&f, &host, &p1));
	T_ASSERT(run_escape(&f, p1, bin, marker, out, sizeof(out)) == 0);
	T_ASSERT_CONTAINS(out, "hidden\n");
	xsnprintf(line, sizeof(line), "hostname %s\n", f.host);
	T_ASSERT_CONTAINS(out, line); /* still the node's /etc: the escape went nowhere */

	if (!have_overlay() || access(BUSYBOX, X_OK) < 0 || !is_static) {
		fprintf(stderr, "skipping the rootfs-dir half: no overlay, busybox or static cc\n");
		T_ASSERT(fx_finish(&f) == 0);
		return 0;
	}
	xsnprintf(rootfs, sizeof(rootfs), "%s/rootfs", f.dir);
	T_ASSERT_OK(make_rootfs(rootfs));
	dir.rootfs = rootfs;
	fx_spec(&f, &dir, "dir", state2);
	T_ASSERT_OK(fx_spawn(&f, &dir, &p2));
	T_ASSERT(run_escape(&f, p2, bin, marker, out, sizeof(out)) == 0);
	T_ASSERT_CONTAINS(out, "hidden\n");
	T_ASSERT_CONTAINS(out, line);

	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static int test_rootfs_overlay(void)
{
	_cleanup_(fx_done) struct fx f;
	char state[PATH_MAX], rootfs[PATH_MAX], path[PATH_MAX], out[8192];
	struct spawn_spec s = { .hosts = "192.0.2.1 r1\n" };
	struct stat st;
	pid_t pid;

	NEED_OVERLAY_AND_BUSYBOX();
	T_ASSERT_OK(fx_init(&f, "ovl"));
	xsnprintf(rootfs, sizeof(rootfs), "%s/rootfs", f.dir);
	T_ASSERT_OK(make_rootfs(rootfs));
	s.rootfs = rootfs;
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));

	T_ASSERT(in_node(&f, pid, out, sizeof(out),
			 "cat /lowerfile /etc/motd && echo new > /newfile && rm /lowerfile && "
			 "echo changed > /etc/motd && ls /") == 0);
	T_ASSERT_CONTAINS(out, "lower\nmotd\n");
	T_ASSERT_LACKS(out, "lowerfile");
	T_ASSERT_CONTAINS(out, "newfile");
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "cat /proc/1/comm; hostname") == 0);
	xsnprintf(path, sizeof(path), "nsctl-init\n%s\n", f.host);
	T_ASSERT_STREQ(out, path);

	/* The lower dir is untouched. */
	xsnprintf(path, sizeof(path), "%s/lowerfile", rootfs);
	T_ASSERT(read_text(path, out, sizeof(out)) > 0);
	T_ASSERT_STREQ(out, "lower\n");
	xsnprintf(path, sizeof(path), "%s/etc/motd", rootfs);
	T_ASSERT(read_text(path, out, sizeof(out)) > 0);
	T_ASSERT_STREQ(out, "motd\n");
	xsnprintf(path, sizeof(path), "%s/newfile", rootfs);
	T_ASSERT(access(path, F_OK) < 0);
	xsnprintf(path, sizeof(path), "%s/etc/hosts", rootfs);
	T_ASSERT(access(path, F_OK) < 0);

	/* The upper dir has the writes, the generated /etc files, and a whiteout (a 0/0 character
	 * device) for the deleted lower file. */
	xsnprintf(path, sizeof(path), "%s/upper/newfile", state);
	T_ASSERT(read_text(path, out, sizeof(out)) > 0);
	T_ASSERT_STREQ(out, "new\n");
	xsnprintf(path, sizeof(path), "%s/upper/etc/motd", state);
	T_ASSERT(read_text(path, out, sizeof(out)) > 0);
	T_ASSERT_STREQ(out, "changed\n");
	xsnprintf(path, sizeof(path), "%s/upper/etc/hosts", state);
	T_ASSERT(read_text(path, out, sizeof(out)) > 0);
	T_ASSERT_STREQ(out, "192.0.2.1 r1\n");
	xsnprintf(path, sizeof(path), "%s/upper/lowerfile", state);
	T_ASSERT(lstat(path, &st) == 0);
	T_ASSERT(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));

	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

/* The mount points of /proc/self/mountinfo inside the node, space-separated. */
static int node_mounts(struct fx *f, pid_t pid, char *out, size_t len)
{
	char raw[1 << 15], *line, *save = NULL;
	size_t n = 0;

	if (in_node(f, pid, raw, sizeof(raw), "sort -k5 /proc/self/mountinfo") != 0)
		return -EIO;
	out[0] = '\0';
	for (line = strtok_r(raw, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mp[512];

		if (sscanf(line, "%*s %*s %*s %*s %511s", mp) == 1)
			n += (size_t)xsnprintf(out + n, len - n, "%s ", mp);
	}
	return 0;
}

static int test_rootfs_mounts_only_node(void)
{
	_cleanup_(fx_done) struct fx f;
	char state[PATH_MAX], rootfs[PATH_MAX], data[PATH_MAX], bind[PATH_MAX + 16], out[8192],
		script[256];
	const char *binds[] = { bind, NULL };
	struct spawn_spec s = { .binds = binds };
	pid_t pid;

	NEED_OVERLAY_AND_BUSYBOX();
	T_ASSERT_OK(fx_init(&f, "mnt"));
	xsnprintf(rootfs, sizeof(rootfs), "%s/rootfs", f.dir);
	T_ASSERT_OK(make_rootfs(rootfs));
	xsnprintf(data, sizeof(data), "%s/data", f.dir);
	T_ASSERT(mkdir(data, 0755) == 0);
	xsnprintf(bind, sizeof(bind), "%s:/srv/data:ro", data);
	s.rootfs = rootfs;
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));

	/* Only the node's mounts, none of the host's. */
	T_ASSERT_OK(node_mounts(&f, pid, out, sizeof(out)));
	T_ASSERT_STREQ(out, "/ /dev /dev/pts /dev/shm /proc /run /srv/data /sys /tmp /var/tmp ");
	/* A mount made inside stays inside. */
	xsnprintf(script, sizeof(script), "mount -t tmpfs %sleak /tmp && echo ok", prefix);
	T_ASSERT(in_node(&f, pid, out, sizeof(out), script) == 0);
	T_ASSERT_STREQ(out, "ok\n");
	T_ASSERT(read_text("/proc/self/mountinfo", out, sizeof(out)) > 0);
	T_ASSERT_LACKS(out, "leak");
	/* Binds were created in the upper layer, not in the rootfs dir. */
	xsnprintf(script, sizeof(script), "%s/srv", rootfs);
	T_ASSERT(access(script, F_OK) < 0);

	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static int test_cmd_env_reap_signals(void)
{
	_cleanup_(fx_done) struct fx f;
	/* The trap first: the test sends SIGHUP once /tmp/env exists, and a shell without the
	 * trap would die of it. */
	char *const cmd[] = { "/bin/sh", "-c",
			      "trap 'echo hup >> /tmp/hup' HUP; "
			      "echo \"$SPW_A|$HOSTNAME|$PATH\" > /tmp/env; "
			      "(sh -c 'echo $$ > /tmp/orphan' &); "
			      "while :; do sleep 0.05; done 2>/dev/null",
			      NULL };
	char *const env[] = { "SPW_A=hello world", NULL };
	char *const enter_env[] = { "SPW_B=2", NULL };
	char *const argv[] = { "/bin/sh", "-c", "echo \"$SPW_B $HOSTNAME\"", NULL };
	struct spawn_spec s = { .cmd = cmd, .env = env };
	char state[PATH_MAX], out[4096], want[256], probe[128];
	int orphan = 0;
	pid_t pid;

	T_ASSERT_OK(fx_init(&f, "cmd"));
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));

	/* env: the node's, plus HOSTNAME and the default PATH. */
	for (int i = 0; i < 100 && in_node(&f, pid, out, sizeof(out), "cat /tmp/env") != 0; i++)
		msleep(20);
	xsnprintf(want, sizeof(want),
		  "hello world|%s|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n",
		  f.host);
	T_ASSERT_STREQ(out, want);
	T_ASSERT(enter_io(&f, pid, out, sizeof(out), NULL, argv, enter_env, NULL) == 0);
	xsnprintf(want, sizeof(want), "2 %s\n", f.host);
	T_ASSERT_STREQ(out, want);

	/* The double-forked grandchild was reparented to the init and reaped: no zombie. */
	for (int i = 0; i < 100 && !orphan; i++) {
		if (in_node(&f, pid, out, sizeof(out), "cat /tmp/orphan") == 0)
			orphan = atoi(out);
		else
			msleep(20);
	}
	T_ASSERT(orphan > 1);
	xsnprintf(probe, sizeof(probe), "test -e /proc/%d && cat /proc/%d/stat; true", orphan,
		  orphan);
	for (int i = 0; i < 100; i++) {
		T_ASSERT(in_node(&f, pid, out, sizeof(out), probe) == 0);
		if (!out[0])
			break;
		msleep(20);
	}
	T_ASSERT_STREQ(out, "");
	T_ASSERT(in_node(&f, pid, out, sizeof(out),
			 "cat /proc/[0-9]*/stat | sed 's/.*) //' | cut -c1 | sort | tr -d '\\n'") ==
		 0);
	T_ASSERT_LACKS(out, "Z");

	/* SIGHUP to the init reaches cmd's process group. */
	T_ASSERT(kill(pid, SIGHUP) == 0);
	for (int i = 0; i < 100; i++) {
		if (in_node(&f, pid, out, sizeof(out), "cat /tmp/hup 2>/dev/null") == 0)
			break;
		msleep(20);
	}
	T_ASSERT_CONTAINS(out, "hup");

	/* SIGTERM: cmd goes, the init follows. */
	T_ASSERT(spawn_stop(pid, 5000) == 0);
	f.n_pids = 0;
	T_ASSERT(kill(pid, 0) < 0 && errno == ESRCH);
	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

/* The SigIgn mask in a /proc/<pid>/status text, or all ones if there is none. */
static unsigned long long sig_ignored(const char *status)
{
	const char *p = strstr(status, "SigIgn:\t");

	return p ? strtoull(p + strlen("SigIgn:\t"), NULL, 16) : ~0ULL;
}

/* A launcher that ignores signals (nohup, a shell's background job) passes them on through exec;
 * the init puts them back to the default for itself and cmd. Witness: the host's view of the
 * init's SigIgn and of cmd's. Only the three this test ignores are checked: what the test's own
 * parents ignore (a CI runner may ignore the real-time signals libc reserves) is not ours. */
static int test_ignored_signals_reset(void)
{
	_cleanup_(fx_done) struct fx f;
	char *const cmd[] = { "/bin/sh", "-c", "while :; do sleep 1; done", NULL };
	struct spawn_spec s = { .cmd = cmd };
	const unsigned long long ours =
		1ULL << (SIGINT - 1) | 1ULL << (SIGHUP - 1) | 1ULL << (SIGUSR2 - 1);
	char state[PATH_MAX], path[64], out[4096];
	pid_t pid;

	T_ASSERT_OK(fx_init(&f, "sig"));
	T_ASSERT(signal(SIGINT, SIG_IGN) != SIG_ERR && signal(SIGHUP, SIG_IGN) != SIG_ERR &&
		 signal(SIGUSR2, SIG_IGN) != SIG_ERR);
	T_ASSERT(read_text("/proc/self/status", out, sizeof(out)) > 0);
	T_ASSERT((sig_ignored(out) & ours) == ours);
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));
	xsnprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	T_ASSERT(read_text(path, out, sizeof(out)) > 0);
	T_ASSERT((sig_ignored(out) & ours) == 0);
	/* cmd (the init's child) inherited the defaults */
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "cat /proc/2/status") == 0);
	T_ASSERT((sig_ignored(out) & ours) == 0);
	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static int test_stop_and_exit_modes(void)
{
	_cleanup_(fx_done) struct fx f;
	char *const stubborn[] = { "/bin/sh", "-c",
				   "trap '' TERM; echo > /tmp/trapped; "
				   "while :; do sleep 0.05; done 2>/dev/null",
				   NULL };
	char *const quick[] = { "/bin/sh", "-c", "exit 7", NULL };
	struct spawn_spec a = { .cmd = stubborn }, b = { .cmd = quick, .exit_with_cmd = true },
			  c = { .cmd = quick };
	char sa[PATH_MAX], sb[PATH_MAX], sc[PATH_MAX];
	pid_t pa, pb, pc;
	int st;

	T_ASSERT_OK(fx_init(&f, "stop"));
	fx_spec(&f, &a, "a", sa);
	fx_spec(&f, &b, "b", sb);
	fx_spec(&f, &c, "c", sc);

	/* A cmd that ignores SIGTERM: SIGKILL after the timeout (1 = it was needed). */
	T_ASSERT_OK(fx_spawn(&f, &a, &pa));
	for (int i = 0; i < 100 && in_node(&f, pa, NULL, 0, "test -e /tmp/trapped") != 0; i++)
		msleep(20);
	T_ASSERT(spawn_stop(pa, 300) == 1);
	T_ASSERT(kill(pa, 0) < 0 && errno == ESRCH);
	T_ASSERT(spawn_stop(pa, 300) == 0); /* gone: ESRCH is success */

	/* exit-with-cmd: the init exits with cmd's status. */
	T_ASSERT_OK(spawn_node(&b, &pb));
	T_ASSERT(waitpid(pb, &st, 0) == pb);
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 7);

	/* Default: cmd is gone, the node stays. */
	T_ASSERT_OK(fx_spawn(&f, &c, &pc));
	msleep(200);
	T_ASSERT(waitpid(pc, &st, WNOHANG) == 0);
	T_ASSERT(spawn_stop(pc, 2000) == 0);
	f.n_pids = 0;
	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static int test_errors(void)
{
	_cleanup_(fx_done) struct fx f;
	char state[PATH_MAX], src[PATH_MAX + 32], rootfs[PATH_MAX];
	char *const missing_cmd[] = { "/nonexistent-spw", NULL };
	char *const missing_in_path[] = { "nonexistent-spw", NULL };
	const char *bad_src[] = { src, NULL };
	struct spawn_spec s;
	pid_t pid = 0;
	int r;

	T_ASSERT_OK(fx_init(&f, "err"));

	s = (struct spawn_spec){ .cmd = missing_cmd };
	fx_spec(&f, &s, "a", state);
	T_ASSERT(spawn_node(&s, &pid) == -ENOENT);
	T_ASSERT_STREQ(spawn_last_error(), "exec cmd /nonexistent-spw");
	s.cmd = missing_in_path;
	T_ASSERT(spawn_node(&s, &pid) == -ENOENT);
	T_ASSERT_STREQ(spawn_last_error(), "exec cmd nonexistent-spw");

	/* Launcher-side checks. */
	s = (struct spawn_spec){ .binds = bad_src };
	xsnprintf(src, sizeof(src), "%s/nope:/mnt/x", f.dir);
	fx_spec(&f, &s, "b", state);
	T_ASSERT(spawn_node(&s, &pid) == -ENOENT);
	T_ASSERT_CONTAINS(spawn_last_error(), "bind source");
	xsnprintf(src, sizeof(src), "relative:/mnt/x");
	T_ASSERT(spawn_node(&s, &pid) == -EINVAL);
	s = (struct spawn_spec){ 0 };
	fx_spec(&f, &s, "c", state);
	s.init_path = "/nonexistent/nsctl-init";
	T_ASSERT(spawn_node(&s, &pid) == -ENOENT);
	s = (struct spawn_spec){ .rootfs = "/etc/hostname" };
	fx_spec(&f, &s, "c", state);
	T_ASSERT(spawn_node(&s, &pid) == -ENOTDIR);

	/* Failures inside the init come back with the step. A destination under a file: */
	s = (struct spawn_spec){ .binds = bad_src };
	xsnprintf(src, sizeof(src), "%s:/etc/hostname/x", f.dir);
	fx_spec(&f, &s, "d", state);
	r = spawn_node(&s, &pid);
	T_ASSERT(r == -ENOTDIR);
	T_ASSERT_CONTAINS(spawn_last_error(), "/etc/hostname/x");
	/* … a directory the read-only host root would need at its top: */
	xsnprintf(src, sizeof(src), "%s:/%snope", f.dir, prefix);
	T_ASSERT(spawn_node(&s, &pid) == -EROFS);
	T_ASSERT_CONTAINS(spawn_last_error(), "read-only");
	/* … an overlay over a lower dir that vanished after the launcher's check is not
	 * reproducible here; an init that dies without a report is: */
	s = (struct spawn_spec){ 0 };
	fx_spec(&f, &s, "e", state);
	s.init_path = "/bin/false";
	T_ASSERT(spawn_node(&s, &pid) == -ECHILD);
	T_ASSERT_CONTAINS(spawn_last_error(), "before reporting");
	/* A rootfs dir that is not one. */
	xsnprintf(rootfs, sizeof(rootfs), "%s/none", f.dir);
	s = (struct spawn_spec){ .rootfs = rootfs };
	fx_spec(&f, &s, "f", state);
	T_ASSERT(spawn_node(&s, &pid) == -ENOENT);

	/* Every child was reaped; no init of ours runs. */
	T_ASSERT(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
	T_ASSERT(count_our_inits() == 0);
	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static int test_no_fd_leaks(void)
{
	_cleanup_(fx_done) struct fx f;
	char *const cmd[] = { "sleep", "1000", NULL };
	struct spawn_spec s = { .cmd = cmd };
	char state[PATH_MAX], out[1024];
	int leak;
	pid_t pid;

	T_ASSERT_OK(fx_init(&f, "fd"));
	/* Not close-on-exec, on purpose: the launcher must not pass it on anyway. */
	leak = open("/dev/null", O_RDONLY);
	T_ASSERT(leak > 2);
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));
	T_ASSERT(in_node(&f, pid, out, sizeof(out),
			 "ls /proc/1/fd | tr '\\n' ' '; echo; "
			 "for p in /proc/[0-9]*; do test \"$(cat $p/comm)\" = sleep && ls $p/fd; "
			 "done | tr '\\n' ' '") == 0);
	T_ASSERT_STREQ(out, "0 1 2 \n0 1 2 ");
	close(leak);
	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

/* Reads @master into @out until EIO (every holder of the slave is gone) or @timeout_ms. */
static void read_pty(int master, char *out, size_t len, int timeout_ms)
{
	size_t got = 0;

	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, timeout_ms) <= 0)
			break;
		k = read(master, out + got, len - 1 - got);
		if (k <= 0)
			break;
		got += (size_t)k;
		if (got == len - 1)
			break;
	}
	out[got] = '\0';
}

static int test_enter_tty(void)
{
	_cleanup_(fx_done) struct fx f;
	struct spawn_spec s = { 0 };
	char *const argv[] = { "/bin/sh", "-c",
			       "tty; test -t 0 && test -t 1 && test -t 2 && echo all-tty; "
			       "stty size; echo fds; ls -1 /proc/$$/fd; echo ok",
			       NULL };
	struct winsize ws = { .ws_row = 33, .ws_col = 77 };
	struct termios before, after;
	char state[PATH_MAX], out[4096], node_before[512], node_after[512], *name;
	int master, st;
	pid_t pid, kid;

	T_ASSERT_OK(fx_init(&f, "pty"));
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));
	T_ASSERT(in_node(&f, pid, node_before, sizeof(node_before),
			 "ls /dev/pts | tr '\\n' ' '; ls /proc/1/fd | tr '\\n' ' '") == 0);

	/* A terminal of the test's own stands in for the user's: its slave is the controlling
	 * terminal and stdio of a child that calls spawn_enter_tty(), its master is the screen. */
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	T_ASSERT(master >= 0);
	T_ASSERT(grantpt(master) == 0 && unlockpt(master) == 0);
	T_ASSERT((name = ptsname(master)));
	T_ASSERT(ioctl(master, TIOCSWINSZ, &ws) == 0);
	T_ASSERT(tcgetattr(master, &before) == 0);
	fflush(NULL);
	kid = fork();
	T_ASSERT(kid >= 0);
	if (kid == 0) {
		int tty, r;

		/* Session leader: opening the slave makes it our controlling terminal, with us in
		 * its foreground, as a login shell's child would be. */
		if (setsid() < 0 || (tty = open(name, O_RDWR)) < 0)
			_exit(100);
		if (dup2(tty, 0) < 0 || dup2(tty, 1) < 0 || dup2(tty, 2) < 0)
			_exit(101);
		close(tty);
		r = spawn_enter_tty(pid, NULL, argv, NULL);
		_exit(r < 0 ? 102 : r);
	}
	read_pty(master, out, sizeof(out), 10000);
	T_ASSERT(waitpid(kid, &st, 0) == kid);
	T_ASSERT(tcgetattr(master, &after) == 0);
	close(master);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "child status 0x%x, output: %s\n", st, out);
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The node's own pty, its name resolvable there; the size was passed on; the program
	 * has stdio and nothing else of ours. */
	T_ASSERT_CONTAINS(out, "/dev/pts/");
	T_ASSERT_LACKS(out, "not a tty");
	T_ASSERT_CONTAINS(out, "all-tty");
	T_ASSERT_CONTAINS(out, "33 77");
	T_ASSERT_CONTAINS(out, "fds\r\n0\r\n1\r\n2\r\nok\r\n");
	/* Raw mode while relaying, restored afterwards. */
	T_ASSERT(after.c_lflag == before.c_lflag && after.c_iflag == before.c_iflag &&
		 after.c_oflag == before.c_oflag);

	/* The init lives on, its pts and fds as before: the pty went with the program. */
	T_ASSERT(kill(pid, 0) == 0);
	T_ASSERT(in_node(&f, pid, node_after, sizeof(node_after),
			 "ls /dev/pts | tr '\\n' ' '; ls /proc/1/fd | tr '\\n' ' '") == 0);
	T_ASSERT_STREQ(node_after, node_before);
	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static int test_log_and_find_init(void)
{
	_cleanup_(fx_done) struct fx f;
	char *const cmd[] = { "/bin/sh", "-c", "echo out; echo err >&2; cat; echo eof", NULL };
	struct spawn_spec s = { .cmd = cmd, .exit_with_cmd = true };
	char state[PATH_MAX], log[PATH_MAX], log2[PATH_MAX], pidf[PATH_MAX], out[256], want[32],
		found[PATH_MAX];
	pid_t pid;
	int st;

	T_ASSERT_OK(fx_init(&f, "log"));
	xsnprintf(log, sizeof(log), "%s/node.log", f.dir);
	xsnprintf(pidf, sizeof(pidf), "%s/node.pid", f.dir);
	T_ASSERT_OK(write_text(log, "before\n"));
	s.log_path = log;
	s.pid_path = pidf;
	fx_spec(&f, &s, "n1", state);
	/* stdin is /dev/null (cat ends at once), stdout and stderr append to the log; the pid
	 * file names the init by our pid, written before it reported. */
	T_ASSERT_OK(spawn_node(&s, &pid));
	T_ASSERT(read_text(pidf, out, sizeof(out)) > 0);
	xsnprintf(want, sizeof(want), "%d\n", (int)pid);
	T_ASSERT_STREQ(out, want);
	T_ASSERT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T_ASSERT(read_text(log, out, sizeof(out)) > 0);
	T_ASSERT_STREQ(out, "before\nout\nerr\neof\n");

	/* An idle init (no cmd) writes nothing after its report: no log file is made for it. */
	{
		struct spawn_spec idle = { .log_path = log2, .pid_path = pidf };
		char state2[PATH_MAX];
		pid_t p2;

		xsnprintf(log2, sizeof(log2), "%s/idle.log", f.dir);
		fx_spec(&f, &idle, "n2", state2);
		T_ASSERT_OK(fx_spawn(&f, &idle, &p2));
		T_ASSERT(access(log2, F_OK) < 0 && errno == ENOENT);
	}

	/* $NSCTL_INIT wins; without it, nothing next to this test binary. */
	T_ASSERT(setenv("NSCTL_INIT", init_path, 1) == 0);
	T_ASSERT(spawn_find_init(found, sizeof(found)) == 0);
	T_ASSERT_STREQ(found, init_path);
	T_ASSERT(spawn_find_init(found, 8) == -ENAMETOOLONG);
	T_ASSERT(unsetenv("NSCTL_INIT") == 0);
	T_ASSERT(spawn_find_init(found, sizeof(found)) == -ENOENT);
	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

/* A cgroup2 hierarchy we may create a child in: the v2 root, or the hybrid's unified mount. */
static const char *cgroup2_root(void)
{
	static const char *const roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char path[PATH_MAX];

	for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
		xsnprintf(path, sizeof(path), "%s/cgroup.procs", roots[i]);
		if (access(path, W_OK) == 0 &&
		    (i == 1 || (xsnprintf(path, sizeof(path), "%s/cgroup.controllers", roots[i]),
				access(path, F_OK) == 0)))
			return roots[i];
	}
	return NULL;
}

static void rmdir_cgroup(char (*path)[PATH_MAX])
{
	/* The last process may take a moment to leave after its exit. */
	for (int i = 0; (*path)[0] && i < 100 && rmdir(*path) < 0 && errno == EBUSY; i++)
		msleep(20);
}

static int test_cgroup(void)
{
	_cleanup_(rmdir_cgroup) char cg[PATH_MAX] = "";
	_cleanup_(fx_done) struct fx f;
	const char *root = cgroup2_root();
	char procs[PATH_MAX + 16], state[PATH_MAX], out[4096], want[PATH_MAX + 8], path[64];
	char *const cgs[] = { procs, NULL };
	char *const cmd[] = { "sleep", "1000", NULL };
	struct spawn_spec s = { .cmd = cmd, .cgroup_procs = cgs };
	char *const argv[] = { "cat", "/proc/self/cgroup", NULL };
	pid_t pid;

	if (!root)
		T_SKIP_BECAUSE("no writable cgroup2 hierarchy");
	T_ASSERT_OK(fx_init(&f, "cg"));
	xsnprintf(cg, sizeof(cg), "%s/%scg", root, prefix);
	T_ASSERT(mkdir(cg, 0755) == 0);
	xsnprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));

	/* From the host: the init and cmd (forked after the write) are in the node's cgroup. */
	T_ASSERT(read_text(procs, out, sizeof(out)) > 0);
	xsnprintf(want, sizeof(want), "%d\n", (int)pid);
	T_ASSERT(strncmp(out, want, strlen(want)) == 0);
	T_ASSERT(strchr(out, '\n')[1] != '\0'); /* cmd too */
	xsnprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	xsnprintf(want, sizeof(want), "0::/%scg\n", prefix);
	T_ASSERT(read_text(path, out, sizeof(out)) > 0);
	T_ASSERT_CONTAINS(out, want);
	/* Inside: the cgroup namespace makes it "/", for the init and for spawn_enter() with the
	 * node's cgroups; without them spawn_enter() runs in ours, outside the namespace root. */
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "cat /proc/1/cgroup") == 0);
	T_ASSERT_CONTAINS(out, "0::/\n");
	T_ASSERT(enter_io(&f, pid, out, sizeof(out), NULL, argv, NULL, cgs) == 0);
	T_ASSERT_CONTAINS(out, "0::/\n");
	T_ASSERT(enter_io(&f, pid, out, sizeof(out), NULL, argv, NULL, NULL) == 0);
	T_ASSERT_LACKS(out, "0::/\n");
	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static long status_kb(pid_t pid, const char *key)
{
	char path[64], buf[4096], *p;

	xsnprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_text(path, buf, sizeof(buf)) <= 0 || !(p = strstr(buf, key)))
		return -1;
	return strtol(p + strlen(key) + 1, NULL, 10);
}

static int test_init_rss(void)
{
	_cleanup_(fx_done) struct fx f;
	struct spawn_spec s = { 0 };
	char state[PATH_MAX], out[256];
	long idle, busy;
	pid_t pid;

	T_ASSERT_OK(fx_init(&f, "rss"));
	fx_spec(&f, &s, "n1", state);
	T_ASSERT_OK(fx_spawn(&f, &s, &pid));
	msleep(100);
	idle = status_kb(pid, "VmRSS:");
	fprintf(stderr, "nsctl-init idle: VmRSS %ld kB (anon %ld kB, file %ld kB)\n", idle,
		status_kb(pid, "RssAnon:"), status_kb(pid, "RssFile:"));
	/* Wake it up: an orphan to reap brings the idle loop's pages back in. */
	T_ASSERT(in_node(&f, pid, out, sizeof(out), "(sleep 0 &); sleep 0.1") == 0);
	busy = status_kb(pid, "VmRSS:");
	fprintf(stderr, "nsctl-init after reaping: VmRSS %ld kB (anon %ld kB, file %ld kB)\n", busy,
		status_kb(pid, "RssAnon:"), status_kb(pid, "RssFile:"));
	T_ASSERT(idle > 0 && idle <= 300);
	T_ASSERT(busy > 0 && busy <= 300);
	T_ASSERT(fx_finish(&f) == 0);
	return 0;
}

static int test_no_leftovers(void)
{
	char mi[1 << 16], tmp[64];
	int left = t_netns_leftovers(prefix);

	xsnprintf(tmp, sizeof(tmp), "/tmp/%s", prefix);
	T_ASSERT(read_text("/proc/self/mountinfo", mi, sizeof(mi)) > 0);
	T_ASSERT_LACKS(mi, tmp);
	T_ASSERT_LACKS(mi, "leak");
	T_ASSERT(count_our_inits() == 0);
	T_ASSERT(t_sh(mi, sizeof(mi), "ls -d /tmp/%s* 2>/dev/null", prefix) != 0 || !mi[0]);
	T_ASSERT(left == 0);
	return 0;
}

/* Backstop for cases killed before their cleanup ran (alarm, crash). */
static void sweep_leftovers(void)
{
	t_netns_sweep(prefix);
	(void)t_sh(NULL, 0, "rm -rf /tmp/%s*", prefix);
}

static const struct t_case cases[] = {
	{ "host root: hostname, PID 1 is nsctl-init, own /proc /sys /dev", test_host_identity,
	  T_ROOT },
	{ "host root: read-only, private tmpfs, /etc files bound, no mount leaks",
	  test_host_readonly_private, T_ROOT },
	{ "host root: binds rw, ro, onto /etc/hosts, to a destination the host lacks",
	  test_host_binds, T_ROOT },
	{ "chroot escape from inside a node does not reach the host root", test_chroot_escape,
	  T_ROOT },
	{ "rootfs dir: overlay upper gets writes and a whiteout, lower unchanged",
	  test_rootfs_overlay, T_ROOT },
	{ "rootfs dir: only the node's mounts inside, none leak out", test_rootfs_mounts_only_node,
	  T_ROOT },
	{ "cmd: env, orphans reaped (no zombie), SIGHUP forwarded, SIGTERM stops",
	  test_cmd_env_reap_signals, T_ROOT },
	{ "signals: what the launcher ignores is back to the default in the init and cmd",
	  test_ignored_signals_reset, T_ROOT },
	{ "stop: SIGKILL after timeout, exit-with-cmd, idle after cmd exits",
	  test_stop_and_exit_modes, T_ROOT },
	{ "errors: -errno and the failing step, child reaped, nothing left", test_errors, T_ROOT },
	{ "fds: only stdio reaches the init and cmd", test_no_fd_leaks, T_ROOT },
	{ "tty: the node's own pty (tty names it), size passed on, terminal restored",
	  test_enter_tty, T_ROOT },
	{ "log: stdin /dev/null, stdout+stderr appended, pid file; spawn_find_init",
	  test_log_and_find_init, T_ROOT },
	{ "cgroup: init joined before it runs; cgroup namespace root", test_cgroup, T_ROOT },
	{ "init: idle RSS at most 300 KiB", test_init_rss, T_ROOT },
	{ "cleanup: no process, netns, mount or temp dir of ours left", test_no_leftovers, T_ROOT },
};

int main(int argc, char **argv)
{
	const char *env = getenv("NSCTL_INIT");
	char exe[PATH_MAX];
	ssize_t n;
	int r;

	xsnprintf(prefix, sizeof(prefix), "spw%d-", (int)getpid());
	/* The init binary: $NSCTL_INIT, else build/<cc>/nsctl-init two levels above us
	 * (build/<cc>/tests/integ/test-spawn). */
	if (env && *env) {
		xsnprintf(init_path, sizeof(init_path), "%s", env);
	} else if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		for (int i = 0; i < 3 && strrchr(exe, '/'); i++)
			*strrchr(exe, '/') = '\0';
		xsnprintf(init_path, sizeof(init_path), "%s/nsctl-init", exe);
	}
	r = t_run("integ-spawn", cases, ELEMENTSOF(cases), argc, argv);
	sweep_leftovers();
	return r;
}
