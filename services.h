/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemons of the physical namespace: which a link gets, with what
 * arguments and capabilities; and RestoreOnDown, the same daemons in the
 * main namespace after down. 0 or -errno.
 */
#ifndef WGPHYS_SERVICES_H
#define WGPHYS_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "daemon.h"
#include "err.h"
#include "state.h"

/* The wpa_supplicant configuration of ifname (WPASupplicant with %i), in
 * path; whether it exists. */
bool services_wpa_conf(const struct wgphys_config *cfg, const char *ifname, char *path,
		       size_t len);

/* One dhcpcd for every link of the namespace, now and later (DHCP = none:
 * nothing). journal(arg, d, err) records it before it runs. */
int services_start_dhcp(const struct wgphys_config *cfg, int phys_fd, const char *netns,
			daemon_journal_fn journal, void *arg, struct wgp_err *err);
/* wpa_supplicant for the wireless link ifname, if its configuration
 * exists (else 0, nothing started). */
int services_start_wpa(const struct wgphys_config *cfg, int phys_fd, const char *netns,
		       const char *ifname, daemon_journal_fn journal, void *arg,
		       struct wgp_err *err);
/* Start again what d was (same program, link and arguments). */
int services_restart(const struct wgphys_config *cfg, int phys_fd, const char *netns,
		     const struct state_daemon *d, daemon_journal_fn journal, void *arg,
		     struct wgp_err *err);

/* RestoreOnDown: wpa_supplicant and dhcpcd for the links st moved, now
 * back in main; detached, not ours. A failure is a warning in err. */
int services_restore_main(const struct wgphys_config *cfg, const struct state *st,
			  struct wgp_err *err);

/* The daemons up would start, as shell lines for --dry-run. */
void services_describe(const struct wgphys_config *cfg, const struct state *st,
		       void (*emit)(void *arg, const char *line), void *arg);

#endif
