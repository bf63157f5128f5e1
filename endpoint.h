/* SPDX-License-Identifier: GPL-2.0 */
/* Peers' endpoints, resolved the way the physical namespace sees the world. */
#ifndef WGPHYS_ENDPOINT_H
#define WGPHYS_ENDPOINT_H

#include <stdbool.h>

#include "model.h"
#include "err.h"
#include "wg.h"

/* The user host names are looked up as, where the system has it (else
 * nobody, 65534:65534). */
#ifndef RESOLVER_USER
#define RESOLVER_USER "_wgphys"
#endif

/*
 * Fork the resolver: the process that later looks host names up. Call it
 * before the wg-quick file is read, so that its memory never held a key
 * (endpoint.c says why). Once per process; 0 or -errno.
 */
int endpoint_resolver_start(struct wgp_err *err);
/* End it (and any lookup under way). */
void endpoint_resolver_stop(void);

/*
 * Fill out[i] for each peer of wg. A literal address needs nothing more; a
 * host name is looked up through the resolver, by a worker that entered
 * netns_fd (called netns) with its own /etc (its resolv.conf) and then
 * dropped to RESOLVER_USER with no capability and no_new_privs, retrying
 * temporary failures until timeout_ms has passed: at boot the network may
 * not be up yet. With netns_fd < 0 only literal addresses are accepted
 * (for --dry-run). -ENOTCONN if a name needs the resolver and none runs.
 */
int endpoints_resolve(const struct wg_config *wg, int netns_fd, const char *netns,
		      int timeout_ms, struct wg_endpoint *out, struct wgp_err *err);

#endif
