// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of handshake.c's reader of WG_CMD_GET_DEVICE replies, on
 * messages built here as the kernel builds them (the device's attributes
 * in the first page, more peers in the next, a peer without a handshake
 * yet) and broken in the ways a reply can break (a wrong length, a
 * truncated attribute, a peer list that is not nested, nanoseconds out of
 * range, another device's index).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>

#include "handshake.h"
#include "tap.h"

#define IFINDEX 7

static _Alignas(8) unsigned char buf[4096];

static struct nlmsghdr *start(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	memset(buf + sizeof(*nlh), 0, sizeof(*g));
	nlh->nlmsg_type = 0x20;
	nlh->nlmsg_flags = NLM_F_MULTI;
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = WG_GENL_VERSION;
	return nlh;
}

static void put_device(struct nlmsghdr *nlh, int ifindex)
{
	unsigned char key[WG_KEY_LEN] = { 1 };

	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, (uint32_t)ifindex);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	mnl_attr_put(nlh, WGDEVICE_A_PUBLIC_KEY, sizeof(key), key);
	mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
}

/* A peer with an endpoint, an allowed IP and a handshake at sec (0: none). */
static void put_peer(struct nlmsghdr *nlh, long long sec, long long nsec)
{
	struct __kernel_timespec ts = { .tv_sec = sec, .tv_nsec = nsec };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(51820) };
	unsigned char key[WG_KEY_LEN] = { 2 };
	struct nlattr *p, *aips, *aip;
	uint32_t addr = htonl(0x0a640001);

	p = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, sizeof(key), key);
	mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(sin), &sin);
	mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts);
	mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 92);
	mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, 148);
	mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
	mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	aip = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, sizeof(addr), &addr);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 32);
	mnl_attr_nest_end(nlh, aip);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, p);
}

static int parse(const struct nlmsghdr *nlh, struct timespec *latest)
{
	return wg_handshake_parse(nlh, IFINDEX, latest);
}

int main(void)
{
	struct timespec latest = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *peers, *a;
	struct __kernel_timespec ts = { 5, 0 };

	/* The first page: the device, two peers, one never handshaken. */
	nlh = start();
	put_device(nlh, IFINDEX);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer(nlh, 0, 0);
	put_peer(nlh, 1700000000, 500);
	mnl_attr_nest_end(nlh, peers);
	ok(parse(nlh, &latest) == 0, "a reply as the kernel sends it is read");
	ok(latest.tv_sec == 1700000000 && latest.tv_nsec == 500,
	   "the newest handshake of the peers is kept");

	/* The next page: only more peers, one newer, one older. */
	nlh = start();
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer(nlh, 1700000100, 0);
	put_peer(nlh, 1600000000, 0);
	mnl_attr_nest_end(nlh, peers);
	ok(parse(nlh, &latest) == 0 && latest.tv_sec == 1700000100,
	   "a later page with a newer handshake updates it");

	latest = (struct timespec){ 0 };
	nlh = start();
	put_device(nlh, IFINDEX);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer(nlh, 0, 0);
	mnl_attr_nest_end(nlh, peers);
	ok(parse(nlh, &latest) == 0 && !latest.tv_sec && !latest.tv_nsec,
	   "no handshake yet: zero");

	nlh = start();
	put_device(nlh, IFINDEX);
	mnl_attr_put_u32(nlh, WGDEVICE_A_MAX + 3, 1);
	ok(parse(nlh, &latest) == 0, "an attribute newer than our header is let through");

	/* Broken ones. */
	nlh = start();
	put_device(nlh, IFINDEX + 1);
	ok(parse(nlh, &latest) == -EBADMSG, "another device's index: refused");

	nlh = start();
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	a = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, 8, &ts);
	mnl_attr_nest_end(nlh, a);
	mnl_attr_nest_end(nlh, peers);
	ok(parse(nlh, &latest) == -EBADMSG, "a handshake time of the wrong length: refused");

	ts = (struct __kernel_timespec){ 5, 1000000000 };
	nlh = start();
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	a = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts);
	mnl_attr_nest_end(nlh, a);
	mnl_attr_nest_end(nlh, peers);
	ok(parse(nlh, &latest) == -EBADMSG, "nanoseconds out of range: refused");

	nlh = start();
	mnl_attr_put_u16(nlh, WGDEVICE_A_IFINDEX, IFINDEX);
	ok(parse(nlh, &latest) == -EBADMSG, "an index of the wrong size: refused");

	nlh = start();
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	mnl_attr_put_u32(nlh, 0, 12345);	/* a peer that is not a nest */
	mnl_attr_nest_end(nlh, peers);
	ok(parse(nlh, &latest) == -EBADMSG, "a peer that is no nest of attributes: refused");

	nlh = start();
	put_device(nlh, IFINDEX);
	a = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);
	a->nla_type = WGDEVICE_A_FWMARK;
	a->nla_len = 64;	/* beyond the message's end */
	nlh->nlmsg_len += 8;
	ok(parse(nlh, &latest) == -EBADMSG, "a truncated attribute: refused");

	nlh = start();
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	ok(parse(nlh, &latest) == -EBADMSG, "a message without its genetlink header: refused");

	nlh = start();
	put_device(nlh, IFINDEX);
	mnl_attr_put(nlh, WGDEVICE_A_IFNAME, 3, "wg0");
	ok(parse(nlh, &latest) == -EBADMSG, "a name without its terminating NUL: refused");
	return done_testing();
}
