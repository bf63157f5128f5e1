// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the key codec (encoding.c): known keys both ways, the
 * refusals (length, padding, alphabet, non-canonical ends), and round
 * trips: random keys, every byte value in every position, and every
 * character of the text replaced by every other.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "tap.h"

#define KEY31 "kC7h/xxE7eAsDUYwjacXK6vXOyQa05ywOiE/Z7Kx4A=="	/* 31 bytes */
#define KEY33 "AZ9HnvCvrmU3+svamu+ouMcb4RMWaoMAdNPeFzzZigOE"	/* 33 bytes */
/* The bytes 0, 1, .., 31. */
#define SEQ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void test_keys(void)
{
	uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN];
	char b64[45];
	unsigned int i, j, mismatches = 0;

	ok(key_from_base64(key, SEQ) == 0, "key: decodes the bytes 0..31");
	for (i = 0; i < WG_KEY_LEN && key[i] == i; i++)
		;
	ok(i == WG_KEY_LEN, "key: the decoded bytes are 0..31");
	key_to_base64(b64, key);
	ok(!strcmp(b64, SEQ), "key: encodes 0..31 back to the same text");
	memset(key, 0xff, sizeof(key));
	key_to_base64(b64, key);
	ok(!strcmp(b64, "//////////////////////////////////////////8="), "key: all ones encodes as //..8=");
	ok(key_from_base64(key, "//////////////////////////////////////////9=") == -EINVAL,
	   "key: non-canonical last character refused");
	ok(key_from_base64(key, "") == -EINVAL && key_from_base64(key, NULL) == -EINVAL,
	   "key: empty and NULL refused");
	memset(key, 0xaa, sizeof(key));
	ok(key_from_base64(key, KEY31) == -EINVAL && key[0] == 0 && key[31] == 0,
	   "key: a 31-byte key is refused and the output wiped");
	ok(key_from_base64(key, KEY33) == -EINVAL, "key: a 33-byte key is refused");

	/* Every 6-bit value in every position, through both directions. */
	srand(1);
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < WG_KEY_LEN; j++)
			key[j] = (uint8_t)rand();
		key_to_base64(b64, key);
		if (strlen(b64) != 44 || key_from_base64(back, b64) ||
		    memcmp(key, back, sizeof(key)))
			mismatches++;
	}
	ok(mismatches == 0, "key: 2000 random keys survive encode + decode (%u mismatches)",
	   mismatches);
}

/* Every byte value in every position survives encode + decode. */
static void test_every_byte(void)
{
	uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN];
	char b64[WG_KEY_LEN_BASE64];
	unsigned int pos, v, bad = 0;

	for (pos = 0; pos < WG_KEY_LEN; pos++) {
		for (v = 0; v < 256; v++) {
			memset(key, 0x5a, sizeof(key));
			key[pos] = (uint8_t)v;
			key_to_base64(b64, key);
			if (key_from_base64(back, b64) || memcmp(key, back, sizeof(key)))
				bad++;
		}
	}
	ok(bad == 0, "key: every byte value in every position round-trips (%u bad)", bad);
}

/*
 * Every character of a key's text replaced by every byte: decoding must
 * accept exactly the alphabet in positions 0..42 (the last of them only
 * where the two padding bits stay zero) and '=' alone at 43; whatever it
 * accepts must encode back to the same text.
 */
static void test_every_char(void)
{
	uint8_t key[WG_KEY_LEN];
	char text[WG_KEY_LEN_BASE64], back[WG_KEY_LEN_BASE64];
	unsigned int pos, c, wrong = 0, accepted = 0;

	for (pos = 0; pos < 44; pos++) {
		for (c = 1; c < 256; c++) {
			const char *in_alpha = memchr(b64_alphabet, (int)c, 64);
			bool want;

			strcpy(text, SEQ);
			text[pos] = (char)c;
			if (pos == 43)
				want = c == '=';
			else if (pos == 42)
				want = in_alpha && ((in_alpha - b64_alphabet) & 3) == 0;
			else
				want = in_alpha != NULL;
			if ((key_from_base64(key, text) == 0) != want) {
				wrong++;
				continue;
			}
			if (!want)
				continue;
			accepted++;
			key_to_base64(back, key);
			if (strcmp(back, text))
				wrong++;
		}
	}
	ok(wrong == 0, "key: each of 44 x 255 one-character changes decides as it should (%u wrong, %u accepted)",
	   wrong, accepted);
}

int main(void)
{
	test_keys();
	test_every_byte();
	test_every_char();
	return done_testing();
}
