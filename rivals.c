// SPDX-License-Identifier: GPL-2.0
/*
 * Other network managers and DHCP clients (rivals.h): one pass over
 * /proc, each process known by its comm (the kernel's name for it, 15
 * characters at most) and read for its command line and network
 * namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "rivals.h"

static const struct {
	const char *comm;	/* /proc/PID/comm, cut at 15 characters */
	const char *name;
} known[] = {
	[RIVAL_NETWORKMANAGER] = { "NetworkManager", "NetworkManager" },
	[RIVAL_NETWORKD] = { "systemd-network", "systemd-networkd" },
	[RIVAL_IWD] = { "iwd", "iwd" },
	[RIVAL_DHCLIENT] = { "dhclient", "dhclient" },
	[RIVAL_DHCPCD] = { "dhcpcd", "dhcpcd" },
	[RIVAL_UDHCPC] = { "udhcpc", "udhcpc" },
	[RIVAL_WPA_SUPPLICANT] = { "wpa_supplicant", "wpa_supplicant" },
};

const char *rival_name(enum rival_kind kind)
{
	return known[kind].name;
}

/* A small file of /proc/PID, whole: its length, or -1. */
static ssize_t proc_read(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int kind_of(pid_t pid)
{
	char comm[32];
	ssize_t n = proc_read(pid, "comm", comm, sizeof(comm));

	if (n <= 0)
		return -1;
	comm[strcspn(comm, "\n")] = '\0';
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(comm, known[i].comm))
			return (int)i;
	return -1;
}

/*
 * The words of its command line after the first (the program), each cut to
 * fit. Split on spaces too: a daemon may rewrite its command line into one
 * string (dhcpcd's privilege-separated processes show "dhcpcd: eth0 [ip4]").
 */
static void read_args(struct rival *r)
{
	char buf[4096], *word, *save = NULL;
	ssize_t n = proc_read(r->pid, "cmdline", buf, sizeof(buf));
	bool first = true;

	if (n <= 0)
		return;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	for (word = strtok_r(buf, " ", &save); word && r->argc < RIVAL_ARGS_MAX;
	     word = strtok_r(NULL, " ", &save)) {
		if (first) {
			first = false;
			continue;
		}
		snprintf(r->argv[r->argc++], sizeof(r->argv[0]), "%s", word);
	}
}

/* Its parent's pid, from /proc/PID/stat (the field after the state). */
static pid_t parent_of(pid_t pid)
{
	char buf[512], *p;
	int ppid;

	if (proc_read(pid, "stat", buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* 1: in the namespace of self; 0: in another; -1: cannot tell. */
static int same_netns(pid_t pid, const struct stat *self)
{
	char path[64];
	struct stat sb;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &sb) < 0)
		return -1;
	return sb.st_dev == self->st_dev && sb.st_ino == self->st_ino;
}

static int add(struct rival **v, size_t *n, const struct rival *r)
{
	struct rival *nv = reallocarray(*v, *n + 1, sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = *r;
	return 0;
}

int rivals_find(struct rival **out, size_t *n)
{
	struct stat self;
	struct dirent *de;
	struct rival r;
	DIR *dir;
	int kind, same, ret = 0;

	*out = NULL;
	*n = 0;
	if (stat("/proc/self/ns/net", &self) < 0)
		return -errno;
	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while (!ret && (de = readdir(dir))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		memset(&r, 0, sizeof(r));
		r.pid = (pid_t)atoi(de->d_name);
		kind = kind_of(r.pid);
		if (kind < 0)
			continue;
		same = same_netns(r.pid, &self);
		if (!same)
			continue;	/* another namespace's (wgphys's own in physical) */
		/* A helper of one already counted (a daemon's forked children). */
		if (kind_of(parent_of(r.pid)) == kind)
			continue;
		r.kind = (enum rival_kind)kind;
		r.netns_known = same > 0;
		read_args(&r);
		ret = add(out, n, &r);
	}
	closedir(dir);
	if (ret < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

bool rival_names(const struct rival *r, const char *ifname)
{
	/* "-i eth0" puts the name in an argument of its own. */
	for (size_t i = 0; i < r->argc; i++) {
		const char *a = r->argv[i];

		if (!strcmp(a, ifname) ||
		    (!strncmp(a, "-i", 2) && !strcmp(a + 2, ifname)) ||
		    (!strncmp(a, "--interface=", 12) && !strcmp(a + 12, ifname)))
			return true;
	}
	return false;
}
