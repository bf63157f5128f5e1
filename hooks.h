/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which wg-quick hooks (PreUp, PostUp, PreDown, PostDown) are the usual
 * iptables kill switch, redundant under wgphys, whose namespace is the kill
 * switch. wgphys runs no hook; this only decides which ones it may skip
 * without asking.
 */
#ifndef WGPHYS_HOOKS_H
#define WGPHYS_HOOKS_H

#include <stdbool.h>

enum hook_when {
	HOOK_PRE_UP,
	HOOK_POST_UP,
	HOOK_PRE_DOWN,
	HOOK_POST_DOWN,
	HOOK_COUNT,
};

/*
 * True only for exactly this (blanks between words may be any run of
 * spaces or tabs), for one or both of iptables and ip6tables, joined by
 * "&&" or ";", with an optional ";" at the end:
 *
 *   CMD OP OUTPUT ! -o %i -m mark ! --mark $(wg show %i fwmark)
 *       -m addrtype ! --dst-type LOCAL -j REJECT
 *
 * where OP is -I or -A in PostUp, -D in PreDown and PostDown (never in
 * PreUp: the interface has no fwmark yet). That is wg-quick(8)'s own
 * example, and the pair VPN providers ship in their downloads. text is a
 * hook's whole value, without a comment.
 */
bool hook_is_killswitch(enum hook_when when, const char *text);

#endif
