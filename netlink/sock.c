/* SPDX-License-Identifier: MIT */
/* The rtnetlink handle: one libnl socket per netns, a request/ACK loop that keeps the kernel's
 * exact errno and extack text, and the single libnl-error -> errno translation. */
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "netlink/nl-internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NLK_RECV_BUF (64 * 1024)

int nlk_errno_from_nle(int nle)
{
	switch (abs(nle)) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
	case NLE_MISSING_ATTR:
	case NLE_AF_MISMATCH:
	case NLE_OBJ_MISMATCH:
	case NLE_PARSE_ERR:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
	case NLE_ATTRSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
	case NLE_SRCRT_NOSUPPORT:
	case NLE_MSGTYPE_NOSUPPORT:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
	case NLE_NOCACHE:
	case NLE_PKTLOC_FILE:
		return -ENOENT;
	case NLE_NOATTR:
		return -ENODATA;
	case NLE_SEQ_MISMATCH:
		return -EPROTO;
	case NLE_MSG_OVERFLOW:
		return -EOVERFLOW;
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
		return -EBADMSG;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
	case NLE_IMMUTABLE:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_DUMP_INTR:
		return -EAGAIN; /* the dump changed under us; the caller may retry */
	case NLE_FAILURE:
	default:
		return -EIO;
	}
}

int nlk_parse_reply(struct nlmsghdr *nlh, int type, int hdrlen, struct nlattr **tb, int maxtype,
		    const struct nla_policy *policy)
{
	int r;

	if (nlh->nlmsg_type != type)
		return 0;
	if (!nlmsg_valid_hdr(nlh, hdrlen))
		return -EBADMSG;
	r = nlmsg_parse(nlh, hdrlen, tb, maxtype, policy);
	if (r < 0)
		return nlk_errno_from_nle(r);
	return 1;
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = attr;
	return MNL_CB_OK;
}

/* Copies NLMSGERR_ATTR_MSG out of an NLMSG_ERROR (error or ACK) into nl->extack. The TLVs follow
 * struct nlmsgerr, after the echoed request unless the kernel capped it (NLM_F_CAPPED);
 * see netlink(7) and iproute2's nl_dump_ext_ack(). */
static void extack_read(struct nlk *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *msg = NULL;
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (off >= mnl_nlmsg_get_payload_len(nlh))
		return;
	if (mnl_attr_parse(nlh, (unsigned)off, extack_attr_cb, &msg) < 0 || !msg)
		return;
	snprintf(nl->extack, sizeof(nl->extack), "%s", mnl_attr_get_str(msg));
}

/* libnl's default sequence check counts ACKs, so a reply left unread by an aborted request would
 * be taken for the next one's. Matching the request's own number drops such leftovers. */
static int cb_seq_check(struct nl_msg *msg, void *arg)
{
	struct nlk *nl = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == nl->call.seq ? NL_OK : NL_SKIP;
}

static int cb_valid(struct nl_msg *msg, void *arg)
{
	struct nlk *nl = arg;
	int r;

	if (!nl->call.parse || nl->call.parse_error < 0)
		return NL_OK;
	r = nl->call.parse(nlmsg_hdr(msg), nl->call.userdata);
	/* On error, keep reading up to the ACK anyway, so the socket stays in step. */
	if (r < 0)
		nl->call.parse_error = r;
	return NL_OK;
}

static int cb_ack(struct nl_msg *msg, void *arg)
{
	struct nlk *nl = arg;

	extack_read(nl, nlmsg_hdr(msg)); /* a warning on success, rare */
	nl->call.done = true;
	return NL_STOP;
}

static int cb_finish(_unused_ struct nl_msg *msg, void *arg)
{
	struct nlk *nl = arg;

	nl->call.done = true;
	return NL_STOP;
}

/* libnl would turn the kernel's errno into a lossy -NLE_* (ESRCH and ENOENT both become
 * NLE_OBJ_NOTFOUND, ENETUNREACH becomes NLE_FAILURE); keep the errno itself instead. @e is the
 * payload of the NLMSG_ERROR message, so its header sits right before it. */
static int cb_error(_unused_ struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlk *nl = arg;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);

	nl->call.kernel_error = e->error < 0 ? e->error : -e->error;
	extack_read(nl, nlh);
	nl->call.done = true;
	return NL_STOP;
}

int nlk_call(struct nlk *nl, struct nl_msg *msg, nlk_parse_fn parse, void *userdata)
{
	int r;

	nl->extack[0] = '\0';
	nl->call = (struct nlk_call){ .parse = parse, .userdata = userdata };

	r = nl_send_auto(nl->sk, msg);
	if (r < 0)
		return nlk_errno_from_nle(r);
	nl->call.seq = nlmsg_hdr(msg)->nlmsg_seq;

	/* One nl_recvmsgs() returns after each datagram that is not part of a multipart reply,
	 * e.g. an RTM_NEWLINK answer ahead of its ACK; read on until the ACK/error arrives. */
	do {
		r = nl_recvmsgs_default(nl->sk);
	} while (r >= 0 && !nl->call.done);

	if (nl->call.kernel_error < 0) {
		log_debug("netlink: request type %u refused: %s%s%s%s",
			  (unsigned)nlmsg_hdr(msg)->nlmsg_type, strerror(-nl->call.kernel_error),
			  nl->extack[0] ? " (kernel: \"" : "", nl->extack,
			  nl->extack[0] ? "\")" : "");
		return nl->call.kernel_error;
	}
	if (r < 0)
		return nlk_errno_from_nle(r);
	return nl->call.parse_error;
}

static int netns_identity(int fd, dev_t *ret_dev, ino_t *ret_ino)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*ret_dev = st.st_dev;
	*ret_ino = st.st_ino;
	return 0;
}

int nlk_owns_netns(const struct nlk *nl, int netns_fd)
{
	dev_t dev;
	ino_t ino;
	int r;

	if (netns_fd < 0)
		return 1;
	r = netns_identity(netns_fd, &dev, &ino);
	if (r < 0)
		return r;
	return dev == nl->ns_dev && ino == nl->ns_ino;
}

void nlk_copy_extack(struct nlk *dst, const struct nlk *src)
{
	if (dst && src && dst != src)
		memcpy(dst->extack, src->extack, sizeof(dst->extack));
}

int nlk_open(struct nlk **ret)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	_cleanup_close_ int nsfd = -EBADF;
	int fd, one = 1, r;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;

	/* The socket binds to the netns of the thread that creates it (not the process's). */
	nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -errno;
	r = netns_identity(nsfd, &nl->ns_dev, &nl->ns_ino);
	if (r < 0)
		return r;

	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	r = nl_connect(nl->sk, NETLINK_ROUTE); /* SOCK_CLOEXEC since libnl 3.2.x */
	/* libnl reports a socket() that hit RLIMIT_NOFILE as NLE_FAILURE ("Input/output error");
	 * its errno says what happened. */
	if (r < 0)
		return errno == EMFILE || errno == ENFILE ? -errno : nlk_errno_from_nle(r);

	/* One recvmsg() per datagram: libnl's default peeks first (MSG_PEEK|MSG_TRUNC) to size its
	 * buffer, two system calls for every ACK. A dump's datagrams are at most 32 KiB (the
	 * kernel caps its dump allocation there, net/netlink/af_netlink.c); a larger single reply
	 * fails as -EBADMSG (NLE_MSG_TRUNC), never silently cut. */
	if (nl_socket_set_msg_buf_size(nl->sk, NLK_RECV_BUF) < 0)
		return -ENOMEM;
	nl_socket_disable_msg_peek(nl->sk);

	fd = nl_socket_get_fd(nl->sk);
	/* Ask for the kernel's error text (>= 4.12); without it we still get the errno. Capping
	 * keeps the kernel from echoing whole requests back in error messages. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0)
		log_debug("netlink: NETLINK_EXT_ACK unsupported: %m");
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	if (nl_socket_modify_cb(nl->sk, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, cb_seq_check, nl) < 0 ||
	    nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, cb_valid, nl) < 0 ||
	    nl_socket_modify_cb(nl->sk, NL_CB_ACK, NL_CB_CUSTOM, cb_ack, nl) < 0 ||
	    nl_socket_modify_cb(nl->sk, NL_CB_FINISH, NL_CB_CUSTOM, cb_finish, nl) < 0 ||
	    nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, cb_error, nl) < 0)
		return -ENOMEM;

	*ret = TAKE_PTR(nl);
	return 0;
}

int nlk_open_in(int netns_fd, struct nlk **ret)
{
	_cleanup_(nlk_freep) struct nlk *nl = NULL;
	int saved = -EBADF, r, q;

	if (netns_fd < 0)
		return -EBADF;
	r = netns_enter(netns_fd, &saved);
	if (r < 0)
		return r;
	r = nlk_open(&nl);
	q = netns_leave(saved);
	if (q < 0)
		return q; /* the thread is stuck in @netns_fd: that outranks anything else */
	if (r < 0)
		return r;
	*ret = TAKE_PTR(nl);
	return 0;
}

struct nlk *nlk_free(struct nlk *nl)
{
	if (!nl)
		return NULL;
	nl_socket_free(nl->sk); /* closes the fd; accepts NULL */
	free(nl->ifindex_cache);
	free(nl);
	return NULL;
}

const char *nlk_last_extack(const struct nlk *nl)
{
	return nl ? nl->extack : "";
}
