/* SPDX-License-Identifier: GPL-2.0 */
/* `up`: the steps and their order (up.c). 0 or -errno. */
#ifndef WGPHYS_UP_H
#define WGPHYS_UP_H

#include "down.h"
#include "model.h"
#include "err.h"

/* How long `up` keeps retrying a peer's host name (the network may be
 * coming up at boot). */
#define ENDPOINT_TIMEOUT_MS 30000
/* The tunnel's MTU when the configuration gives none. */
#define UP_DEFAULT_MTU 1420

/* Every capability up and down use, and why:
 * NET_ADMIN links, addresses, routes, WireGuard, phys;
 * SYS_ADMIN setns, unshare, mount (the namespace file, /etc, /sys);
 * SETPCAP   a daemon's bounding set; KILL stopping a daemon that dropped
 * root (dhcpcd's privilege separation); SYS_PTRACE only to read which
 * namespace such a process lives in (/proc/PID/ns/net), the proof that it
 * is ours before it is signalled. */
extern const int up_caps[];

/* Effective = exactly caps (a subset of up_caps): one step's needs. */
void up_narrow(const int *caps);

/*
 * Bring everything up as cfg and wg say. On failure every step done so far
 * is undone, in reverse, and -errno is returned with err naming the step
 * (err->changed: something had been changed; err->stuck: the undoing did
 * not finish, and the journal is kept for down).
 */
int up_run(const struct wgphys_config *cfg, const struct wg_config *wg,
	   struct wgp_err *err);

#endif
