// SPDX-License-Identifier: GPL-2.0
/*
 * The tunnel's latest handshake, read the way `wg show` reads it: one
 * WG_CMD_GET_DEVICE dump, every attribute's type, length and nesting
 * checked before anything is taken from it. `up --wait` asks this until a
 * peer has answered. (A reader of one field; wg.c's reply parser may
 * absorb it.)
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>

#include "handshake.h"
#include "netlink.h"

/* The exact length of each fixed-size attribute; 0: checked apart. */
static const uint16_t device_len[WGDEVICE_A_MAX + 1] = {
	[WGDEVICE_A_IFINDEX] = sizeof(uint32_t),
	[WGDEVICE_A_PRIVATE_KEY] = WG_KEY_LEN,
	[WGDEVICE_A_PUBLIC_KEY] = WG_KEY_LEN,
	[WGDEVICE_A_FLAGS] = sizeof(uint32_t),
	[WGDEVICE_A_LISTEN_PORT] = sizeof(uint16_t),
	[WGDEVICE_A_FWMARK] = sizeof(uint32_t),
};

static const uint16_t peer_len[WGPEER_A_MAX + 1] = {
	[WGPEER_A_PUBLIC_KEY] = WG_KEY_LEN,
	[WGPEER_A_PRESHARED_KEY] = WG_KEY_LEN,
	[WGPEER_A_FLAGS] = sizeof(uint32_t),
	[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] = sizeof(uint16_t),
	[WGPEER_A_LAST_HANDSHAKE_TIME] = sizeof(struct __kernel_timespec),
	[WGPEER_A_RX_BYTES] = sizeof(uint64_t),
	[WGPEER_A_TX_BYTES] = sizeof(uint64_t),
	[WGPEER_A_PROTOCOL_VERSION] = sizeof(uint32_t),
};

struct reply {
	int ifindex;			/* the device asked about */
	struct timespec *latest;
};

typedef bool (*attr_fn)(const struct nlattr *a, struct reply *r);

/*
 * Hand fn each attribute of len bytes at p; false if one does not fit
 * (header, length, or a remainder too short to be one) or fn says so.
 * libmnl's iteration stops quietly at a broken one: here it is an error.
 */
static bool each_attr(const void *p, size_t len, attr_fn fn, struct reply *r)
{
	size_t off = 0;

	while (off < len) {
		const struct nlattr *a = (const struct nlattr *)((const char *)p + off);

		if (len - off < sizeof(*a) || a->nla_len < sizeof(*a) || a->nla_len > len - off)
			return false;
		if (!fn(a, r))
			return false;
		off += MNL_ALIGN(a->nla_len);
	}
	return true;
}

static bool nested(const struct nlattr *a, attr_fn fn, struct reply *r)
{
	return each_attr(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), fn, r);
}

/* A fixed-size attribute of the right length; types newer than our
 * header are let through unread. */
static bool sized(const struct nlattr *a, const uint16_t *len, unsigned int max)
{
	uint16_t type = mnl_attr_get_type(a);

	return type > max || !len[type] || mnl_attr_get_payload_len(a) == len[type];
}

static bool allowedip(const struct nlattr *a, struct reply *r)
{
	(void)a;
	(void)r;
	return true;	/* not read: only its frame, checked by each_attr */
}

static bool allowedips(const struct nlattr *a, struct reply *r)
{
	return nested(a, allowedip, r);
}

static bool peer_attr(const struct nlattr *a, struct reply *r)
{
	struct __kernel_timespec ts;
	uint16_t n = mnl_attr_get_payload_len(a);

	if (!sized(a, peer_len, WGPEER_A_MAX))
		return false;
	switch (mnl_attr_get_type(a)) {
	case WGPEER_A_ENDPOINT:
		return n == sizeof(struct sockaddr_in) || n == sizeof(struct sockaddr_in6);
	case WGPEER_A_ALLOWEDIPS:
		return nested(a, allowedips, r);
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		memcpy(&ts, mnl_attr_get_payload(a), sizeof(ts));
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return false;
		if (ts.tv_sec > r->latest->tv_sec ||
		    (ts.tv_sec == r->latest->tv_sec && ts.tv_nsec > r->latest->tv_nsec)) {
			r->latest->tv_sec = (time_t)ts.tv_sec;
			r->latest->tv_nsec = (long)ts.tv_nsec;
		}
		return true;
	}
	return true;
}

/* WGDEVICE_A_PEERS holds one nest per peer. */
static bool peer(const struct nlattr *a, struct reply *r)
{
	return nested(a, peer_attr, r);
}

static bool device_attr(const struct nlattr *a, struct reply *r)
{
	uint16_t n = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	if (!sized(a, device_len, WGDEVICE_A_MAX))
		return false;
	switch (mnl_attr_get_type(a)) {
	case WGDEVICE_A_IFINDEX:
		return (int)mnl_attr_get_u32(a) == r->ifindex;
	case WGDEVICE_A_IFNAME:
		return n >= 1 && n <= IFNAMSIZ && memchr(s, '\0', n) == s + n - 1;
	case WGDEVICE_A_PEERS:
		return nested(a, peer, r);
	}
	return true;
}

int wg_handshake_parse(const struct nlmsghdr *nlh, int ifindex, struct timespec *latest)
{
	struct reply r = { .ifindex = ifindex, .latest = latest };
	size_t hdr = MNL_ALIGN(sizeof(struct genlmsghdr));
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + hdr || g->cmd != WG_CMD_GET_DEVICE)
		return -EBADMSG;
	return each_attr((const char *)g + hdr, nlh->nlmsg_len - MNL_NLMSG_HDRLEN - hdr,
			 device_attr, &r) ? 0 : -EBADMSG;
}

struct dump {
	int ifindex;
	struct timespec latest;
	bool bad;
};

static int dump_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;

	if (wg_handshake_parse(nlh, d->ifindex, &d->latest) < 0) {
		d->bad = true;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* The end of a dump carries its own error code (one that failed midway). */
static int done_msg(const struct nlmsghdr *nlh, void *data)
{
	int code;

	(void)data;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(code)))
		return MNL_CB_STOP;
	memcpy(&code, mnl_nlmsg_get_payload(nlh), sizeof(code));
	if (code < 0) {
		errno = -code;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* Send the dump request and read its pages into d. The pages hold the
 * private key: the buffer is wiped before it goes. */
static int dump(struct nlk *nl, int family, struct dump *d)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_DONE] = done_msg };
	char buf[32768] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	unsigned int seq;
	ssize_t len;
	int ret;

	nlh = nlk_msg(nl, buf, (uint16_t)family, NLM_F_DUMP);
	seq = nlh->nlmsg_seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = WG_GENL_VERSION;
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, (uint32_t)d->ifindex);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (len < 0) {
			ret = -errno;
			break;
		}
		errno = 0;
		ret = mnl_cb_run2(buf, (size_t)len, seq, nl->portid, dump_msg, d, ctl,
				  NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			ret = d->bad || !errno ? -EBADMSG : -errno;
	} while (ret == MNL_CB_OK);
	explicit_bzero(buf, sizeof(buf));
	return ret < 0 ? ret : 0;
}

int wg_handshake_age(int ifindex, long long *age_ms, struct wgp_err *err)
{
	struct dump d = { .ifindex = ifindex };
	struct nlk *nl = NULL;
	struct timespec now;
	long long age;
	int family, ret;

	*age_ms = -1;
	ret = nlk_open(&nl, NETLINK_GENERIC, -1);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot open", "a generic netlink socket");
	family = nlk_genl_family(nl, WG_GENL_NAME);
	if (family < 0) {
		ret = wgp_refuse(err, -family, NULL, "WireGuard is not available in this kernel");
		goto out;
	}
	ret = dump(nl, family, &d);
	if (ret < 0) {
		wgp_fail(err, ret, "Cannot read", "the tunnel's peers");
		goto out;
	}
	if (!d.latest.tv_sec && !d.latest.tv_nsec)
		goto out;
	clock_gettime(CLOCK_REALTIME, &now);
	age = ((long long)now.tv_sec - d.latest.tv_sec) * 1000 +
	      (now.tv_nsec - d.latest.tv_nsec) / 1000000;
	*age_ms = age < 0 ? 0 : age;
out:
	nlk_close(nl);
	return ret;
}
