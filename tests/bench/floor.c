/* bench-floor: the raw-rtnetlink floor for the nsctl benchmark (tests/bench/). Not part of
 * nsctl: it only shows how fast the kernel builds a lab's network when a program does nothing
 * but send the requests.
 *
 *     bench-floor SPEC        (SPEC: the floor.spec that tests/bench/ipbatch.py writes)
 *
 * builds the network, prints {"up_seconds":…,"down_seconds":…,"phases":{…}} and removes
 * everything again. Namespaces the iproute2 way (an nsfs bind mount on /run/netns/<name>,
 * made after unshare(CLONE_NEWNET) in this process, which opens one rtnetlink socket inside
 * each before going back); veths created from the first end's socket with the peer placed by
 * IFLA_NET_NS_FD and both ifindexes chosen by us (a fresh netns has only lo=1), so no request
 * ever waits for a lookup. Requests are pipelined: up to 60 KiB or 256 messages per sendmsg(), one
 * ACK per request read and checked after each send. Down: umount2(MNT_DETACH) + unlink of each
 * name it created. Network only, like the ip -batch baseline: no processes. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NETNS_DIR "/run/netns"
#define CHUNK	  (60 * 1024)
#define MAX_MSGS  256 /* per sendmsg: bounds the ACKs queued on the socket */

struct ifc {
	char name[IFNAMSIZ];
	int index;
};

struct ns {
	char name[64];
	int fd;
	struct mnl_socket *nl;
	int next_index;
	struct ifc *ifs;
	size_t n_ifs;
	char *buf; /* pending messages */
	size_t len, n_msgs;
	unsigned seq;
	int created; /* the /run/netns file is ours */
};

static struct ns *nss;
static size_t n_ns;
static char **lines;
static size_t n_lines;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static struct ns *ns_get(const char *name)
{
	for (size_t i = 0; i < n_ns; i++)
		if (!strcmp(nss[i].name, name))
			return &nss[i];
	fprintf(stderr, "bench-floor: unknown netns '%s'\n", name);
	exit(1);
}

static int if_index(struct ns *s, const char *name, int create)
{
	for (size_t i = 0; i < s->n_ifs; i++)
		if (!strcmp(s->ifs[i].name, name))
			return s->ifs[i].index;
	if (!strcmp(name, "lo"))
		return 1;
	if (!create) {
		fprintf(stderr, "bench-floor: no interface '%s' in '%s'\n", name, s->name);
		exit(1);
	}
	s->ifs = realloc(s->ifs, (s->n_ifs + 1) * sizeof(*s->ifs));
	if (!s->ifs)
		die("realloc");
	snprintf(s->ifs[s->n_ifs].name, IFNAMSIZ, "%s", name);
	s->ifs[s->n_ifs].index = s->next_index++;
	return s->ifs[s->n_ifs++].index;
}

/* Sends the pending requests of @s, then reads one ACK per request; any error is fatal. */
static void flush(struct ns *s)
{
	char rx[MNL_SOCKET_BUFFER_SIZE * 4];
	size_t acked = 0;

	if (!s->len)
		return;
	if (mnl_socket_sendto(s->nl, s->buf, s->len) < 0)
		die("sendto");
	while (acked < s->n_msgs) {
		ssize_t r = mnl_socket_recvfrom(s->nl, rx, sizeof(rx));
		if (r < 0)
			die("recvfrom");
		for (struct nlmsghdr *h = (struct nlmsghdr *)rx; mnl_nlmsg_ok(h, (int)r);
		     h = mnl_nlmsg_next(h, (int *)&r)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				if (e->error) {
					fprintf(stderr, "bench-floor: %s: request %u: %s\n",
						s->name, h->nlmsg_seq, strerror(-e->error));
					exit(1);
				}
				acked++;
			}
		}
	}
	s->len = s->n_msgs = 0;
}

static struct nlmsghdr *msg(struct ns *s, int type, int flags)
{
	struct nlmsghdr *h;

	if (s->len > CHUNK - 1024 || s->n_msgs >= MAX_MSGS)
		flush(s);
	if (!s->buf && !(s->buf = malloc(CHUNK)))
		die("malloc");
	h = mnl_nlmsg_put_header(s->buf + s->len);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++s->seq;
	return h;
}

static void done(struct ns *s, struct nlmsghdr *h)
{
	s->len += h->nlmsg_len;
	s->n_msgs++;
}

static struct ifinfomsg *ifi(struct nlmsghdr *h, int index)
{
	struct ifinfomsg *i = mnl_nlmsg_put_extra_header(h, sizeof(*i));
	i->ifi_family = AF_UNSPEC;
	i->ifi_index = index;
	return i;
}

static void put_no_ll(struct nlmsghdr *h)
{
	struct nlattr *af = mnl_attr_nest_start(h, IFLA_AF_SPEC);
	struct nlattr *in6 = mnl_attr_nest_start(h, AF_INET6);
	mnl_attr_put_u8(h, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(h, in6);
	mnl_attr_nest_end(h, af);
}

static void ns_create(struct ns *s, int host)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", s->name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		die(path);
	close(fd);
	s->created = 1;
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare");
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		die("mount");
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	s->nl = mnl_socket_open(NETLINK_ROUTE);
	if (s->fd < 0 || !s->nl || mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netns socket");
	{
		int one = 1, rcv = 4 << 20;
		setsockopt(mnl_socket_get_fd(s->nl), SOL_NETLINK, NETLINK_CAP_ACK, &one,
			   sizeof(one));
		setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	}
	if (setns(host, CLONE_NEWNET) < 0)
		die("setns back");
	s->next_index = 2;
}

static void cleanup(void)
{
	for (size_t i = 0; i < n_ns; i++) {
		char path[128];
		if (nss[i].nl)
			mnl_socket_close(nss[i].nl);
		if (nss[i].fd > 0)
			close(nss[i].fd);
		nss[i].nl = NULL;
		nss[i].fd = -1;
		if (!nss[i].created)
			continue;
		snprintf(path, sizeof(path), NETNS_DIR "/%s", nss[i].name);
		(void)umount2(path, MNT_DETACH);
		if (unlink(path) < 0)
			perror(path);
		nss[i].created = 0;
	}
}

static void on_exit_cleanup(void)
{
	cleanup();
}

int main(int argc, char **argv)
{
	char a[6][128], *line = NULL;
	size_t cap = 0;
	double t0, t1, t2, t3, t4, t5, t6;
	int host;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-floor SPEC\n");
		return 2;
	}
	if (!(f = fopen(argv[1], "r")))
		die(argv[1]);
	while (getline(&line, &cap, f) > 0) {
		lines = realloc(lines, (n_lines + 1) * sizeof(*lines));
		lines[n_lines++] = strdup(line);
		if (!strncmp(line, "ns ", 3)) {
			nss = realloc(nss, (n_ns + 1) * sizeof(*nss));
			memset(&nss[n_ns], 0, sizeof(*nss));
			nss[n_ns].fd = -1;
			sscanf(line, "ns %63s", nss[n_ns].name);
			n_ns++;
		}
	}
	fclose(f);
	host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host < 0)
		die("host netns");
	(void)mkdir(NETNS_DIR, 0755);
	atexit(on_exit_cleanup);

	t0 = now();
	for (size_t i = 0; i < n_ns; i++)
		ns_create(&nss[i], host);
	t1 = now();
	/* links: bridges and veths, each from its (first) namespace's own socket */
	for (size_t k = 0; k < n_lines; k++) {
		int n = sscanf(lines[k], "%127s %127s %127s %127s %127s", a[0], a[1], a[2], a[3],
			       a[4]);
		if (n == 3 && !strcmp(a[0], "bridge")) {
			struct ns *s = ns_get(a[1]);
			struct nlmsghdr *h = msg(s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
			struct nlattr *li;
			ifi(h, if_index(s, a[2], 1));
			mnl_attr_put_strz(h, IFLA_IFNAME, a[2]);
			li = mnl_attr_nest_start(h, IFLA_LINKINFO);
			mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
			mnl_attr_nest_end(h, li);
			done(s, h);
		} else if (n == 5 && !strcmp(a[0], "veth")) {
			struct ns *s = ns_get(a[1]), *p = ns_get(a[3]);
			struct nlmsghdr *h = msg(s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
			struct nlattr *li, *data, *peer;
			ifi(h, if_index(s, a[2], 1));
			mnl_attr_put_strz(h, IFLA_IFNAME, a[2]);
			li = mnl_attr_nest_start(h, IFLA_LINKINFO);
			mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
			data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
			peer = mnl_attr_nest_start(h, VETH_INFO_PEER);
			ifi(h, if_index(p, a[4], 1));
			mnl_attr_put_strz(h, IFLA_IFNAME, a[4]);
			mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)p->fd);
			mnl_attr_nest_end(h, peer);
			mnl_attr_nest_end(h, data);
			mnl_attr_nest_end(h, li);
			done(s, h);
		}
	}
	for (size_t i = 0; i < n_ns; i++)
		flush(&nss[i]);
	t2 = now();
	/* per namespace, in spec order: addrgenmode none on every link, ports, addresses, up,
	 * routes */
	for (size_t i = 0; i < n_ns; i++)
		for (size_t j = 0; j < nss[i].n_ifs; j++) {
			struct nlmsghdr *h = msg(&nss[i], RTM_SETLINK, 0);
			ifi(h, nss[i].ifs[j].index);
			put_no_ll(h);
			done(&nss[i], h);
		}
	for (size_t k = 0; k < n_lines; k++) {
		int n = sscanf(lines[k], "%127s %127s %127s %127s", a[0], a[1], a[2], a[3]);
		struct ns *s = n >= 2 ? ns_get(a[1]) : NULL;
		struct nlmsghdr *h;

		if (n == 4 && !strcmp(a[0], "master")) {
			h = msg(s, RTM_SETLINK, 0);
			ifi(h, if_index(s, a[2], 0));
			mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)if_index(s, a[3], 0));
			done(s, h);
		} else if (n == 4 && !strcmp(a[0], "addr")) {
			struct ifaddrmsg *m;
			struct in_addr in;
			char *slash = strchr(a[3], '/');
			*slash = 0;
			if (inet_pton(AF_INET, a[3], &in) != 1) {
				fprintf(stderr, "bench-floor: IPv4 only: %s\n", a[3]);
				return 1;
			}
			h = msg(s, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
			m = mnl_nlmsg_put_extra_header(h, sizeof(*m));
			m->ifa_family = AF_INET;
			m->ifa_prefixlen = (unsigned char)atoi(slash + 1);
			m->ifa_index = (unsigned)if_index(s, a[2], 0);
			mnl_attr_put(h, IFA_LOCAL, 4, &in);
			mnl_attr_put(h, IFA_ADDRESS, 4, &in);
			done(s, h);
		} else if (n == 3 && !strcmp(a[0], "up")) {
			struct ifinfomsg *m;
			h = msg(s, RTM_SETLINK, 0);
			m = ifi(h, if_index(s, a[2], 0));
			m->ifi_flags = IFF_UP;
			m->ifi_change = IFF_UP;
			done(s, h);
		} else if (n == 4 && !strcmp(a[0], "route")) {
			struct rtmsg *m;
			struct in_addr dst, gw;
			char *slash = strchr(a[2], '/');
			*slash = 0;
			if (inet_pton(AF_INET, a[2], &dst) != 1 ||
			    inet_pton(AF_INET, a[3], &gw) != 1) {
				fprintf(stderr, "bench-floor: IPv4 routes with via only\n");
				return 1;
			}
			h = msg(s, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
			m = mnl_nlmsg_put_extra_header(h, sizeof(*m));
			m->rtm_family = AF_INET;
			m->rtm_dst_len = (unsigned char)atoi(slash + 1);
			m->rtm_table = RT_TABLE_MAIN;
			m->rtm_protocol = RTPROT_BOOT;
			m->rtm_scope = RT_SCOPE_UNIVERSE;
			m->rtm_type = RTN_UNICAST;
			if (m->rtm_dst_len)
				mnl_attr_put(h, RTA_DST, 4, &dst);
			mnl_attr_put(h, RTA_GATEWAY, 4, &gw);
			done(s, h);
		}
		/* addresses must be there before routes use them: flush a namespace's batch
		 * before its first route (the messages are processed in order anyway; this
		 * only bounds the buffer) */
	}
	for (size_t i = 0; i < n_ns; i++)
		flush(&nss[i]);
	t3 = now();
	/* sysctls: written from inside the namespace (/proc/sys/net follows the reader's netns) */
	for (size_t k = 0; k < n_lines; k++) {
		char path[256];
		int fd;
		if (sscanf(lines[k], "sysctl %127s %127s %127s", a[0], a[1], a[2]) != 3)
			continue;
		if (setns(ns_get(a[0])->fd, CLONE_NEWNET) < 0)
			die("setns");
		snprintf(path, sizeof(path), "/proc/sys/%s", a[1]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, a[2], strlen(a[2])) < 0)
			die(path);
		close(fd);
		if (setns(host, CLONE_NEWNET) < 0)
			die("setns back");
	}
	t4 = now();
	/* BENCH_FLOOR_CHECK: a shell command run between up and down (untimed), for tests */
	if (getenv("BENCH_FLOOR_CHECK") && system(getenv("BENCH_FLOOR_CHECK")) != 0)
		fprintf(stderr, "bench-floor: BENCH_FLOOR_CHECK failed\n");
	t5 = now();
	cleanup();
	t6 = now();
	printf("{\"tool\":\"floor\",\"namespaces\":%zu,\"up_seconds\":%.6f,\"down_seconds\":%.6f,"
	       "\"phases\":{\"netns\":%.6f,\"links\":%.6f,\"config\":%.6f,\"sysctl\":%.6f}}\n",
	       n_ns, t4 - t0, t6 - t5, t1 - t0, t2 - t1, t3 - t2, t4 - t3);
	return 0;
}
