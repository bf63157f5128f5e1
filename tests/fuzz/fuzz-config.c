// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for both parsers of config.c: the input is given to
 * config_parse() and to wgconf_parse(); every key that parses is checked to
 * survive key_to_base64() + key_from_base64() unchanged.
 *
 * Build and run (from the top directory):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz-config.c config.c err.c -o fuzz-config
 *   ./fuzz-config -max_total_time=60 CORPUS_DIR
 */
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_key(const uint8_t key[WG_KEY_LEN])
{
	uint8_t back[WG_KEY_LEN];
	char b64[45];
	size_t i;

	key_to_base64(b64, key);
	if (b64[44] || key_from_base64(back, b64))
		__builtin_trap();
	for (i = 0; i < WG_KEY_LEN; i++)
		if (back[i] != key[i])
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgphys_config *cfg = NULL;
	struct wg_config *wg = NULL;
	struct wgp_err err = { 0 };
	size_t i;

	if (config_parse("fuzz.conf", (const char *)data, size, &cfg, &err) == 0) {
		if (config_valid_netns_name(cfg->netns) || !cfg->tunnel_config ||
		    !cfg->wpa_pattern || err.code)
			__builtin_trap();
		config_free(cfg);
	} else if (!err.code) {
		__builtin_trap();	/* every error says why */
	}

	err = (struct wgp_err){ 0 };
	if (wgconf_parse("fuzz.conf", (const char *)data, size, &wg, &err) == 0) {
		if (!wg->has_private_key || err.code)
			__builtin_trap();
		check_key(wg->private_key);
		for (i = 0; i < wg->n_peers; i++) {
			check_key(wg->peers[i].public_key);
			if (wg->peers[i].has_preshared_key)
				check_key(wg->peers[i].preshared_key);
		}
		wgconf_free(wg);
	} else if (!err.code) {
		__builtin_trap();
	}
	return 0;
}
