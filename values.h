/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syntax of single values, shared by both configuration files: numbers,
 * yes/no, list items, names, paths and addresses. ASCII only, whatever the
 * locale: these files are not text for humans. Each function checks or
 * converts one value and says nothing; the caller words the message.
 */
#ifndef WGPHYS_VALUES_H
#define WGPHYS_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

static inline bool ch_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline bool ch_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool ch_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline char ch_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

bool val_streq_ci(const char *a, const char *b);

/* Trim in place: returns the first non-space byte, cuts after the last. */
char *val_trim(char *s);

/* Decimal digits only (no sign, no space), value at most max: 0, -EINVAL
 * or -ERANGE. */
int val_u32(const char *s, uint32_t max, uint32_t *out);
/* Hex digits only (no "0x"): 0, -EINVAL or -ERANGE. */
int val_hex_u32(const char *s, uint32_t *out);
/* "yes"/"no" and the usual synonyms; 1, 0 or -EINVAL. */
int val_bool(const char *s);

/*
 * The next item of a comma-separated list, trimmed and cut in place; "" for
 * an empty item (the caller refuses it), NULL after the last.
 */
char *val_next_item(char **cursor);

/*
 * The next item of a list separated by commas and/or blanks, as wg-quick
 * splits one: cut in place; empty items are skipped; NULL after the last.
 */
char *val_next_word(char **cursor);

/* What the kernel's dev_valid_name() accepts, minus control characters. */
bool val_ifname(const char *s);
/* A DNS name of letters, digits, '-' and '_' labels; not all-digit last. */
bool val_dns_name(const char *s);
/* An absolute path of printable characters, shorter than PATH_MAX. */
bool val_path(const char *s);

/* An IP address without a prefix; family from the presence of ':'. */
int val_addr(const char *s, struct cidr *c);
/*
 * ADDR or ADDR/PREFIX, stored as written (host bits are kept; the caller
 * decides). -EINVAL: not an address; -ERANGE: bad prefix length.
 */
int val_cidr(const char *s, struct cidr *c);

/* Clear the host bits of c (keep the network); true if any were set. */
bool val_cidr_mask(struct cidr *c);

/*
 * Room for one more element of an array that holds n and has room for *cap.
 * Returns the (possibly moved) array, or NULL with arr untouched. wipe: the
 * elements hold key material, so the old block is wiped before it is freed
 * (realloc would leave a copy behind).
 */
void *val_grow(void *arr, size_t n, size_t *cap, size_t size, bool wipe);

#endif
