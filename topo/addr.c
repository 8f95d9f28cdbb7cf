/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/macro.h"
#include "topo/topo.h"

int topo_addr_parse(const char *s, struct topo_addr *ret)
{
	struct topo_addr a = { 0 };
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (len == 0 || len >= INET6_ADDRSTRLEN)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, a.bytes) == 1) {
		a.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, a.bytes) == 1) {
		a.family = AF_INET6;
		max = 128;
	} else
		return -EINVAL;

	a.prefixlen = max;
	if (slash) {
		const char *p = slash + 1;
		unsigned v = 0;

		/* Digits only: strtoul would accept " 24", "+24" and "0x18". */
		if (*p == '\0' || strlen(p) > 3)
			return -EINVAL;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			v = v * 10 + (unsigned)(*p - '0');
		}
		if (v > max)
			return -EINVAL;
		a.prefixlen = v;
	}
	a.loc = ret->loc;
	*ret = a;
	return 0;
}

char *topo_addr_format_host(const struct topo_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

char *topo_addr_format(const struct topo_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", topo_addr_format_host(a, host, sizeof(host)), a->prefixlen);
	return buf;
}

bool topo_addr_in_prefix(const struct topo_addr *host, const struct topo_addr *net)
{
	unsigned bits = net->prefixlen, full = bits / 8, rest = bits % 8;

	if (host->family != net->family)
		return false;
	if (memcmp(host->bytes, net->bytes, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((host->bytes[full] & mask) != (net->bytes[full] & mask))
			return false;
	}
	return true;
}
