/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bytes from outside (an SSID, an interface name: the kernel lets both hold
 * any byte but a few) made safe to show: as a JSON string, and as text for
 * a terminal, where a control character could rewrite the screen. Pure
 * functions; the command layer prints what they make.
 */
#ifndef WGPHYS_ESCAPE_H
#define WGPHYS_ESCAPE_H

#include <stddef.h>

/*
 * s[0..len) as a JSON string, quotes included, into out (size bytes,
 * always NUL-terminated when size > 0). '"', '\\' and control characters
 * are escaped; valid UTF-8 is kept; a byte that is not part of valid UTF-8
 * becomes U+FFFD, so the result is always valid JSON text. Returns the
 * length the whole string needs, as snprintf does: a result >= size means
 * out was cut short.
 */
size_t json_quote(char *out, size_t size, const void *s, size_t len);

/*
 * s[0..len) for a terminal, without quotes: printable ASCII and valid
 * UTF-8 (but the C1 controls) are kept, '\\' and '"' get a backslash, and
 * every other byte becomes \xNN, as iw shows an SSID. Returns as
 * json_quote.
 */
size_t text_quote(char *out, size_t size, const void *s, size_t len);

/* The same for a line of text that holds untrusted parts but is not
 * itself quoted: only what a terminal would obey, and bytes that are not
 * UTF-8, are escaped. */
size_t text_clean(char *out, size_t size, const void *s, size_t len);

#endif
