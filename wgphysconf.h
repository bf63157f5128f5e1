/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/wgphys.conf: which namespace, which devices, which DHCP client, and
 * which tunnel with which wg-quick file, read how (its hooks, its private
 * key kept elsewhere). Parsing only: nothing here talks to
 * the kernel, resolves a name or changes any state.
 */
#ifndef WGPHYS_WGPHYSCONF_H
#define WGPHYS_WGPHYSCONF_H

#include <stddef.h>

#include "err.h"
#include "model.h"

/*
 * Load the file: refused if it is not a regular file owned by root and not
 * writable by group or others. A missing file is an error (-ENOENT); the
 * caller decides whether to fall back to config_default().
 * On error: -errno, *out untouched, err says "PATH:LINE: what is wrong".
 */
int config_load(const char *path, struct wgphys_config **out, struct wgp_err *err);

/* The same on a buffer (unit tests, fuzzing); name is used in messages. */
int config_parse(const char *name, const char *buf, size_t len,
		 struct wgphys_config **out, struct wgp_err *err);

/* Defaults only: what an absent /etc/wgphys.conf means. */
int config_default(struct wgphys_config **out);

#endif
