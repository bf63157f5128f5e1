// SPDX-License-Identifier: GPL-2.0
/*
 * The key codec (encoding.h). Key characters go through arithmetic only, so
 * that their values steer no branch and no table lookup; only the length
 * and the padding, which are public, are checked the ordinary way.
 */
#include <errno.h>
#include <string.h>

#include "encoding.h"

/*
 * All ones when lo <= c <= hi, else zero, with no branch on c: for values
 * below 2^31, c - lo and hi - c both keep their top bit clear exactly when c
 * is in range.
 */
static uint32_t ct_in_range(uint32_t c, uint32_t lo, uint32_t hi)
{
	return (((c - lo) | (hi - c)) >> 31) - 1;
}

static uint32_t b64_decode_char(uint32_t c, uint32_t *bad)
{
	uint32_t upper = ct_in_range(c, 'A', 'Z');
	uint32_t lower = ct_in_range(c, 'a', 'z');
	uint32_t digit = ct_in_range(c, '0', '9');
	uint32_t plus = ct_in_range(c, '+', '+');
	uint32_t slash = ct_in_range(c, '/', '/');

	*bad |= ~(upper | lower | digit | plus | slash);
	return (upper & (c - 'A')) | (lower & (c - 'a' + 26)) |
	       (digit & (c - '0' + 52)) | (plus & 62) | (slash & 63);
}

/* 0..63 to its character: 'A' + v, shifted at each boundary of the alphabet. */
static char b64_encode_char(uint32_t v)
{
	uint32_t c = 'A' + v;

	c += ct_in_range(v, 26, 63) & 6;	/* 'a'.. */
	c -= ct_in_range(v, 52, 63) & 75;	/* '0'.. */
	c -= ct_in_range(v, 62, 63) & 15;	/* '+' */
	c += ct_in_range(v, 63, 63) & 3;	/* '/' */
	return (char)c;
}

int key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64)
{
	uint32_t bad = 0, acc = 0;
	unsigned int i, j;

	/* Length and padding are public; only the key characters are not. */
	if (!b64 || strlen(b64) != 44 || b64[43] != '=') {
		explicit_bzero(key, WG_KEY_LEN);
		return -EINVAL;
	}
	for (i = 0; i < 10; i++) {
		acc = 0;
		for (j = 0; j < 4; j++)
			acc = acc << 6 | b64_decode_char((unsigned char)b64[i * 4 + j], &bad);
		key[i * 3] = (uint8_t)(acc >> 16);
		key[i * 3 + 1] = (uint8_t)(acc >> 8);
		key[i * 3 + 2] = (uint8_t)acc;
	}
	/* Three characters, 18 bits, for the last two bytes: the low 2 bits
	 * must be zero or the text is not the canonical encoding. */
	acc = 0;
	for (j = 0; j < 3; j++)
		acc = acc << 6 | b64_decode_char((unsigned char)b64[40 + j], &bad);
	bad |= acc & 3;
	key[30] = (uint8_t)(acc >> 10);
	key[31] = (uint8_t)(acc >> 2);
	explicit_bzero(&acc, sizeof(acc));

	if (bad) {
		explicit_bzero(key, WG_KEY_LEN);
		return -EINVAL;
	}
	return 0;
}

void key_to_base64(char b64[WG_KEY_LEN_BASE64], const uint8_t key[WG_KEY_LEN])
{
	uint32_t acc;
	unsigned int i;

	for (i = 0; i < 10; i++) {
		acc = (uint32_t)key[i * 3] << 16 | (uint32_t)key[i * 3 + 1] << 8 |
		      key[i * 3 + 2];
		b64[i * 4] = b64_encode_char(acc >> 18 & 63);
		b64[i * 4 + 1] = b64_encode_char(acc >> 12 & 63);
		b64[i * 4 + 2] = b64_encode_char(acc >> 6 & 63);
		b64[i * 4 + 3] = b64_encode_char(acc & 63);
	}
	acc = (uint32_t)key[30] << 10 | (uint32_t)key[31] << 2;
	b64[40] = b64_encode_char(acc >> 12 & 63);
	b64[41] = b64_encode_char(acc >> 6 & 63);
	b64[42] = b64_encode_char(acc & 63);
	b64[43] = '=';
	b64[44] = '\0';
	explicit_bzero(&acc, sizeof(acc));
}

