/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kill switch in the kernel: a netfilter rule set in the current network
 * namespace that lets packets out only through lo, the tunnel and virtual
 * interfaces, and holds with no process of ours running. 0 or -errno; the
 * caller holds CAP_NET_ADMIN in its effective set.
 *
 * Tables "wgphys" in the families inet (IPv4 and IPv6 output, forwarding,
 * postrouting), bridge (frames a bridge sends or forwards to a port) and
 * arp (ARP sent by this host); see fence.c for the rules and why.
 */
#ifndef WGPHYS_FENCE_H
#define WGPHYS_FENCE_H

#include <stdbool.h>

#include "err.h"

/* The name of the tables (one per family). */
#define FENCE_TABLE "wgphys"

/* Install the rule set; an existing one is replaced in the same atomic
 * transaction, so there is no instant without it. */
int fence_install(struct wgp_err *err);

/* Remove it, atomically; absent is success. */
int fence_remove(struct wgp_err *err);

/* Whether every table is there with every chain hooked where it belongs
 * and dropping by policy. */
int fence_present(bool *present, struct wgp_err *err);

#endif
