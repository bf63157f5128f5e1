// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for both configuration parsers: the input is given to
 * config_parse() (wgphysconf.c) and to wgq_parse() (wgquick.c), both read
 * through ini.c and values.c. Every failure must carry a message; every
 * success must hold what the parser promises; every key that parses must
 * survive key_to_base64() + key_from_base64() (encoding.c) unchanged.
 *
 * Build and run: tests/fuzz/run.sh [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>

#include "encoding.h"
#include "wgphysconf.h"
#include "wgquick.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_key(const uint8_t key[WG_KEY_LEN])
{
	uint8_t back[WG_KEY_LEN];
	char b64[WG_KEY_LEN_BASE64];
	size_t i;

	key_to_base64(b64, key);
	if (b64[44] || key_from_base64(back, b64))
		__builtin_trap();
	for (i = 0; i < WG_KEY_LEN; i++)
		if (back[i] != key[i])
			__builtin_trap();
}

static void check_wgphys(const uint8_t *data, size_t size)
{
	struct wgphys_config *cfg = NULL;
	struct wgp_err err = { 0 };

	if (config_parse("fuzz.conf", (const char *)data, size, &cfg, &err) == 0) {
		if (config_valid_netns_name(cfg->netns) || !cfg->tunnel_config ||
		    !cfg->wpa_pattern || err.code)
			__builtin_trap();
		config_free(cfg);
	} else if (!err.code || !err.why[0]) {
		__builtin_trap();	/* every error has a message */
	}
}

static void check_wgquick(const uint8_t *data, size_t size)
{
	struct wg_config *wg = NULL;
	struct wgp_err err = { 0 };
	size_t i;

	if (wgq_parse("fuzz.conf", (const char *)data, size, &wg, &err) == 0) {
		if (!wg->has_private_key || err.code)
			__builtin_trap();
		check_key(wg->private_key);
		for (i = 0; i < wg->n_peers; i++) {
			check_key(wg->peers[i].public_key);
			if (wg->peers[i].has_preshared_key)
				check_key(wg->peers[i].preshared_key);
		}
		wgconf_free(wg);
	} else if (!err.code || !err.why[0]) {
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_wgphys(data, size);
	check_wgquick(data, size);
	return 0;
}
