/* SPDX-License-Identifier: MIT */
/* A lab's state under /run/nsctl/<lab>/: the lock, the journal of created objects, and a copy
 * of the topology file. The journal is what `down` undoes, so it works without the plan and
 * after `up` was killed with SIGKILL. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define STATE_DIR_DEFAULT "/run/nsctl"

/* Kinds of journal records, one per object that must be undone explicitly. Objects inside a
 * lab's own namespaces need no record: deleting the namespace removes them. */
enum jrec_kind {
	JREC_NETNS,    /* a named network namespace: arg0 = name */
	JREC_HOSTLINK, /* a link in the host namespace: arg0 = ifname, arg1 = owner alias */
	JREC_NODEDIR,  /* a node's state dir (overlay upper, pid file): arg0 = node name */
	JREC_CGROUP,   /* a node's cgroup, which holds every process of the node: arg0 = node */
	_JREC_MAX,
};

enum jrec_state {
	JREC_INTENT, /* written before the kernel call: the object may exist */
	JREC_DONE,   /* the kernel acknowledged it: the object exists */
	JREC_FAILED, /* the kernel refused: the object was not created by us, never undo it */
};

struct jrec {
	enum jrec_kind kind;
	enum jrec_state state;
	char *arg[2];
};

struct lab_state;

/* The journal's word for @kind ("netns", "hostlink", "nodedir", "cgroup"). */
const char *state_jrec_name(enum jrec_kind kind);

/* The state root: $NSCTL_STATE_DIR if set (tests), else /run/nsctl. */
const char *state_root(void);

/* The lab dir's entry where `up` mounts the nodes' read-only host root copy, in its launch mount
 * namespace only (nsctl/spawn.h); an empty dir on the host. */
#define STATE_HOST_ROOT "host-root"

/* True when @name is a valid lab name ([a-z0-9][a-z0-9-]*, at most 32 bytes): it becomes a path. */
bool state_lab_name_ok(const char *name);

/* Creates (if needed) and locks the state dir of @lab without waiting. Returns 0, -EBUSY when
 * another nsctl holds the lab (*@ret_holder gets its pid if known, else 0), or -errno. */
int state_lock(const char *lab, struct lab_state **ret, int *ret_holder);

/* Returns 1 if the lab has a journal (it is up, or a killed `up` left one), 0 if not. */
int state_has_journal(const struct lab_state *s);

/* Starts a new journal (fails with -EEXIST if one exists) and stores a copy of @topo_path. */
int state_begin(struct lab_state *s, const char *topo_path);

/* Appends an intent record for an object about to be created; returns its sequence number (> 0)
 * or -errno. The record reaches the file (one write()) before this returns. */
int state_intent(struct lab_state *s, enum jrec_kind kind, const char *arg0, const char *arg1);
/* Marks record @seq done (the object exists) or failed (the kernel refused; not ours). */
int state_mark(struct lab_state *s, int seq, enum jrec_state st);
/* Appends the "complete" record: `up` finished. */
int state_complete(struct lab_state *s);

/* Reads the journal: *@ret gets the records in file order (free with state_records_free()),
 * *@ret_complete whether `up` finished. Returns 0, -ENOENT if there is none, or -errno
 * (-EBADMSG for a corrupt line, which is reported and skipped, never guessed). */
int state_read(const struct lab_state *s, struct jrec **ret, size_t *ret_n, bool *ret_complete);
void state_records_free(struct jrec *r, size_t n);

/* Path of the stored topology copy (valid while @s lives). */
const char *state_topology_path(const struct lab_state *s);

/* The lab's name (valid while @s lives). */
const char *state_lab(const struct lab_state *s);

/* Writes "<lab dir>/nodes/<node>" into @buf. Returns 0 or -ENAMETOOLONG. */
int state_node_dir(const struct lab_state *s, const char *node, char *buf, size_t len);

/* Removes a node's state dir and everything in it (a rootfs overlay's upper layer holds
 * whatever the node wrote) without following symlinks or crossing mounts. Only paths under
 * this lab's nodes/ are accepted. Returns 1 if removed, 0 if absent, or -errno. */
int state_node_dir_remove(const struct lab_state *s, const char *node);

/* The path of @lab's stored topology copy, without taking the lock (for status): a malloc()ed
 * string the caller frees, or NULL for an invalid lab name or on ENOMEM. The file exists only
 * while the lab is up. */
char *state_topology_path_of(const char *lab);

/* Reads @lab's journal without taking the lock, so it never waits for, or makes fail, an `up`
 * or `down` running at the same time (which may make the answer stale at once). Returns 1 with
 * *@ret_complete (optional) telling whether the journal has its "complete" record, 0 if @lab
 * has no journal (not up), -EINVAL for an invalid lab name, or another negative errno (-EACCES
 * when not root: the lab dir is 0700). An `up` still running reads as not complete. */
int state_peek(const char *lab, bool *ret_complete);

/* Removes the journal, the topology copy, the lock and the lab dir (and the state root when it
 * is empty). Returns 0 or -errno. */
int state_remove(struct lab_state *s);

/* Opens the state of @lab without locking it (exec, status): only its paths are usable.
 * Returns 0 or -EINVAL for a bad name, -ENOMEM. */
int state_open_readonly(const char *lab, struct lab_state **ret);

/* Unlocks and frees; accepts NULL; returns NULL. */
struct lab_state *state_free(struct lab_state *s);

/* Lists the labs that have a state dir: *@ret is a NULL-terminated, sorted array of names
 * (free each and the array). Returns the count or -errno. */
int state_list_labs(char ***ret);
