/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tunnel's configuration as /etc/wgphys.conf asks for it: the wg-quick
 * file read with its Hooks policy, and the private key from the one place
 * it is kept (the wg-quick file, [Tunnel] PrivateKeyFile, or the systemd
 * credential "wgphys.key").
 */
#ifndef WGPHYS_TUNNELCONF_H
#define WGPHYS_TUNNELCONF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

#define TUNNEL_CREDENTIAL "wgphys.key"	/* LoadCredential=wgphys.key:PATH */

/*
 * Load cfg->tunnel_config. cred_dir is $CREDENTIALS_DIRECTORY (NULL: none);
 * a file wgphys.key in it is the private key. At most one of the three
 * places may hold a key: two are refused, naming both. Every copy of the
 * key is wiped; the one in *out goes with wgconf_free().
 */
int tunnel_load(const struct wgphys_config *cfg, const char *cred_dir,
		struct wg_config **out, struct wgp_err *err);

/*
 * A key file's text: 44 characters of base64, then only blanks and line
 * ends (as wg(8)'s key files). 0 or -EINVAL; key wiped on failure.
 */
int key_file_parse(const char *text, size_t len, uint8_t key[WG_KEY_LEN]);

#endif
