/* SPDX-License-Identifier: MIT */
/* Root qdiscs: netem in, default back.
 *
 * netem's TCA_OPTIONS is built by hand: libnl's rtnl_netem_* has no rate, takes delays in
 * scheduler ticks, and its int-typed probabilities cannot say 100%. */
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "netlink/nl-internal.h"

#define NETEM_DEFAULT_LIMIT 1000 /* packets; tc's default */
#define PPM_MAX		    1000000u

/* netem probabilities are fractions of 2^32 - 1 (tc's get_percent() scaling). */
static int ppm_to_prob(uint32_t ppm, uint32_t *ret)
{
	if (ppm > PPM_MAX)
		return -EINVAL;
	*ret = (uint32_t)(((uint64_t)ppm * UINT32_MAX + PPM_MAX / 2) / PPM_MAX);
	return 0;
}

int qdisc_put_netem_options(struct nl_msg *msg, const struct netem_spec *n)
{
	/* Delay and jitter in qopt are in scheduler ticks; leave them 0 and send nanoseconds in
	 * TCA_NETEM_LATENCY64/JITTER64 (kernel >= 4.15), which override them. */
	struct tc_netem_qopt qopt = { .limit = NETEM_DEFAULT_LIMIT };
	struct tc_netem_corrupt corrupt = { 0 };
	struct tc_netem_rate rate = { 0 };
	uint64_t bytes_per_s = n->rate_bps / 8;
	struct nlattr *opts;

	if (ppm_to_prob(n->loss_ppm, &qopt.loss) < 0 ||
	    ppm_to_prob(n->duplicate_ppm, &qopt.duplicate) < 0 ||
	    ppm_to_prob(n->corrupt_ppm, &corrupt.probability) < 0)
		return -EINVAL;
	if (n->rate_bps && bytes_per_s == 0)
		bytes_per_s = 1; /* below 8 bit/s: the slowest rate netem knows, not "no limit" */

	/* TCA_OPTIONS of netem is a struct followed by attributes, not a pure nest; see
	 * netem_change() -> parse_attr(). */
	opts = nla_nest_start(msg, TCA_OPTIONS);
	if (!opts)
		return -EMSGSIZE;
	opts->nla_type &= ~NLA_F_NESTED;
	if (nlmsg_append(msg, &qopt, sizeof(qopt), NLMSG_ALIGNTO) < 0)
		return -EMSGSIZE;
	if (n->delay_us && nla_put_s64(msg, TCA_NETEM_LATENCY64, (int64_t)n->delay_us * 1000) < 0)
		return -EMSGSIZE;
	if (n->jitter_us && nla_put_s64(msg, TCA_NETEM_JITTER64, (int64_t)n->jitter_us * 1000) < 0)
		return -EMSGSIZE;
	if (corrupt.probability && nla_put(msg, TCA_NETEM_CORRUPT, sizeof(corrupt), &corrupt) < 0)
		return -EMSGSIZE;
	if (bytes_per_s) {
		/* The 32-bit field saturates; the kernel takes the larger of it and RATE64. */
		rate.rate = bytes_per_s > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes_per_s;
		if (nla_put(msg, TCA_NETEM_RATE, sizeof(rate), &rate) < 0)
			return -EMSGSIZE;
		if (bytes_per_s > UINT32_MAX && nla_put_u64(msg, TCA_NETEM_RATE64, bytes_per_s) < 0)
			return -EMSGSIZE;
	}
	if (nla_nest_end(msg, opts) < 0)
		return -EMSGSIZE;
	return 0;
}

static int qdisc_msg_new(int type, int flags, int ifindex, struct nl_msg **ret)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	struct tcmsg tcm = {
		.tcm_family = AF_UNSPEC,
		.tcm_ifindex = ifindex,
		.tcm_parent = TC_H_ROOT,
		.tcm_handle = 0, /* add: the kernel picks one (8001: and on); del: any */
	};

	msg = nlmsg_alloc_simple(type, flags);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &tcm, sizeof(tcm), NLMSG_ALIGNTO) < 0)
		return -EMSGSIZE;
	*ret = TAKE_PTR(msg);
	return 0;
}

static int netem_build(int ifindex, const void *ctx, struct nl_msg **ret)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	int r;

	/* `tc qdisc add`: NLM_F_EXCL refuses to replace a qdisc someone added, while the
	 * device's built-in default root (handle 0) is replaced as usual. */
	r = qdisc_msg_new(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, &msg);
	if (r < 0)
		return r;
	if (nla_put_string(msg, TCA_KIND, "netem") < 0)
		return -EMSGSIZE;
	r = qdisc_put_netem_options(msg, ctx);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(msg);
	return 0;
}

static int del_root_build(int ifindex, _unused_ const void *ctx, struct nl_msg **ret)
{
	return qdisc_msg_new(RTM_DELQDISC, 0, ifindex, ret);
}

int qdisc_add_netem(struct nlk *nl, const char *ifname, const struct netem_spec *n)
{
	if (!n || n->loss_ppm > PPM_MAX || n->duplicate_ppm > PPM_MAX || n->corrupt_ppm > PPM_MAX)
		return -EINVAL;
	return nlk_call_on_link(nl, ifname, netem_build, n);
}

int qdisc_del_root(struct nlk *nl, const char *ifname)
{
	int r;

	r = nlk_call_on_link(nl, ifname, del_root_build, NULL);
	/* ENOENT: only the built-in default is there ("Cannot delete qdisc with handle of
	 * zero"); ENODEV: the device is gone and its qdiscs with it. */
	if (r == -ENOENT || r == -ENODEV)
		return 0;
	return r < 0 ? r : 1;
}
