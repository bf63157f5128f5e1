// SPDX-License-Identifier: GPL-2.0
/*
 * The preflight (check.h): the configuration, the kernel (WireGuard,
 * namespaces, the fence, probed in a throwaway namespace), the plan of
 * up, the other network managers, the programs. Each part adds its
 * findings and goes on whatever the others found, so one run tells all.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include "check.h"
#include "err.h"
#include "fence.h"
#include "model.h"
#include "netlink.h"
#include "paths.h"
#include "plan.h"
#include "rivals.h"
#include "services.h"
#include "state.h"
#include "tunnelconf.h"
#include "wgphysconf.h"

__attribute__((format(printf, 4, 5)))
static int add(struct check_report *r, enum check_level level, const char *topic,
	       const char *fmt, ...)
{
	struct check_finding *v, *f;
	va_list ap;

	v = reallocarray(r->v, r->n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->v = v;
	f = &v[r->n++];
	memset(f, 0, sizeof(*f));
	f->level = level;
	snprintf(f->topic, sizeof(f->topic), "%s", topic);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	if (level == CHECK_FAIL)
		r->failed++;
	return 0;
}

/* An error as a finding: its one line. */
static int add_err(struct check_report *r, enum check_level level, const char *topic,
		   const struct wgp_err *err, const char *hint)
{
	char line[512];

	wgp_format(err, line, sizeof(line));
	return add(r, level, topic, "%s%s%s", line, hint ? ": " : "", hint ? hint : "");
}

void check_report_free(struct check_report *r)
{
	free(r->v);
	free(r->links);
	free(r->phys);
	memset(r, 0, sizeof(*r));
}

/* ---- the configuration ---- */

static int notes(struct check_report *r, const char *topic, char **v, size_t n)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < n; i++)
		ret = add(r, CHECK_NOTE, topic, "%s", v[i]);
	return ret;
}

/*
 * wgphys.conf (its defaults when the default file is absent; the
 * defaults too, for the rest of the check, when it is broken), then the
 * wg-quick file it names.
 */
static int check_config(struct check_report *r, const struct check_options *o,
			struct wgphys_config **cfg)
{
	const char *path = o->config_path ? o->config_path : WGPHYS_CONF;
	struct wgp_err err = { 0 };
	struct wg_config *wg = NULL;
	int ret;

	ret = config_load(path, cfg, &err);
	if (ret == -ENOENT && !o->config_path) {
		ret = add(r, CHECK_OK, "config", "no %s: the defaults", path);
		if (!ret)
			ret = config_default(cfg) < 0 ? -ENOMEM : 0;
	} else if (ret < 0) {
		ret = add_err(r, CHECK_FAIL, "config", &err, NULL);
		if (!ret)
			ret = config_default(cfg) < 0 ? -ENOMEM : 0;
		return ret ? ret : add(r, CHECK_NOTE, "config", "the rest of this check assumes the defaults");
	} else {
		ret = add(r, CHECK_OK, "config", "%s is valid", path);
		if (!ret)
			ret = notes(r, "config", (*cfg)->notes, (*cfg)->n_notes);
	}
	if (ret < 0)
		return ret;
	err = (struct wgp_err){ 0 };
	if (tunnel_load(*cfg, o->cred_dir, &wg, &err) < 0)
		return add_err(r, CHECK_FAIL, "tunnel", &err, NULL);
	ret = add(r, CHECK_OK, "tunnel", "%s is valid: %zu peer%s, %zu address%s", (*cfg)->tunnel_config,
		  wg->n_peers, wg->n_peers == 1 ? "" : "s", wg->n_addrs, wg->n_addrs == 1 ? "" : "es");
	if (!ret)
		ret = notes(r, "tunnel", wg->notes, wg->n_notes);
	wgconf_free(wg);
	return ret;
}

/* ---- the kernel ---- */

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;
	bool *found = data;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
		    !strcmp(mnl_attr_get_str(a), WG_GENL_NAME))
			*found = true;
	}
	return MNL_CB_OK;
}

/* Whether the family is registered now: a dump of the controller's list,
 * which, unlike a request by name, loads no module. */
static int wireguard_registered(bool *found)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct genlmsghdr *g;
	struct nlmsghdr *nlh;
	struct nlk *nl = NULL;
	int ret;

	*found = false;
	ret = nlk_open(&nl, NETLINK_GENERIC, -1);
	if (ret < 0)
		return ret;
	nlh = nlk_msg(nl, buf, GENL_ID_CTRL, NLM_F_DUMP);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	ret = nlk_talk(nl, nlh, family_cb, found);
	nlk_close(nl);
	return ret;
}

/* Whether a file of lines holds one that contains needle. */
static bool file_has(const char *path, const char *needle)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* Where the kernel could find WireGuard if asked: 1 a module it can load,
 * 0 none; why in words. */
static int wireguard_module(char *why, size_t len)
{
	char dir[96], path[128];
	struct utsname u;

	uname(&u);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	if (file_has("/proc/sys/kernel/modules_disabled", "1")) {
		snprintf(why, len, "and module loading is disabled (kernel.modules_disabled)");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/modules.alias", dir);
	if (access(path, R_OK) < 0) {
		snprintf(why, len, "and this kernel (%s) has no modules (no %s)", u.release, path);
		return 0;
	}
	if (!file_has(path, "net-pf-16-proto-16-family-" WG_GENL_NAME " ")) {
		snprintf(why, len, "and %s names no module for it", path);
		return 0;
	}
	snprintf(why, len, "module wireguard of %s", dir);
	return 1;
}

static int check_wireguard(struct check_report *r, bool load)
{
	struct nlk *nl = NULL;
	char why[400];
	bool found;
	int ret;

	ret = wireguard_registered(&found);
	if (ret < 0)
		return add(r, CHECK_FAIL, "kernel", "cannot list the generic netlink families: %s",
			   strerror(-ret));
	if (found)
		return add(r, CHECK_OK, "kernel", "WireGuard is there (generic netlink family \"%s\")",
			   WG_GENL_NAME);
	if (!wireguard_module(why, sizeof(why)))
		return add(r, CHECK_FAIL, "kernel", "no WireGuard: not in the kernel, %s; install a "
			   "kernel that has it (Debian's linux-image-amd64 does)", why);
	if (!load)
		return add(r, CHECK_OK, "kernel", "WireGuard is a module not loaded yet (%s): up "
			   "loads it, and so does \"wgphys check --load\"", why);
	/* Asked by name, the kernel loads the family's module. */
	ret = nlk_open(&nl, NETLINK_GENERIC, -1);
	if (!ret)
		ret = nlk_genl_family(nl, WG_GENL_NAME);
	nlk_close(nl);
	if (ret < 0)
		return add(r, CHECK_FAIL, "kernel", "WireGuard (%s) did not load: %s", why,
			   strerror(-ret));
	return add(r, CHECK_OK, "kernel", "WireGuard is there: the kernel loaded %s", why);
}

/* What the child tells: how its probes went. */
struct probe {
	int netns;			/* 0 or the errno of unshare */
	int fence;			/* 0 or the errno of installing it */
	struct wgp_err fence_err;
};

/* In the child: a network namespace of its own, the fence installed in
 * it. Both go when it exits. */
static void probe_child(int fd)
{
	struct probe p = { 0 };

	if (unshare(CLONE_NEWNET) < 0)
		p.netns = errno;
	else if (fence_install(&p.fence_err) < 0)
		p.fence = p.fence_err.code ? p.fence_err.code : EIO;
	if (write(fd, &p, sizeof(p)) != (ssize_t)sizeof(p))
		_exit(1);
	_exit(0);
}

static int run_probe(struct probe *p)
{
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		close(fds[0]);
		probe_child(fds[1]);
	}
	close(fds[1]);
	do
		n = read(fds[0], p, sizeof(*p));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof(*p) ? 0 : -EIO;
}

static int check_namespaces(struct check_report *r)
{
	struct probe p = { 0 };
	int ret;

	ret = run_probe(&p);
	if (ret < 0)
		return add(r, CHECK_FAIL, "netns", "cannot probe: %s", strerror(-ret));
	if (p.netns) {
		ret = add(r, CHECK_FAIL, "netns", "cannot create a network namespace: %s%s",
			  strerror(p.netns), p.netns == EPERM ? " (run as root)" : "");
		return ret ? ret : add(r, CHECK_FAIL, "fence", "not tried (no namespace to try it in)");
	}
	ret = add(r, CHECK_OK, "netns", "a network namespace can be created");
	if (ret < 0)
		return ret;
	if (p.fence)
		return add_err(r, CHECK_FAIL, "fence", &p.fence_err,
			       "the fence's nftables rules (meta oifkind) do not load here");
	return add(r, CHECK_OK, "fence", "nftables takes the fence's rules (meta oifkind), "
		   "tried in a namespace of its own");
}

/* ---- what up would move ---- */

static int keep_moves(struct check_report *r, const struct state *st)
{
	r->links = calloc(st->n_links ? st->n_links : 1, sizeof(*r->links));
	r->phys = calloc(st->n_phys ? st->n_phys : 1, sizeof(*r->phys));
	if (!r->links || !r->phys)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_links; i++)
		snprintf(r->links[i], sizeof(r->links[i]), "%s", st->links[i].name);
	for (size_t i = 0; i < st->n_phys; i++)
		snprintf(r->phys[i], sizeof(r->phys[i]), "%s", st->phys[i].name);
	r->n_links = st->n_links;
	r->n_phys = st->n_phys;
	return 0;
}

static int list_moves(struct check_report *r, const struct state *st,
		      const struct phy_info *phys, size_t n_phys)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (l->wiphy >= 0)
			ret = add(r, CHECK_NOTE, "moves", "%s (wireless, with its phy)", l->name);
		else
			ret = add(r, CHECK_NOTE, "moves", "%s (%s%s%s)", l->name,
				  l->kind[0] ? l->kind : "hardware NIC", l->mac[0] ? ", " : "", l->mac);
	}
	for (size_t i = 0; !ret && i < st->n_phys; i++) {
		const struct phy_info *p = NULL;

		for (size_t j = 0; j < n_phys; j++)
			if (phys[j].index == st->phys[i].index)
				p = &phys[j];
		if (p && p->netns_known && !p->netns_ok)
			ret = add(r, CHECK_FAIL, "phy", "%s may not change namespace (its driver does "
				  "not allow it): up would fail; leave its interfaces out of "
				  "Interfaces =", st->phys[i].name);
		else
			ret = add(r, CHECK_OK, "phy", "%s may move to another namespace",
				  st->phys[i].name);
	}
	return ret;
}

static bool moving_link(const struct state *st, int ifindex)
{
	for (size_t i = 0; i < st->n_links; i++)
		if (st->links[i].ifindex == ifindex)
			return true;
	return false;
}

static bool moving_phy(const struct state *st, uint32_t index)
{
	for (size_t i = 0; i < st->n_phys; i++)
		if (st->phys[i].index == index)
			return true;
	return false;
}

/*
 * What the plan leaves in main that up's last step refuses to leave
 * there (a device that is a way out, a phy): with Interfaces = a list,
 * every such device must be on it.
 */
static int check_leftovers(struct check_report *r, struct nlk *nl, struct nl80211 *wl,
			   const struct state *st, const struct phy_info *phys, size_t n_phys)
{
	struct link_info *links = NULL;
	struct wdev_info *w = NULL;
	size_t n_links = 0, n_w = 0;
	int ret;

	ret = rtnl_links(nl, &links, &n_links);
	if (!ret)
		ret = nl80211_list_ifaces(wl, &w, &n_w, NULL);
	if (ret == -ENOMEM)
		goto out;
	if (ret < 0) {
		ret = add(r, CHECK_FAIL, "moves", "cannot list the devices here: %s", strerror(-ret));
		goto out;
	}
	for (size_t i = 0; !ret && i < n_links; i++) {
		const struct wdev_info *wd = wdev_of(w, n_w, links[i].ifindex);

		if (!link_breaks_main(&links[i], w, n_w) || moving_link(st, links[i].ifindex) ||
		    (wd && moving_phy(st, wd->phy)))
			continue;
		ret = add(r, CHECK_FAIL, "stays", "%s would stay in the main namespace, which up "
			  "refuses: list it in Interfaces = too, or use Interfaces = auto",
			  links[i].name);
	}
	for (size_t i = 0; !ret && i < n_phys; i++)
		if (!moving_phy(st, phys[i].index))
			ret = add(r, CHECK_FAIL, "stays", "%s would stay in the main namespace, which "
				  "up refuses: list one of its interfaces in Interfaces = too, or use "
				  "Interfaces = auto", phys[i].name);
out:
	free(links);
	free(w);
	return ret;
}

/* The plan up would make now, from what the kernel reports; *out (NULL
 * if there is none) for the checks after. */
static int check_plan(struct check_report *r, const struct wgphys_config *cfg,
		      struct state **out)
{
	struct state *st = NULL, *now = NULL;
	struct phy_info *phys = NULL;
	struct wgp_err err = { 0 };
	struct nl80211 *wl = NULL;
	struct nlk *nl = NULL;
	size_t n_phys = 0;
	int ret;

	if (state_read(&now, NULL) == 0) {
		state_free(now);
		r->up = true;
		return add(r, CHECK_NOTE, "moves", "nothing: wgphys is up (\"wgphys status\" shows "
			   "what is where)");
	}
	ret = nlk_open(&nl, NETLINK_ROUTE, -1);
	if (ret < 0)
		wgp_fail(&err, ret, "Cannot open", "an rtnetlink socket");
	else
		ret = nl80211_open(&wl, -1, &err);
	if (!ret)
		ret = nl80211_list_phys(wl, &phys, &n_phys, &err);
	if (!ret)
		ret = plan_make(cfg, nl, wl, &st, &err);
	if (ret == -ENOMEM) {
		goto out;
	} else if (ret < 0) {
		ret = add_err(r, CHECK_FAIL, "moves", &err, "up would refuse");
		goto out;
	}
	ret = list_moves(r, st, phys, n_phys);
	if (!ret)
		ret = check_leftovers(r, nl, wl, st, phys, n_phys);
	if (!ret)
		ret = keep_moves(r, st);
	*out = st;
	st = NULL;
out:
	state_free(st);
	free(phys);
	nl80211_close(wl);
	nlk_close(nl);
	return ret;
}

/* ---- who else manages the network here ---- */

/* The devices NetworkManager manages among those that move: its
 * per-device state files say so (/run/NetworkManager/devices/IFINDEX). */
static void nm_managed(const struct check_report *r, char *buf, size_t len)
{
	char path[96];
	size_t off = 0;
	unsigned int idx;

	buf[0] = '\0';
	for (size_t i = 0; i < r->n_links; i++) {
		idx = if_nametoindex(r->links[i]);
		snprintf(path, sizeof(path), "/run/NetworkManager/devices/%u", idx);
		if (idx && file_has(path, "managed=true") && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
						r->links[i]);
	}
}

static int manager_finding(struct check_report *r, const struct wgphys_config *cfg,
			   const struct rival *v)
{
	const char *restore = cfg->restore_on_down ? "; set RestoreOnDown = no" : "";
	char managed[256];

	switch (v->kind) {
	case RIVAL_NETWORKMANAGER:
		nm_managed(r, managed, sizeof(managed));
		return add(r, CHECK_WARN, "NetworkManager", "runs (pid %d)%s%s: after down it takes "
			   "the devices back by itself%s; start wgphys as \"systemctl start wgphys\", "
			   "whose drop-in 90-wgphys.conf keeps NetworkManager off devices that "
			   "appear while up%s", (int)v->pid, managed[0] ? ", manages " : "", managed,
			   restore, access("/etc/NetworkManager/conf.d/90-wgphys.conf", F_OK) ? "" :
			   " (but /etc/NetworkManager/conf.d/90-wgphys.conf shadows it)");
	case RIVAL_NETWORKD:
		return add(r, CHECK_WARN, "systemd-networkd", "runs (pid %d): after down it "
			   "configures the devices again by itself%s; a device that appears while up "
			   "is configured too, but the fence keeps it silent until the guard moves it",
			   (int)v->pid, restore);
	case RIVAL_IWD:
		return add(r, CHECK_WARN, "iwd", "runs (pid %d): it lets a phy go when it leaves and "
			   "takes it over when it returns after down%s; in the physical namespace "
			   "wgphys runs wpa_supplicant (where a WPASupplicant file exists), not iwd",
			   (int)v->pid, restore);
	default:
		return 0;
	}
}

/* How to stop a client of that kind for ifname ("" for all of them). */
static const char *how_to_stop(enum rival_kind kind)
{
	switch (kind) {
	case RIVAL_DHCLIENT:		return "\"dhclient -x\" or \"ifdown IFACE\"";
	case RIVAL_DHCPCD:		return "\"dhcpcd -x\" (or \"dhcpcd -x IFACE\")";
	case RIVAL_WPA_SUPPLICANT:	return "\"wpa_cli -i IFACE terminate\"";
	default:			return "kill it";
	}
}

/*
 * A DHCP client or a supplicant for a device that moves: it loses the
 * device and does not follow it. A DHCP client that names no interface
 * of this namespace serves them all (wpa_supplicant always names its
 * own, with -i).
 */
static int client_finding(struct check_report *r, const struct rival *v)
{
	bool names_here = false;
	size_t off = 0;
	char on[256];

	on[0] = '\0';
	for (size_t i = 0; i < r->n_links; i++)
		if (rival_names(v, r->links[i]) && off < sizeof(on))
			off += (size_t)snprintf(on + off, sizeof(on) - off, "%s%s", off ? ", " : "",
						r->links[i]);
	for (size_t i = 0; i < v->argc; i++)
		names_here |= if_nametoindex(v->argv[i]) != 0;
	if (!on[0] && (names_here || v->kind == RIVAL_WPA_SUPPLICANT))
		return 0;
	return add(r, CHECK_WARN, rival_name(v->kind), "runs (pid %d) for %s, which up moves: it "
		   "loses %s and does not follow; stop it before up (%s), and after down let "
		   "RestoreOnDown start one again, or start it yourself", (int)v->pid,
		   on[0] ? on : "every interface", on[0] ? "them" : "its devices",
		   how_to_stop(v->kind));
}

static int check_rivals(struct check_report *r, const struct wgphys_config *cfg)
{
	struct rival *v = NULL;
	size_t n = 0, before = r->n;
	int ret;

	ret = rivals_find(&v, &n);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return add(r, CHECK_WARN, "others", "cannot look for other network managers: %s",
			   strerror(-ret));
	for (size_t i = 0; !ret && i < n; i++) {
		if (v[i].kind <= RIVAL_IWD)
			ret = manager_finding(r, cfg, &v[i]);
		else if (!r->up)
			ret = client_finding(r, &v[i]);
	}
	free(v);
	if (!ret && r->n == before)
		ret = add(r, CHECK_OK, "others", "no other network manager or DHCP client for these "
			  "devices runs here");
	return ret;
}

/* ---- the programs up runs ---- */

static int check_dhcpcd(struct check_report *r, const struct wgphys_config *cfg)
{
	if (cfg->dhcp == DHCP_NONE)
		return add(r, CHECK_NOTE, "dhcpcd", "DHCP = none: up starts no DHCP client");
	if (access(DHCPCD_PATH, X_OK) == 0)
		return add(r, CHECK_OK, "dhcpcd", "%s", DHCPCD_PATH);
	return add(r, CHECK_FAIL, "dhcpcd", "%s is not there: install it (apt install "
		   "dhcpcd-base), or set DHCP = none", DHCPCD_PATH);
}

/* wpa_supplicant, and which wireless link that moves (st; NULL: none
 * known) will have one: those with a WPASupplicant file. */
static int check_wpa(struct check_report *r, const struct wgphys_config *cfg,
		     const struct state *st)
{
	bool have = access(WPA_SUPPLICANT_PATH, X_OK) == 0, wireless = false;
	char path[512];
	int ret = 0;

	for (size_t i = 0; st && !ret && i < st->n_links; i++) {
		const char *name = st->links[i].name;

		if (st->links[i].wiphy < 0)
			continue;
		wireless = true;
		if (!services_wpa_conf(cfg, name, path, sizeof(path)))
			ret = add(r, CHECK_NOTE, "wpa_supplicant", "none for %s: no %s, so it joins no "
				  "network (write that file to join one)", name, path);
		else if (!have)
			ret = add(r, CHECK_FAIL, "wpa_supplicant", "%s is not there, but %s is: "
				  "install it (apt install wpasupplicant)", WPA_SUPPLICANT_PATH, path);
		else
			ret = add(r, CHECK_OK, "wpa_supplicant", "%s for %s, with %s",
				  WPA_SUPPLICANT_PATH, name, path);
	}
	if (ret || wireless)
		return ret;
	if (have)
		return add(r, CHECK_OK, "wpa_supplicant", "%s (no wireless device moves)",
			   WPA_SUPPLICANT_PATH);
	return add(r, CHECK_NOTE, "wpa_supplicant", "not installed (no wireless device moves)");
}

int check_run(const struct check_options *o, struct check_report *r)
{
	struct wgphys_config *cfg = NULL;
	struct state *st = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = check_config(r, o, &cfg);
	if (!ret)
		ret = check_wireguard(r, o->load);
	if (!ret)
		ret = check_namespaces(r);
	if (!ret)
		ret = check_plan(r, cfg, &st);
	if (!ret)
		ret = check_rivals(r, cfg);
	if (!ret)
		ret = check_dhcpcd(r, cfg);
	if (!ret)
		ret = check_wpa(r, cfg, st);
	state_free(st);
	config_free(cfg);
	if (ret < 0)
		check_report_free(r);
	return ret;
}
