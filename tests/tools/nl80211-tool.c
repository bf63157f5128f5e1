// SPDX-License-Identifier: GPL-2.0
/*
 * A small front end to nl80211.c for the VM tests (tests/vm/t-nl80211.sh),
 * which compare what it says with what iw says.
 *
 *   nl80211-tool [-n NETNS] phys            INDEX NAME NETNS_OK (yes|no|unknown)
 *   nl80211-tool [-n NETNS] ifaces          IFINDEX NAME PHY_INDEX
 *   nl80211-tool [-n NETNS] move PHY TO     move the phy called PHY to the
 *                                           namespace /run/netns/TO
 *   nl80211-tool [-n NETNS] watch SECONDS   "ready" once subscribed, then
 *                                           "new INDEX NAME" / "del INDEX NAME"
 *                                           per event, "lost: REASON" when
 *                                           events were lost, for SECONDS
 *   nl80211-tool [-n NETNS] cloexec         "cloexec yes|no": the flag on a
 *                                           handle's socket
 *
 * -n NETNS works in /run/netns/NETNS instead of the current namespace. A
 * kernel without nl80211 prints nothing for phys/ifaces and "none" for
 * watch. Exit status: 0 done, 1 failed (the reason on stderr), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nl80211.h"
#include "paths.h"

static int fail(const struct wgp_err *err)
{
	char line[1024];

	wgp_format(err, line, sizeof(line));
	fprintf(stderr, "nl80211-tool: %s\n", line);
	return 1;
}

static int open_netns(const char *name, struct wgp_err *err)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wgp_fail(err, errno, "Cannot open", "%s", path);
	return fd;
}

static int list_phys(int netns_fd)
{
	struct wgp_err err = { 0 };
	struct nl80211 *nl = NULL;
	struct phy_info *v = NULL;
	size_t n = 0, i;
	int ret;

	ret = nl80211_open(&nl, netns_fd, &err);
	if (!ret)
		ret = nl80211_list_phys(nl, &v, &n, &err);
	for (i = 0; !ret && i < n; i++)
		printf("%u %s %s\n", v[i].index, v[i].name,
		       !v[i].netns_known ? "unknown" : v[i].netns_ok ? "yes" : "no");
	free(v);
	nl80211_close(nl);
	return ret < 0 ? fail(&err) : 0;
}

static int list_ifaces(int netns_fd)
{
	struct wgp_err err = { 0 };
	struct nl80211 *nl = NULL;
	struct wdev_info *v = NULL;
	size_t n = 0, i;
	int ret;

	ret = nl80211_open(&nl, netns_fd, &err);
	if (!ret)
		ret = nl80211_list_ifaces(nl, &v, &n, &err);
	for (i = 0; !ret && i < n; i++)
		printf("%d %s %u\n", v[i].ifindex, v[i].name, v[i].phy);
	free(v);
	nl80211_close(nl);
	return ret < 0 ? fail(&err) : 0;
}

static int move(int netns_fd, const char *phy, const char *to)
{
	struct wgp_err err = { 0 };
	struct nl80211 *nl = NULL;
	struct phy_info *v = NULL;
	size_t n = 0, i;
	int to_fd = -1, ret;

	ret = nl80211_open(&nl, netns_fd, &err);
	if (!ret)
		ret = nl80211_list_phys(nl, &v, &n, &err);
	for (i = 0; !ret && i < n; i++)
		if (!strcmp(v[i].name, phy))
			break;
	if (!ret && i == n)
		ret = wgp_refuse(&err, ENODEV, phy, "no such phy here");
	if (!ret)
		ret = to_fd = open_netns(to, &err);
	if (ret >= 0)
		ret = nl80211_set_netns(nl, v[i].index, v[i].name, to_fd, &err);
	if (to_fd >= 0)
		close(to_fd);
	free(v);
	nl80211_close(nl);
	return ret < 0 ? fail(&err) : 0;
}

static void print_event(void *arg, const struct phy_info *phy, bool added)
{
	(void)arg;
	printf("%s %u %s\n", added ? "new" : "del", phy->index, phy->name);
	fflush(stdout);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Events until the deadline; a loss is said and watching goes on. */
static int watch(int netns_fd, long seconds)
{
	struct wgp_err err = { 0 };
	struct nl80211_watch *w = NULL;
	long long end = now_ms() + seconds * 1000LL, left;
	struct pollfd pfd;
	char line[1024];
	int ret;

	ret = nl80211_watch_open(&w, netns_fd, &err);
	if (ret < 0)
		return fail(&err);
	if (!w) {
		printf("none\n");
		return 0;
	}
	printf("ready\n");
	fflush(stdout);
	pfd = (struct pollfd){ .fd = nl80211_watch_fd(w), .events = POLLIN };
	while ((left = end - now_ms()) > 0) {
		ret = poll(&pfd, 1, (int)left);
		if (ret < 0 && errno != EINTR) {
			ret = wgp_fail(&err, errno, "Cannot poll", "nl80211 events");
			break;
		}
		if (ret <= 0)
			continue;
		err = (struct wgp_err){ 0 };
		ret = nl80211_watch_read(w, print_event, NULL, &err);
		if (ret < 0) {
			wgp_format(&err, line, sizeof(line));
			printf("lost: %s\n", line);
			fflush(stdout);
		}
		ret = 0;
	}
	nl80211_watch_close(w);
	return ret < 0 ? fail(&err) : 0;
}

static int cloexec(int netns_fd)
{
	struct wgp_err err = { 0 };
	struct nl80211_watch *w = NULL;
	int flags;

	if (nl80211_watch_open(&w, netns_fd, &err) < 0)
		return fail(&err);
	if (!w) {
		printf("none\n");
		return 0;
	}
	flags = fcntl(nl80211_watch_fd(w), F_GETFD);
	printf("cloexec %s\n", flags >= 0 && (flags & FD_CLOEXEC) ? "yes" : "no");
	nl80211_watch_close(w);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: nl80211-tool [-n NETNS] phys | ifaces | move PHY TO | "
		"watch SECONDS | cloexec\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct wgp_err err = { 0 };
	int netns_fd = -1, ret;
	char *end;
	long secs;

	if (argc >= 3 && !strcmp(argv[1], "-n")) {
		netns_fd = open_netns(argv[2], &err);
		if (netns_fd < 0)
			return fail(&err);
		argc -= 2;
		argv += 2;
	}
	if (argc == 2 && !strcmp(argv[1], "phys"))
		ret = list_phys(netns_fd);
	else if (argc == 2 && !strcmp(argv[1], "ifaces"))
		ret = list_ifaces(netns_fd);
	else if (argc == 4 && !strcmp(argv[1], "move"))
		ret = move(netns_fd, argv[2], argv[3]);
	else if (argc == 3 && !strcmp(argv[1], "watch")) {
		secs = strtol(argv[2], &end, 10);
		ret = *end || secs <= 0 || secs > 3600 ? usage() : watch(netns_fd, secs);
	} else if (argc == 2 && !strcmp(argv[1], "cloexec"))
		ret = cloexec(netns_fd);
	else
		ret = usage();
	if (netns_fd >= 0)
		close(netns_fd);
	return ret;
}
