/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unmodified wg-quick file [Tunnel] Config names: its [Interface] and
 * [Peer] keys, read into a struct wg_config as wg-quick and wg(8) read
 * them. Parsing only: nothing here talks to the kernel, resolves a name or
 * changes any state.
 */
#ifndef WGPHYS_WGQUICK_H
#define WGPHYS_WGQUICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

/* What wgphys.conf says about reading the file. */
struct wgq_options {
	bool hooks_ignore;		/* Hooks = ignore: skip every hook, with a note */
	/*
	 * A private key kept out of the file (PrivateKeyFile, a systemd
	 * credential), or NULL. The file must then have no PrivateKey.
	 */
	const uint8_t *private_key;
	const char *private_key_from;	/* where it came from, for messages */
};

/*
 * Load the file: refused if it is not a regular file owned by root, or is
 * writable by group or others, or readable by others (it holds a private
 * key). opt may be NULL (the defaults). On error: -errno, *out untouched,
 * err says "PATH:LINE: what is wrong". On success, (*out)->notes holds
 * what the user should know (host bits cleared, hooks skipped, ...).
 */
int wgq_load(const char *path, const struct wgq_options *opt,
	     struct wg_config **out, struct wgp_err *err);

/* The same on a buffer (unit tests, fuzzing); name is used in messages. */
int wgq_parse(const char *name, const char *buf, size_t len,
	      const struct wgq_options *opt, struct wg_config **out,
	      struct wgp_err *err);

#endif
