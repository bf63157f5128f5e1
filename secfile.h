/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a whole configuration file only after checking who may have
 * written it (and, for secrets, who may have read it): a regular file, not
 * reached through a symbolic link, owned by root.
 */
#ifndef WGPHYS_SECFILE_H
#define WGPHYS_SECFILE_H

#include <stddef.h>

#include "err.h"

enum secfile_kind {
	SECFILE_CONFIG,	/* not writable by group or others; up to 1 MiB */
	SECFILE_SECRET,	/* ...nor readable by others (a wg-quick file) */
	SECFILE_KEY,	/* ...nor readable by group; up to 1 KiB */
};

#define SECFILE_CONFIG_MAX (1024 * 1024)	/* real ones are < 10 KiB */

/*
 * The whole file in *out (len bytes, NUL-terminated, cap bytes allocated),
 * to be released with secfile_release(). On error: -errno, err says
 * "PATH: what is wrong".
 */
int secfile_read(const char *path, enum secfile_kind kind, char **out,
		 size_t *len, size_t *cap, struct wgp_err *err);

/* Wipe and free what secfile_read() returned; accepts NULL. */
void secfile_release(char *buf, size_t cap);

#endif
