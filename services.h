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

/*
 * One dhcpcd for every link of the namespace, now and later (DHCP = none:
 * nothing). journal(arg, d, err) records it before it runs. With s, the
 * start is only begun, and the caller ends it (daemon_start_end), so that
 * several start side by side; s->pid is -1 when nothing was begun.
 */
int services_start_dhcp(const struct wgphys_config *cfg, int phys_fd, const char *netns,
			daemon_journal_fn journal, void *arg, struct daemon_starting *s,
			struct wgp_err *err);
/* wpa_supplicant for the wireless link ifname, if its configuration
 * exists (else 0, nothing started); s as above. Its control socket is in
 * WGPHYS_WPA_CTRL_DIR (paths.h), for the users of its group. */
int services_start_wpa(const struct wgphys_config *cfg, int phys_fd, const char *netns,
		       const char *ifname, daemon_journal_fn journal, void *arg,
		       struct daemon_starting *s, struct wgp_err *err);
/* Remove what a killed wpa_supplicant left in WGPHYS_WPA_CTRL_DIR (its
 * sockets, then the directory); best effort, for down. */
void services_ctrl_cleanup(void);
/* Start again what d was (same program, link and arguments). */
int services_restart(const struct wgphys_config *cfg, int phys_fd, const char *netns,
		     const struct state_daemon *d, daemon_journal_fn journal, void *arg,
		     struct wgp_err *err);

/* The signal that begins d's end in down: SIGTERM or SIGKILL. */
int services_stop_signal(const struct state_daemon *d);

/* RestoreOnDown: wpa_supplicant and dhcpcd for the links st moved, now
 * back in main; detached, not ours. A failure is a warning in err. */
int services_restore_main(const struct wgphys_config *cfg, const struct state *st,
			  struct wgp_err *err);

/* The daemons up would start, as shell lines for --dry-run. */
void services_describe(const struct wgphys_config *cfg, const struct state *st,
		       void (*emit)(void *arg, const char *line), void *arg);

#endif
