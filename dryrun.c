// SPDX-License-Identifier: GPL-2.0
/*
 * `up --dry-run`: what up would do, as the `ip`, `iw`, `wg` and shell lines
 * a person would type, made from the same plan up makes. Lines are built
 * in memory of any length: a peer with many allowed IPs is one long line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dryrun.h"
#include "endpoint.h"
#include "encoding.h"
#include "plan.h"
#include "paths.h"
#include "resolv.h"
#include "services.h"
#include "up.h"

struct out {
	void (*emit)(void *arg, const char *line);
	void *arg;
	FILE *f;		/* the line being built */
	char *buf;
	size_t len;
};

static void line_start(struct out *o)
{
	o->buf = NULL;
	o->f = open_memstream(&o->buf, &o->len);
}

static void line_end(struct out *o)
{
	if (o->f && fclose(o->f) == 0 && o->buf)
		o->emit(o->arg, o->buf);
	free(o->buf);
	o->f = NULL;
	o->buf = NULL;
}

__attribute__((format(printf, 2, 3)))
static void add(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->f)
		return;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static void line(struct out *o, const char *fmt, ...)
{
	va_list ap;

	line_start(o);
	if (o->f) {
		va_start(ap, fmt);
		vfprintf(o->f, fmt, ap);
		va_end(ap);
	}
	line_end(o);
}

static const char *cidr_str(const struct cidr *c, char *buf, size_t len, bool route)
{
	char a[INET6_ADDRSTRLEN];

	if (route && !c->prefixlen)
		return "default";
	inet_ntop(c->family, &c->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, c->prefixlen);
	return buf;
}

static void emit_devices(struct out *o, const struct state *st)
{
	char buf[1024];

	for (size_t i = 0; i < st->n_phys; i++)
		line(o, "iw phy %s set netns name %s", st->phys[i].name, st->netns);
	for (size_t i = 0; i < st->n_links; i++)
		if (st->links[i].wiphy < 0)
			line(o, "ip link set %s netns %s", st->links[i].name, st->netns);
	for (size_t i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (l->up)
			line(o, "ip -n %s link set %s up", st->netns, l->name);
		for (size_t j = 0; j < st->n_saved; j++) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)st->saved[j].data;

			if (rtnl_msg_ifindex(nlh) == l->ifindex &&
			    rtnl_describe(nlh, l->name, buf, sizeof(buf)) == 0)
				line(o, "ip -n %s %s", st->netns, buf);
		}
	}
}

static void emit_peer(struct out *o, const char *tun, const struct wg_peer *p)
{
	char pub[45], c[64];

	key_to_base64(pub, p->public_key);
	line_start(o);
	add(o, "wg set %s peer %s", tun, pub);
	if (p->has_preshared_key)
		add(o, " preshared-key /dev/stdin");
	if (p->endpoint_host)
		add(o, strchr(p->endpoint_host, ':') ? " endpoint [%s]:%u" : " endpoint %s:%u",
		    p->endpoint_host, p->endpoint_port);
	if (p->keepalive)
		add(o, " persistent-keepalive %u", p->keepalive);
	for (size_t j = 0; j < p->n_allowedips; j++)
		add(o, "%s%s", j ? "," : " allowed-ips ",
		    cidr_str(&p->allowedips[j], c, sizeof(c), false));
	line_end(o);
}

static void emit_tunnel(struct out *o, const char *tun, const struct wg_config *wg)
{
	char c[64];

	line_start(o);
	add(o, "wg set %s private-key /dev/stdin", tun);
	if (wg->has_listen_port)
		add(o, " listen-port %u", wg->listen_port);
	if (wg->has_fwmark)
		add(o, " fwmark 0x%x", wg->fwmark);
	line_end(o);
	for (size_t i = 0; i < wg->n_peers; i++)
		emit_peer(o, tun, &wg->peers[i]);
	for (size_t i = 0; i < wg->n_addrs; i++)
		line(o, "ip %saddr add %s dev %s", wg->addrs[i].family == AF_INET6 ? "-6 " : "",
		     cidr_str(&wg->addrs[i], c, sizeof(c), false), tun);
	line(o, "ip link set %s up", tun);
	for (size_t i = 0; i < wg->n_peers; i++)
		for (size_t j = 0; j < wg->peers[i].n_allowedips; j++)
			line(o, "ip %sroute add %s dev %s",
			     wg->peers[i].allowedips[j].family == AF_INET6 ? "-6 " : "",
			     cidr_str(&wg->peers[i].allowedips[j], c, sizeof(c), true), tun);
}

/* The resolv.conf up writes, as a printf a shell would run. */
static void emit_dns(struct out *o, const struct wg_config *wg)
{
	char text[8192];

	if (!wg->n_dns || resolv_text(wg, text, sizeof(text)) < 0)
		return;
	line_start(o);
	add(o, "printf '");
	for (const char *p = text; *p; p++)
		add(o, *p == '\n' ? "\\n" : "%c", *p);
	add(o, "' > %s", RESOLV_CONF);
	line_end(o);
}

static void print_line(void *arg, const char *text)
{
	struct out *o = arg;

	o->emit(o->arg, text);
}

int up_dry_run(const struct wgphys_config *cfg, const struct wg_config *wg,
	       void (*emit)(void *arg, const char *line), void *arg, struct wgp_err *err)
{
	struct out o = { .emit = emit, .arg = arg };
	const char *ns = cfg->netns, *tun = cfg->tunnel_ifname;
	struct wg_endpoint *eps = NULL;
	struct state *st = NULL;
	struct nl80211 *wl = NULL;
	uint32_t mtu = 0;
	struct nlk *nl = NULL;
	int ret;

	ret = nlk_open(&nl, NETLINK_ROUTE, -1);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot open", "rtnetlink");
	ret = nl80211_open(&wl, -1, err);
	if (!ret)
		ret = plan_make(cfg, nl, wl, &st, err);
	eps = calloc(wg->n_peers + 1, sizeof(*eps));
	if (!ret && !eps)
		ret = wgp_fail(err, ENOMEM, "Cannot plan", NULL);
	/* The uplink seen from main now is the one physical will have. */
	if (!ret)
		ret = endpoints_resolve(wg, -1, NULL, 0, eps, err);
	if (!ret)
		mtu = plan_tunnel_mtu(nl, wg, eps);
	if (ret < 0)
		goto out;
	line(&o, "ip netns add %s", ns);
	if (etc_plan(ns) & ETC_CREATED_RESOLV)
		line(&o, "mkdir -p %s/%s && cp %s %s/%s/resolv.conf", NETNS_ETC_DIR, ns,
		     RESOLV_CONF, NETNS_ETC_DIR, ns);
	line(&o, "ip -n %s link set lo up", ns);
	line(&o, "ip -n %s link add %s mtu %u type wireguard", ns, tun,
	     wg->mtu ? wg->mtu : UP_DEFAULT_MTU);
	line(&o, "ip -n %s link set %s netns $$", ns, tun);
	if (mtu != (wg->mtu ? wg->mtu : UP_DEFAULT_MTU))
		line(&o, "ip link set %s mtu %u", tun, mtu);
	emit_devices(&o, st);
	services_describe(cfg, st, print_line, &o);
	emit_tunnel(&o, tun, wg);
	emit_dns(&o, wg);
out:
	free(eps);
	state_free(st);
	nl80211_close(wl);
	nlk_close(nl);
	return ret;
}
