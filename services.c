// SPDX-License-Identifier: GPL-2.0
/*
 * Which daemons the physical namespace runs, with what arguments and which
 * capabilities: one dhcpcd for all its links (a manager, so a link that
 * arrives later is served too) and a wpa_supplicant per wireless link whose
 * configuration exists. RestoreOnDown starts the same in main after down.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <net/if_arp.h>

#include "caps.h"
#include "paths.h"
#include "services.h"

/*
 * What dhcpcd needs: raw and bound sockets, interface configuration, and
 * for its privilege separation: switching user, chroot, and (as root
 * before the switch) owning and reaching its files.
 */
static const int dhcpcd_caps[] = {
	CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE, CAP_SETUID, CAP_SETGID,
	CAP_SYS_CHROOT, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_KILL, CAPS_END
};
/* wpa_supplicant: nl80211 commands and its raw EAPOL socket. */
static const int wpa_caps[] = { CAP_NET_ADMIN, CAP_NET_RAW, CAPS_END };

bool services_wpa_conf(const struct wgphys_config *cfg, const char *ifname, char *path,
		       size_t len)
{
	size_t off = 0;
	const char *p;

	if (!cfg->wpa_pattern || !len)
		return false;
	for (p = cfg->wpa_pattern; *p && off + 1 < len; p++) {
		if (p[0] == '%' && p[1] == 'i') {
			off += (size_t)snprintf(path + off, len - off, "%s", ifname);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			path[off++] = '%';
			p++;
		} else {
			path[off++] = *p;
		}
	}
	path[off < len ? off : len - 1] = '\0';
	return off < len && access(path, R_OK) == 0;
}

/*
 * In the foreground (-B), so the pid is its own and its parent sees it
 * exit. --nodev: no udev plugin, which would wait for a udev of the main
 * namespace to vouch for links it never hears about here.
 */
int services_start_dhcp(const struct wgphys_config *cfg, int phys_fd, const char *netns,
			daemon_journal_fn journal, void *arg, struct wgp_err *err)
{
	char *argv[] = { DHCPCD_PATH, "-B", "--nodev", NULL };
	struct daemon_spec spec = { "dhcpcd", "", argv, dhcpcd_caps };

	if (cfg->dhcp != DHCP_DHCPCD)
		return 0;
	return daemon_start(phys_fd, netns, &spec, journal, arg, err);
}

int services_start_wpa(const struct wgphys_config *cfg, int phys_fd, const char *netns,
		       const char *ifname, daemon_journal_fn journal, void *arg,
		       struct wgp_err *err)
{
	char conf[PATH_MAX];
	char *argv[] = { WPA_SUPPLICANT_PATH, "-D", "nl80211", "-i", (char *)ifname,
			 "-c", conf, NULL };
	struct daemon_spec spec = { "wpa_supplicant", ifname, argv, wpa_caps };

	if (!services_wpa_conf(cfg, ifname, conf, sizeof(conf)))
		return 0;
	return daemon_start(phys_fd, netns, &spec, journal, arg, err);
}

int services_restart(const struct wgphys_config *cfg, int phys_fd, const char *netns,
		     const struct state_daemon *d, daemon_journal_fn journal, void *arg,
		     struct wgp_err *err)
{
	if (!strcmp(d->name, "wpa_supplicant"))
		return services_start_wpa(cfg, phys_fd, netns, d->ifname, journal, arg, err);
	return services_start_dhcp(cfg, phys_fd, netns, journal, arg, err);
}

static bool is_wireless(const struct state_link *l)
{
	return l->wiphy >= 0;
}

int services_restore_main(const struct wgphys_config *cfg, const struct state *st,
			  struct wgp_err *err)
{
	char conf[PATH_MAX];
	int first = 0, ret;

	for (size_t i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];
		char *wargv[] = { WPA_SUPPLICANT_PATH, "-B", "-D", "nl80211", "-i",
				  (char *)l->name, "-c", conf, NULL };

		if (!is_wireless(l) || !services_wpa_conf(cfg, l->name, conf, sizeof(conf)))
			continue;
		ret = daemon_spawn_main(wargv, err);
		first = first ? first : ret;
	}
	if (cfg->dhcp != DHCP_DHCPCD)
		return first;
	/* One dhcpcd per link, as the system's own scripts do: with several,
	 * dhcpcd becomes a manager that waits for udev to vouch for them. */
	for (size_t i = 0; i < st->n_links; i++) {
		char *dargv[] = { DHCPCD_PATH, "-b", (char *)st->links[i].name, NULL };

		if (st->links[i].type != ARPHRD_ETHER)
			continue;
		ret = daemon_spawn_main(dargv, err);
		first = first ? first : ret;
	}
	return first;
}

void services_describe(const struct wgphys_config *cfg, const struct state *st,
		       void (*emit)(void *arg, const char *line), void *arg)
{
	char conf[PATH_MAX], line[PATH_MAX + 256];

	for (size_t i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (!is_wireless(l) || !services_wpa_conf(cfg, l->name, conf, sizeof(conf)))
			continue;
		snprintf(line, sizeof(line),
			 "ip netns exec %s wpa_supplicant -B -D nl80211 -i %s -c %s",
			 st->netns, l->name, conf);
		emit(arg, line);
	}
	if (cfg->dhcp != DHCP_DHCPCD)
		return;
	snprintf(line, sizeof(line), "ip netns exec %s dhcpcd -b --nodev", st->netns);
	emit(arg, line);
}
