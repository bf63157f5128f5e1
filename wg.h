/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WireGuard's generic netlink family, through libmnl: configure a device
 * (up), and read back what the kernel reports about it (status).
 */
#ifndef WGPHYS_WG_H
#define WGPHYS_WG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/socket.h>

#include "model.h"
#include "err.h"

/* A peer's endpoint after resolution; ss_family 0: none. */
struct wg_endpoint {
	struct sockaddr_storage addr;
};

/*
 * Give the device ifindex (in the current namespace) its private key,
 * listen port, fwmark and exactly wg's peers (replacing any), with the
 * endpoints resolved by the caller (one per peer). Large configurations
 * are split over several messages. Key material in the messages is wiped.
 */
int wg_set_device(int ifindex, const struct wg_config *wg,
		  const struct wg_endpoint *endpoints, struct wgp_err *err);

/*
 * What the kernel reports about a device (WG_CMD_GET_DEVICE). The kernel
 * sends the private key and each peer's preshared key too: they are
 * never kept, and every buffer that held them is wiped.
 */
struct wg_peer_info {
	uint8_t public_key[WG_KEY_LEN];
	struct sockaddr_storage endpoint;	/* ss_family 0: none */
	int64_t handshake_sec;			/* wall clock (CLOCK_REALTIME) of the */
	int64_t handshake_nsec;			/* latest handshake; 0: none yet */
	uint64_t rx_bytes, tx_bytes;
	uint16_t keepalive;			/* seconds, 0: off */
	struct cidr *allowedips;
	size_t n_allowedips;
};

struct wg_device_info {
	int ifindex;
	char name[IFNAMSIZ];
	uint8_t public_key[WG_KEY_LEN];
	bool has_public_key;			/* false: no private key set */
	uint16_t listen_port;
	uint32_t fwmark;
	struct wg_peer_info *peers;
	size_t n_peers;
};

/*
 * The device ifindex of the current namespace, as the kernel reports it.
 * The kernel allows this to CAP_NET_ADMIN only (GENL_UNS_ADMIN_PERM):
 * -EPERM otherwise. -ENODEV: no such device; -EOPNOTSUPP: not WireGuard.
 * Free *out with wg_device_info_free.
 */
int wg_get_device(int ifindex, struct wg_device_info **out, struct wgp_err *err);
void wg_device_info_free(struct wg_device_info *dev);

/*
 * *age_ms: how many ms ago any peer of the device ifindex last completed a
 * handshake, as wg_get_device reports it; -1 if none ever has (0 if the
 * clock was set back since). 0 or -errno as wg_get_device.
 */
int wg_handshake_age(int ifindex, long long *age_ms, struct wgp_err *err);

/*
 * The parser, a pure function over what the kernel sends (tests feed it
 * hand-built replies). A reply is every message in buf that carries seq
 * and portid (others are skipped, as a late answer to an earlier request
 * would be) up to NLMSG_DONE or an error; its data messages must be of
 * type family and command WG_CMD_GET_DEVICE, every attribute used of its
 * exact length. A peer the kernel split over two messages (its allowed IPs
 * go on in the next one, under the same public key) is joined. Returns 0
 * with *out set; -EBADMSG for a malformed or unfinished reply; -EINTR when
 * the kernel flagged it as changed while dumped; the kernel's -errno.
 */
struct wg_reply {
	uint16_t family;
	uint32_t seq;
	uint32_t portid;
};
int wg_parse_device(const struct wg_reply *r, const void *buf, size_t len,
		    struct wg_device_info **out);

#endif
