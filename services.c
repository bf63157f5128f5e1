// SPDX-License-Identifier: GPL-2.0
/*
 * Which daemons the physical namespace runs, with what arguments and which
 * capabilities: one dhcpcd for all its links (a manager, so a link that
 * arrives later is served too) and a wpa_supplicant per wireless link whose
 * configuration exists. RestoreOnDown starts the same in main after down.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
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
/*
 * wpa_supplicant: nl80211 commands and its raw EAPOL socket; and for the
 * control sockets users reach (WGPHYS_WPA_CTRL_DIR): CHOWN to give them
 * their group, DAC_OVERRIDE to answer a client (wpa_cli binds its own
 * socket in /tmp, writable by its owner only, and each reply is a datagram
 * sent there). As uid 0 it already owns the system's files; DAC_OVERRIDE
 * adds the users'.
 */
static const int wpa_caps[] = { CAP_NET_ADMIN, CAP_NET_RAW, CAP_CHOWN, CAP_DAC_OVERRIDE,
				CAPS_END };

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

/* Begin the start, and end it here unless the caller ends it (s). */
static int start(int phys_fd, const char *netns, const struct daemon_spec *spec,
		 daemon_journal_fn journal, void *arg, struct daemon_starting *s,
		 struct wgp_err *err)
{
	struct daemon_starting mine;
	int ret = daemon_start_begin(phys_fd, netns, spec, journal, arg, s ? s : &mine, err);

	return ret < 0 || s ? ret : daemon_start_end(&mine, err);
}

/*
 * dhcpcd's arguments after -B or -b. --nodev: no udev plugin, which would
 * wait for a udev of the main namespace to vouch for links it never hears
 * about here. -C: the hook scripts that would let the physical network
 * configure the main namespace through files and services it shares with
 * it (the hostname, the time servers and time zone, NIS), or start a
 * wpa_supplicant of its own; each also costs a shell's work at every
 * event, and the first seconds after up are when the first packets want
 * the CPU. Names as dhcpcd-run-hooks(8) matches them, Debian's and
 * upstream's; one that is not installed matches nothing.
 */
#define DHCPCD_ARGS "--nodev", "-C", "hostname", "-C", "lookup-hostname", \
	"-C", "ntp.conf", "-C", "ntp-common.conf", "-C", "chrony.conf", \
	"-C", "timesyncd.conf", "-C", "openntpd.conf", "-C", "timezone", \
	"-C", "yp.conf", "-C", "ypbind", "-C", "wpa_supplicant"
#define DHCPCD_ARGS_TEXT "--nodev -C hostname -C lookup-hostname -C ntp.conf " \
	"-C ntp-common.conf -C chrony.conf -C timesyncd.conf -C openntpd.conf " \
	"-C timezone -C yp.conf -C ypbind -C wpa_supplicant"

/* In the foreground (-B), so the pid is its own and its parent sees it
 * exit. */
int services_start_dhcp(const struct wgphys_config *cfg, int phys_fd, const char *netns,
			daemon_journal_fn journal, void *arg, struct daemon_starting *s,
			struct wgp_err *err)
{
	char *argv[] = { DHCPCD_PATH, "-B", DHCPCD_ARGS, NULL };
	struct daemon_spec spec = { "dhcpcd", "", argv, dhcpcd_caps };

	if (s)
		*s = (struct daemon_starting){ .pid = -1, .fd = -1 };
	if (cfg->dhcp != DHCP_DHCPCD)
		return 0;
	return start(phys_fd, netns, &spec, journal, arg, s, err);
}

/*
 * -C overrides the configuration's ctrl_interface: the file may name
 * /run/wpa_supplicant, which stays private to the daemon (daemon.c), so
 * that an instance of the main namespace never meets this one there. The
 * group goes by number: the daemon need not look names up.
 *
 * The groups are local system groups (install-caps makes "wgphys"), read
 * from the group file itself rather than through the name service: up runs
 * at boot, before any network a directory service would need, and the
 * first name-service lookup loads its modules (libnss_systemd and what it
 * links: 30-40 ms of up under TCG, the whole of its daemons step).
 */
static void wpa_ctrl(char *buf, size_t len)
{
	static const char *const groups[] = { WGPHYS_WPA_CTRL_GROUPS };
	const size_t n = sizeof(groups) / sizeof(groups[0]);
	size_t cap = 1024, best = n;	/* the earliest of groups found so far */
	char *line = malloc(cap), *bigger;
	struct group gr, *g;
	FILE *f = fopen(WGPHYS_GROUP_FILE, "re");
	gid_t gid = 0;
	int r;

	while (f && line && best > 0) {
		r = fgetgrent_r(f, &gr, line, cap, &g);
		if (r == ERANGE && cap < (1U << 20)) {	/* the same entry again */
			bigger = realloc(line, cap * 2);
			if (!bigger)
				break;
			line = bigger;
			cap *= 2;
			continue;
		}
		if (r)
			break;		/* ENOENT: the end */
		for (size_t i = 0; i < best; i++) {
			if (!strcmp(gr.gr_name, groups[i])) {
				best = i;
				gid = gr.gr_gid;
				break;
			}
		}
	}
	free(line);
	if (f)
		fclose(f);
	if (best < n)
		snprintf(buf, len, "DIR=%s GROUP=%u", WGPHYS_WPA_CTRL_DIR, (unsigned int)gid);
	else
		snprintf(buf, len, "DIR=%s", WGPHYS_WPA_CTRL_DIR);
}

int services_start_wpa(const struct wgphys_config *cfg, int phys_fd, const char *netns,
		       const char *ifname, daemon_journal_fn journal, void *arg,
		       struct daemon_starting *s, struct wgp_err *err)
{
	char conf[PATH_MAX], ctrl[PATH_MAX + 32];
	char *argv[] = { WPA_SUPPLICANT_PATH, "-D", "nl80211", "-i", (char *)ifname,
			 "-c", conf, "-C", ctrl, NULL };
	struct daemon_spec spec = { "wpa_supplicant", ifname, argv, wpa_caps };

	if (s)
		*s = (struct daemon_starting){ .pid = -1, .fd = -1 };
	if (!services_wpa_conf(cfg, ifname, conf, sizeof(conf)))
		return 0;
	wpa_ctrl(ctrl, sizeof(ctrl));
	return start(phys_fd, netns, &spec, journal, arg, s, err);
}

/*
 * A wpa_supplicant that exits removes its socket and the directory; one
 * killed leaves them. Only sockets are removed, never followed: the
 * directory is root's alone to write.
 */
void services_ctrl_cleanup(void)
{
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int fd;

	fd = open(WGPHYS_WPA_CTRL_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(sb.st_mode))
			unlinkat(fd, de->d_name, 0);
	closedir(d);
	rmdir(WGPHYS_WPA_CTRL_DIR);
}

int services_restart(const struct wgphys_config *cfg, int phys_fd, const char *netns,
		     const struct state_daemon *d, daemon_journal_fn journal, void *arg,
		     struct wgp_err *err)
{
	if (!strcmp(d->name, "wpa_supplicant"))
		return services_start_wpa(cfg, phys_fd, netns, d->ifname, journal, arg, NULL, err);
	return services_start_dhcp(cfg, phys_fd, netns, journal, arg, NULL, err);
}

/*
 * Our daemons get SIGKILL: down moves their links away at once, and what
 * they do on SIGTERM is moot then, and slow. dhcpcd deconfigures links
 * that are leaving the namespace and runs its hook scripts for each
 * (seconds, on a slow machine), while what matters of it is on disk
 * already: the lease, which must survive (down puts the address back in
 * main from the journal, and the DHCP client there goes on with the same
 * lease; so never a release). wpa_supplicant, its interface gone from under
 * it, asks for it by name at every step of its cleanup, and the kernel runs
 * modprobe for each such name (seconds, in the test VM). The access point
 * is told goodbye all the same: the kernel disconnects a station when its
 * interface goes down, as it does when its phy leaves the namespace.
 * Anything else of ours (none yet) would get SIGTERM.
 */
int services_stop_signal(const struct state_daemon *d)
{
	if (!strcmp(d->name, "dhcpcd") || !strcmp(d->name, "wpa_supplicant"))
		return SIGKILL;
	return SIGTERM;
}

static bool is_wireless(const struct state_link *l)
{
	return l->wiphy >= 0;
}

/* RestoreOnDown's programs are started side by side: each fork waits
 * for its exec, and on a slow machine an exec costs as much as the rest
 * of down. */
int services_restore_main(const struct wgphys_config *cfg, const struct state *st,
			  struct wgp_err *err)
{
	struct daemon_spawn *sp = calloc(2 * st->n_links + 1, sizeof(*sp));
	char conf[PATH_MAX];
	size_t n = 0;
	int first = 0, ret;

	if (!sp)
		return wgp_fail(err, ENOMEM, "Cannot start", "the daemons of the main namespace");
	for (size_t i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];
		char *wargv[] = { WPA_SUPPLICANT_PATH, "-B", "-D", "nl80211", "-i",
				  (char *)l->name, "-c", conf, NULL };

		if (!is_wireless(l) || !services_wpa_conf(cfg, l->name, conf, sizeof(conf)))
			continue;
		ret = daemon_spawn_main_begin(wargv, &sp[n++], err);
		first = first ? first : ret;
	}
	/* One dhcpcd per link, as the system's own scripts do: with several,
	 * dhcpcd becomes a manager that waits for udev to vouch for them. */
	for (size_t i = 0; cfg->dhcp == DHCP_DHCPCD && i < st->n_links; i++) {
		char *dargv[] = { DHCPCD_PATH, "-b", (char *)st->links[i].name, NULL };

		if (st->links[i].type != ARPHRD_ETHER)
			continue;
		ret = daemon_spawn_main_begin(dargv, &sp[n++], err);
		first = first ? first : ret;
	}
	for (size_t i = 0; i < n; i++) {
		ret = daemon_spawn_main_end(&sp[i], err);
		first = first ? first : ret;
	}
	free(sp);
	return first;
}

void services_describe(const struct wgphys_config *cfg, const struct state *st,
		       void (*emit)(void *arg, const char *line), void *arg)
{
	char conf[PATH_MAX], ctrl[PATH_MAX + 32], line[3 * PATH_MAX];

	for (size_t i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (!is_wireless(l) || !services_wpa_conf(cfg, l->name, conf, sizeof(conf)))
			continue;
		wpa_ctrl(ctrl, sizeof(ctrl));
		snprintf(line, sizeof(line),
			 "ip netns exec %s wpa_supplicant -B -D nl80211 -i %s -c %s -C '%s'",
			 st->netns, l->name, conf, ctrl);
		emit(arg, line);
	}
	if (cfg->dhcp != DHCP_DHCPCD)
		return;
	snprintf(line, sizeof(line), "ip netns exec %s dhcpcd -b " DHCPCD_ARGS_TEXT, st->netns);
	emit(arg, line);
}
