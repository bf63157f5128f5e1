/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a NIC crosses between the main and the physical namespace with its
 * configuration, for up, down and the guard. 0 or -errno.
 */
#ifndef WGPHYS_MOVE_H
#define WGPHYS_MOVE_H

#include <stdint.h>

#include "err.h"
#include "rtnl.h"
#include "state.h"

/* Seconds of CLOCK_BOOTTIME: when saved addresses were taken. */
uint32_t move_clock(void);

/*
 * Where the link l is now, as seen by nl (its new ifindex in *now):
 * restore its state (up if it was) and the addresses and routes saved from
 * it, their lifetimes shortened by the time since. What cannot be
 * restored (a route whose gateway is gone) is left to DHCP: only setting
 * the link up can fail.
 */
int move_restore_config(struct nlk *nl, const struct state *st, const struct state_link *l,
			const struct link_info *now, struct wgp_err *err);

/*
 * Bring l back from the namespace nl_from looks at into to_fd under its
 * old name (or its kernel-given one if the name is taken). -ENODEV: it is
 * not there.
 */
int move_nic_back(struct nlk *nl_from, const struct state_link *l, int to_fd,
		  struct wgp_err *err);

#endif
