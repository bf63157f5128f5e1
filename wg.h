/* SPDX-License-Identifier: GPL-2.0 */
/* WireGuard's generic netlink family, through libmnl. */
#ifndef WGPHYS_WG_H
#define WGPHYS_WG_H

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

#endif
