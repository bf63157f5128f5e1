/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key codec: WireGuard keys as 44 characters of base64, decoded and
 * encoded in constant time (no branch or table lookup on a key character).
 */
#ifndef WGPHYS_ENCODING_H
#define WGPHYS_ENCODING_H

#include <stdint.h>

#include "model.h"

#define WG_KEY_LEN_BASE64 45	/* 44 characters and the NUL */

/* 44 characters of base64 for exactly 32 bytes; 0 or -EINVAL (key wiped). */
int key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64);
/* key to 44 characters plus NUL, for --dry-run output. */
void key_to_base64(char b64[WG_KEY_LEN_BASE64], const uint8_t key[WG_KEY_LEN]);

#endif
