/* SPDX-License-Identifier: MIT */
/* The wire contract between the node launcher (nsctl/spawn.c) and nsctl-init (PID 1 of a node).
 * Plain C and libc types only: the init includes it and links nothing but libc.
 *
 * The launcher execs the init with two extra descriptors and an empty environment:
 *
 *   fd 3  the configuration: a sealed-by-convention memfd holding "key=value\0" records, the first
 *         of which is NSCTL_INIT_MAGIC (no '='). Values may hold any byte but NUL; a key never
 *         holds '='. Repeated keys keep their order (arg, env, bind-*).
 *   fd 4  the status pipe: the init writes exactly one struct nsctl_init_report (less than
 *         PIPE_BUF, so the write is atomic) and closes it: err 0 once the root is pivoted and cmd
 *         started, or a positive errno and the failing step, after which it exits.
 *
 * argv[1] is the node's hostname, for `ps` on the host only. */
#pragma once

#include <stdint.h>

#define NSCTL_INIT_MAGIC     "nsctl-init/1"
#define NSCTL_INIT_CONFIG_FD 3
#define NSCTL_INIT_STATUS_FD 4

/* Keys of the configuration records. */
#define NSCTL_INIT_K_HOSTNAME  "hostname"      /* required */
#define NSCTL_INIT_K_ROOTFS    "rootfs"	       /* absolute dir: overlay lower; absent = host root */
#define NSCTL_INIT_K_HOST_ROOT "host-root"     /* no rootfs: a ready read-only host root */
#define NSCTL_INIT_K_STATE     "state"	       /* absolute per-node dir (made if missing) */
#define NSCTL_INIT_K_HOSTS     "hosts"	       /* /etc/hosts content */
#define NSCTL_INIT_K_BIND_SRC  "bind-src"      /* starts a bind: absolute host path, resolved */
#define NSCTL_INIT_K_BIND_DST  "bind-dst"      /* its destination inside the node */
#define NSCTL_INIT_K_BIND_RO   "bind-ro"       /* "1": the bind is read-only (recursively) */
#define NSCTL_INIT_K_ARG       "arg"	       /* cmd argv, in order; none = idle */
#define NSCTL_INIT_K_ENV       "env"	       /* "K=V" for cmd */
#define NSCTL_INIT_K_EXIT      "exit-with-cmd" /* "1": exit with cmd's status when cmd exits */
#define NSCTL_INIT_K_LOG       "log"	       /* host file: stdout+stderr of the init and cmd */
#define NSCTL_INIT_K_PID_FILE  "pid-file"      /* host file: the init's pid as /proc shows it */

struct nsctl_init_report {
	int32_t err;	/* 0 = ready; else a positive errno */
	char step[252]; /* the failing step, NUL-terminated ("mount proc on /proc") */
};
