/* SPDX-License-Identifier: MIT */
/* Journal format: a text file, one record per line, each line written with one write() to an
 * O_APPEND fd before the kernel call it describes, so a SIGKILL leaves at worst an intent whose
 * object may or may not exist (undo is idempotent):
 *
 *     nsctl-journal 1
 *     + 1 netns routed-h1        intent: about to create
 *     = 1                        the kernel acknowledged it
 *     ! 2                        the kernel refused it: the object is not ours
 *     complete                   up finished
 *
 * Arguments are names the validator restricted to characters without spaces. /run is tmpfs, so
 * fsync() buys nothing against a crash of the machine (which takes the namespaces too). */
#include "nsctl/state.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"

#define JOURNAL_MAGIC "nsctl-journal 1"

static const char *const jrec_names[_JREC_MAX] = {
	[JREC_NETNS] = "netns",
	[JREC_HOSTLINK] = "hostlink",
	[JREC_NODEDIR] = "nodedir",
	[JREC_CGROUP] = "cgroup",
};

const char *state_jrec_name(enum jrec_kind kind)
{
	return kind < _JREC_MAX ? jrec_names[kind] : "?";
}

struct lab_state {
	char *lab;
	char *dir;
	char *journal_path;
	char *topo_path;
	int lock_fd;
	int journal_fd;
	int seq;
};

const char *state_root(void)
{
	const char *e = getenv("NSCTL_STATE_DIR");

	return e && *e ? e : STATE_DIR_DEFAULT;
}

bool state_lab_name_ok(const char *name)
{
	size_t n = strlen(name);

	/* Same rule as the validator's: no trailing '-' and no "--" ("<lab>--fabric"). */
	if (n == 0 || n > 32 || name[0] == '-' || name[n - 1] == '-' || strstr(name, "--"))
		return false;
	for (const char *p = name; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
			return false;
	return true;
}

struct lab_state *state_free(struct lab_state *s)
{
	if (!s)
		return NULL;
	if (s->journal_fd >= 0)
		close(s->journal_fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	free(s->lab);
	free(s->dir);
	free(s->journal_path);
	free(s->topo_path);
	free(s);
	return NULL;
}

static int read_holder(int fd)
{
	char buf[32] = { 0 };
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n > 0 ? atoi(buf) : 0;
}

int state_lock(const char *lab, struct lab_state **ret, int *ret_holder)
{
	struct lab_state *s;
	_cleanup_free_ char *lock_path = NULL;
	const char *root = state_root();

	if (!state_lab_name_ok(lab))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->lock_fd = s->journal_fd = -EBADF;
	if (!(s->lab = strdup(lab)) || asprintf(&s->dir, "%s/%s", root, lab) < 0 ||
	    asprintf(&s->journal_path, "%s/journal", s->dir) < 0 ||
	    asprintf(&s->topo_path, "%s/topology.yaml", s->dir) < 0 ||
	    asprintf(&lock_path, "%s/lock", s->dir) < 0) {
		state_free(s);
		return -ENOMEM;
	}
	/* Retry when `down` of the same lab removed the dir between our mkdir and our flock. */
	for (int attempt = 0; attempt < 100; attempt++) {
		struct stat a, b;
		char pid[32];
		int fd;

		if (mkdir(root, 0755) < 0 && errno != EEXIST)
			goto fail_errno;
		if (mkdir(s->dir, 0700) < 0 && errno != EEXIST)
			goto fail_errno;
		fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			goto fail_errno;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			int e = errno;
			if (ret_holder)
				*ret_holder = read_holder(fd);
			close(fd);
			state_free(s);
			return e == EWOULDBLOCK ? -EBUSY : -e;
		}
		/* The lock counts only if the file we locked is still the one at the path. */
		if (fstat(fd, &a) < 0 || stat(lock_path, &b) < 0 || a.st_ino != b.st_ino ||
		    a.st_dev != b.st_dev) {
			close(fd);
			continue;
		}
		snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
			close(fd);
			goto fail_errno;
		}
		s->lock_fd = fd;
		*ret = s;
		return 0;
	}
	state_free(s);
	return -EAGAIN;
fail_errno:;
	int e = -errno;
	state_free(s);
	return e;
}

static struct lab_state *state_new(const char *lab)
{
	struct lab_state *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->lock_fd = s->journal_fd = -EBADF;
	if (!(s->lab = strdup(lab)) || asprintf(&s->dir, "%s/%s", state_root(), lab) < 0 ||
	    asprintf(&s->journal_path, "%s/journal", s->dir) < 0 ||
	    asprintf(&s->topo_path, "%s/topology.yaml", s->dir) < 0)
		return state_free(s);
	return s;
}

int state_open_readonly(const char *lab, struct lab_state **ret)
{
	if (!state_lab_name_ok(lab))
		return -EINVAL;
	*ret = state_new(lab);
	return *ret ? 0 : -ENOMEM;
}

int state_has_journal(const struct lab_state *s)
{
	if (access(s->journal_path, F_OK) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

const char *state_topology_path(const struct lab_state *s)
{
	return s->topo_path;
}

const char *state_lab(const struct lab_state *s)
{
	return s->lab;
}

int state_node_dir(const struct lab_state *s, const char *node, char *buf, size_t len)
{
	int n;

	if (!*node || strchr(node, '/') || streq(node, ".") || streq(node, ".."))
		return -EINVAL;
	n = snprintf(buf, len, "%s/nodes/%s", s->dir, node);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	/* Post-order (FTW_DEPTH): directories come after their contents. */
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int state_node_dir_remove(const struct lab_state *s, const char *node)
{
	char path[PATH_MAX], nodes[PATH_MAX];
	int r;

	r = state_node_dir(s, node, path, sizeof(path));
	if (r < 0)
		return r;
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* FTW_PHYS: never follow a symlink the node wrote; FTW_MOUNT: never cross into a mount. */
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return -errno;
	snprintf(nodes, sizeof(nodes), "%s/nodes", s->dir);
	(void)rmdir(nodes); /* when this was the last node */
	return 1;
}

char *state_topology_path_of(const char *lab)
{
	char *path = NULL;

	if (!state_lab_name_ok(lab))
		return NULL;
	if (asprintf(&path, "%s/%s/topology.yaml", state_root(), lab) < 0)
		return NULL;
	return path;
}

int state_peek(const char *lab, bool *ret_complete)
{
	_cleanup_free_ char *path = NULL, *line = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	bool complete = false;
	size_t cap = 0;
	ssize_t n;

	if (!state_lab_name_ok(lab))
		return -EINVAL;
	if (asprintf(&path, "%s/%s/journal", state_root(), lab) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	/* Only a whole line counts, as in state_read(): a torn last line was never written. */
	while ((n = getline(&line, &cap, f)) > 0)
		if (streq(line, "complete\n"))
			complete = true;
	if (ferror(f))
		return -EIO;
	if (ret_complete)
		*ret_complete = complete;
	return 1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	_cleanup_close_ int in = -EBADF, out = -EBADF;
	char buf[65536];
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		int r;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		r = write_all(out, buf, (size_t)n);
		if (r < 0)
			return r;
	}
	return 0;
}

static int journal_line(struct lab_state *s, const char *fmt, ...) _printf_(2, 3);

static int journal_line(struct lab_state *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (s->journal_fd < 0)
		return -EBADF;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return -ENAMETOOLONG;
	line[n++] = '\n';
	/* One write() to an O_APPEND fd: the line is whole in the file or absent. */
	return write_all(s->journal_fd, line, (size_t)n);
}

int state_begin(struct lab_state *s, const char *topo_path)
{
	int r;

	s->journal_fd =
		open(s->journal_path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (s->journal_fd < 0)
		return -errno;
	s->seq = 0;
	r = journal_line(s, JOURNAL_MAGIC);
	if (r < 0)
		return r;
	return topo_path ? copy_file(topo_path, s->topo_path) : 0;
}

int state_intent(struct lab_state *s, enum jrec_kind kind, const char *arg0, const char *arg1)
{
	int r;

	if (kind >= _JREC_MAX || strpbrk(arg0, " \t\n") || (arg1 && strpbrk(arg1, " \t\n")))
		return -EINVAL;
	r = journal_line(s, "+ %d %s %s%s%s", s->seq + 1, jrec_names[kind], arg0, arg1 ? " " : "",
			 arg1 ? arg1 : "");
	if (r < 0)
		return r;
	return ++s->seq;
}

int state_mark(struct lab_state *s, int seq, enum jrec_state st)
{
	return journal_line(s, "%c %d", st == JREC_DONE ? '=' : '!', seq);
}

int state_complete(struct lab_state *s)
{
	return journal_line(s, "complete");
}

void state_records_free(struct jrec *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].arg[0]);
		free(r[i].arg[1]);
	}
	free(r);
}

static int parse_record(char *line, struct jrec *rec, int *seq)
{
	char *save = NULL, *tok[5] = { 0 };
	size_t n = 0;

	for (char *t = strtok_r(line, " ", &save); t && n < ELEMENTSOF(tok);
	     t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	if (n < 4 || n > 5 || !streq(tok[0], "+"))
		return -EBADMSG;
	*seq = atoi(tok[1]);
	for (int k = 0; k < _JREC_MAX; k++)
		if (streq(tok[2], jrec_names[k])) {
			rec->kind = (enum jrec_kind)k;
			rec->state = JREC_INTENT;
			rec->arg[0] = strdup(tok[3]);
			rec->arg[1] = n == 5 ? strdup(tok[4]) : NULL;
			if (!rec->arg[0] || (n == 5 && !rec->arg[1]))
				return -ENOMEM;
			return 0;
		}
	return -EBADMSG;
}

int state_read(const struct lab_state *s, struct jrec **ret, size_t *ret_n, bool *ret_complete)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	struct jrec *recs = NULL;
	size_t n = 0, cap = 0;
	bool complete = false;
	int r = 0;

	f = fopen(s->journal_path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		size_t len = strlen(line);
		int seq = 0;

		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else
			continue; /* a torn last line: its write never completed, so no call
				     followed */
		if (streq(line, JOURNAL_MAGIC) || len == 0)
			continue;
		if (streq(line, "complete")) {
			complete = true;
			continue;
		}
		if ((line[0] == '=' || line[0] == '!') && line[1] == ' ') {
			seq = atoi(line + 2);
			if (seq >= 1 && (size_t)seq <= n)
				recs[seq - 1].state = line[0] == '=' ? JREC_DONE : JREC_FAILED;
			else
				r = -EBADMSG;
			continue;
		}
		struct jrec *rec = grow_one(&recs, &n, sizeof(*rec));
		if (!rec) {
			state_records_free(recs, n);
			return -ENOMEM;
		}
		int k = parse_record(line, rec, &seq);
		if (k == -ENOMEM) {
			state_records_free(recs, n);
			return k;
		}
		if (k < 0 || seq != (int)n) {
			/* Keep numbering aligned; an unreadable record is never undone by guess. */
			rec->state = JREC_FAILED;
			r = -EBADMSG;
		}
	}
	*ret = recs;
	*ret_n = n;
	if (ret_complete)
		*ret_complete = complete;
	return r;
}

int state_remove(struct lab_state *s)
{
	_cleanup_free_ char *lock_path = NULL;
	int r = 0;

	if (asprintf(&lock_path, "%s/lock", s->dir) < 0)
		return -ENOMEM;
	if (s->journal_fd >= 0) {
		close(s->journal_fd);
		s->journal_fd = -EBADF;
	}
	if (unlink(s->journal_path) < 0 && errno != ENOENT)
		r = -errno;
	if (unlink(s->topo_path) < 0 && errno != ENOENT)
		r = -errno;
	/* Unlink the lock while still holding it: a waiter that locked the old inode sees the
	 * path changed and starts over (state_lock()). */
	if (unlink(lock_path) < 0 && errno != ENOENT)
		r = -errno;
	/* Empty dirs: nodes/ once every node dir is gone, host-root/ left by an `up` that died
	 * while its launch namespace held a mount there (exec.c). */
	for (size_t i = 0; i < 2; i++) {
		char sub[PATH_MAX];

		snprintf(sub, sizeof(sub), "%s/%s", s->dir, i == 0 ? "nodes" : STATE_HOST_ROOT);
		(void)rmdir(sub);
	}
	if (rmdir(s->dir) < 0 && errno != ENOENT)
		r = -errno;
	/* The root goes too when this was the last lab; another lab's dir keeps it. */
	(void)rmdir(state_root());
	return r;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list_labs(char ***ret)
{
	DIR *d = opendir(state_root());
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (!d) {
		if (errno != ENOENT)
			return -errno;
	} else {
		while ((de = readdir(d))) {
			char **slot;
			if (!state_lab_name_ok(de->d_name))
				continue;
			/* +1 keeps a NULL terminator in place. */
			slot = grow_one(&names, &n, sizeof(*slot));
			if (!slot || !(*slot = strdup(de->d_name))) {
				closedir(d);
				for (size_t i = 0; i < n; i++)
					free(names[i]);
				free(names);
				return -ENOMEM;
			}
		}
		closedir(d);
	}
	if (!grow_one(&names, &n, sizeof(*names))) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return -ENOMEM;
	}
	n--; /* the terminator grow_one() zeroed */
	qsort(names, n, sizeof(*names), name_cmp);
	*ret = names;
	return (int)n;
}
