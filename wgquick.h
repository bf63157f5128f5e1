/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unmodified wg-quick file [Tunnel] Config names: its [Interface] and
 * [Peer] keys, read into a struct wg_config. Parsing only: nothing here
 * talks to the kernel, resolves a name or changes any state.
 */
#ifndef WGPHYS_WGQUICK_H
#define WGPHYS_WGQUICK_H

#include <stddef.h>

#include "err.h"
#include "model.h"

/*
 * Load the file: refused if it is not a regular file owned by root, or is
 * writable by group or others, or readable by others (it holds a private
 * key). On error: -errno, *out untouched, err says "PATH:LINE: what is
 * wrong".
 */
int wgq_load(const char *path, struct wg_config **out, struct wgp_err *err);

/* The same on a buffer (unit tests, fuzzing); name is used in messages. */
int wgq_parse(const char *name, const char *buf, size_t len,
	      struct wg_config **out, struct wgp_err *err);

#endif
