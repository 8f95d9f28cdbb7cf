/* SPDX-License-Identifier: MIT */
/* topo: YAML topology file -> validated plain C model. Never touches the kernel. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Limits the validator enforces; the rest of nsctl relies on them. */
#define TOPO_IFNAMSIZ	       16 /* IFNAMSIZ: 15 bytes + NUL */
#define TOPO_LAB_NAME_MAX      32 /* prefixes netns names, cgroups, /run/nsctl/<lab> */
#define TOPO_NODE_NAME_MAX     63 /* default hostname: HOST_NAME_MAX is 64 */
#define TOPO_FILE_SIZE_MAX     (16u << 20)
#define TOPO_DEPTH_MAX	       64
#define TOPO_EXPANSION_MAX     (1u << 22) /* YAML nodes visited after alias expansion */
#define TOPO_BRIDGE_PORTS_MAX  1023	  /* kernel: BR_MAX_PORTS is 1024 with port 0 reserved */
#define TOPO_BRIDGE_PORTS_WARN 256

/* A position in the topology file, 1-based; line 0 means "no position". */
struct topo_loc {
	unsigned line, col;
};

/* An IPv4 or IPv6 address with prefix length, as written ("192.0.2.1/24"). */
struct topo_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
	unsigned prefixlen;
	struct topo_loc loc;
};

/* A string key/value pair (sysctls, env). */
struct topo_kv {
	char *key;
	char *value;
	struct topo_loc loc;
};

/* cgroup limits; a field is set iff its has_ flag is. */
struct topo_limits {
	bool has_memory, has_cpu, has_pids;
	uint64_t memory;     /* bytes */
	uint32_t cpu_millis; /* thousandths of a core: 0.5 cores = 500 */
	uint32_t pids;
	struct topo_loc memory_loc, cpu_loc, pids_loc;
};

enum topo_if_type {
	TOPO_IF_VETH, /* default: one end of a link */
	TOPO_IF_DUMMY,
	TOPO_IF_LOOPBACK, /* "lo" */
	_TOPO_IF_MAX,
};

struct topo_iface {
	char *name;
	enum topo_if_type type;
	struct topo_addr *addrs;
	size_t n_addrs;
	unsigned mtu; /* 0 = kernel default */
	bool has_mac;
	uint8_t mac[6];
	struct topo_loc loc;
	/* Filled by topo_validate(): index into topo.links, or -1 when no link uses it. */
	long link;
	/* Implicit: declared only by a link endpoint, not under interfaces:. */
	bool implicit;
};

struct topo_route {
	bool is_default; /* "to: default"; dst.family tells v4/v6 (from via when default) */
	struct topo_addr dst;
	bool has_via;
	struct topo_addr via;
	char *dev; /* optional output interface name, NULL if unset */
	unsigned metric;
	struct topo_loc loc;
};

/* One "src:dst[:ro]" bind mount; src as written (relative to the file's directory). */
struct topo_bind {
	char *src, *dst;
	bool ro;
	struct topo_loc loc;
};

/* One exec: entry (a /bin/sh -c string run inside the node after wiring). */
struct topo_exec {
	char *cmd;
	bool optional; /* failure does not fail `up` */
	struct topo_loc loc;
};

/* Node settings that `defaults:` may also carry. has_ flags say what the YAML set. */
struct topo_node_settings {
	struct topo_kv *sysctls;
	size_t n_sysctls;
	struct topo_kv *env;
	size_t n_env;
	struct topo_limits limits;
	char *rootfs; /* "host" or a directory; NULL = unset (means host) */
	struct topo_loc rootfs_loc;
	bool has_binds;
	struct topo_bind *binds;
	size_t n_binds;
	bool has_cmd;
	char **cmd; /* argv, NULL-terminated; NULL = built-in idle init */
	size_t n_cmd;
	struct topo_loc cmd_loc;
	bool has_exec;
	struct topo_exec *exec;
	size_t n_exec;
};

struct topo_node {
	char *name;
	struct topo_loc loc;
	char *hostname; /* NULL = node name */
	struct topo_loc hostname_loc;
	struct topo_iface *ifaces;
	size_t n_ifaces;
	struct topo_route *routes;
	size_t n_routes;
	struct topo_node_settings s; /* after topo_validate(): defaults merged in */
};

struct topo_bridge {
	char *name;
	unsigned mtu; /* 0 = kernel default */
	struct topo_loc loc;
	size_t n_ports; /* filled by topo_validate() */
};

enum topo_ep_kind {
	TOPO_EP_NODE,	/* "node:iface" */
	TOPO_EP_BRIDGE, /* "bridge" */
	TOPO_EP_HOST,	/* "host:ifname": an end in the host namespace */
};

struct topo_endpoint {
	enum topo_ep_kind kind;
	char *node;  /* node or bridge name; NULL for host */
	char *iface; /* interface name; NULL for a bridge */
	bool has_mac;
	uint8_t mac[6];
	struct topo_loc loc;
	bool bad; /* did not parse; validate skips checks that need it */
	/* Filled by topo_validate(): index into nodes/bridges/host.ifaces, -1 if unresolved. */
	long idx;
	long iface_idx; /* node endpoints: index into that node's ifaces */
};

struct topo_netem {
	bool has_delay, has_jitter, has_loss, has_rate, has_duplicate, has_corrupt;
	uint32_t delay_us, jitter_us;
	uint32_t loss_ppm, duplicate_ppm, corrupt_ppm; /* parts per million: 0.5% = 5000 */
	uint64_t rate_bps;			       /* bits per second */
	struct topo_loc loc;
};

struct topo_link {
	struct topo_endpoint ep[2];
	unsigned mtu; /* 0 = kernel default; applies to both ends */
	bool has_netem;
	struct topo_netem netem;
	struct topo_loc loc;
};

struct topo_test {
	char *from; /* node name */
	char *to;   /* node name or address literal */
	bool to_is_addr;
	struct topo_addr to_addr; /* when to_is_addr (prefixlen = full) */
	bool expect_fail;
	struct topo_loc loc;
};

struct topo {
	char *file; /* path as given, used in diagnostics */
	char *name;
	struct topo_loc name_loc;
	struct topo_node_settings defaults;
	struct topo_loc defaults_loc;
	struct topo_node *nodes;
	size_t n_nodes;
	struct topo_bridge *bridges;
	size_t n_bridges;
	struct topo_link *links;
	size_t n_links;
	struct topo_iface *host_ifaces; /* host: section and host: endpoints (implicit) */
	size_t n_host_ifaces;
	struct topo_test *tests;
	size_t n_tests;
	void *node_index; /* private: name -> node hash, built by topo_validate() */
};

/* ---- diagnostics ---- */

enum topo_severity { TOPO_ERROR, TOPO_WARNING };

struct topo_diag_entry {
	enum topo_severity severity;
	struct topo_loc loc;
	char *msg;
};

/* Every problem found, in file order once sorted. Owned by the caller. */
struct topo_diag {
	char *file;
	struct topo_diag_entry *entries;
	size_t n_entries;
	size_t n_errors, n_warnings;
};

/* Appends a problem at @loc to @d. Returns 0 or -ENOMEM. */
int topo_diag_add(struct topo_diag *d, enum topo_severity sev, struct topo_loc loc, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
/* Sorts by position and prints "file:line:col: error: msg" lines to @out. */
void topo_diag_print(struct topo_diag *d, FILE *out);
/* Frees the entries; @d itself is caller storage and is reset to empty. */
void topo_diag_clear(struct topo_diag *d);
/* Returns the closest candidate to @word within edit distance 2, or NULL ("did you mean"). */
const char *topo_suggest(const char *word, const char *const *candidates, size_t n);

/* ---- parsing and validation ---- */

/* Parses @path into *@ret. Structural problems go to @diag (which names the file);
 * returns 0 when the file was read (check diag->n_errors), -errno when it could not be read,
 * -EINVAL when it is not YAML at all (also in @diag). *@ret is set whenever 0 is returned. */
int topo_parse_file(const char *path, struct topo **ret, struct topo_diag *diag);
/* As topo_parse_file() on an in-memory buffer; @name is used in diagnostics. */
int topo_parse_string(const char *name, const char *buf, size_t len, struct topo **ret,
		      struct topo_diag *diag);
/* Merges defaults, resolves endpoints and checks every cross-reference rule; adds problems to
 * @diag. Returns 0 when no error was added, -EINVAL otherwise. */
int topo_validate(struct topo *t, struct topo_diag *diag);
/* Frees @t and everything it owns; accepts NULL; returns NULL. */
struct topo *topo_free(struct topo *t);

/* ---- small helpers shared with nsctl/ ---- */

/* Parses "192.0.2.1/24" / "2001:db8::1/64" / a bare address (full prefix). 0 or -EINVAL. */
int topo_addr_parse(const char *s, struct topo_addr *ret);
/* Formats @a as "addr/prefixlen" into @buf (at least TOPO_ADDRSTRLEN bytes). Returns @buf. */
#define TOPO_ADDRSTRLEN 52
char *topo_addr_format(const struct topo_addr *a, char *buf, size_t len);
/* Formats only the address part (no prefix). Returns @buf. */
char *topo_addr_format_host(const struct topo_addr *a, char *buf, size_t len);
/* True when @host lies inside the prefix @net (same family, first net->prefixlen bits equal). */
bool topo_addr_in_prefix(const struct topo_addr *host, const struct topo_addr *net);
/* Returns the node called @name or NULL (O(1) after topo_validate(), linear before). */
const struct topo_node *topo_find_node(const struct topo *t, const char *name);
/* Returns the node's interface called @name or NULL. */
const struct topo_iface *topo_node_find_iface(const struct topo_node *n, const char *name);
/* Returns the first address of @n (first interface in file order that has one, lo last);
 * prefers @family if non-zero; NULL if the node has none. */
const struct topo_addr *topo_node_first_addr(const struct topo_node *n, int family);
