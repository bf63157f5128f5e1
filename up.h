/* SPDX-License-Identifier: GPL-2.0 */
/* `up` and `down`: the steps, their order, and their undoing. 0 or -errno. */
#ifndef WGPHYS_UP_H
#define WGPHYS_UP_H

#include "model.h"
#include "err.h"

/* How long `up` keeps retrying a peer's host name (the network may be
 * coming up at boot). */
#define ENDPOINT_TIMEOUT_MS 30000

/* Every capability up and down use, and why:
 * NET_ADMIN links, addresses, routes, WireGuard, phys;
 * SYS_ADMIN setns, unshare, mount (the namespace file, /etc, /sys);
 * SETPCAP   a daemon's bounding set; KILL stopping a daemon that dropped
 * root (dhcpcd's privilege separation). */
extern const int up_caps[];

/*
 * Bring everything up as cfg and wg say. On failure every step done so far
 * is undone, in reverse, and -errno is returned with err naming the step.
 */
int up_run(const struct wgphys_config *cfg, const struct wg_config *wg,
	   struct wgp_err *err);

/* The plan as `ip`/`iw`/`wg` command lines, one per emit() call. Changes
 * nothing and needs no privilege. */
int up_dry_run(const struct wgphys_config *cfg, const struct wg_config *wg,
	       void (*emit)(void *arg, const char *line), void *arg,
	       struct wgp_err *err);

/*
 * Undo what the state file says `up` did, checking each item against what
 * the kernel reports (it may have crashed midway). -ENOENT: nothing is up.
 * With restore, start DHCP/wpa_supplicant again in the main namespace
 * (cfg may be NULL: no restore); if that fails, down still succeeds and
 * err holds a warning.
 */
int down_run(const struct wgphys_config *cfg, bool restore, struct wgp_err *err);

#endif
