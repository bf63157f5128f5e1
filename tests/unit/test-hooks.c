// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the kill-switch recogniser (hooks.c): what it takes for the
 * usual iptables kill switch, and the near misses it must not take.
 */
#include <stdio.h>

#include "hooks.h"
#include "tap.h"

#define RULE(cmd, op) cmd " " op " OUTPUT ! -o %i -m mark ! --mark $(wg show %i fwmark) " \
	"-m addrtype ! --dst-type LOCAL -j REJECT"

static const struct {
	enum hook_when when;
	const char *text;
	bool want;
} cases[] = {
	/* taken */
	{ HOOK_POST_UP, RULE("iptables", "-I"), true },
	{ HOOK_POST_UP, RULE("iptables", "-A"), true },
	{ HOOK_POST_UP, RULE("ip6tables", "-I"), true },
	{ HOOK_PRE_DOWN, RULE("iptables", "-D"), true },
	{ HOOK_POST_DOWN, RULE("iptables", "-D"), true },
	{ HOOK_POST_UP, RULE("iptables", "-I") " && " RULE("ip6tables", "-I"), true },
	{ HOOK_POST_UP, RULE("ip6tables", "-I") "; " RULE("iptables", "-I"), true },
	{ HOOK_POST_UP, RULE("iptables", "-I") ";" RULE("ip6tables", "-I") ";", true },
	{ HOOK_POST_UP, RULE("iptables", "-I") "&&" RULE("ip6tables", "-I"), true },
	{ HOOK_PRE_DOWN, "iptables  -D OUTPUT ! -o %i -m mark ! --mark $(wg show  %i fwmark)\t"
	  "-m addrtype ! --dst-type LOCAL -j REJECT", true },
	/* not taken */
	{ HOOK_PRE_UP, RULE("iptables", "-I"), false },
	{ HOOK_POST_UP, RULE("iptables", "-D"), false },
	{ HOOK_PRE_DOWN, RULE("iptables", "-I"), false },
	{ HOOK_POST_UP, RULE("iptables", "-I") " && " RULE("iptables", "-I"), false },
	{ HOOK_POST_UP, RULE("iptables", "-I") " && " RULE("ip6tables", "-A"), false },
	{ HOOK_POST_UP, RULE("iptables", "-I") " || " RULE("ip6tables", "-I"), false },
	{ HOOK_POST_UP, RULE("iptables", "-I") " & " RULE("ip6tables", "-I"), false },
	{ HOOK_POST_UP, RULE("iptables", "-I") " && iptables -F", false },
	{ HOOK_POST_UP, RULE("iptables", "-I") "; " RULE("ip6tables", "-I") "; echo x", false },
	{ HOOK_POST_UP, RULE("iptables", "-I") " --reject-with icmp-port-unreachable", false },
	{ HOOK_POST_UP, RULE("/usr/sbin/iptables", "-I"), false },
	{ HOOK_POST_UP, RULE("nft", "-I"), false },
	{ HOOK_POST_UP, "iptables -I OUTPUT ! -o wg0 -m mark ! --mark $(wg show wg0 fwmark) "
	  "-m addrtype ! --dst-type LOCAL -j REJECT", false },
	{ HOOK_POST_UP, "iptables -I OUTPUT ! -o %i -m mark ! --mark $(wg show %i fwmark) "
	  "-m addrtype ! --dst-type LOCAL -j DROP", false },
	{ HOOK_POST_UP, "iptables -I OUTPUT 1 ! -o %i -m mark ! --mark $(wg show %i fwmark) "
	  "-m addrtype ! --dst-type LOCAL -j REJECT", false },
	{ HOOK_POST_UP, "iptables -I OUTPUT ! -o %i -m mark ! --mark $(wg show %i fwmark) "
	  "-m addrtype ! --dst-type LOCAL -j REJECT\\;ip6tables", false },
	{ HOOK_POST_UP, "'" RULE("iptables", "-I") "'", false },
	{ HOOK_POST_UP, "", false },
	{ HOOK_POST_UP, ";", false },
	{ HOOK_POST_UP, "iptables -A FORWARD -i %i -j ACCEPT", false },
};

int main(void)
{
	char longtext[2048];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!ok(hook_is_killswitch(cases[i].when, cases[i].text) == cases[i].want,
			"hook %zu %s", i, cases[i].want ? "taken" : "not taken"))
			diag("%s", cases[i].text);

	/* Too long to be the kill switch: refused without reading past. */
	snprintf(longtext, sizeof(longtext), "%s%1500s", RULE("iptables", "-I"), "");
	ok(!hook_is_killswitch(HOOK_POST_UP, longtext), "hook: 1,600 characters are not taken");
	ok(!hook_is_killswitch(HOOK_COUNT, RULE("iptables", "-I")), "hook: an unknown hook is not taken");
	return done_testing();
}
