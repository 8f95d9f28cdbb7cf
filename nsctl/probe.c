/* SPDX-License-Identifier: MIT */
/* The ICMP echo engine behind `nsctl test`: tens of thousands of pings from hundreds of network
 * namespaces in one event loop, where running ping(8) once per pair would take minutes.
 *
 * Sockets. A socket belongs to the netns it was created in, for its whole life, whatever the
 * creating thread does afterwards (the kernel fixes sock_net() in sk_alloc()). So the thread
 * visits each source namespace once with setns(), opens a raw ICMP (or ICMPv6) socket there and
 * moves on; at the end it goes back to the netns it came from, and a failure to get back is the
 * one error that outranks everything. One socket per (namespace, family): 1000 nodes need at
 * most 2000 sockets. Raw, not ping sockets (SOCK_DGRAM/IPPROTO_ICMP): those are subject to the
 * per-netns net.ipv4.ping_group_range, which a fresh netns sets to "1 0" (nobody).
 *
 * Matching. A raw ICMP socket receives every ICMP packet delivered to its namespace, so each
 * socket's requests carry its own echo identifier (a random base plus the socket's number), the
 * sequence number is the probe's position on that socket, and the payload repeats a per-run
 * random cookie and the probe's index. A reply counts only if all of these and its source
 * address match; ICMP_FILTER / ICMP6_FILTER keep everything but echo replies and the two error
 * types out of the socket in the kernel already (the echo requests other nodes send to this
 * namespace would otherwise fill the receive queue).
 *
 * Timing. The payload carries the CLOCK_REALTIME send time, and SO_TIMESTAMPNS gives the
 * kernel's receive time in the same clock, so the RTT does not include the time a reply waits
 * while the loop is busy with thousands of others (a wall-clock step during the run skews, at
 * worst, the RTTs measured across it). A reply to an earlier attempt that arrives late is still
 * a reply, with its own RTT.
 *
 * Retries. Round k sends one request for every probe still unanswered, then waits until each is
 * answered or @timeout_ms after the round's last request. The first packet to a neighbour waits
 * in the kernel's ARP/ND queue, not lost; but the neighbour's solicitation itself can be. Right
 * after link-up the device's qdisc is still the no-op one until linkwatch work activates it,
 * which may run after our first ARP request (dropped; ARP retransmits after 1 s: ~1 in 10 runs
 * of tests/integ/test-probe's first case show a 1.007 s RTT), and IPv6 loses the first
 * neighbour solicitation within ~1 s of carrier (the test-netlink ping case). Add netem loss,
 * and single attempts are flaky. */
#include "nsctl/probe.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "common/log.h"
#include "common/macro.h"

/* Probes per socket: the sequence number is 16 bits. More than that from one namespace and
 * family (never in a lab) get a second socket. */
#define GROUP_MAX     65536u
/* Messages per recvmmsg() call, and the size of each: enough for an ICMP error quoting our
 * request behind a 60-byte IPv4 header twice (60 + 8 + 60 + 8 + payload). */
#define RECV_BATCH    32
#define RECV_LEN      512
/* Requests sent before the loop looks at the receive side again, so replies are consumed while
 * a large round is still going out. */
#define SEND_BUDGET   512
/* Socket buffer bytes per probe on a socket: a reply skb on a veth costs ~1 KiB of truesize.
 * Only what is queued counts against the buffer, so a generous limit costs no memory. */
#define BUF_PER_PROBE 2048
#define BUF_MIN	      (256 * 1024)
#define BUF_MAX	      (16 * 1024 * 1024)

/* What every request carries after the 8-byte ICMP header (host byte order: only we read it). */
struct payload {
	uint64_t cookie;
	uint32_t index; /* into the caller's array */
	uint32_t attempt;
	int64_t sec, nsec; /* CLOCK_REALTIME at sendto() */
};

#define ICMP_HDR_LEN 8
#define PKT_LEN	     (ICMP_HDR_LEN + sizeof(struct payload))

/* All probes of one (netns fd, family), sent through one socket. */
struct group {
	int fd; /* the raw socket; -EBADF if it could not be opened (its probes are errors) */
	int netns_fd;
	int family;
	uint16_t id;	 /* ICMP echo identifier of every request on this socket */
	size_t first, n; /* its probes: run.order[first .. first + n); seq = position */
	size_t cursor;	 /* next position to consider sending in this round */
	bool blocked;	 /* sendto() said EAGAIN: waiting for EPOLLOUT */
};

struct run {
	struct probe *p;
	size_t n;
	size_t *order; /* probe indices grouped by (netns_fd, family), in caller order inside */
	struct group *g;
	size_t n_groups;
	int epfd;
	uint64_t cookie;
	uint32_t attempt;
	size_t unanswered;	   /* probes without a final status */
	size_t rr;		   /* round-robin position of the sender */
	struct timespec last_send; /* CLOCK_MONOTONIC of the round's last request */
	/* recvmmsg() scratch */
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_in6 names[RECV_BATCH];
	uint8_t bufs[RECV_BATCH][RECV_LEN] __attribute__((aligned(8)));
	uint8_t cmsgs[RECV_BATCH][CMSG_SPACE(sizeof(struct timespec)) + 64]
		__attribute__((aligned(8)));
};

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static struct timespec now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

/* RFC 1071 checksum over @len bytes; returns it in host order. */
static uint16_t inet_csum(const uint8_t *b, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(b + i);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

const char *probe_status_to_string(enum probe_status s)
{
	static const char *const names[_PROBE_STATUS_MAX] = {
		[PROBE_PENDING] = "pending", [PROBE_OK] = "ok",
		[PROBE_TIMEOUT] = "timeout", [PROBE_UNREACHABLE] = "unreachable",
		[PROBE_ERROR] = "error",
	};

	return (unsigned)s < _PROBE_STATUS_MAX ? names[s] : "error";
}

static const char *icmp4_reason(int type, int code)
{
	if (type == ICMP_TIME_EXCEEDED)
		return code == 0 ? "TTL exceeded in transit" : "fragment reassembly time exceeded";
	switch (code) {
	case ICMP_NET_UNREACH:
	case ICMP_NET_UNKNOWN:
		return "network unreachable";
	case ICMP_HOST_UNREACH:
	case ICMP_HOST_UNKNOWN:
		return "host unreachable";
	case ICMP_PROT_UNREACH:
		return "protocol unreachable";
	case ICMP_PORT_UNREACH:
		return "port unreachable";
	case ICMP_FRAG_NEEDED:
		return "fragmentation needed";
	case ICMP_NET_ANO:
	case ICMP_HOST_ANO:
	case ICMP_PKT_FILTERED:
		return "administratively prohibited";
	default:
		return "destination unreachable";
	}
}

static const char *icmp6_reason(int type, int code)
{
	if (type == ICMP6_TIME_EXCEEDED)
		return code == 0 ? "hop limit exceeded in transit"
				 : "fragment reassembly time exceeded";
	switch (code) {
	case ICMP6_DST_UNREACH_NOROUTE:
		return "network unreachable";
	case ICMP6_DST_UNREACH_ADMIN:
		return "administratively prohibited";
	case ICMP6_DST_UNREACH_ADDR:
		return "host unreachable";
	case ICMP6_DST_UNREACH_NOPORT:
		return "port unreachable";
	case 6: /* reject route to destination (RFC 4443) */
		return "network unreachable (reject route)";
	default:
		return "destination unreachable";
	}
}

char *probe_format_rtt(uint32_t rtt_us, char *buf, size_t len)
{
	double ms = rtt_us / 1000.0;

	/* Three significant digits at most, as ping(8) prints them. */
	snprintf(buf, len, "%.*f ms", ms < 1 ? 3 : ms < 10 ? 2 : ms < 100 ? 1 : 0, ms);
	return buf;
}

char *probe_describe(const struct probe *p, char *buf, size_t len)
{
	char from[INET6_ADDRSTRLEN], rtt[32];

	switch (p->status) {
	case PROBE_OK:
		snprintf(buf, len, "reply in %s", probe_format_rtt(p->rtt_us, rtt, sizeof(rtt)));
		break;
	case PROBE_TIMEOUT:
		snprintf(buf, len, "timeout (no reply to %u request%s)", p->sent,
			 p->sent == 1 ? "" : "s");
		break;
	case PROBE_UNREACHABLE:
		if (p->icmp_type >= 0) {
			if (!inet_ntop(p->family, p->from, from, sizeof(from)))
				snprintf(from, sizeof(from), "?");
			snprintf(buf, len, "%s (from %s)",
				 p->family == AF_INET ? icmp4_reason(p->icmp_type, p->icmp_code)
						      : icmp6_reason(p->icmp_type, p->icmp_code),
				 from);
		} else if (p->err == -ENETUNREACH)
			snprintf(buf, len, "network unreachable (no route)");
		else if (p->err == -EHOSTUNREACH)
			snprintf(buf, len, "host unreachable");
		else
			snprintf(buf, len, "unreachable: %s", strerror(-p->err));
		break;
	case PROBE_ERROR:
		snprintf(buf, len, "send failed: %s", strerror(p->err < 0 ? -p->err : EIO));
		break;
	default:
		snprintf(buf, len, "not run");
		break;
	}
	return buf;
}

/* ---- file descriptors ---- */

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int probe_reserve_fds(size_t extra)
{
	struct rlimit rl;
	int open_fds;
	rlim_t need;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	open_fds = count_open_fds();
	if (open_fds < 0)
		open_fds = 64; /* no /proc: assume a small process */
	/* New fds take the lowest free numbers, so the count (plus slack for what libc and the
	 * caller open meanwhile) is what matters, not the highest fd in use. */
	need = (rlim_t)open_fds + extra + 32;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		return -EMFILE;
	/* The soft limit (1024 by default) exists for select() users; nsctl uses epoll. Raise it to
	 * what this run needs and no further: programs nsctl starts later inherit it, and some of
	 * them loop over every possible fd. */
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	log_debug("probe: raised the RLIMIT_NOFILE soft limit to %llu", (unsigned long long)need);
	return 0;
}

/* ---- setup ---- */

struct sort_key {
	int netns_fd, family;
	size_t index;
};

static int sort_key_cmp(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;

	if (x->netns_fd != y->netns_fd)
		return x->netns_fd < y->netns_fd ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Fills r->order and r->g: one group per (netns_fd, family), split at GROUP_MAX. */
static int build_groups(struct run *r)
{
	_cleanup_free_ struct sort_key *keys = NULL;
	size_t n_groups = 0;

	keys = calloc(r->n, sizeof(*keys));
	r->order = calloc(r->n, sizeof(*r->order));
	r->g = calloc(r->n, sizeof(*r->g)); /* at most one group per probe */
	if (!keys || !r->order || !r->g)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++)
		keys[i] = (struct sort_key){ r->p[i].netns_fd < 0 ? -1 : r->p[i].netns_fd,
					     r->p[i].family, i };
	qsort(keys, r->n, sizeof(*keys), sort_key_cmp);

	for (size_t i = 0; i < r->n; i++) {
		struct group *g = n_groups ? &r->g[n_groups - 1] : NULL;

		r->order[i] = keys[i].index;
		if (!g || g->netns_fd != keys[i].netns_fd || g->family != keys[i].family ||
		    g->n == GROUP_MAX) {
			g = &r->g[n_groups++];
			*g = (struct group){
				.fd = -EBADF,
				.netns_fd = keys[i].netns_fd,
				.family = keys[i].family,
				.first = i,
			};
		}
		g->n++;
	}
	r->n_groups = n_groups;
	return 0;
}

static void set_buf(int fd, int force_opt, int opt, size_t n_probes)
{
	size_t want = n_probes * BUF_PER_PROBE;
	int v;

	want = want < BUF_MIN ? BUF_MIN : want > BUF_MAX ? BUF_MAX : want;
	v = (int)want;
	/* The *FORCE variants pass net.core.[rw]mem_max (CAP_NET_ADMIN, which `nsctl test` has as
	 * root); without it the kernel caps the plain option silently. Either way it is only a
	 * hint: a smaller buffer costs retries, not results. */
	if (setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof(v)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v));
}

/* Opens @g's socket in the calling thread's current netns. Returns the fd or a negative errno. */
static int group_socket(const struct group *g)
{
	_cleanup_close_ int fd = -EBADF;
	int one = 1;

	if (g->family == AF_INET) {
		/* ICMP_FILTER is a mask of the types to drop (raw(7)). */
		struct icmp_filter f = { .data = ~((1u << ICMP_ECHOREPLY) |
						   (1u << ICMP_DEST_UNREACH) |
						   (1u << ICMP_TIME_EXCEEDED)) };

		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
		if (fd < 0)
			return -errno;
		if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f)) < 0)
			return -errno;
	} else {
		/* RFC 3542 filter: pass only what we parse. The kernel fills in the ICMPv6
		 * checksum on raw ICMPv6 sockets (RFC 3542 3.1), and Linux drops received
		 * messages whose checksum is wrong before we see them. */
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
		fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
		if (fd < 0)
			return -errno;
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0)
			return -errno;
	}
	/* Without kernel timestamps the RTT still works, from the time we read the reply. */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, g->n);
	set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, g->n);
	return TAKE_FD(fd);
}

/* A setup error that fails the whole run rather than one namespace's probes. */
static bool socket_error_is_fatal(int r)
{
	return r == -EPERM || r == -EACCES || r == -EMFILE || r == -ENFILE || r == -ENOMEM ||
	       r == -ENOBUFS;
}

/* Settles every probe of @g with PROBE_ERROR @err: its socket cannot be had. */
static void group_fail(struct run *r, const struct group *g, int err)
{
	for (size_t k = 0; k < g->n; k++) {
		struct probe *p = &r->p[r->order[g->first + k]];

		p->status = PROBE_ERROR;
		p->err = err;
	}
	r->unanswered -= g->n;
}

/* Opens every group's socket, visiting each namespace once. A namespace that cannot be entered
 * or a family the kernel lacks (-EAFNOSUPPORT: IPv6 disabled) fails only that group's probes.
 * Returns 0 or a negative errno; the calling thread is back in its own netns in every case,
 * unless switching back failed, which is then the error returned. */
static int open_sockets(struct run *r)
{
	_cleanup_close_ int saved = -EBADF;
	int cur = -1; /* the netns fd the thread is in; -1 = its own */
	int fatal = 0;

	/* setns() moves only the calling thread: save this thread's netns, not the process's. */
	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return -errno;

	for (size_t i = 0; i < r->n_groups && !fatal; i++) {
		struct group *g = &r->g[i];
		int want = g->netns_fd, fd;

		if (want != cur) {
			if (setns(want >= 0 ? want : saved, CLONE_NEWNET) < 0) {
				/* A failed setns() leaves the thread where it was. */
				group_fail(r, g, -errno);
				log_debug("probe: cannot enter netns fd %d: %m", want);
				continue;
			}
			cur = want;
		}
		fd = group_socket(g);
		if (fd < 0 && socket_error_is_fatal(fd)) {
			fatal = fd;
			break;
		}
		if (fd < 0) {
			group_fail(r, g, fd);
			continue;
		}
		g->fd = fd;
	}

	if (cur != -1 && setns(saved, CLONE_NEWNET) < 0) {
		/* Stranded in a lab namespace: nothing else may happen on this thread. */
		int q = -errno;

		log_debug_errno(q, "probe: cannot switch back to the original netns");
		return q;
	}
	return fatal;
}

static int ep_set(struct run *r, size_t gi, bool want_out)
{
	struct epoll_event ev = {
		.events = EPOLLIN | (want_out ? EPOLLOUT : 0),
		.data.u64 = gi,
	};

	if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->g[gi].fd, &ev) < 0)
		return -errno;
	return 0;
}

/* ---- sending ---- */

static void finish(struct run *r, struct probe *p, enum probe_status s)
{
	if (p->status != PROBE_PENDING)
		return;
	p->status = s;
	r->unanswered--;
}

/* Sends the request for the probe at position @pos of @g. Returns 0 if it went out or the probe
 * is settled, -EAGAIN if the socket is full (try again on EPOLLOUT). */
static int send_one(struct run *r, struct group *g, size_t pos)
{
	size_t k = r->order[g->first + pos];
	struct probe *p = &r->p[k];
	uint8_t pkt[PKT_LEN] __attribute__((aligned(8)));
	struct payload pl = { .cookie = r->cookie, .index = (uint32_t)k, .attempt = r->attempt };
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	struct timespec t;

	if (g->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, p->dst, 4);
		sl = sizeof(*sin);
		pkt[0] = ICMP_ECHO;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, p->dst, 16);
		sl = sizeof(*sin6);
		pkt[0] = ICMP6_ECHO_REQUEST;
	}
	pkt[1] = 0;			/* code */
	pkt[2] = pkt[3] = 0;		/* checksum */
	pkt[4] = (uint8_t)(g->id >> 8); /* identifier */
	pkt[5] = (uint8_t)g->id;
	pkt[6] = (uint8_t)(pos >> 8); /* sequence number */
	pkt[7] = (uint8_t)pos;

	for (;;) {
		ssize_t w;

		clock_gettime(CLOCK_REALTIME, &t);
		pl.sec = t.tv_sec;
		pl.nsec = t.tv_nsec;
		memcpy(pkt + ICMP_HDR_LEN, &pl, sizeof(pl));
		if (g->family == AF_INET) {
			uint16_t c;

			pkt[2] = pkt[3] = 0;
			c = inet_csum(pkt, sizeof(pkt));
			pkt[2] = (uint8_t)(c >> 8);
			pkt[3] = (uint8_t)c;
		}
		w = sendto(g->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl);
		if (w >= 0) {
			p->sent++;
			r->last_send = now_mono();
			return 0;
		}
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
			return -EAGAIN;
		case ENETUNREACH:
		case EHOSTUNREACH:
		case ENETDOWN:
			/* The source has no route (or the neighbour already failed): final, as
			 * ping's "connect: Network is unreachable". */
			p->err = -errno;
			finish(r, p, PROBE_UNREACHABLE);
			return 0;
		case ENOBUFS:
		case ENOMEM:
			/* Transient: the next round tries again. */
			p->err = -errno;
			return 0;
		default:
			p->err = -errno;
			finish(r, p, PROBE_ERROR);
			return 0;
		}
	}
}

/* Sends up to SEND_BUDGET requests of the current round, round-robin over the sockets that have
 * room. Returns 0 or a negative errno (epoll). */
static int send_some(struct run *r)
{
	unsigned budget = SEND_BUDGET;
	size_t idle = 0; /* groups in a row that had nothing to send */

	while (budget > 0 && idle < r->n_groups) {
		struct group *g = &r->g[r->rr];
		size_t gi = r->rr;
		bool sent = false;

		r->rr = (r->rr + 1) % r->n_groups;
		if (g->fd < 0 || g->blocked) {
			idle++;
			continue;
		}
		/* A few requests per socket per turn spread the burst over namespaces. */
		for (unsigned quota = 16; quota > 0 && g->cursor < g->n && budget > 0;) {
			struct probe *p = &r->p[r->order[g->first + g->cursor]];
			int q;

			if (p->status != PROBE_PENDING) {
				g->cursor++;
				continue;
			}
			q = send_one(r, g, g->cursor);
			if (q == -EAGAIN) {
				g->blocked = true;
				q = ep_set(r, gi, true);
				if (q < 0)
					return q;
				break;
			}
			g->cursor++;
			quota--;
			budget--;
			sent = true;
		}
		idle = sent ? 0 : idle + 1;
	}
	return 0;
}

/* ---- receiving ---- */

/* Returns the index of the probe that the echo (request or reply) header @icmp of @len bytes,
 * seen on @g and involving the remote address @addr, belongs to; SIZE_MAX if none. @need_payload:
 * a reply must carry our payload; an ICMP error may quote less of the request. */
static size_t match(const struct run *r, const struct group *g, const uint8_t *icmp, size_t len,
		    const uint8_t *addr, bool need_payload)
{
	uint16_t id = get16(icmp + 4), seq = get16(icmp + 6);
	struct payload pl;
	size_t k;

	if (id != g->id || seq >= g->n)
		return SIZE_MAX;
	k = r->order[g->first + seq];
	if (memcmp(r->p[k].dst, addr, addr_len(g->family)) != 0)
		return SIZE_MAX;
	if (len < PKT_LEN)
		return need_payload ? SIZE_MAX : k;
	memcpy(&pl, icmp + ICMP_HDR_LEN, sizeof(pl));
	if (pl.cookie != r->cookie || pl.index != k)
		return SIZE_MAX;
	return k;
}

static void on_reply(struct run *r, size_t k, const uint8_t *icmp, const struct timespec *rx)
{
	struct probe *p = &r->p[k];
	struct payload pl;
	int64_t ns;

	if (p->status != PROBE_PENDING)
		return; /* a duplicate, or a late reply to an earlier attempt */
	memcpy(&pl, icmp + ICMP_HDR_LEN, sizeof(pl));
	ns = ts_ns(rx) - (pl.sec * 1000000000 + pl.nsec);
	/* Rounded up, so an answered probe never shows 0; a clock step backwards gives 1. */
	ns = ns <= 0 ? 1 : ns;
	p->rtt_us = ns / 1000 >= UINT32_MAX ? UINT32_MAX : (uint32_t)((ns + 999) / 1000);
	p->err = 0;
	finish(r, p, PROBE_OK);
}

static void on_error(struct run *r, size_t k, int type, int code, const uint8_t *from)
{
	struct probe *p = &r->p[k];

	if (p->status != PROBE_PENDING)
		return;
	p->icmp_type = type;
	p->icmp_code = code;
	memcpy(p->from, from, addr_len(p->family));
	p->err = 0;
	finish(r, p, PROBE_UNREACHABLE);
}

/* An IPv4 packet from a raw socket: the IP header comes first (raw(7)). */
static void parse4(struct run *r, const struct group *g, const uint8_t *b, size_t len,
		   const struct timespec *rx)
{
	size_t ihl, k;
	const uint8_t *icmp, *in, *in_icmp;

	if (len < 20 || (b[0] >> 4) != 4)
		return;
	ihl = (size_t)(b[0] & 0xf) * 4;
	if (ihl < 20 || len < ihl + ICMP_HDR_LEN)
		return;
	icmp = b + ihl;
	len -= ihl;

	if (icmp[0] == ICMP_ECHOREPLY) {
		/* The kernel does not check ICMP checksums for raw sockets; netem corrupts. */
		if (inet_csum(icmp, len) != 0)
			return;
		k = match(r, g, icmp, len, b + 12 /* saddr */, true);
		if (k != SIZE_MAX)
			on_reply(r, k, icmp, rx);
		return;
	}
	if (icmp[0] != ICMP_DEST_UNREACH && icmp[0] != ICMP_TIME_EXCEEDED)
		return;
	/* The error quotes our request: its IP header, then at least 8 bytes (RFC 792). */
	in = icmp + ICMP_HDR_LEN;
	len -= ICMP_HDR_LEN;
	if (len < 20 || (in[0] >> 4) != 4 || in[9] != IPPROTO_ICMP)
		return;
	ihl = (size_t)(in[0] & 0xf) * 4;
	if (ihl < 20 || len < ihl + ICMP_HDR_LEN)
		return;
	in_icmp = in + ihl;
	if (in_icmp[0] != ICMP_ECHO)
		return;
	k = match(r, g, in_icmp, len - ihl, in + 16 /* daddr */, false);
	if (k != SIZE_MAX)
		on_error(r, k, icmp[0], icmp[1], b + 12);
}

/* An ICMPv6 message from a raw socket: no IPv6 header, the source is in @src (raw(7)). */
static void parse6(struct run *r, const struct group *g, const uint8_t *b, size_t len,
		   const struct sockaddr_in6 *src, const struct timespec *rx)
{
	const uint8_t *in;
	size_t k;

	if (len < ICMP_HDR_LEN)
		return;
	if (b[0] == ICMP6_ECHO_REPLY) {
		k = match(r, g, b, len, (const uint8_t *)&src->sin6_addr, true);
		if (k != SIZE_MAX)
			on_reply(r, k, b, rx);
		return;
	}
	if (b[0] != ICMP6_DST_UNREACH && b[0] != ICMP6_TIME_EXCEEDED)
		return;
	/* The quoted request: a 40-byte IPv6 header (we send no extension headers), then ours. */
	in = b + ICMP_HDR_LEN;
	len -= ICMP_HDR_LEN;
	if (len < 40 + ICMP_HDR_LEN || (in[0] >> 4) != 6 || in[6] != IPPROTO_ICMPV6)
		return;
	if (in[40] != ICMP6_ECHO_REQUEST)
		return;
	k = match(r, g, in + 40, len - 40, in + 24 /* destination */, false);
	if (k != SIZE_MAX)
		on_error(r, k, b[0], b[1], (const uint8_t *)&src->sin6_addr);
}

/* Reads everything queued on @g's socket. */
static void drain(struct run *r, const struct group *g)
{
	for (;;) {
		int m;

		for (size_t i = 0; i < RECV_BATCH; i++) {
			r->iov[i] = (struct iovec){ r->bufs[i], RECV_LEN };
			r->msgs[i].msg_hdr = (struct msghdr){
				.msg_name = &r->names[i],
				.msg_namelen = sizeof(r->names[i]),
				.msg_iov = &r->iov[i],
				.msg_iovlen = 1,
				.msg_control = r->cmsgs[i],
				.msg_controllen = sizeof(r->cmsgs[i]),
			};
		}
		m = recvmmsg(g->fd, r->msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (m < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN: empty. Anything else (a queued ICMP error, ENOMEM) is not
			 * about one probe; the timeout covers whatever was lost. */
			return;
		}
		for (int i = 0; i < m; i++) {
			struct msghdr *mh = &r->msgs[i].msg_hdr;
			struct timespec rx = { 0 };
			size_t len = r->msgs[i].msg_len;

			for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
				if (c->cmsg_level == SOL_SOCKET &&
				    c->cmsg_type == SCM_TIMESTAMPNS &&
				    c->cmsg_len >= CMSG_LEN(sizeof(rx)))
					memcpy(&rx, CMSG_DATA(c), sizeof(rx));
			if (rx.tv_sec == 0)
				clock_gettime(CLOCK_REALTIME, &rx);
			if (len > RECV_LEN) /* MSG_TRUNC: only the start is there */
				len = RECV_LEN;
			if (g->family == AF_INET)
				parse4(r, g, r->bufs[i], len, &rx);
			else if (mh->msg_namelen >= sizeof(struct sockaddr_in6))
				parse6(r, g, r->bufs[i], len, &r->names[i], &rx);
		}
		if (m < RECV_BATCH)
			return;
	}
}

/* ---- the loop ---- */

static int ms_until(const struct timespec *deadline)
{
	struct timespec now = now_mono();
	int64_t ns = ts_ns(deadline) - ts_ns(&now);

	if (ns <= 0)
		return 0;
	return ns / 1000000 >= INT_MAX ? INT_MAX : (int)((ns + 999999) / 1000000);
}

static struct timespec ts_add_ms(struct timespec t, unsigned ms)
{
	int64_t ns = ts_ns(&t) + (int64_t)ms * 1000000;

	return (struct timespec){ .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
}

/* Polls once for at most @timeout ms and handles what is ready. Returns 0 or a negative errno. */
static int poll_once(struct run *r, int timeout)
{
	struct epoll_event ev[64];
	int m;

	m = epoll_wait(r->epfd, ev, ELEMENTSOF(ev), timeout);
	if (m < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < m; i++) {
		size_t gi = ev[i].data.u64;
		struct group *g = &r->g[gi];

		if (ev[i].events & (EPOLLIN | EPOLLERR))
			drain(r, g);
		if ((ev[i].events & EPOLLOUT) && g->blocked) {
			int q;

			g->blocked = false;
			q = ep_set(r, gi, false);
			if (q < 0)
				return q;
		}
	}
	return 0;
}

/* One attempt: a request for every unanswered probe, then wait. Returns 0 or a negative errno. */
static int run_round(struct run *r, unsigned timeout_ms)
{
	struct timespec start = now_mono(), send_deadline, deadline;
	int q;

	r->rr = 0;
	for (size_t i = 0; i < r->n_groups; i++)
		r->g[i].cursor = 0;
	r->last_send = start;
	/* A socket whose buffer never drains (requests stuck behind neighbour resolution) gets
	 * one timeout to make room; what it could not send waits for the next round. */
	send_deadline = ts_add_ms(start, timeout_ms);

	while (r->unanswered > 0) {
		bool left = false, ready = false;

		q = send_some(r);
		if (q < 0)
			return q;
		for (size_t i = 0; i < r->n_groups && !ready; i++) {
			const struct group *g = &r->g[i];

			if (g->fd >= 0 && g->cursor < g->n) {
				left = true;
				ready = !g->blocked;
			}
		}
		if (!left)
			break;
		if (!ready && ms_until(&send_deadline) == 0)
			break; /* give up on the blocked rest of this round */
		q = poll_once(r, ready ? 0 : ms_until(&send_deadline));
		if (q < 0)
			return q;
	}

	deadline = ts_add_ms(r->last_send, timeout_ms);
	while (r->unanswered > 0) {
		int t = ms_until(&deadline);

		if (t == 0)
			break;
		q = poll_once(r, t);
		if (q < 0)
			return q;
	}
	return 0;
}

static void run_done(struct run *r)
{
	if (r->g)
		for (size_t i = 0; i < r->n_groups; i++)
			if (r->g[i].fd >= 0)
				close(r->g[i].fd);
	if (r->epfd >= 0)
		close(r->epfd);
	free(r->g);
	free(r->order);
	free(r);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct run *, run_done);

static uint64_t random_u64(void)
{
	uint64_t v;
	struct timespec t;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* Only uniqueness against other runs matters, not secrecy. */
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)ts_ns(&t) ^ ((uint64_t)getpid() << 32);
}

int probe_run(struct probe *p, size_t n, unsigned timeout_ms, unsigned attempts)
{
	_cleanup_(run_donep) struct run *r = NULL;
	uint16_t id_base;
	int q;

	if (timeout_ms == 0)
		timeout_ms = PROBE_TIMEOUT_MS_DEFAULT;
	if (attempts == 0)
		attempts = PROBE_ATTEMPTS_DEFAULT;
	if (n == 0)
		return 0;
	if (!p || n > UINT32_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (p[i].family != AF_INET && p[i].family != AF_INET6)
			return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		p[i].status = PROBE_PENDING;
		p[i].rtt_us = 0;
		p[i].err = 0;
		p[i].icmp_type = p[i].icmp_code = -1;
		memset(p[i].from, 0, sizeof(p[i].from));
		p[i].sent = 0;
	}

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->epfd = -EBADF;
	r->p = p;
	r->n = r->unanswered = n;
	q = build_groups(r);
	if (q < 0)
		return q;

	/* One fd per socket, the epoll fd and the saved netns fd. */
	q = probe_reserve_fds(r->n_groups + 2);
	if (q < 0)
		return q;
	r->cookie = random_u64();
	id_base = (uint16_t)r->cookie;
	for (size_t i = 0; i < r->n_groups; i++)
		r->g[i].id = (uint16_t)(id_base + i);

	q = open_sockets(r);
	if (q < 0)
		return q;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0)
		return -errno;
	for (size_t i = 0; i < r->n_groups; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = i };

		if (r->g[i].fd >= 0 && epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->g[i].fd, &ev) < 0)
			return -errno;
	}

	for (r->attempt = 1; r->attempt <= attempts && r->unanswered > 0; r->attempt++) {
		q = run_round(r, timeout_ms);
		if (q < 0)
			return q;
	}

	for (size_t i = 0; i < n; i++) {
		if (p[i].status != PROBE_PENDING)
			continue;
		if (p[i].sent > 0) {
			p[i].status = PROBE_TIMEOUT;
			p[i].err = 0;
		} else {
			/* Never out: the socket had no room in any round, or ENOBUFS each time. */
			p[i].status = PROBE_ERROR;
			if (p[i].err == 0)
				p[i].err = -EAGAIN;
		}
	}
	return 0;
}
