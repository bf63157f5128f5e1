/* SPDX-License-Identifier: GPL-2.0 */
/* The one way back from `up` (down.c). 0 or -errno. */
#ifndef WGPHYS_DOWN_H
#define WGPHYS_DOWN_H

#include <stdbool.h>

#include "model.h"
#include "err.h"
#include "state.h"

/*
 * Undo what the state file says `up` did, checking each item against what
 * the kernel reports (it may have crashed midway). -ENOENT: nothing is up.
 * With restore, start DHCP/wpa_supplicant again in the main namespace
 * (cfg may be NULL: no restore); if that fails, down still succeeds and
 * err holds a warning.
 */
int down_run(const struct wgphys_config *cfg, bool restore, struct wgp_err *err);

/*
 * For a failed up: undo st, then drop the journal and the saved
 * resolv.conf. If the undoing does not finish, err->stuck is set and the
 * journal kept for down. Returns ret_so_far (the failure being undone).
 */
int down_rollback(struct state *st, int ret_so_far, struct wgp_err *err);

#endif
