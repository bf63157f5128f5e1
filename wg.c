// SPDX-License-Identifier: GPL-2.0
/*
 * A WireGuard device over generic netlink: up gives it its key and peers
 * (wg_set_device, split over messages when large); status reads back its
 * peers, endpoints, handshakes and counters (wg_get_device, a dump read by
 * a parser that is a pure function over the bytes, keeping no key but the
 * public ones).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>

#include "netlink.h"
#include "wg.h"

struct builder {
	const struct wg_config *wg;
	const struct wg_endpoint *endpoints;
	size_t peer;		/* next peer to put */
	size_t aip;		/* its next allowed IP */
	bool continuing;	/* that peer was begun in an earlier message */
};

static bool put_allowedip(struct nlmsghdr *nlh, size_t size, const struct cidr *c)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, size, 0);

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, size, WGALLOWEDIP_A_FAMILY, (uint16_t)c->family) ||
	    !mnl_attr_put_check(nlh, size, WGALLOWEDIP_A_IPADDR,
				c->family == AF_INET ? 4 : 16, &c->addr) ||
	    !mnl_attr_put_u8_check(nlh, size, WGALLOWEDIP_A_CIDR_MASK, c->prefixlen)) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static bool put_peer_head(struct nlmsghdr *nlh, size_t size, const struct wg_peer *p,
			  const struct wg_endpoint *ep, bool continuing)
{
	const struct sockaddr_storage *ss = &ep->addr;

	if (!mnl_attr_put_check(nlh, size, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->public_key))
		return false;
	if (continuing)
		return true;	/* only more allowed IPs for a peer already set */
	if (p->has_preshared_key &&
	    !mnl_attr_put_check(nlh, size, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN,
				p->preshared_key))
		return false;
	if (ss->ss_family == AF_INET &&
	    !mnl_attr_put_check(nlh, size, WGPEER_A_ENDPOINT, sizeof(struct sockaddr_in), ss))
		return false;
	if (ss->ss_family == AF_INET6 &&
	    !mnl_attr_put_check(nlh, size, WGPEER_A_ENDPOINT, sizeof(struct sockaddr_in6), ss))
		return false;
	return mnl_attr_put_u16_check(nlh, size, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
				      p->keepalive) &&
	       mnl_attr_put_u32_check(nlh, size, WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS);
}

/* Put as many peers (and allowed IPs) as fit; b remembers where it stopped. */
static void put_peers(struct nlmsghdr *nlh, size_t size, struct builder *b)
{
	struct nlattr *peers, *peer, *aips;

	peers = mnl_attr_nest_start_check(nlh, size, WGDEVICE_A_PEERS);
	if (!peers)
		return;
	for (; b->peer < b->wg->n_peers; b->peer++) {
		const struct wg_peer *p = &b->wg->peers[b->peer];

		peer = mnl_attr_nest_start_check(nlh, size, 0);
		if (!peer)
			goto out;
		if (!put_peer_head(nlh, size, p, &b->endpoints[b->peer], b->continuing))
			goto cancel;
		aips = mnl_attr_nest_start_check(nlh, size, WGPEER_A_ALLOWEDIPS);
		if (!aips)
			goto cancel;
		for (; b->aip < p->n_allowedips; b->aip++) {
			if (!put_allowedip(nlh, size, &p->allowedips[b->aip])) {
				mnl_attr_nest_end(nlh, aips);
				mnl_attr_nest_end(nlh, peer);
				b->continuing = true;
				goto out;
			}
		}
		mnl_attr_nest_end(nlh, aips);
		mnl_attr_nest_end(nlh, peer);
		b->aip = 0;
		b->continuing = false;
	}
	goto out;
cancel:
	mnl_attr_nest_cancel(nlh, peer);
out:
	mnl_attr_nest_end(nlh, peers);
}

int wg_set_device(int ifindex, const struct wg_config *wg,
		  const struct wg_endpoint *endpoints, struct wgp_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct builder b = { .wg = wg, .endpoints = endpoints };
	struct nlk *nl = NULL;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	bool first = true;
	size_t peer0, aip0;
	int family, ret;

	ret = nlk_open(&nl, NETLINK_GENERIC, -1);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot open", "a generic netlink socket");
	family = nlk_genl_family(nl, WG_GENL_NAME);
	if (family < 0) {
		ret = wgp_refuse(err, -family, NULL, "WireGuard is not available in this kernel");
		goto cleanup;
	}
	while (first || b.peer < wg->n_peers) {
		nlh = nlk_msg(nl, buf, (uint16_t)family, 0);
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = WG_CMD_SET_DEVICE;
		g->version = WG_GENL_VERSION;
		mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, (uint32_t)ifindex);
		if (first) {
			if (wg->has_private_key)
				mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN,
					     wg->private_key);
			if (wg->has_listen_port)
				mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, wg->listen_port);
			if (wg->has_fwmark)
				mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, wg->fwmark);
			mnl_attr_put_u32(nlh, WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
		}
		peer0 = b.peer;
		aip0 = b.aip;
		put_peers(nlh, sizeof(buf), &b);
		if (!first && peer0 == b.peer && aip0 == b.aip) {
			/* Not even one item fits in an empty message. */
			ret = wgp_refuse(err, EMSGSIZE, NULL, "the WireGuard configuration is too large");
			break;
		}
		first = false;
		ret = nlk_talk(nl, nlh, NULL, NULL);
		explicit_bzero(buf, sizeof(buf));
		if (ret < 0) {
			ret = wgp_fail(err, ret, "Unable to configure", "the tunnel");
			wgp_extack(err, nl->extack);
			break;
		}
	}
cleanup:
	explicit_bzero(buf, sizeof(buf));
	nlk_close(nl);
	return ret;
}

/* ---- Reading a device back ---- */

void wg_device_info_free(struct wg_device_info *dev)
{
	if (!dev)
		return;
	for (size_t i = 0; i < dev->n_peers; i++)
		free(dev->peers[i].allowedips);
	free(dev->peers);
	free(dev);
}

typedef int attr_fn(const struct nlattr *a, void *arg);

/*
 * Each attribute of [p, p + len) to fn. Every byte must belong to a whole
 * attribute: one that claims more than is left, or bytes left over, make
 * the whole message malformed (libmnl's iterators stop there quietly).
 */
static int each_attr(const void *p, size_t len, attr_fn *fn, void *arg)
{
	const struct nlattr *a = p;
	size_t step;
	int ret;

	while (len >= sizeof(*a)) {
		if (a->nla_len < sizeof(*a) || a->nla_len > len)
			return -EBADMSG;
		ret = fn(a, arg);
		if (ret < 0)
			return ret;
		step = MNL_ALIGN(a->nla_len);
		if (step >= len)
			return 0;	/* the last one, padded or not */
		len -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	return len ? -EBADMSG : 0;
}

static int each_nested(const struct nlattr *nest, attr_fn *fn, void *arg)
{
	return each_attr(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), fn, arg);
}

/* Exactly len bytes of payload; mnl_attr_validate2 refuses both more and less. */
static bool exact(const struct nlattr *a, size_t len)
{
	return mnl_attr_validate2(a, MNL_TYPE_BINARY, len) == 0;
}

static bool is_u16(const struct nlattr *a) { return mnl_attr_validate(a, MNL_TYPE_U16) == 0; }
static bool is_u32(const struct nlattr *a) { return mnl_attr_validate(a, MNL_TYPE_U32) == 0; }
static bool is_u64(const struct nlattr *a) { return mnl_attr_validate(a, MNL_TYPE_U64) == 0; }

struct aip_parts {
	bool family, addr, mask;
	uint16_t fam;
	uint8_t prefix;
	size_t addr_len;
	struct cidr *c;
};

static int aip_attr(const struct nlattr *a, void *arg)
{
	struct aip_parts *p = arg;

	switch (mnl_attr_get_type(a)) {
	case WGALLOWEDIP_A_FAMILY:
		if (!is_u16(a))
			return -EBADMSG;
		p->family = true;
		p->fam = mnl_attr_get_u16(a);
		break;
	case WGALLOWEDIP_A_IPADDR:
		p->addr_len = mnl_attr_get_payload_len(a);
		if (p->addr_len != 4 && p->addr_len != 16)
			return -EBADMSG;
		p->addr = true;
		memcpy(&p->c->addr, mnl_attr_get_payload(a), p->addr_len);
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return -EBADMSG;
		p->mask = true;
		p->prefix = mnl_attr_get_u8(a);
		break;
	}
	return 0;
}

/* One allowed IP: family, address of that family's length, prefix within it. */
static int aip_one(const struct nlattr *a, void *arg)
{
	struct wg_peer_info *peer = arg;
	struct aip_parts p = { 0 };
	struct cidr *v, c = { 0 };
	int ret;

	p.c = &c;
	ret = each_nested(a, aip_attr, &p);
	if (ret < 0)
		return ret;
	if (!p.family || !p.addr || !p.mask ||
	    !((p.fam == AF_INET && p.addr_len == 4 && p.prefix <= 32) ||
	      (p.fam == AF_INET6 && p.addr_len == 16 && p.prefix <= 128)))
		return -EBADMSG;
	c.family = p.fam;
	c.prefixlen = p.prefix;
	v = reallocarray(peer->allowedips, peer->n_allowedips + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	peer->allowedips = v;
	v[peer->n_allowedips++] = c;
	return 0;
}

/* An endpoint is a whole sockaddr_in or sockaddr_in6 of its own family. */
static int peer_endpoint(const struct nlattr *a, struct wg_peer_info *peer)
{
	size_t len = mnl_attr_get_payload_len(a);
	sa_family_t family;

	if (len < sizeof(family))
		return -EBADMSG;
	memcpy(&family, mnl_attr_get_payload(a), sizeof(family));
	if (!((family == AF_INET && len == sizeof(struct sockaddr_in)) ||
	      (family == AF_INET6 && len == sizeof(struct sockaddr_in6))))
		return -EBADMSG;
	memset(&peer->endpoint, 0, sizeof(peer->endpoint));
	memcpy(&peer->endpoint, mnl_attr_get_payload(a), len);
	return 0;
}

struct peer_parts {
	struct wg_peer_info *peer;
	bool has_key;
	const struct nlattr *aips;
};

static int peer_attr(const struct nlattr *a, void *arg)
{
	struct peer_parts *p = arg;
	struct __kernel_timespec ts;

	switch (mnl_attr_get_type(a)) {
	case WGPEER_A_PUBLIC_KEY:
		if (!exact(a, WG_KEY_LEN))
			return -EBADMSG;
		memcpy(p->peer->public_key, mnl_attr_get_payload(a), WG_KEY_LEN);
		p->has_key = true;
		break;
	case WGPEER_A_PRESHARED_KEY:	/* a secret: checked, never kept */
		return exact(a, WG_KEY_LEN) ? 0 : -EBADMSG;
	case WGPEER_A_ENDPOINT:
		return peer_endpoint(a, p->peer);
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		if (!exact(a, sizeof(ts)))
			return -EBADMSG;
		memcpy(&ts, mnl_attr_get_payload(a), sizeof(ts));
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EBADMSG;
		p->peer->handshake_sec = ts.tv_sec;
		p->peer->handshake_nsec = ts.tv_nsec;
		break;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		if (!is_u16(a))
			return -EBADMSG;
		p->peer->keepalive = mnl_attr_get_u16(a);
		break;
	case WGPEER_A_RX_BYTES:
		if (!is_u64(a))
			return -EBADMSG;
		p->peer->rx_bytes = mnl_attr_get_u64(a);
		break;
	case WGPEER_A_TX_BYTES:
		if (!is_u64(a))
			return -EBADMSG;
		p->peer->tx_bytes = mnl_attr_get_u64(a);
		break;
	case WGPEER_A_ALLOWEDIPS:
		p->aips = a;	/* read once the peer is known */
		break;
	case WGPEER_A_FLAGS:
	case WGPEER_A_PROTOCOL_VERSION:
		return is_u32(a) ? 0 : -EBADMSG;
	}
	return 0;
}

/*
 * One peer. The kernel repeats the last peer of a message at the start of
 * the next when its allowed IPs did not fit: the same public key, nothing
 * but allowed IPs. Those go to the peer already read.
 */
static int peer_one(const struct nlattr *a, void *arg)
{
	struct wg_device_info *dev = arg;
	struct wg_peer_info peer = { 0 }, *v, *target;
	struct peer_parts p = { .peer = &peer };
	int ret;

	ret = each_nested(a, peer_attr, &p);
	if (ret < 0)
		return ret;
	if (!p.has_key)
		return -EBADMSG;
	if (dev->n_peers &&
	    !memcmp(dev->peers[dev->n_peers - 1].public_key, peer.public_key, WG_KEY_LEN)) {
		target = &dev->peers[dev->n_peers - 1];
	} else {
		v = reallocarray(dev->peers, dev->n_peers + 1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		dev->peers = v;
		target = &v[dev->n_peers++];
		*target = peer;
	}
	return p.aips ? each_nested(p.aips, aip_one, target) : 0;
}

struct dev_parts {
	struct wg_device_info *dev;
	bool has_ifindex, has_name;
};

static int dev_attr(const struct nlattr *a, void *arg)
{
	struct dev_parts *p = arg;
	uint32_t ifindex;

	switch (mnl_attr_get_type(a)) {
	case WGDEVICE_A_IFINDEX:
		if (!is_u32(a))
			return -EBADMSG;
		ifindex = mnl_attr_get_u32(a);
		if (!ifindex || ifindex > INT_MAX ||
		    (p->dev->ifindex && p->dev->ifindex != (int)ifindex))
			return -EBADMSG;	/* a dump is of one device */
		p->dev->ifindex = (int)ifindex;
		p->has_ifindex = true;
		break;
	case WGDEVICE_A_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(a) > IFNAMSIZ || !mnl_attr_get_str(a)[0])
			return -EBADMSG;
		snprintf(p->dev->name, sizeof(p->dev->name), "%s", mnl_attr_get_str(a));
		p->has_name = true;
		break;
	case WGDEVICE_A_PRIVATE_KEY:	/* a secret: checked, never kept */
		return exact(a, WG_KEY_LEN) ? 0 : -EBADMSG;
	case WGDEVICE_A_PUBLIC_KEY:
		if (!exact(a, WG_KEY_LEN))
			return -EBADMSG;
		memcpy(p->dev->public_key, mnl_attr_get_payload(a), WG_KEY_LEN);
		p->dev->has_public_key = true;
		break;
	case WGDEVICE_A_LISTEN_PORT:
		if (!is_u16(a))
			return -EBADMSG;
		p->dev->listen_port = mnl_attr_get_u16(a);
		break;
	case WGDEVICE_A_FWMARK:
		if (!is_u32(a))
			return -EBADMSG;
		p->dev->fwmark = mnl_attr_get_u32(a);
		break;
	case WGDEVICE_A_PEERS:
		return each_nested(a, peer_one, p->dev);
	}
	return 0;
}

/* A reply being read, datagram after datagram. */
struct dump {
	const struct wg_reply *r;
	struct wg_device_info *dev;
	bool has_ifindex, has_name;
	int error;		/* the first data message that failed */
	bool intr;		/* the kernel flagged the dump as inconsistent */
};

static int dump_msg(struct dump *d, const struct nlmsghdr *nlh)
{
	struct dev_parts p = { .dev = d->dev };
	const struct genlmsghdr *g;
	int ret;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*g)))
		return -EBADMSG;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != WG_CMD_GET_DEVICE)
		return -EBADMSG;
	ret = each_attr((const char *)g + MNL_ALIGN(sizeof(*g)),
			nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(sizeof(*g)), dev_attr, &p);
	d->has_ifindex |= p.has_ifindex;
	d->has_name |= p.has_name;
	return ret;
}

/* The kernel's code from an error or a dump's end: -4095..0, or malformed. */
static int end_code(const struct nlmsghdr *nlh)
{
	int code;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(code))
		return -EBADMSG;
	memcpy(&code, mnl_nlmsg_get_payload(nlh), sizeof(code));
	return code <= 0 && code >= -4095 ? code : -EBADMSG;
}

/*
 * One datagram: 1 when the reply goes on in the next, 0 when it ended
 * well, -errno when it ended badly. A data message that fails is
 * remembered and the rest read to the end, so the socket is clean; a
 * datagram that is itself malformed stops at once.
 */
/*
 * Whether a whole message starts at nlh with rem bytes left. Not libmnl's
 * mnl_nlmsg_ok: it casts nlmsg_len to int, so a length of 2^31 or more
 * passes and the walk goes astray (found by tests/fuzz/fuzz-wg.c).
 */
static bool msg_ok(const struct nlmsghdr *nlh, size_t rem)
{
	return rem >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= rem;
}

static const struct nlmsghdr *msg_next(const struct nlmsghdr *nlh, size_t *rem)
{
	size_t step = MNL_ALIGN((size_t)nlh->nlmsg_len);

	*rem = step < *rem ? *rem - step : 0;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

static int dump_feed(struct dump *d, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	size_t rem = len;
	int ret;

	for (; msg_ok(nlh, rem); nlh = msg_next(nlh, &rem)) {
		if (nlh->nlmsg_seq != d->r->seq || nlh->nlmsg_pid != d->r->portid)
			continue;	/* a late answer to an earlier request */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			d->intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
		case NLMSG_DONE:
			ret = end_code(nlh);
			if (d->error)
				return d->error;
			if (ret < 0)
				return ret;
			if (d->intr)
				return -EINTR;
			return d->has_ifindex && d->has_name ? 0 : -EBADMSG;
		}
		if (nlh->nlmsg_type != d->r->family)
			return -EBADMSG;
		if (d->error)
			continue;
		ret = dump_msg(d, nlh);
		if (ret < 0)
			d->error = ret;
	}
	return rem ? -EBADMSG : 1;
}

int wg_parse_device(const struct wg_reply *r, const void *buf, size_t len,
		    struct wg_device_info **out)
{
	struct dump d = { .r = r };
	int ret;

	*out = NULL;
	d.dev = calloc(1, sizeof(*d.dev));
	if (!d.dev)
		return -ENOMEM;
	ret = dump_feed(&d, buf, len);
	if (ret == 1)
		ret = d.error ? d.error : -EBADMSG;	/* it never ended */
	if (ret < 0) {
		wg_device_info_free(d.dev);
		return ret;
	}
	*out = d.dev;
	return 0;
}

/*
 * One datagram from the kernel: its length or -errno. Only the kernel
 * (port 0) may speak here: any local process may send to a netlink port,
 * and what it says would otherwise pass for the kernel's.
 */
static ssize_t recv_kernel(struct nlk *nl, void *buf, size_t size)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t len;

	for (;;) {
		mh.msg_name = &sa;
		mh.msg_namelen = sizeof(sa);
		len = recvmsg(mnl_socket_get_fd(nl->sock), &mh, 0);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (mh.msg_namelen == sizeof(sa) && sa.nl_family == AF_NETLINK && !sa.nl_pid)
			return len;
	}
}

/*
 * One dump request and its whole reply. The reply holds the private key:
 * it is read into a buffer of our own (not netlink.c's), wiped after each
 * datagram.
 */
static int get_once(struct nlk *nl, uint16_t family, int ifindex, struct wg_device_info **out)
{
	/* Dumps come in datagrams of up to 32 KiB; a request needs at most
	 * MNL_SOCKET_BUFFER_SIZE (8 KiB). */
	_Alignas(struct nlmsghdr) char buf[32768];
	struct wg_reply r = { .family = family };
	struct dump d = { .r = &r };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	ssize_t len;
	int ret;

	d.dev = calloc(1, sizeof(*d.dev));
	if (!d.dev)
		return -ENOMEM;
	nlh = nlk_msg(nl, buf, family, NLM_F_DUMP | NLM_F_ACK);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = WG_GENL_VERSION;
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, (uint32_t)ifindex);
	r.seq = nlh->nlmsg_seq;
	r.portid = nl->portid;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		len = recv_kernel(nl, buf, sizeof(buf));
		ret = len < 0 ? (int)len : dump_feed(&d, buf, (size_t)len);
		explicit_bzero(buf, sizeof(buf));
	} while (ret == 1);
out:
	if (ret < 0) {
		wg_device_info_free(d.dev);
		return ret;
	}
	*out = d.dev;
	return 0;
}

/* How often a dump the kernel changed under us is asked again. */
#define DUMP_TRIES 3

int wg_get_device(int ifindex, struct wg_device_info **out, struct wgp_err *err)
{
	struct nlk *nl = NULL;
	int family, ret, tries = 0;

	*out = NULL;
	ret = nlk_open(&nl, NETLINK_GENERIC, -1);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot open", "a generic netlink socket");
	family = nlk_genl_family(nl, WG_GENL_NAME);
	if (family < 0) {
		ret = wgp_refuse(err, -family, NULL, "WireGuard is not available in this kernel");
		goto cleanup;
	}
	do
		ret = get_once(nl, (uint16_t)family, ifindex, out);
	while (ret == -EINTR && ++tries < DUMP_TRIES);
	if (ret < 0)
		wgp_fail(err, ret, "Cannot read", "the tunnel's peers");
cleanup:
	nlk_close(nl);
	return ret;
}

int wg_handshake_age(int ifindex, long long *age_ms, struct wgp_err *err)
{
	struct wg_device_info *dev = NULL;
	int64_t sec = 0, nsec = 0;
	struct timespec now;
	long long age;
	int ret;

	*age_ms = -1;
	ret = wg_get_device(ifindex, &dev, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wg_peer_info *p = &dev->peers[i];

		if (p->handshake_sec > sec || (p->handshake_sec == sec && p->handshake_nsec > nsec)) {
			sec = p->handshake_sec;
			nsec = p->handshake_nsec;
		}
	}
	wg_device_info_free(dev);
	if (!sec && !nsec)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	age = ((long long)now.tv_sec - sec) * 1000 + (now.tv_nsec - nsec) / 1000000;
	*age_ms = age < 0 ? 0 : age;
	return 0;
}
