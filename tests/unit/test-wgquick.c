// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of how the wg-quick reader (wgquick.c, ini.c) follows wg-quick
 * and wg(8) (issue 10): one minimal file per case, checking the model, the
 * notes (the whole line) and the refusals (the whole message).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "encoding.h"
#include "tap.h"
#include "wgphysconf.h"
#include "wgquick.h"

/* Random keys made for these tests; none is used anywhere. */
#define PRIV "fbRgVAnqxOzKTJSY173dqIGX+diOevngUFxjgmaiCC4="
#define PRIV2 "WBkZ1Pp8+9o0nUBYAXIeKqrAXrh+0yPtODkUBPrWpkc="
#define PUB1 "fPDcIdwIiQVDg1/H4IWWspPpQ9sjOeJGh4qKFeKeyoE="
#define PUB2 "0SgzvhXNN+2eNjmt+f3kYI9PDURFFCZ3+/mWyLD8l8g="
#define PSK "8S3ON+IL5CB5Vd6EhloWKUWSM4InpgHdpFHbVUE+gUQ="

/* Lines 1-3: what comes next is line 4. A DNS server, so that only the
 * notes a case is about appear. */
#define IFACE "[Interface]\nPrivateKey = " PRIV "\nDNS = 10.0.0.53\n"
/* ...and a [Peer] on lines 4-5: what comes next is line 6. */
#define PEER IFACE "[Peer]\nPublicKey = " PUB1 "\n"

/* The kill switch of wg-quick(8)'s example, and its ip6tables twin. */
#define KS(cmd, op) cmd " " op " OUTPUT ! -o %i -m mark ! --mark $(wg show %i fwmark) " \
	"-m addrtype ! --dst-type LOCAL -j REJECT"

static struct wgp_err err;
static const char *emsg(void)
{
	static char line[1024];

	if (!err.code)
		return "";
	wgp_format(&err, line, sizeof(line));
	return line;
}

/* Parse text; NULL on failure (emsg() says why). */
static struct wg_config *parse(const char *text, const struct wgq_options *opt)
{
	struct wg_config *wg = NULL;

	memset(&err, 0, sizeof(err));
	if (wgq_parse("t.conf", text, strlen(text), opt, &wg, &err))
		return NULL;
	return wg;
}

static bool cidr_is(const struct cidr *c, const char *addr, unsigned int prefixlen)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family, &c->addr, buf, sizeof(buf)))
		return false;
	return !strcmp(buf, addr) && c->prefixlen == prefixlen;
}

static bool key_is(const uint8_t key[WG_KEY_LEN], const char *b64)
{
	char out[WG_KEY_LEN_BASE64];

	key_to_base64(out, key);
	return !strcmp(out, b64);
}

/* The notes, joined by '|', for comparing whole. */
static const char *notes(const struct wg_config *wg)
{
	static char all[4096];
	size_t i, off = 0;

	all[0] = '\0';
	for (i = 0; wg && i < wg->n_notes && off < sizeof(all); i++)
		off += (size_t)snprintf(all + off, sizeof(all) - off, "%s%s", i ? "|" : "",
					wg->notes[i]);
	return all;
}

/* A refusal: the whole message, and nothing returned. */
static void refused(const char *text, const struct wgq_options *opt, const char *want,
		    const char *what)
{
	struct wg_config *wg = parse(text, opt);

	if (!ok(!wg && err.code == EINVAL && !strcmp(emsg(), want), "%s", what))
		diag("got \"%s\"\n    want \"%s\"", emsg(), want);
	wgconf_free(wg);
}

/* Accepted, with exactly these notes ("" for none). */
static struct wg_config *accepted(const char *text, const struct wgq_options *opt,
				  const char *want_notes, const char *what)
{
	struct wg_config *wg = parse(text, opt);

	if (!ok(wg && !strcmp(notes(wg), want_notes), "%s", what))
		diag("error \"%s\"\n    notes \"%s\"\n    want  \"%s\"", emsg(), notes(wg),
		     want_notes);
	return wg;
}

/* ---- 1. host bits, and what the kernel would refuse late ----------------- */

static void test_host_bits(void)
{
	struct wg_config *wg;

	wg = accepted(PEER "AllowedIPs = 10.0.44.1/24\n", NULL,
		      "t.conf:6: AllowedIPs 10.0.44.1/24 has host bits set; using 10.0.44.0/24",
		      "host bits: AllowedIPs 10.0.44.1/24 masked, with a note");
	ok(wg && wg->peers[0].n_allowedips == 1 &&
	   cidr_is(&wg->peers[0].allowedips[0], "10.0.44.0", 24), "host bits: the route is 10.0.44.0/24");
	wgconf_free(wg);

	wg = accepted(PEER "AllowedIPs = fd00:1::1/64, 1.2.3.4/0, 10.1.2.3, 10.9.0.0/16\n", NULL,
		      "t.conf:6: AllowedIPs fd00:1::1/64 has host bits set; using fd00:1::/64|"
		      "t.conf:6: AllowedIPs 1.2.3.4/0 has host bits set; using 0.0.0.0/0",
		      "host bits: IPv6 and /0 masked; /32 and clean networks left alone");
	ok(wg && wg->peers[0].n_allowedips == 4 &&
	   cidr_is(&wg->peers[0].allowedips[0], "fd00:1::", 64) &&
	   cidr_is(&wg->peers[0].allowedips[1], "0.0.0.0", 0) &&
	   cidr_is(&wg->peers[0].allowedips[2], "10.1.2.3", 32) &&
	   cidr_is(&wg->peers[0].allowedips[3], "10.9.0.0", 16), "host bits: the four networks");
	wgconf_free(wg);

	wg = accepted(IFACE "Address = 10.0.44.1/24, fd00::2/64\n", NULL, "",
		      "host bits: an Address keeps them, without a note");
	ok(wg && wg->n_addrs == 2 && cidr_is(&wg->addrs[0], "10.0.44.1", 24) &&
	   cidr_is(&wg->addrs[1], "fd00::2", 64), "host bits: Address 10.0.44.1/24 as written");
	wgconf_free(wg);

	refused(IFACE "Address = ::1/128\n", NULL,
		"t.conf:4: Address: '::1/128' cannot be an interface's address (the kernel refuses unspecified, loopback and multicast IPv6 addresses)",
		"Address: IPv6 loopback refused");
	refused(IFACE "Address = 10.0.0.2/32 ff02::1\n", NULL,
		"t.conf:4: Address: 'ff02::1' cannot be an interface's address (the kernel refuses unspecified, loopback and multicast IPv6 addresses)",
		"Address: IPv6 multicast refused");
	refused(IFACE "Address = ::/0\n", NULL,
		"t.conf:4: Address: '::/0' cannot be an interface's address (the kernel refuses unspecified, loopback and multicast IPv6 addresses)",
		"Address: IPv6 unspecified refused");
	refused(PEER "AllowedIPs = 10.0.0.0/33\n", NULL,
		"t.conf:6: AllowedIPs: bad prefix length in '10.0.0.0/33' (0 to 32)",
		"AllowedIPs: a prefix too long for IPv4");
	refused(IFACE "MTU = 1279\n[Peer]\nPublicKey = " PUB1 "\nAllowedIPs = 0.0.0.0/0, ::/0\n", NULL,
		"t.conf:4: MTU 1279 is below 1280, the minimum for IPv6 (the AllowedIPs at line 7 is IPv6)",
		"MTU below 1280 with an IPv6 AllowedIPs (the kernel would refuse its route)");
	wg = accepted(IFACE "MTU = 1279\n[Peer]\nPublicKey = " PUB1 "\nAllowedIPs = 0.0.0.0/0\n",
		      NULL, "", "MTU below 1280 without any IPv6");
	wgconf_free(wg);
}

/* ---- 2. lists ---------------------------------------------------------- */

static void test_lists(void)
{
	struct wg_config *wg;

	wg = accepted("[Interface]\nPrivateKey = " PRIV "\nDNS = 1.1.1.1 1.0.0.1\n"
		      "Address = 10.0.0.2/32 fd00::2/128\n[Peer]\nPublicKey = " PUB1 "\n"
		      "AllowedIPs = 0.0.0.0/0 ::/0\n", NULL, "", "lists: separated by blanks");
	ok(wg && wg->n_dns == 2 && cidr_is(&wg->dns[1], "1.0.0.1", 32) && wg->n_addrs == 2 &&
	   cidr_is(&wg->addrs[1], "fd00::2", 128) && wg->peers[0].n_allowedips == 2,
	   "lists: two DNS servers, two addresses, two AllowedIPs");
	wgconf_free(wg);

	wg = accepted("[Interface]\nPrivateKey = " PRIV "\nDNS = ,1.1.1.1,, \t1.0.0.1 ,\n"
		      "Address = 10.0.0.2/32,\nAddress =\n[Peer]\nPublicKey = " PUB1 "\n"
		      "AllowedIPs = ,, 10.0.0.0/8\t,10.1.0.0/16,\nAllowedIPs =\n", NULL, "",
		      "lists: empty items, trailing commas, tabs and empty values ignored");
	ok(wg && wg->n_dns == 2 && wg->n_addrs == 1 && wg->peers[0].n_allowedips == 2 &&
	   cidr_is(&wg->peers[0].allowedips[1], "10.1.0.0", 16), "lists: what remains");
	wgconf_free(wg);

	refused(IFACE "Address = 10.0.0.2/32 /24\n", NULL,
		"t.conf:4: Address: '/24' is not an IP address with an optional /prefix",
		"lists: 'A /24' names the item that is wrong");
	refused("[Interface]\nPrivateKey = " PRIV "\nDNS = 1.1.1.1 vpn..example\n", NULL,
		"t.conf:3: DNS: 'vpn..example' is neither an IP address nor a domain name",
		"lists: a bad DNS item among blanks");
}

/* ---- 3. repeated keys ---------------------------------------------------- */

static void test_repeats(void)
{
	struct wg_config *wg;

	wg = accepted(PEER "Endpoint = 192.0.2.1:51820\nEndpoint = [2001:db8::1]:51820\n", NULL,
		      "t.conf:7: Endpoint repeated (first at line 6): the last one is used",
		      "repeat: a second Endpoint (a provider's IPv6 line)");
	ok(wg && !strcmp(wg->peers[0].endpoint_host, "2001:db8::1"), "repeat: the last Endpoint");
	wgconf_free(wg);

	wg = accepted("[Interface]\nPrivateKey = " PRIV "\nPrivateKey = " PRIV2 "\nDNS = 10.0.0.53\n"
		      "MTU = 1400\nmtu = 1380\nListenPort = 1\nListenPort = 2\nFwMark = 1\n"
		      "FwMark = off\n", NULL,
		      "t.conf:3: PrivateKey repeated (first at line 2): the last one is used|"
		      "t.conf:6: MTU repeated (first at line 5): the last one is used|"
		      "t.conf:8: ListenPort repeated (first at line 7): the last one is used|"
		      "t.conf:10: FwMark repeated (first at line 9): the last one is used",
		      "repeat: PrivateKey, MTU, ListenPort, FwMark (notes quote no key)");
	ok(wg && key_is(wg->private_key, PRIV2) && wg->mtu == 1380 && wg->listen_port == 2 &&
	   wg->has_fwmark && wg->fwmark == 0, "repeat: the last of each");
	wgconf_free(wg);

	wg = accepted(IFACE "[Peer]\nPublicKey = " PUB1 "\nPresharedKey = " PSK "\n"
		      "PersistentKeepalive = 25\nPublicKey = " PUB2 "\nPresharedKey = " PUB1 "\n"
		      "PersistentKeepalive = off\n", NULL,
		      "t.conf:8: PublicKey repeated (first at line 5): the last one is used|"
		      "t.conf:9: PresharedKey repeated (first at line 6): the last one is used|"
		      "t.conf:10: PersistentKeepalive repeated (first at line 7): the last one is used",
		      "repeat: PublicKey within one [Peer] (as wg: the last), PresharedKey, keepalive");
	ok(wg && wg->n_peers == 1 && key_is(wg->peers[0].public_key, PUB2) &&
	   key_is(wg->peers[0].preshared_key, PUB1) && wg->peers[0].keepalive == 0,
	   "repeat: the last of each in the [Peer]");
	wgconf_free(wg);

	refused(PEER "PublicKey = " PUB2 "\n[Peer]\nPublicKey = " PUB2 "\n", NULL,
		"t.conf:7: [Peer] has the same PublicKey as the [Peer] at line 4",
		"repeat: the last PublicKey counts for the duplicate-peer check");
	refused(PEER "Endpoint = 192.0.2.1:51820\nEndpoint = 192.0.2.1\n", NULL,
		"t.conf:7: Endpoint '192.0.2.1' has no port: expected host:port",
		"repeat: a later bad value is still refused");
}

/* ---- 4. hooks ---------------------------------------------------------- */

static void test_hooks(void)
{
	struct wgq_options ignore = { .hooks_ignore = true };
	struct wg_config *wg;

	wg = accepted(IFACE "PostUp = " KS("iptables", "-I") "\nPreDown = " KS("iptables", "-D") "\n",
		      NULL,
		      "t.conf:4,5: PostUp and PreDown: the iptables kill switch is skipped: wgphys's namespace is one already",
		      "hooks: wg-quick(8)'s kill switch example, skipped with one note");
	wgconf_free(wg);

	wg = accepted(IFACE "PostUp  =  " KS("iptables", "-I") " && " KS("ip6tables", "-I") "\n"
		      "PreDown = iptables -D OUTPUT ! -o %i -m mark ! --mark $(wg show  %i fwmark) "
		      "-m addrtype ! --dst-type LOCAL -j REJECT && ip6tables -D OUTPUT ! -o %i "
		      "-m mark ! --mark $(wg show  %i fwmark) -m addrtype ! --dst-type LOCAL -j REJECT\n",
		      NULL,
		      "t.conf:4,5: PostUp and PreDown: the iptables kill switch is skipped: wgphys's namespace is one already",
		      "hooks: a provider's iptables && ip6tables pair (double blanks too)");
	wgconf_free(wg);

	wg = accepted(IFACE "PostUp = " KS("ip6tables", "-A") "; " KS("iptables", "-A") ";\n"
		      "PostDown = " KS("iptables", "-D") ";" KS("ip6tables", "-D") "\n", NULL,
		      "t.conf:4,5: PostUp and PostDown: the iptables kill switch is skipped: wgphys's namespace is one already",
		      "hooks: joined by ';', -A, in PostDown");
	wgconf_free(wg);

	refused(IFACE "PreUp = echo hi\nPostUp = " KS("iptables", "-I") "\n"
		"PostUp = iptables -A FORWARD -i %i -j ACCEPT\nPreDown = " KS("iptables", "-D") "\n"
		"PostDown = iptables -D FORWARD -i %i -j ACCEPT\n", NULL,
		"t.conf:4,6,8: PreUp, PostUp and PostDown are not supported: wgphys runs no commands from a configuration file; remove these lines, or add 'Hooks = ignore' to [Tunnel] in wgphys.conf to skip them",
		"hooks: every other hook in one message, kill switch left out");
	refused(IFACE "PostUp = resolvectl dns %i 10.0.0.53\n", NULL,
		"t.conf:4: PostUp is not supported: wgphys runs no commands from a configuration file; remove the line, or add 'Hooks = ignore' to [Tunnel] in wgphys.conf to skip it",
		"hooks: one other hook");
	wg = accepted(IFACE "PreUp = echo hi\nPostUp = " KS("iptables", "-I") "\n"
		      "PostUp = iptables -A FORWARD -i %i -j ACCEPT\nPreDown = " KS("iptables", "-D") "\n"
		      "PostDown = iptables -D FORWARD -i %i -j ACCEPT\n", &ignore,
		      "t.conf:5,7: PostUp and PreDown: the iptables kill switch is skipped: wgphys's namespace is one already|"
		      "t.conf:4,6,8: PreUp, PostUp and PostDown skipped (Hooks = ignore): wgphys runs no commands from a configuration file",
		      "hooks: Hooks = ignore skips the others too, with a note");
	wgconf_free(wg);

	refused(IFACE "PostUp = " KS("iptables", "-I") " # kill switch\n", NULL,
		"t.conf:4: PostUp is not supported: wgphys runs no commands from a configuration file; remove the line, or add 'Hooks = ignore' to [Tunnel] in wgphys.conf to skip it",
		"hooks: the kill switch with a comment is not taken for it");
	refused(IFACE "PostUp = " KS("iptables", "-D") "\n", NULL,
		"t.conf:4: PostUp is not supported: wgphys runs no commands from a configuration file; remove the line, or add 'Hooks = ignore' to [Tunnel] in wgphys.conf to skip it",
		"hooks: -D in PostUp is not the kill switch");
	refused(IFACE "PreUp = " KS("iptables", "-I") "\n", NULL,
		"t.conf:4: PreUp is not supported: wgphys runs no commands from a configuration file; remove the line, or add 'Hooks = ignore' to [Tunnel] in wgphys.conf to skip it",
		"hooks: nothing in PreUp is the kill switch");
	wg = accepted(IFACE "PostUp =\nPreDown = # iptables -F\n", NULL, "",
		      "hooks: an empty hook (or only a comment) runs nothing: accepted silently");
	wgconf_free(wg);

	/* Many lines: the message names as many as fit, then "...". */
	{
		char text[8192];
		size_t off, i;

		off = (size_t)snprintf(text, sizeof(text), IFACE);
		for (i = 0; i < 200; i++)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "PostUp = echo %zu\n", i);
		wg = parse(text, NULL);
		ok(!wg && !strncmp(emsg(), "t.conf:4,5,6,7,", 15) &&
		   strstr(emsg(), ",...: PostUp is not supported: ") &&
		   strstr(emsg(), "remove these lines"),
		   "hooks: 200 lines, cut with \"...\" (%.40s...)", emsg());
		wgconf_free(wg);
	}
}

/* ---- 5, 6. MTU, Table, SaveConfig ------------------------------------------ */

static void test_interface_keys(void)
{
	struct wg_config *wg;

	wg = accepted(IFACE, NULL, "", "MTU: absent");
	ok(wg && wg->mtu == 0, "MTU: absent is 0, \"derive it from the uplink\"");
	wgconf_free(wg);

	wg = accepted(IFACE "Table = auto\nSaveConfig = false\ntable = AUTO\nsaveconfig = False\n", NULL,
		      "t.conf:6: Table repeated (first at line 4): the last one is used|"
		      "t.conf:7: SaveConfig repeated (first at line 5): the last one is used",
		      "Table = auto and SaveConfig = false accepted, without a note of their own");
	wgconf_free(wg);
	wg = accepted(IFACE "Table = off\nTable = auto\n", NULL,
		      "t.conf:5: Table repeated (first at line 4): the last one is used",
		      "Table: the last one counts (off, then auto)");
	wgconf_free(wg);

	refused(IFACE "Table = off\n", NULL,
		"t.conf:4: Table is not supported: wgphys manages routing itself (every AllowedIPs through the tunnel, in the main table); only Table = auto is accepted",
		"Table = off refused with the reason");
	refused(IFACE "Table = 1234\n", NULL,
		"t.conf:4: Table is not supported: wgphys manages routing itself (every AllowedIPs through the tunnel, in the main table); only Table = auto is accepted",
		"Table = 1234 refused");
	refused(IFACE "Table = auto\nTable = main\n", NULL,
		"t.conf:5: Table is not supported: wgphys manages routing itself (every AllowedIPs through the tunnel, in the main table); only Table = auto is accepted",
		"Table = main (the last) refused");
	refused(IFACE "SaveConfig = true\n", NULL,
		"t.conf:4: SaveConfig is not supported: wgphys never writes to a configuration file; only SaveConfig = false is accepted",
		"SaveConfig = true refused with the reason");
	refused(IFACE "SaveConfig = no\n", NULL,
		"t.conf:4: SaveConfig must be true or false, not 'no'",
		"SaveConfig = no: neither true nor false (as wg-quick)");
	refused(IFACE "[Peer]\nPublicKey = " PUB1 "\nTable = auto\n", NULL,
		"t.conf:6: unknown key 'Table' in [Peer] (it belongs in [Interface])",
		"Table in [Peer]: wg-quick reads it only in [Interface]");
}

/* ---- 7. the private key from elsewhere ------------------------------------ */

static void test_outside_key(void)
{
	uint8_t key[WG_KEY_LEN];
	struct wgq_options opt = { .private_key = key, .private_key_from = "PrivateKeyFile /k" };
	struct wg_config *wg;

	key_from_base64(key, PRIV2);
	wg = accepted("[Interface]\nDNS = 10.0.0.53\n", &opt, "",
		      "key: none in the file, one from outside");
	ok(wg && wg->has_private_key && key_is(wg->private_key, PRIV2), "key: the outside key is used");
	wgconf_free(wg);
	refused(IFACE, &opt, "t.conf:2: PrivateKey is given here and by PrivateKeyFile /k; keep only one",
		"key: one in the file and one outside refused, naming both");
	refused("[Interface]\nDNS = 10.0.0.53\n", NULL,
		"t.conf:1: [Interface] has no PrivateKey (nor does wgphys.conf name a PrivateKeyFile, nor is there a systemd credential wgphys.key)",
		"key: none anywhere");
}

/* ---- 8. BOM, DNS ------------------------------------------------------------ */

static void test_bom_dns(void)
{
	struct wgphys_config *cfg = NULL;
	struct wg_config *wg;
	char two_boms[128];

	wg = accepted("\xef\xbb\xbf" IFACE, NULL, "", "BOM: a UTF-8 byte-order mark before [Interface]");
	wgconf_free(wg);
	memset(&err, 0, sizeof(err));
	ok(config_parse("w.conf", "\xef\xbb\xbf[Physical]\nDHCP = none\n", 26, &cfg, &err) == 0 &&
	   cfg->dhcp == DHCP_NONE, "BOM: in wgphys.conf too (%s)", emsg());
	config_free(cfg);
	snprintf(two_boms, sizeof(two_boms), "\xef\xbb\xbf\xef\xbb\xbf[Interface]\n");
	refused(two_boms, NULL,
		"t.conf:1: expected 'Key = Value' or a [Section] header",
		"BOM: only one, only at the start");

	wg = accepted("[Interface]\nPrivateKey = " PRIV "\nDNS = vpn.example, corp.example\n", NULL,
		      "t.conf:3: DNS gives search domains but no server: as with wg-quick, DNS is left alone and they are ignored; main keeps its resolv.conf, whose servers (the LAN's) it can now reach only through the tunnel",
		      "DNS: only search domains: left alone, with a note");
	ok(wg && !wg->n_dns && !wg->n_dns_search && !wg_config_manages_dns(wg),
	   "DNS: not managed, search domains dropped");
	wgconf_free(wg);

	wg = accepted("[Interface]\nPrivateKey = " PRIV "\n", NULL,
		      "t.conf: no DNS server given: main keeps its resolv.conf, whose servers (the LAN's) it can now reach only through the tunnel; add DNS = to use the tunnel's",
		      "DNS: no DNS line: a warning note");
	ok(wg && !wg_config_manages_dns(wg), "DNS: not managed");
	wgconf_free(wg);

	wg = accepted("[Interface]\nPrivateKey = " PRIV "\nDNS =\n", NULL,
		      "t.conf:3: no DNS server given: main keeps its resolv.conf, whose servers (the LAN's) it can now reach only through the tunnel; add DNS = to use the tunnel's",
		      "DNS: an empty DNS line is no server");
	wgconf_free(wg);

	wg = accepted("[Interface]\nPrivateKey = " PRIV "\nDNS = vpn.example 10.0.0.53\n", NULL, "",
		      "DNS: a server and a search domain");
	ok(wg && wg->n_dns == 1 && wg->n_dns_search == 1 && wg_config_manages_dns(wg),
	   "DNS: managed, search domain kept");
	wgconf_free(wg);

	wg = accepted("[Interface]\r\n\tPrivateKey\t=\t" PRIV "\t# key\r\n  # comment\r\n"
		      "DNS=10.0.0.53\r\n[Peer]\r\nPublicKey = " PUB1 "\r\nAllowedIPs = 0.0.0.0/0\r\n",
		      NULL, "", "style: CRLF, tabs, comments, no blanks around '='");
	ok(wg && wg->n_peers == 1 && wg->peers[0].n_allowedips == 1, "style: all read");
	wgconf_free(wg);
}

int main(void)
{
	test_host_bits();
	test_lists();
	test_repeats();
	test_hooks();
	test_interface_keys();
	test_outside_key();
	test_bom_dns();
	return done_testing();
}
