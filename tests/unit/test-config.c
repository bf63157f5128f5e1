// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the configuration readers: both parsers on buffers
 * (wgphysconf.c and wgquick.c through ini.c and values.c: every rule, valid
 * and invalid, checking the return value and that the message names
 * file:line), and the loaders on real files in a temporary directory
 * (secfile.c: modes, owner, symbolic links). What issue 10 added to the
 * wg-quick reader is in test-wgquick.c; the key codec in test-encoding.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "encoding.h"
#include "paths.h"
#include "netns.h"
#include "tap.h"
#include "wgphysconf.h"
#include "wgquick.h"

/* The line the command layer would print for an error. */
static const char *emsg(const struct wgp_err *e)
{
	static char line[1024];

	if (!e->code)
		return "";
	wgp_format(e, line, sizeof(line));
	return line;
}
#define EMSG(e) emsg(&(e))

/* Random keys made for these tests; none is used anywhere. */
#define PRIV "fbRgVAnqxOzKTJSY173dqIGX+diOevngUFxjgmaiCC4="
#define PUB1 "fPDcIdwIiQVDg1/H4IWWspPpQ9sjOeJGh4qKFeKeyoE="
#define PUB2 "0SgzvhXNN+2eNjmt+f3kYI9PDURFFCZ3+/mWyLD8l8g="
#define PSK "8S3ON+IL5CB5Vd6EhloWKUWSM4InpgHdpFHbVUE+gUQ="
#define KEY31 "kC7h/xxE7eAsDUYwjacXK6vXOyQa05ywOiE/Z7Kx4A=="	/* 31 bytes */
#define KEY33 "AZ9HnvCvrmU3+svamu+ouMcb4RMWaoMAdNPeFzzZigOE"	/* 33 bytes */
/* The bytes 0, 1, .., 31. */
#define SEQ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

/* Lines 1-2 of most wg-quick cases: what comes next is line 3. */
#define IFACE "[Interface]\nPrivateKey = " PRIV "\n"

struct bad_case {
	const char *text;
	int ret;
	const char *msg;	/* must occur in the message */
};

static const struct bad_case bad_wgphys[] = {
	/* structure */
	{ "[Physical]\nFoo = 1\n", -EINVAL, "t.conf:2: unknown key 'Foo' in [Physical]" },
	{ "[Tunnel]\nNamespace = x\n", -EINVAL, "t.conf:2: unknown key 'Namespace' in [Tunnel] (it belongs in [Physical])" },
	{ "# c\n[Bogus]\n", -EINVAL, "t.conf:2: unknown section [Bogus]" },
	{ "Namespace = x\n", -EINVAL, "t.conf:1: 'Namespace' comes before any section header" },
	{ "[Physical]\nDHCP = none\n\ndhcp = dhcpcd\n", -EINVAL, "t.conf:4: duplicate key DHCP (first at line 2)" },
	{ "[Physical]\nNamespace physical\n", -EINVAL, "t.conf:2: expected 'Key = Value' or a [Section] header" },
	{ "[Physical]\n= x\n", -EINVAL, "t.conf:2: '=' with no key" },
	{ "[Tunnel]\n[Physical]\n[tunnel]\n", -EINVAL, "t.conf:3: [Tunnel] appears twice (first at line 1)" },
	{ "[Physical\n", -EINVAL, "t.conf:1: malformed section header" },
	{ "[Physical] x\n", -EINVAL, "t.conf:1: malformed section header" },
	{ "[ ]\n", -EINVAL, "t.conf:1: empty section header" },
	{ "[Physical]\nNamespace =\n", -EINVAL, "t.conf:2: Namespace has no value" },
	{ "[Physical]\nNamespace = # only a comment\n", -EINVAL, "t.conf:2: Namespace has no value" },
	/* Namespace */
	{ "[Physical]\nNamespace = a/b\n", -EINVAL, "t.conf:2: Namespace 'a/b' is not a valid name" },
	{ "[Physical]\nNamespace = .hidden\n", -EINVAL, "t.conf:2: Namespace '.hidden'" },
	{ "[Physical]\nNamespace = ..\n", -EINVAL, "t.conf:2: Namespace '..'" },
	{ "[Physical]\nNamespace = -x\n", -EINVAL, "t.conf:2: Namespace '-x'" },
	{ "[Physical]\nNamespace = a b\n", -EINVAL, "t.conf:2: Namespace 'a b'" },
	{ "[Physical]\nNamespace = "
	  "a123456789b123456789c123456789d123456789e123456789f123456789g1234\n",
	  -EINVAL, "t.conf:2: Namespace" },
	/* Interfaces */
	{ "[Physical]\nInterfaces = eth0/1\n", -EINVAL, "t.conf:2: Interfaces: 'eth0/1' is not a valid interface name" },
	{ "[Physical]\nInterfaces = eth0:1\n", -EINVAL, "t.conf:2: Interfaces: 'eth0:1' is not" },
	{ "[Physical]\nInterfaces = et h0\n", -EINVAL, "t.conf:2: Interfaces: 'et h0' is not" },
	{ "[Physical]\nInterfaces = .\n", -EINVAL, "t.conf:2: Interfaces: '.' is not" },
	{ "[Physical]\nInterfaces = ..\n", -EINVAL, "t.conf:2: Interfaces: '..' is not" },
	{ "[Physical]\nInterfaces = abcdefghijklmnop\n", -EINVAL, "t.conf:2: Interfaces: 'abcdefghijklmnop' is not" },
	{ "[Physical]\nInterfaces = eth0, wlan0, eth0\n", -EINVAL, "t.conf:2: Interfaces: 'eth0' is listed twice" },
	{ "[Physical]\nInterfaces = auto, eth0\n", -EINVAL, "t.conf:2: Interfaces: 'auto' must stand alone" },
	{ "[Physical]\nInterfaces = eth0, AUTO\n", -EINVAL, "t.conf:2: Interfaces: 'auto' must stand alone" },
	{ "[Physical]\nInterfaces = eth0,,wlan0\n", -EINVAL, "t.conf:2: Interfaces: empty item" },
	{ "[Physical]\nInterfaces = eth0,\n", -EINVAL, "t.conf:2: Interfaces: empty item" },
	/* the rest of [Physical] */
	{ "[Physical]\nDHCP = dhclient\n", -EINVAL, "t.conf:2: DHCP must be 'dhcpcd' or 'none', not 'dhclient'" },
	{ "[Physical]\nWPASupplicant = wpa-%i.conf\n", -EINVAL, "t.conf:2: WPASupplicant must be an absolute path" },
	{ "[Physical]\nWPASupplicant = /etc/wpa-%s.conf\n", -EINVAL, "t.conf:2: WPASupplicant: only %i" },
	{ "[Physical]\nWPASupplicant = /etc/wpa-%\n", -EINVAL, "t.conf:2: WPASupplicant: only %i" },
	{ "[Physical]\nRestoreOnDown = maybe\n", -EINVAL, "t.conf:2: RestoreOnDown must be yes or no, not 'maybe'" },
	{ "[Physical]\nRestoreOnDown = 2\n", -EINVAL, "t.conf:2: RestoreOnDown" },
	/* [Tunnel] */
	{ "[Tunnel]\nInterface = wg/0\n", -EINVAL, "t.conf:2: Interface 'wg/0' is not a valid interface name" },
	{ "[Tunnel]\nInterface = wg0123456789abcd\n", -EINVAL, "t.conf:2: Interface 'wg0123456789abcd' is not" },
	{ "[Tunnel]\nInterface = wg0, wg1\n", -EINVAL, "t.conf:2: Interface 'wg0, wg1' is not" },
	{ "[Tunnel]\nConfig = wg0.conf\n", -EINVAL, "t.conf:2: Config must be an absolute path" },
	{ "[Tunnel]\nConfig = /etc/wireguard/wg0.conf\nConfig = /x\n", -EINVAL, "t.conf:3: duplicate key Config (first at line 2)" },
	{ "[Tunnel]\nHooks = run\n", -EINVAL, "t.conf:2: Hooks must be 'refuse' or 'ignore', not 'run'" },
	{ "[Physical]\nHooks = ignore\n", -EINVAL, "t.conf:2: unknown key 'Hooks' in [Physical] (it belongs in [Tunnel])" },
	{ "[Tunnel]\nPrivateKeyFile = wg0.key\n", -EINVAL, "t.conf:2: PrivateKeyFile must be an absolute path" },
	{ "[Tunnel]\nPrivateKeyFile = /a\nPrivateKeyFile = /b\n", -EINVAL, "t.conf:3: duplicate key PrivateKeyFile (first at line 2)" },
};

static const struct bad_case bad_wg[] = {
	/* refused wg-quick keys, in either section, in any case */
	{ IFACE "PreUp = iptables -F\n", -EINVAL, "t.conf:3: PreUp is not supported: wgphys runs no commands from a configuration file" },
	{ IFACE "PostUp = iptables -F\n", -EINVAL, "t.conf:3: PostUp is not supported: wgphys runs no commands from a configuration file" },
	{ IFACE "PreDown = true\n", -EINVAL, "t.conf:3: PreDown is not supported: wgphys runs no commands from a configuration file" },
	{ IFACE "PostDown = true\n", -EINVAL, "t.conf:3: PostDown is not supported: wgphys runs no commands from a configuration file" },
	{ IFACE "postup = true\n", -EINVAL, "t.conf:3: PostUp is not supported" },
	{ IFACE "Table = off\n", -EINVAL, "t.conf:3: Table is not supported: wgphys manages routing itself" },
	{ IFACE "SaveConfig = true\n", -EINVAL, "t.conf:3: SaveConfig is not supported" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nPostUp = x\n", -EINVAL, "t.conf:5: unknown key 'PostUp' in [Peer] (it belongs in [Interface])" },
	/* structure */
	{ IFACE "Foo = 1\n", -EINVAL, "t.conf:3: unknown key 'Foo' in [Interface]" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nFoo = 1\n", -EINVAL, "t.conf:5: unknown key 'Foo' in [Peer]" },
	{ IFACE "Endpoint = 1.2.3.4:5\n", -EINVAL, "t.conf:3: unknown key 'Endpoint' in [Interface] (it belongs in [Peer])" },
	{ IFACE "[Peers]\n", -EINVAL, "t.conf:3: unknown section [Peers]" },
	{ "PrivateKey = " PRIV "\n[Interface]\n", -EINVAL, "t.conf:1: 'PrivateKey' comes before any section header" },
	{ IFACE "[Interface]\n", -EINVAL, "t.conf:3: [Interface] appears twice (first at line 1)" },
	{ IFACE "no equals sign\n", -EINVAL, "t.conf:3: expected 'Key = Value'" },
	/* a forgotten '=' splits at the key's padding: never quote that */
	{ "[Interface]\nPrivateKey " PRIV "\n", -EINVAL, "t.conf:2: malformed key in [Interface] (not quoted" },
	{ PRIV "\n", -EINVAL, "t.conf:1: a key comes before any section header" },
	{ "[Peer]\nPublicKey = " PUB1 "\n", -EINVAL, "t.conf: no [Interface] section" },
	{ "", -EINVAL, "t.conf: no [Interface] section" },
	{ "[Interface]\nListenPort = 1\n", -EINVAL, "t.conf:1: [Interface] has no PrivateKey" },
	{ IFACE "ListenPort =\n", -EINVAL, "t.conf:3: ListenPort has no value" },
	/* keys */
	{ "[Interface]\nPrivateKey = " KEY31 "\n", -EINVAL, "t.conf:2: PrivateKey is not a valid key" },
	{ "[Interface]\nPrivateKey = " KEY33 "\n", -EINVAL, "t.conf:2: PrivateKey is not a valid key" },
	{ "[Interface]\nPrivateKey = fbRgVAnqxOzKTJSY173dqIGX+diOevngUFxjgmaiCC4\n", -EINVAL, "t.conf:2: PrivateKey is not a valid key" },
	{ "[Interface]\nPrivateKey = fbRgVAnqxOzKTJSY173dqIGX+diOevngUFxjgmaiCC4==\n", -EINVAL, "t.conf:2: PrivateKey is not a valid key" },
	{ "[Interface]\nPrivateKey = fbRgVAnqxOzKTJSY173dq!GX+diOevngUFxjgmaiCC4=\n", -EINVAL, "t.conf:2: PrivateKey is not a valid key" },
	{ "[Interface]\nPrivateKey = fbRgVAnqxOzKTJSY173dq GX+diOevngUFxjgmaiCC4=\n", -EINVAL, "t.conf:2: PrivateKey is not a valid key" },
	{ "[Interface]\nPrivateKey = fbRgVAnqxOzKTJSY173dq_GX-diOevngUFxjgmaiCC4=\n", -EINVAL, "t.conf:2: PrivateKey is not a valid key" },
	/* non-canonical: the last character carries set padding bits */
	{ "[Interface]\nPrivateKey = fbRgVAnqxOzKTJSY173dqIGX+diOevngUFxjgmaiCC5=\n", -EINVAL, "t.conf:2: PrivateKey is not a valid key" },
	{ "[Interface]\nPrivateKey = fbRgVAnqxOzKTJSY173dqIGX+diOevngUFxjgmaiCC4A\n", -EINVAL, "t.conf:2: PrivateKey is not a valid key" },
	{ IFACE "[Peer]\nPublicKey = " KEY31 "\n", -EINVAL, "t.conf:4: PublicKey is not a valid key" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nPresharedKey = " KEY33 "\n", -EINVAL, "t.conf:5: PresharedKey is not a valid key" },
	/* [Interface] values */
	{ IFACE "ListenPort = 65536\n", -EINVAL, "t.conf:3: ListenPort must be a number from 0 to 65535" },
	{ IFACE "ListenPort = -1\n", -EINVAL, "t.conf:3: ListenPort must be" },
	{ IFACE "ListenPort = 0x10\n", -EINVAL, "t.conf:3: ListenPort must be" },
	{ IFACE "FwMark = 0x100000000\n", -EINVAL, "t.conf:3: FwMark must be a 32-bit number" },
	{ IFACE "FwMark = 4294967296\n", -EINVAL, "t.conf:3: FwMark must be" },
	{ IFACE "FwMark = 0x\n", -EINVAL, "t.conf:3: FwMark must be" },
	{ IFACE "FwMark = 0xfg\n", -EINVAL, "t.conf:3: FwMark must be" },
	{ IFACE "FwMark = on\n", -EINVAL, "t.conf:3: FwMark must be" },
	{ IFACE "Address = 10.0.0.1/33\n", -EINVAL, "t.conf:3: Address: bad prefix length in '10.0.0.1/33' (0 to 32)" },
	{ IFACE "Address = fd00::1/129\n", -EINVAL, "t.conf:3: Address: bad prefix length in 'fd00::1/129' (0 to 128)" },
	{ IFACE "Address = 10.0.0.1/\n", -EINVAL, "t.conf:3: Address: bad prefix length" },
	{ IFACE "Address = 10.0.0.1/-1\n", -EINVAL, "t.conf:3: Address: bad prefix length" },
	{ IFACE "Address = 10.0.0/24\n", -EINVAL, "t.conf:3: Address: '10.0.0/24' is not an IP address" },
	{ IFACE "Address = 10.0.0.1 /24\n", -EINVAL, "t.conf:3: Address: '/24' is not an IP address" },
	{ IFACE "Address = 10.0.0.1\nAddress = vpn.example\n", -EINVAL, "t.conf:4: Address: 'vpn.example' is not an IP address" },
	{ IFACE "DNS = 10.0.0.256\n", -EINVAL, "t.conf:3: DNS: '10.0.0.256' is neither an IP address nor a domain name" },
	{ IFACE "DNS = 1.1.1.1, -bad.example\n", -EINVAL, "t.conf:3: DNS: '-bad.example' is neither" },
	{ IFACE "DNS = a..b\n", -EINVAL, "t.conf:3: DNS: 'a..b' is neither" },
	{ IFACE "DNS = 10.0.0.1/32\n", -EINVAL, "t.conf:3: DNS: '10.0.0.1/32' is neither" },
	{ IFACE "MTU = 575\n", -EINVAL, "t.conf:3: MTU must be a number from 576 to 9200" },
	{ IFACE "MTU = 9201\n", -EINVAL, "t.conf:3: MTU must be" },
	{ IFACE "MTU = 1420 bytes\n", -EINVAL, "t.conf:3: MTU must be" },
	{ IFACE "MTU = 1279\nAddress = 10.0.0.2/32\nAddress = fd00::2\n", -EINVAL,
	  "t.conf:3: MTU 1279 is below 1280, the minimum for IPv6 (the Address at line 5 is IPv6)" },
	/* [Peer] values */
	{ IFACE "[Peer]\nAllowedIPs = 0.0.0.0/0\n", -EINVAL, "t.conf:3: [Peer] has no PublicKey" },
	{ IFACE "[Peer]\nAllowedIPs = 0.0.0.0/0\n[Peer]\nPublicKey = " PUB1 "\n", -EINVAL, "t.conf:3: [Peer] has no PublicKey" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\n[Peer]\nPublicKey = " PUB2 "\n[Peer]\nPublicKey = " PUB1 "\n",
	  -EINVAL, "t.conf:7: [Peer] has the same PublicKey as the [Peer] at line 3" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = 1.2.3.4\n", -EINVAL, "t.conf:5: Endpoint '1.2.3.4' has no port" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = 1.2.3.4:0\n", -EINVAL, "t.conf:5: Endpoint '1.2.3.4:0': the port must be a number from 1 to 65535" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = 1.2.3.4:65536\n", -EINVAL, "t.conf:5: Endpoint '1.2.3.4:65536': the port" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = vpn.example:\n", -EINVAL, "t.conf:5: Endpoint 'vpn.example:': the port" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = vpn.example:https\n", -EINVAL, "t.conf:5: Endpoint 'vpn.example:https': the port" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = fd00::1:51820\n", -EINVAL, "t.conf:5: Endpoint 'fd00::1:51820': an IPv6 address goes in brackets" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = [fd00::1]\n", -EINVAL, "t.conf:5: Endpoint '[fd00::1]': expected [IPv6 address]:port" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = [fd00::1:51820\n", -EINVAL, "t.conf:5: Endpoint '[fd00::1:51820': expected" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = [1.2.3.4]:51820\n", -EINVAL, "t.conf:5: Endpoint '[1.2.3.4]:51820': not an IPv6 address" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = []:51820\n", -EINVAL, "t.conf:5: Endpoint '[]:51820': bad host" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = :51820\n", -EINVAL, "t.conf:5: Endpoint ':51820': bad host" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = vpn!.example:51820\n", -EINVAL, "t.conf:5: Endpoint 'vpn!.example:51820': the host is neither" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = 1.2.3.999:51820\n", -EINVAL, "t.conf:5: Endpoint '1.2.3.999:51820': the host is neither" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nEndpoint = [fd00::1]:51820x\n", -EINVAL, "t.conf:5: Endpoint '[fd00::1]:51820x': the port" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nAllowedIPs = 0.0.0.0/33\n", -EINVAL, "t.conf:5: AllowedIPs: bad prefix length in '0.0.0.0/33' (0 to 32)" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nAllowedIPs = ::/0\nAllowedIPs = ::/200\n", -EINVAL, "t.conf:6: AllowedIPs: bad prefix length in '::/200' (0 to 128)" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nAllowedIPs = everything\n", -EINVAL, "t.conf:5: AllowedIPs: 'everything' is not an IP address" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nPersistentKeepalive = 65536\n", -EINVAL, "t.conf:5: PersistentKeepalive must be a number from 0 to 65535 or 'off'" },
	{ IFACE "[Peer]\nPublicKey = " PUB1 "\nPersistentKeepalive = sometimes\n", -EINVAL, "t.conf:5: PersistentKeepalive must be" },
};

/* Run a table: each case gives two assertions, the code and the message. */
static void run_bad(const char *what, const struct bad_case *cases, size_t n, bool wg)
{
	struct wgphys_config *cfg;
	struct wg_config *wgc;
	struct wgp_err err;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		const struct bad_case *c = &cases[i];
		void *sentinel = (void *)&err;

		memset(&err, 0, sizeof(err));
		if (wg) {
			wgc = sentinel;
			ret = wgq_parse("t.conf", c->text, strlen(c->text), NULL, &wgc, &err);
			ok(ret == c->ret && wgc == sentinel, "%s %zu: returns %d (got %d), out untouched",
			   what, i, c->ret, ret);
		} else {
			cfg = sentinel;
			ret = config_parse("t.conf", c->text, strlen(c->text), &cfg, &err);
			ok(ret == c->ret && cfg == sentinel, "%s %zu: returns %d (got %d), out untouched",
			   what, i, c->ret, ret);
		}
		/* ...and never a private key: PRIV's first characters. */
		if (!ok(strstr(EMSG(err), c->msg) && !strstr(EMSG(err), "fbRgVAnqxOzK"),
			"%s %zu: message has \"%s\"", what, i, c->msg))
			diag("got \"%s\"", EMSG(err));
	}
}

static bool key_eq_b64(const uint8_t key[WG_KEY_LEN], const char *b64)
{
	char out[45];

	key_to_base64(out, key);
	return !strcmp(out, b64);
}

static bool cidr_is(const struct cidr *c, const char *addr, unsigned int prefixlen)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family, &c->addr, buf, sizeof(buf)))
		return false;
	return !strcmp(buf, addr) && c->prefixlen == prefixlen;
}

static void test_wgphys_valid(void)
{
	static const char full[] =
		"# wgphys.conf with every key\r\n"
		"[physical]   # sections are case-insensitive\r\n"
		"  namespace   =   outside  \r\n"
		"Interfaces = eth0, wlan0,enp3s0\n"
		"DHCP = NONE\n"
		"WPASupplicant = /etc/wpa/%i-%%.conf\n"
		"RestoreOnDown = off\n"
		"\n"
		"[ Tunnel ]\n"
		"Interface = vpn0\n"
		"CONFIG = /srv/vpn0.conf\n"
		"hooks = Ignore\n"
		"PrivateKeyFile = /etc/wireguard/vpn0.key\n";
	static const char *const bools[][2] = {
		{ "yes", "1" }, { "True", "1" }, { "on", "1" }, { "1", "1" },
		{ "NO", "0" }, { "false", "0" }, { "Off", "0" }, { "0", "0" },
	};
	struct wgphys_config *cfg = NULL;
	struct wgp_err err;
	char text[256];
	size_t i;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = config_parse("t.conf", full, strlen(full), &cfg, &err);
	ok(ret == 0, "wgphys.conf: every key parses (%s)", EMSG(err));
	if (ret)
		return;
	ok(!strcmp(cfg->netns, "outside"), "wgphys.conf: Namespace trimmed");
	ok(!cfg->auto_ifaces && cfg->n_ifaces == 3 && !strcmp(cfg->ifaces[0], "eth0") &&
	   !strcmp(cfg->ifaces[1], "wlan0") && !strcmp(cfg->ifaces[2], "enp3s0"),
	   "wgphys.conf: Interfaces list");
	ok(cfg->dhcp == DHCP_NONE, "wgphys.conf: DHCP none, case-insensitive");
	ok(!strcmp(cfg->wpa_pattern, "/etc/wpa/%i-%%.conf"), "wgphys.conf: WPASupplicant with %%i and %%%%");
	ok(!cfg->restore_on_down, "wgphys.conf: RestoreOnDown off");
	ok(!strcmp(cfg->tunnel_ifname, "vpn0"), "wgphys.conf: Tunnel Interface");
	ok(!strcmp(cfg->tunnel_config, "/srv/vpn0.conf"), "wgphys.conf: Tunnel Config as given");
	ok(cfg->hooks_ignore && !strcmp(cfg->private_key_file, "/etc/wireguard/vpn0.key"),
	   "wgphys.conf: Tunnel Hooks and PrivateKeyFile");
	config_free(cfg);
	cfg = NULL;

	/* An empty file, and config_default(): the documented defaults. */
	for (i = 0; i < 2; i++) {
		ret = i ? config_default(&cfg) : config_parse("t.conf", "", 0, &cfg, NULL);
		ok(ret == 0 && !strcmp(cfg->netns, "physical") && cfg->auto_ifaces &&
		   !cfg->n_ifaces && cfg->dhcp == DHCP_DHCPCD &&
		   !strcmp(cfg->wpa_pattern, "/etc/wpa_supplicant/wpa_supplicant-%i.conf") &&
		   cfg->restore_on_down && !strcmp(cfg->tunnel_ifname, "wg0") &&
		   !strcmp(cfg->tunnel_config, WIREGUARD_CONF_DIR "/wg0.conf") &&
		   !cfg->hooks_ignore && !cfg->private_key_file,
		   "wgphys.conf: defaults from %s", i ? "config_default()" : "an empty file");
		config_free(cfg);
		cfg = NULL;
	}

	/* Config follows Interface when not given, wherever Interface is. */
	snprintf(text, sizeof(text), "# only comments\n\n[Tunnel]\nInterface = wg7\n");
	ret = config_parse("t.conf", text, strlen(text), &cfg, NULL);
	ok(ret == 0 && !strcmp(cfg->tunnel_config, WIREGUARD_CONF_DIR "/wg7.conf"),
	   "wgphys.conf: Config defaults to %s/<Interface>.conf", WIREGUARD_CONF_DIR);
	config_free(cfg);
	cfg = NULL;

	snprintf(text, sizeof(text), "[Physical]\nInterfaces = Auto\n[Tunnel]\n"
		 "Interface = abcdefghijklmno\n");
	ret = config_parse("t.conf", text, strlen(text), &cfg, NULL);
	ok(ret == 0 && cfg->auto_ifaces && !cfg->n_ifaces &&
	   !strcmp(cfg->tunnel_ifname, "abcdefghijklmno"),
	   "wgphys.conf: Interfaces = Auto; a 15-byte interface name");
	config_free(cfg);
	cfg = NULL;

	snprintf(text, sizeof(text), "[Physical]\nNamespace = %s\n",
		 "a123456789b123456789c123456789d123456789e123456789f123456789g123");
	ret = config_parse("t.conf", text, strlen(text), &cfg, NULL);
	ok(ret == 0 && strlen(cfg->netns) == WGPHYS_NETNS_MAX,
	   "wgphys.conf: a %d-character Namespace", WGPHYS_NETNS_MAX);
	config_free(cfg);
	cfg = NULL;

	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		snprintf(text, sizeof(text), "[Physical]\nRestoreOnDown = %s\n", bools[i][0]);
		ret = config_parse("t.conf", text, strlen(text), &cfg, NULL);
		ok(ret == 0 && cfg->restore_on_down == (bools[i][1][0] == '1'),
		   "wgphys.conf: RestoreOnDown = %s", bools[i][0]);
		config_free(cfg);
		cfg = NULL;
	}

	ok(netns_valid_name("physical") && netns_valid_name("a.b-c_1") &&
	   !netns_valid_name("") && !netns_valid_name(".") && !netns_valid_name("..") &&
	   !netns_valid_name("-x") && !netns_valid_name("a/b") && !netns_valid_name(NULL),
	   "netns_valid_name");

	/* No message buffer: errors still returned. */
	ok(config_parse("t.conf", "[x]\n", 4, &cfg, NULL) == -EINVAL,
	   "wgphys.conf: an error without a wgp_err");

	/* A NUL byte is not text; the message names its line. */
	memset(&err, 0, sizeof(err));
	ret = config_parse("t.conf", "[Physical]\nNamespace = a\0b\n", 26, &cfg, &err);
	ok(ret == -EINVAL && strstr(EMSG(err), "t.conf:2: contains a NUL byte"),
	   "wgphys.conf: NUL byte refused (%s)", EMSG(err));
}

static void test_wg_valid(void)
{
	static const char full[] =
		"# a wg-quick file using every key\n"
		"[Interface]\n"
		"PrivateKey = " SEQ "\n"
		"ListenPort = 0\n"
		"fwmark = 0xCA6C\n"
		"Address = 10.8.0.2/24, fd00:8::2\n"
		"Address = 10.9.0.2\n"
		"DNS = 10.8.0.1, fd00:8::1, vpn.example.com, corp.example.\n"
		"MTU = 1280\n"
		"\n"
		"[Peer]   # the server\n"
		"PublicKey = " PUB1 "\n"
		"PresharedKey = " PSK "\n"
		"Endpoint = vpn.example.com:51820\n"
		"AllowedIPs = 0.0.0.0/0, ::/0\n"
		"AllowedIPs = 192.168.1.7/24\n"
		"PersistentKeepalive = 25\n"
		"[peer]\n"
		"publickey = " PUB2 "\n"
		"endpoint = [fe80::1%eth0]:1\n"
		"persistentkeepalive = off\n"
		"[Peer]\n"
		"PublicKey = " PRIV "\n"
		"Endpoint = 192.0.2.1:65535\n"
		"[Peer]\n"
		"PublicKey = " PSK "\n"
		"Endpoint = [2001:db8::1]:443\n";
	struct wg_config *wg = NULL;
	struct wgp_err err;
	const struct wg_peer *p;
	char text[512];
	unsigned int i;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = wgq_parse("t.conf", full, strlen(full), NULL, &wg, &err);
	ok(ret == 0, "wg: every key parses (%s)", EMSG(err));
	if (ret)
		return;
	for (i = 0; i < WG_KEY_LEN && wg->private_key[i] == i; i++)
		;
	ok(wg->has_private_key && i == WG_KEY_LEN, "wg: PrivateKey decoded");
	ok(wg->has_listen_port && wg->listen_port == 0, "wg: ListenPort 0");
	ok(wg->has_fwmark && wg->fwmark == 0xca6c, "wg: FwMark hex");
	ok(wg->n_addrs == 3 && cidr_is(&wg->addrs[0], "10.8.0.2", 24) &&
	   cidr_is(&wg->addrs[1], "fd00:8::2", 128) && cidr_is(&wg->addrs[2], "10.9.0.2", 32),
	   "wg: Address list, repeated key, default prefixes /32 and /128");
	ok(wg->n_dns == 2 && cidr_is(&wg->dns[0], "10.8.0.1", 32) &&
	   cidr_is(&wg->dns[1], "fd00:8::1", 128), "wg: DNS servers");
	ok(wg->n_dns_search == 2 && !strcmp(wg->dns_search[0], "vpn.example.com") &&
	   !strcmp(wg->dns_search[1], "corp.example."), "wg: DNS search domains");
	ok(wg->mtu == 1280, "wg: MTU 1280 with an IPv6 Address");
	ok(wg->n_peers == 4, "wg: four peers");
	p = &wg->peers[0];
	ok(key_eq_b64(p->public_key, PUB1) && p->has_preshared_key &&
	   key_eq_b64(p->preshared_key, PSK), "wg: peer 1 keys");
	ok(p->endpoint_host && !strcmp(p->endpoint_host, "vpn.example.com") &&
	   p->endpoint_port == 51820, "wg: Endpoint host:port");
	ok(p->n_allowedips == 3 && cidr_is(&p->allowedips[0], "0.0.0.0", 0) &&
	   cidr_is(&p->allowedips[1], "::", 0) && cidr_is(&p->allowedips[2], "192.168.1.0", 24),
	   "wg: AllowedIPs repeated; host bits cleared");
	ok(wg->n_notes == 1 && !strcmp(wg->notes[0],
		"t.conf:16: AllowedIPs 192.168.1.7/24 has host bits set; using 192.168.1.0/24"),
	   "wg: ...with a note naming the line (%s)", wg->n_notes ? wg->notes[0] : "none");
	ok(p->keepalive == 25 && p->line == 11, "wg: PersistentKeepalive; [Peer] line");
	p = &wg->peers[1];
	ok(!p->has_preshared_key && !strcmp(p->endpoint_host, "fe80::1%eth0") &&
	   p->endpoint_port == 1 && p->keepalive == 0 && p->n_allowedips == 0,
	   "wg: [v6%%scope]:port, keepalive off, lowercase keys");
	ok(!strcmp(wg->peers[2].endpoint_host, "192.0.2.1") && wg->peers[2].endpoint_port == 65535,
	   "wg: IPv4:port");
	ok(!strcmp(wg->peers[3].endpoint_host, "2001:db8::1") && wg->peers[3].endpoint_port == 443,
	   "wg: [IPv6]:port, brackets removed");
	wgconf_free(wg);
	wg = NULL;

	/* Minimal: a private key only. */
	snprintf(text, sizeof(text), "[Interface]\nPrivateKey=%s\n", PRIV);
	ret = wgq_parse("t.conf", text, strlen(text), NULL, &wg, NULL);
	ok(ret == 0 && !wg->has_listen_port && !wg->has_fwmark && !wg->mtu && !wg->n_addrs &&
	   !wg->n_peers, "wg: [Interface] with only a PrivateKey");
	wgconf_free(wg);
	wg = NULL;

	/* MTU below 1280 is fine without IPv6; FwMark off. */
	snprintf(text, sizeof(text), IFACE "MTU = 576\nAddress = 10.0.0.1/8\nFwMark = off\n"
		 "ListenPort = 65535\n");
	ret = wgq_parse("t.conf", text, strlen(text), NULL, &wg, NULL);
	ok(ret == 0 && wg->mtu == 576 && wg->has_fwmark && wg->fwmark == 0 &&
	   wg->listen_port == 65535, "wg: MTU 576 with IPv4 only; FwMark off; ListenPort 65535");
	wgconf_free(wg);
	wg = NULL;

	snprintf(text, sizeof(text), IFACE "FwMark = 4294967295\nMTU = 9200\n");
	ret = wgq_parse("t.conf", text, strlen(text), NULL, &wg, NULL);
	ok(ret == 0 && wg->fwmark == UINT32_MAX && wg->mtu == 9200,
	   "wg: FwMark 2^32-1 in decimal; MTU 9200");
	wgconf_free(wg);
	wg = NULL;

	/* Many peers: growth of the array, and the duplicate check, stay sane. */
	{
		size_t cap = 200 * 128 + 128, len;
		char *big = malloc(cap);
		uint8_t key[WG_KEY_LEN] = { 0 };
		char b64[45];

		len = (size_t)snprintf(big, cap, IFACE);
		for (i = 0; i < 200; i++) {
			key[0] = (uint8_t)i;
			key[1] = (uint8_t)(i >> 8);
			key_to_base64(b64, key);
			len += (size_t)snprintf(big + len, cap - len,
						"[Peer]\nPublicKey = %s\nAllowedIPs = 10.%u.0.0/16\n",
						b64, i);
		}
		ret = wgq_parse("t.conf", big, len, NULL, &wg, NULL);
		ok(ret == 0 && wg->n_peers == 200 && wg->peers[199].n_allowedips == 1,
		   "wg: 200 distinct peers");
		wgconf_free(wg);
		wg = NULL;
		free(big);
	}
	/* In a child: a crash there is a failure here, not the end of the run. */
	{
		pid_t pid = fork();
		int status = -1;

		if (pid == 0) {
			wgconf_free(NULL);
			config_free(NULL);
			_exit(0);
		}
		if (pid > 0 && waitpid(pid, &status, 0) != pid)
			status = -1;
		ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "free functions accept NULL (child status %d)", status);
	}
}

/* ---- files ----------------------------------------------------------------- */

static char tmpdir[] = "/tmp/test-config.XXXXXX";

static int write_file(const char *name, const char *text, mode_t mode, char *path, size_t size)
{
	int fd, ret = 0;
	size_t len = strlen(text);

	snprintf(path, size, "%s/%s", tmpdir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode))
		ret = -EIO;
	close(fd);
	return ret;
}

static void test_load(void)
{
	static const char wgphys_text[] = "[Physical]\nNamespace = loaded\n";
	static const char wg_text[] = IFACE "[Peer]\nPublicKey = " PUB1 "\n";
	struct wgphys_config *cfg = NULL;
	struct wg_config *wg = NULL;
	struct wgp_err err;
	char path[256], link[256], want[512], *big;
	bool root = geteuid() == 0;
	int ret, fd;

	if (!mkdtemp(tmpdir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	if (!root)
		diag("not root: the files are not owned by root; only refusals are checked");

	/* wgphys.conf 0644: fine. */
	write_file("wgphys.conf", wgphys_text, 0644, path, sizeof(path));
	memset(&err, 0, sizeof(err));
	ret = config_load(path, &cfg, &err);
	if (root)
		ok(ret == 0 && !strcmp(cfg->netns, "loaded"), "load: wgphys.conf 0644 (%s)", EMSG(err));
	else
		ok(ret == -EPERM, "load: wgphys.conf owned by a user is refused");
	config_free(cfg);
	cfg = NULL;

	/* wgphys.conf 0666: writable by others. */
	chmod(path, 0666);
	memset(&err, 0, sizeof(err));
	ret = config_load(path, &cfg, &err);
	snprintf(want, sizeof(want), "%s: writable by group or others", path);
	if (root)
		ok(ret == -EPERM && !cfg && strstr(EMSG(err), want), "load: wgphys.conf 0666 refused (%s)", EMSG(err));
	else
		ok(ret == -EPERM && !cfg, "load: wgphys.conf 0666 refused (%s)", EMSG(err));

	/* 0664: group-writable is as bad. */
	chmod(path, 0664);
	memset(&err, 0, sizeof(err));
	ret = config_load(path, &cfg, &err);
	ok(ret == -EPERM && (!root || strstr(EMSG(err), want)), "load: wgphys.conf 0664 refused (%s)", EMSG(err));

	/* A symbolic link to a good file is refused: O_NOFOLLOW. */
	chmod(path, 0644);
	snprintf(link, sizeof(link), "%s/link.conf", tmpdir);
	ret = symlink(path, link);
	memset(&err, 0, sizeof(err));
	ret = ret ? -errno : config_load(link, &cfg, &err);
	snprintf(want, sizeof(want), "%s: is a symbolic link", link);
	ok(ret == -ELOOP && strstr(EMSG(err), want), "load: a symbolic link refused (%s)", EMSG(err));

	/* Missing. */
	snprintf(link, sizeof(link), "%s/missing.conf", tmpdir);
	memset(&err, 0, sizeof(err));
	ret = config_load(link, &cfg, &err);
	snprintf(want, sizeof(want), "%s: No such file or directory", link);
	ok(ret == -ENOENT && !strcmp(EMSG(err), want), "load: a missing file (%s)", EMSG(err));

	/* A directory. */
	memset(&err, 0, sizeof(err));
	ret = config_load(tmpdir, &cfg, &err);
	ok(ret == -EISDIR && strstr(EMSG(err), "not a regular file"), "load: a directory refused (%s)",
	   EMSG(err));

	/* A parse error names the real path and line. */
	write_file("bad.conf", "[Physical]\nBogus = 1\n", 0644, path, sizeof(path));
	memset(&err, 0, sizeof(err));
	ret = config_load(path, &cfg, &err);
	snprintf(want, sizeof(want), "%s:2: unknown key 'Bogus' in [Physical]", path);
	ok(ret == (root ? -EINVAL : -EPERM) && (!root || !strcmp(EMSG(err), want)),
	   "load: parse error names path:line (%s)", EMSG(err));

	/* wg-quick 0600: fine; 0640 fine (group is root's); 0644, 0604 refused. */
	write_file("wg0.conf", wg_text, 0600, path, sizeof(path));
	memset(&err, 0, sizeof(err));
	ret = wgq_load(path, NULL, &wg, &err);
	if (root)
		ok(ret == 0 && wg->n_peers == 1, "load: wg0.conf 0600 (%s)", EMSG(err));
	else
		ok(ret == -EPERM, "load: wg0.conf owned by a user refused");
	wgconf_free(wg);
	wg = NULL;
	if (root) {
		chmod(path, 0640);
		ret = wgq_load(path, NULL, &wg, NULL);
		ok(ret == 0, "load: wg0.conf 0640");
		wgconf_free(wg);
		wg = NULL;
	}
	chmod(path, 0644);
	memset(&err, 0, sizeof(err));
	ret = wgq_load(path, NULL, &wg, &err);
	snprintf(want, sizeof(want), "%s: readable by others; it holds a private key (chmod 600", path);
	ok(ret == -EPERM && !wg && (!root || strstr(EMSG(err), want)),
	   "load: wg0.conf 0644 refused (%s)", EMSG(err));
	chmod(path, 0604);
	memset(&err, 0, sizeof(err));
	ret = wgq_load(path, NULL, &wg, &err);
	ok(ret == -EPERM && (!root || strstr(EMSG(err), want)), "load: wg0.conf 0604 refused (%s)", EMSG(err));
	chmod(path, 0666);
	memset(&err, 0, sizeof(err));
	ret = wgq_load(path, NULL, &wg, &err);
	snprintf(want, sizeof(want), "%s: writable by group or others", path);
	ok(ret == -EPERM && (!root || strstr(EMSG(err), want)), "load: wg0.conf 0666 refused (%s)", EMSG(err));

	/* Not owned by root. */
	if (root) {
		chmod(path, 0600);
		ret = chown(path, 65534, 65534);
		memset(&err, 0, sizeof(err));
		ret = ret ? -errno : wgq_load(path, NULL, &wg, &err);
		snprintf(want, sizeof(want), "%s: owned by uid 65534, not root", path);
		ok(ret == -EPERM && strstr(EMSG(err), want), "load: a file owned by uid 65534 refused (%s)",
		   EMSG(err));
	}

	/* Over 1 MiB. */
	snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	big = calloc(1, 1024 * 1024 + 1);
	if (fd >= 0 && big) {
		memset(big, '#', 1024 * 1024);
		ret = write(fd, big, 1024 * 1024 + 1) == 1024 * 1024 + 1 ? 0 : -EIO;
		close(fd);
		memset(&err, 0, sizeof(err));
		if (!ret)
			ret = config_load(path, &cfg, &err);
		ok(ret == (root ? -EFBIG : -EPERM), "load: a file over 1 MiB refused (%s)", EMSG(err));
	} else {
		ok(0, "load: could not make a big file");
		if (fd >= 0)
			close(fd);
	}
	free(big);

	/* Tidy up; what remains is only in tmpdir. */
	{
		static const char *const names[] = {
			"wgphys.conf", "link.conf", "bad.conf", "wg0.conf", "big.conf",
		};
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
			unlink(path);
		}
		rmdir(tmpdir);
	}
}

int main(void)
{
	run_bad("wgphys.conf", bad_wgphys, sizeof(bad_wgphys) / sizeof(bad_wgphys[0]), false);
	run_bad("wg", bad_wg, sizeof(bad_wg) / sizeof(bad_wg[0]), true);
	test_wgphys_valid();
	test_wg_valid();
	test_load();
	return done_testing();
}
