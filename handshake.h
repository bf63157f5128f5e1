/* SPDX-License-Identifier: GPL-2.0 */
/* How long ago the tunnel last completed a handshake (handshake.c). */
#ifndef WGPHYS_HANDSHAKE_H
#define WGPHYS_HANDSHAKE_H

#include <time.h>
#include <linux/netlink.h>

#include "err.h"

/*
 * *age_ms: how many ms ago any peer of the WireGuard device ifindex (in the
 * current namespace) last completed a handshake, -1 if none ever has
 * (0 if the clock was set back since). Needs CAP_NET_ADMIN. 0 or -errno;
 * -EBADMSG for a reply that breaks WireGuard's format.
 */
int wg_handshake_age(int ifindex, long long *age_ms, struct wgp_err *err);

/*
 * One message of the WG_CMD_GET_DEVICE dump about ifindex, checked whole
 * (every attribute's length, nesting, and that they fill the message):
 * its newest handshake is kept in *latest if newer (zero: none yet).
 * 0, or -EBADMSG. For wg_handshake_age and the unit tests.
 */
int wg_handshake_parse(const struct nlmsghdr *nlh, int ifindex, struct timespec *latest);

#endif
