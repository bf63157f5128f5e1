/* SPDX-License-Identifier: GPL-2.0 */
/* `up --dry-run`: the plan as shell lines (dryrun.c). 0 or -errno. */
#ifndef WGPHYS_DRYRUN_H
#define WGPHYS_DRYRUN_H

#include "model.h"
#include "err.h"

/* The plan as `ip`/`iw`/`wg` command lines, one per emit() call. Changes
 * nothing and needs no privilege; names no key. */
int up_dry_run(const struct wgphys_config *cfg, const struct wg_config *wg,
	       void (*emit)(void *arg, const char *line), void *arg,
	       struct wgp_err *err);

#endif
