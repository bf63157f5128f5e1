// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of wg.c's read side: the WG_CMD_GET_DEVICE reply parser on
 * replies built here message by message as the kernel's
 * drivers/net/wireguard/netlink.c sends them (the device's attributes in
 * the first message only, a peer whose allowed IPs go on in the next
 * message under the same public key), broken in the ways a reply can
 * break; that no private or preshared key survives parsing; and the call
 * on this machine's kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <netinet/in.h>

#include "tap.h"
#include "wg.h"

#define FAMILY 0x1d	/* wireguard's id, as the tests pretend */
#define SEQ 2000
#define PORT 4343

static _Alignas(8) unsigned char wire[65536];
static size_t wire_len;

static const uint8_t priv[32] = { [0] = 0xa1, [1] = 0xa2, [2] = 0xa3, [31] = 0xa4 };
static const uint8_t pub[32] = { [0] = 0x11, [31] = 0x12 };
static const uint8_t psk[32] = { [0] = 0xb1, [1] = 0xb2, [2] = 0xb3, [31] = 0xb4 };
static const uint8_t peer_a[32] = { [0] = 0x21, [31] = 0x22 };
static const uint8_t peer_b[32] = { [0] = 0x31, [31] = 0x32 };

static void wire_reset(void)
{
	memset(wire, 0, sizeof(wire));
	wire_len = 0;
}

/* A new message at the end of the wire: a GET_DEVICE part, seq given. */
static struct nlmsghdr *msg_start(uint16_t type, uint8_t cmd, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(wire + wire_len);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORT;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void msg_end(struct nlmsghdr *nlh)
{
	wire_len += MNL_ALIGN(nlh->nlmsg_len);
}

static void put_device(struct nlmsghdr *nlh, bool with_keys)
{
	mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
	mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 0x51);
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	if (with_keys) {
		mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, sizeof(priv), priv);
		mnl_attr_put(nlh, WGDEVICE_A_PUBLIC_KEY, sizeof(pub), pub);
	}
}

static void put_aip(struct nlmsghdr *nlh, int family, const char *addr, uint8_t cidr)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, 0);
	uint8_t a[16];

	inet_pton(family, addr, a);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, cidr);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, (uint16_t)family);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, family == AF_INET ? 4 : 16, a);
	mnl_attr_nest_end(nlh, n);
}

/* A peer as the kernel's get_peer sends it the first time. */
static void put_peer_head(struct nlmsghdr *nlh, const uint8_t key[32], bool v6,
			  int64_t hs_sec, uint64_t rx, uint64_t tx)
{
	struct __kernel_timespec ts = { .tv_sec = hs_sec, .tv_nsec = hs_sec ? 500 : 0 };

	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 32, key);
	mnl_attr_put(nlh, WGPEER_A_PRESHARED_KEY, sizeof(psk), psk);
	mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts);
	mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
	mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, tx);
	mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, rx);
	mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
	if (v6) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(51820) };

		inet_pton(AF_INET6, "fd00::1", &s6.sin6_addr);
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(s6), &s6);
	} else {
		struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(51820) };

		inet_pton(AF_INET, "192.168.1.1", &s4.sin_addr);
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(s4), &s4);
	}
}

static void done(uint32_t seq, int code)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(wire + wire_len);

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORT;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(code)), &code, sizeof(code));
	wire_len += MNL_ALIGN(nlh->nlmsg_len);
}

static void error_msg(int code)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(wire + wire_len);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORT;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = code;
	e->msg.nlmsg_len = NLMSG_HDRLEN;
	e->msg.nlmsg_seq = SEQ;
	wire_len += MNL_ALIGN(nlh->nlmsg_len);
}

/*
 * Parses the reply on the wire. With WG_CORPUS=DIR in the environment, it
 * is saved there first (DIR/unit-NN), as a seed for the fuzzer
 * (tests/fuzz/fuzz-wg.c).
 */
static int parse(struct wg_device_info **dev)
{
	struct wg_reply r = { .family = FAMILY, .seq = SEQ, .portid = PORT };
	const char *dir = getenv("WG_CORPUS");
	static int saved;
	char path[4096];
	FILE *f;

	if (dir) {
		snprintf(path, sizeof(path), "%s/unit-%02d", dir, ++saved);
		f = fopen(path, "we");
		if (f) {
			fwrite(wire, 1, wire_len, f);
			fclose(f);
		}
	}
	return wg_parse_device(&r, wire, wire_len, dev);
}

/* Whether the 32 bytes of key appear anywhere in [p, p + len). */
static bool holds(const void *p, size_t len, const uint8_t key[32])
{
	return memmem(p, len, key, 32) != NULL;
}

static bool holds_secret(const struct wg_device_info *d)
{
	if (holds(d, sizeof(*d), priv) || holds(d, sizeof(*d), psk))
		return true;
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer_info *p = &d->peers[i];

		if (holds(p, sizeof(*p), priv) || holds(p, sizeof(*p), psk) ||
		    (p->n_allowedips && holds(p->allowedips, p->n_allowedips * sizeof(struct cidr), psk)))
			return true;
	}
	return false;
}

static bool cidr_is(const struct cidr *c, int family, const char *addr, uint8_t prefix)
{
	char buf[INET6_ADDRSTRLEN];

	return c->family == family && c->prefixlen == prefix &&
	       inet_ntop(family, &c->addr, buf, sizeof(buf)) && !strcmp(buf, addr);
}

static void whole(void)
{
	struct wg_device_info *d = NULL;
	const struct wg_peer_info *a, *b;
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;
	struct nlmsghdr *nlh;
	struct nlattr *peers, *peer, *aips;
	int ret;

	wire_reset();
	nlh = msg_start(FAMILY, WG_CMD_GET_DEVICE, SEQ);
	put_device(nlh, true);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	put_peer_head(nlh, peer_a, false, 1700000000, 1234, 5678);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip(nlh, AF_INET, "0.0.0.0", 0);
	put_aip(nlh, AF_INET6, "::", 0);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	peer = mnl_attr_nest_start(nlh, 0);
	put_peer_head(nlh, peer_b, true, 0, 0, 148);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	msg_end(nlh);
	done(SEQ, 0);

	ret = parse(&d);
	ok(ret == 0 && d, "a device with two peers is read (ret %d)", ret);
	if (!d)
		return;
	ok(d->ifindex == 7 && !strcmp(d->name, "wg0") && d->listen_port == 51820 &&
	   d->fwmark == 0x51 && d->has_public_key && !memcmp(d->public_key, pub, 32),
	   "the device: wg0 (7), port 51820, fwmark 0x51, its public key");
	ok(d->n_peers == 2, "two peers (%zu)", d->n_peers);
	if (d->n_peers != 2)
		goto out;
	a = &d->peers[0];
	b = &d->peers[1];
	s4 = (const struct sockaddr_in *)&a->endpoint;
	s6 = (const struct sockaddr_in6 *)&b->endpoint;
	ok(!memcmp(a->public_key, peer_a, 32) && a->handshake_sec == 1700000000 &&
	   a->handshake_nsec == 500 && a->rx_bytes == 1234 && a->tx_bytes == 5678 &&
	   a->keepalive == 25, "peer a: key, handshake, bytes in and out, keepalive");
	ok(s4->sin_family == AF_INET && ntohs(s4->sin_port) == 51820 &&
	   s4->sin_addr.s_addr == inet_addr("192.168.1.1"), "peer a: endpoint 192.168.1.1:51820");
	ok(a->n_allowedips == 2 && cidr_is(&a->allowedips[0], AF_INET, "0.0.0.0", 0) &&
	   cidr_is(&a->allowedips[1], AF_INET6, "::", 0), "peer a: allowed 0.0.0.0/0 and ::/0");
	ok(!memcmp(b->public_key, peer_b, 32) && b->handshake_sec == 0 && b->tx_bytes == 148 &&
	   s6->sin6_family == AF_INET6 && ntohs(s6->sin6_port) == 51820 && b->n_allowedips == 0,
	   "peer b: no handshake yet, 148 bytes sent, an IPv6 endpoint, no allowed IPs");
	ok(!holds_secret(d), "neither the private key nor the preshared key was kept");
out:
	wg_device_info_free(d);
}

/* The kernel's split: peer a's allowed IPs go on in the next message,
 * which starts with peer a's public key and nothing else; then peer b. */
static void split(void)
{
	struct wg_device_info *d = NULL;
	struct nlmsghdr *nlh;
	struct nlattr *peers, *peer, *aips;
	int ret;

	wire_reset();
	nlh = msg_start(FAMILY, WG_CMD_GET_DEVICE, SEQ);
	put_device(nlh, true);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	put_peer_head(nlh, peer_a, false, 1700000000, 1, 2);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip(nlh, AF_INET, "10.0.0.0", 8);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	msg_end(nlh);

	nlh = msg_start(FAMILY, WG_CMD_GET_DEVICE, SEQ);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 32, peer_a);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip(nlh, AF_INET6, "fd00:100::", 64);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	peer = mnl_attr_nest_start(nlh, 0);
	put_peer_head(nlh, peer_b, false, 0, 0, 0);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	msg_end(nlh);
	done(SEQ, 0);

	ret = parse(&d);
	ok(ret == 0 && d && d->n_peers == 2, "a peer split over two messages is one peer (ret %d, %zu peers)",
	   ret, d ? d->n_peers : 0);
	ok(d && d->n_peers == 2 && d->peers[0].n_allowedips == 2 &&
	   cidr_is(&d->peers[0].allowedips[0], AF_INET, "10.0.0.0", 8) &&
	   cidr_is(&d->peers[0].allowedips[1], AF_INET6, "fd00:100::", 64) &&
	   d->peers[0].handshake_sec == 1700000000 && d->peers[0].rx_bytes == 1,
	   "its allowed IPs are joined, its counters kept from the first part");
	wg_device_info_free(d);

	/* No peers at all: one message, no PEERS attribute. A stranger's
	 * message (another sequence number) is not part of the reply. */
	wire_reset();
	nlh = msg_start(FAMILY, WG_CMD_GET_DEVICE, SEQ - 1);
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 99);
	msg_end(nlh);
	nlh = msg_start(FAMILY, WG_CMD_GET_DEVICE, SEQ);
	put_device(nlh, false);
	msg_end(nlh);
	done(SEQ, 0);
	ret = parse(&d);
	ok(ret == 0 && d && d->n_peers == 0 && d->ifindex == 7 && !d->has_public_key,
	   "no peers, no key set, a stale message skipped (ret %d)", ret);
	wg_device_info_free(d);
}

/* One broken thing in an otherwise good reply; each is refused whole. */
enum breakage {
	SHORT_PUBKEY, LONG_PRIVKEY, ENDPOINT_FAMILY_LEN, AIP_V4_WITH_16, AIP_CIDR_33,
	AIP_NO_FAMILY, HANDSHAKE_NSEC, HANDSHAKE_SHORT, PEER_NO_KEY, RX_U32, NAME_NO_NUL,
	NAME_TOO_LONG, IFINDEX_ZERO, WRONG_CMD, WRONG_TYPE, TRUNCATED_ATTR, TRAILING_BYTES,
	NO_DONE, NO_NAME, SECOND_DEVICE, LEN_2G, LEN_WRAPS, N_BREAKAGES
};

static const char *const breakage_names[] = {
	"a 31-byte peer public key", "a 33-byte private key",
	"an AF_INET endpoint of sockaddr_in6's length", "an IPv4 allowed IP of 16 bytes",
	"an IPv4 allowed IP /33", "an allowed IP without its family",
	"a handshake time with 10^9 ns", "a handshake time of 8 bytes", "a peer without a key",
	"rx bytes as a u32", "a device name without its NUL", "a device name of 16 bytes and NUL",
	"ifindex 0", "another command", "a message of another family",
	"an attribute longer than its message", "bytes after the last message",
	"no NLMSG_DONE", "no device name in the whole reply", "a second device's ifindex",
	"a message length of 2^32 - 112 (libmnl's check takes it)",
	"a message length that wraps to 0 when aligned",
};

static void build_broken(enum breakage b)
{
	struct __kernel_timespec ts = { .tv_sec = 1, .tv_nsec = 1000000000 };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET };
	uint8_t addr16[16] = { 10 }, key33[33] = { 1 };
	struct nlmsghdr *nlh;
	struct nlattr *peers, *peer, *aips, *aip;

	wire_reset();
	nlh = msg_start(FAMILY, b == WRONG_CMD ? WG_CMD_SET_DEVICE : WG_CMD_GET_DEVICE, SEQ);
	if (b == WRONG_TYPE)
		nlh->nlmsg_type = FAMILY + 1;
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, b == IFINDEX_ZERO ? 0 : 7);
	if (b == NAME_NO_NUL)
		mnl_attr_put(nlh, WGDEVICE_A_IFNAME, 3, "wg0");
	else if (b == NAME_TOO_LONG)
		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0123456789abcd");
	else if (b != NO_NAME)
		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	if (b == LONG_PRIVKEY)
		mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, sizeof(key33), key33);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	if (b == SHORT_PUBKEY)
		mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 31, peer_a);
	else if (b != PEER_NO_KEY)
		mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 32, peer_a);
	if (b == ENDPOINT_FAMILY_LEN)
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(s6), &s6);
	if (b == HANDSHAKE_NSEC)
		mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts);
	if (b == HANDSHAKE_SHORT)
		mnl_attr_put_u64(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, 1);
	if (b == RX_U32)
		mnl_attr_put_u32(nlh, WGPEER_A_RX_BYTES, 1);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	aip = mnl_attr_nest_start(nlh, 0);
	if (b != AIP_NO_FAMILY)
		mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, b == AIP_V4_WITH_16 ? 16 : 4, addr16);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, b == AIP_CIDR_33 ? 33 : 8);
	mnl_attr_nest_end(nlh, aip);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	if (b == TRUNCATED_ATTR)
		mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 1);
	msg_end(nlh);
	if (b == TRUNCATED_ATTR) {
		struct nlattr *last = (struct nlattr *)((char *)nlh + nlh->nlmsg_len - 8);

		last->nla_len = 12;
	}
	if (b == SECOND_DEVICE) {
		nlh = msg_start(FAMILY, WG_CMD_GET_DEVICE, SEQ);
		mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 8);
		msg_end(nlh);
	}
	/* Trailing bytes: a datagram that ends inside a message header. */
	if (b == TRAILING_BYTES)
		wire_len += 8;
	else if (b != NO_DONE)
		done(SEQ, 0);
	/* Found by tests/fuzz/fuzz-wg.c: libmnl's mnl_nlmsg_ok casts the
	 * length to int, so these passed it and the walk left the buffer. */
	if (b == LEN_2G)
		((struct nlmsghdr *)wire)->nlmsg_len = 0xffffff90;
	if (b == LEN_WRAPS)
		((struct nlmsghdr *)wire)->nlmsg_len = 0xfffffffd;
}

static void broken(void)
{
	struct wg_device_info *d;
	int ret;

	for (int b = 0; b < N_BREAKAGES; b++) {
		d = (struct wg_device_info *)1;
		build_broken((enum breakage)b);
		ret = parse(&d);
		ok(ret == -EBADMSG && !d, "%s: the reply is refused (ret %d)", breakage_names[b], ret);
		if (ret == 0)
			wg_device_info_free(d);
	}
}

static void kernel_words(void)
{
	struct wg_device_info *d;
	struct nlmsghdr *nlh;
	int ret;

	wire_reset();
	error_msg(-EPERM);
	ret = parse(&d);
	ok(ret == -EPERM && !d, "the kernel's refusal (not CAP_NET_ADMIN): -EPERM (ret %d)", ret);

	wire_reset();
	error_msg(-ENODEV);
	ret = parse(&d);
	ok(ret == -ENODEV && !d, "no such device: -ENODEV (ret %d)", ret);

	wire_reset();
	nlh = msg_start(FAMILY, WG_CMD_GET_DEVICE, SEQ);
	put_device(nlh, true);
	msg_end(nlh);
	done(SEQ, -ENOBUFS);
	ret = parse(&d);
	ok(ret == -ENOBUFS && !d, "a dump that ended in an error gives that error (ret %d)", ret);

	wire_reset();
	nlh = msg_start(FAMILY, WG_CMD_GET_DEVICE, SEQ);
	nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	put_device(nlh, true);
	msg_end(nlh);
	done(SEQ, 0);
	ret = parse(&d);
	ok(ret == -EINTR && !d, "NLM_F_DUMP_INTR: -EINTR, no device (ret %d)", ret);

	wire_reset();
	error_msg(7);
	ret = parse(&d);
	ok(ret == -EBADMSG && !d, "a positive error code is no errno: refused (ret %d)", ret);
}

/* This machine's kernel: the build machines have no WireGuard; elsewhere
 * lo is no WireGuard device. Either way the call fails cleanly. */
static void this_kernel(void)
{
	struct wg_device_info *d = (struct wg_device_info *)1;
	struct wgp_err err = { 0 };
	int ret;

	ret = wg_get_device(1, &d, &err);
	ok((ret == -EPROTONOSUPPORT || ret == -EOPNOTSUPP || ret == -EPERM) && !d &&
	   err.code == -ret, "wg_get_device(lo): no WireGuard, not WireGuard, or not allowed (ret %d)",
	   ret);
}

int main(void)
{
	whole();
	split();
	broken();
	kernel_words();
	this_kernel();
	return done_testing();
}
