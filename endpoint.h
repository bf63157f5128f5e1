/* SPDX-License-Identifier: GPL-2.0 */
/* Peers' endpoints, resolved the way the physical namespace sees the world. */
#ifndef WGPHYS_ENDPOINT_H
#define WGPHYS_ENDPOINT_H

#include <stdbool.h>

#include "model.h"
#include "err.h"
#include "wg.h"

/*
 * Fill out[i] for each peer of wg. A literal address needs nothing more; a
 * host name is looked up in a child that entered netns_fd (called netns)
 * with its own /etc (its resolv.conf), retrying temporary failures until
 * timeout_ms has passed: at boot the network may not be up yet.
 * With netns_fd < 0 only literal addresses are accepted (for --dry-run).
 */
int endpoints_resolve(const struct wg_config *wg, int netns_fd, const char *netns,
		      int timeout_ms, struct wg_endpoint *out, struct wgp_err *err);

#endif
