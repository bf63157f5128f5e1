// SPDX-License-Identifier: GPL-2.0
/*
 * The journal of `up` on disk: written atomically before each step, read
 * back by down, exec and status. Reading trusts nothing it has not checked:
 * the file and its directory must be root's and writable by no one else,
 * and every line is parsed field by field with every length and range
 * validated (a saved rtnetlink message is replayed to the kernel later, so
 * it must be whole). The format is in state.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netns.h"
#include "pathcheck.h"
#include "paths.h"
#include "state.h"

#define STATE_FILE WGPHYS_RUN_DIR "/state"
#define STATE_TMP WGPHYS_RUN_DIR "/state.new"
#define LOCK_FILE WGPHYS_RUN_DIR "/lock"

/* Far more than any real journal (a few KiB); a bound for the reader. */
#define STATE_FILE_MAX (1024 * 1024)
/* Fields on one line: "link" has the most. */
#define FIELDS_MAX 8

static const char *const resolv_names[] = {
	[RESOLV_KEPT] = "kept",
	[RESOLV_FILE] = "file",
	[RESOLV_SYMLINK] = "symlink",
	[RESOLV_ABSENT] = "absent",
};

static int grow(void **v, size_t n, size_t size)
{
	void *p = realloc(*v, (n + 1) * size);

	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

int state_add_link(struct state *st, const struct state_link *l)
{
	if (grow((void **)&st->links, st->n_links, sizeof(*l)) < 0)
		return -ENOMEM;
	st->links[st->n_links++] = *l;
	return 0;
}

int state_add_phy(struct state *st, const struct state_phy *p)
{
	if (grow((void **)&st->phys, st->n_phys, sizeof(*p)) < 0)
		return -ENOMEM;
	st->phys[st->n_phys++] = *p;
	return 0;
}

int state_add_daemon(struct state *st, const struct state_daemon *d)
{
	if (grow((void **)&st->daemons, st->n_daemons, sizeof(*d)) < 0)
		return -ENOMEM;
	st->daemons[st->n_daemons++] = *d;
	return 0;
}

void state_del_daemon(struct state *st, size_t i)
{
	if (i >= st->n_daemons)
		return;
	memmove(&st->daemons[i], &st->daemons[i + 1],
		(st->n_daemons - i - 1) * sizeof(*st->daemons));
	st->n_daemons--;
}

/*
 * A saved message is replayed (rtnl_replay) into a buffer of
 * MNL_SOCKET_BUFFER_SIZE and read by rtnl_msg_ifindex and rtnl_describe:
 * it must be one whole RTM_NEWADDR or RTM_NEWROUTE of a known family, its
 * fixed header present, its attributes each within the message, and small
 * enough that a copy with a few attributes added still fits.
 */
bool state_saved_valid(const void *msg, size_t len)
{
	const struct nlmsghdr *nlh = msg;
	const struct nlattr *a;
	size_t hdr, off;
	uint8_t family;

	if (len < NLMSG_HDRLEN || len > STATE_SAVED_MAX || nlh->nlmsg_len != len)
		return false;
	if (nlh->nlmsg_type == RTM_NEWADDR)
		hdr = NLMSG_ALIGN(sizeof(struct ifaddrmsg));
	else if (nlh->nlmsg_type == RTM_NEWROUTE)
		hdr = NLMSG_ALIGN(sizeof(struct rtmsg));
	else
		return false;
	if (len < NLMSG_HDRLEN + hdr)
		return false;
	/* ifa_family and rtm_family are both the payload's first byte. */
	family = ((const uint8_t *)msg)[NLMSG_HDRLEN];
	if (family != AF_INET && family != AF_INET6)
		return false;
	for (off = NLMSG_HDRLEN + hdr; len - off >= NLA_HDRLEN; off += (size_t)NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)((const uint8_t *)msg + off);
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			return false;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len - off)
			return true;	/* the last one, its padding included or not */
	}
	return off == len;
}

int state_add_saved(struct state *st, const void *nlh, size_t len)
{
	uint8_t *copy;

	if (!state_saved_valid(nlh, len))
		return -EMSGSIZE;
	if (grow((void **)&st->saved, st->n_saved, sizeof(*st->saved)) < 0)
		return -ENOMEM;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, nlh, len);
	st->saved[st->n_saved].data = copy;
	st->saved[st->n_saved++].len = len;
	return 0;
}

void state_free(struct state *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->n_saved; i++)
		free(st->saved[i].data);
	free(st->saved);
	free(st->links);
	free(st->phys);
	free(st->daemons);
	free(st);
}

/* Root's, and writable by nobody else: what down undoes is written here. */
static int check_owner(const char *path, const struct stat *sb, mode_t type,
		       struct wgp_err *err)
{
	if ((sb->st_mode & S_IFMT) != type)
		return wgp_refuse(err, EPERM, path, "is not a %s",
				  type == S_IFDIR ? "directory" : "regular file");
	if (sb->st_uid != 0)
		return wgp_refuse(err, EPERM, path, "is not owned by root (uid %u)",
				  (unsigned int)sb->st_uid);
	if (sb->st_mode & (S_IWGRP | S_IWOTH))
		return wgp_refuse(err, EPERM, path, "is writable by group or others (mode %04o)",
				  (unsigned int)(sb->st_mode & 07777));
	return 0;
}

static int make_run_dir(struct wgp_err *err)
{
	struct stat sb;

	/* 0755, the journal 0644: status is for everyone, and the journal
	 * holds no secret (names, MACs, addresses, pids). What must not be
	 * readable keeps its own mode (the lock, the logs, the saved
	 * resolv.conf: 0600). */
	if (mkdir(WGPHYS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return wgp_fail(err, errno, "Cannot create", "%s", WGPHYS_RUN_DIR);
	/* Someone else's directory here would let them edit what down undoes. */
	if (lstat(WGPHYS_RUN_DIR, &sb) < 0)
		return wgp_fail(err, errno, "Cannot stat", "%s", WGPHYS_RUN_DIR);
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 0022))
		return wgp_refuse(err, EPERM, WGPHYS_RUN_DIR, "must be a directory owned by root "
				  "that group and others cannot write");
	/* One made 0700 by an earlier wgphys opens to readers. */
	if ((sb.st_mode & 0777) != 0755 && chmod(WGPHYS_RUN_DIR, 0755) < 0)
		return wgp_fail(err, errno, "Cannot chmod", "%s", WGPHYS_RUN_DIR);
	return path_check_parents(STATE_FILE, err);
}

int state_lock(struct wgp_err *err)
{
	int fd, ret;

	ret = make_run_dir(err);
	if (ret < 0)
		return ret;
	fd = open(LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return wgp_fail(err, errno, "Cannot open", "%s", LOCK_FILE);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			ret = wgp_refuse(err, errno, NULL, "Another wgphys up or down is running");
		else
			ret = wgp_fail(err, errno, "Cannot lock", "%s", LOCK_FILE);
		close(fd);
		return ret;
	}
	return fd;
}

int state_lock_wait(int ms, struct wgp_err *err)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int fd;

	for (;;) {
		fd = state_lock(ms > 0 ? NULL : err);
		if (fd != -EWOULDBLOCK || ms <= 0)
			return fd;
		nanosleep(&tick, NULL);
		ms -= 10;
	}
}

static void format_link(FILE *f, const struct state_link *l)
{
	fprintf(f, "link %d %s %s %" PRId64 " %d %u %s\n", l->ifindex, l->name,
		l->mac[0] ? l->mac : "-", l->wiphy, l->up, l->type, l->kind[0] ? l->kind : "-");
}

int state_format(const struct state *st, FILE *f)
{
	size_t i, j;

	fprintf(f, "wgphys-state 1\n");
	fprintf(f, "netns %s %ju %ju\n", st->netns, (uintmax_t)st->netns_dev,
		(uintmax_t)st->netns_ino);
	fprintf(f, "main %ju %ju\n", (uintmax_t)st->main_dev, (uintmax_t)st->main_ino);
	if (st->created_netns)
		fprintf(f, "created-netns\n");
	if (st->fence)
		fprintf(f, "fence\n");
	fprintf(f, "etc %u\n", st->etc_flags);
	if (st->tunnel[0])
		fprintf(f, "tunnel %s\n", st->tunnel);
	for (i = 0; i < st->n_links; i++)
		format_link(f, &st->links[i]);
	for (i = 0; i < st->n_phys; i++)
		fprintf(f, "phy %u %s\n", st->phys[i].index, st->phys[i].name);
	fprintf(f, "saved-at %u\n", st->saved_at);
	for (i = 0; i < st->n_saved; i++) {
		fprintf(f, "saved ");
		for (j = 0; j < st->saved[i].len; j++)
			fprintf(f, "%02x", st->saved[i].data[j]);
		fputc('\n', f);
	}
	fprintf(f, "resolv %s\n", resolv_names[st->resolv]);
	for (i = 0; i < st->n_daemons; i++)
		fprintf(f, "daemon %d %llu %s%s%s\n", (int)st->daemons[i].pid,
			st->daemons[i].starttime, st->daemons[i].name,
			st->daemons[i].ifname[0] ? " " : "", st->daemons[i].ifname);
	if (st->guard.pid > 0)
		fprintf(f, "guard %d %llu\n", (int)st->guard.pid, st->guard.starttime);
	fprintf(f, "stage %d\n", st->stage);
	return ferror(f) ? -EIO : 0;
}

int state_write(const struct state *st, struct wgp_err *err)
{
	FILE *f = NULL;
	int fd, ret;

	ret = make_run_dir(err);
	if (ret < 0)
		return ret;
	fd = open(STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	/* The mode whatever the umask (the guard runs with systemd's). */
	if (fd >= 0 && fchmod(fd, 0644) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		ret = wgp_fail(err, errno, "Cannot write", "%s", STATE_TMP);
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (state_format(st, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0) {
		ret = wgp_fail(err, errno ? errno : EIO, "Cannot write", "%s", STATE_TMP);
		fclose(f);
		return ret;
	}
	fclose(f);
	if (rename(STATE_TMP, STATE_FILE) < 0)
		return wgp_fail(err, errno, "Cannot write", "%s", STATE_FILE);
	return 0;
}

int state_remove(struct wgp_err *err)
{
	if (unlink(STATE_FILE) < 0 && errno != ENOENT)
		return wgp_fail(err, errno, "Cannot remove", "%s", STATE_FILE);
	return 0;
}

/* ---- the parser: one line, its fields, each field validated ---- */

/* Fields separated by single spaces; an empty field (two spaces, a space
 * at either end) is malformed. Returns how many, or -EINVAL. */
static int split(char *line, char *field[FIELDS_MAX])
{
	int n = 0;
	char *p = line;

	for (;;) {
		if (n == FIELDS_MAX || !*p || *p == ' ')
			return -EINVAL;
		field[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			return n;
		*p++ = '\0';
	}
}

/* A decimal number in [min, max], all of the field. */
static int num(const char *s, long long min, unsigned long long max, unsigned long long *out)
{
	bool neg = s[0] == '-';
	unsigned long long v;
	char *end;

	if (!(s[neg] >= '0' && s[neg] <= '9'))
		return -EINVAL;
	errno = 0;
	v = strtoull(s + neg, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (neg) {
		if (min >= 0 || v > (unsigned long long)-(min + 1) + 1)
			return -EINVAL;
		*out = -v;
		return 0;
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int num_u(const char *s, unsigned long long max, unsigned long long *out)
{
	return num(s, 0, max, out);
}

/* A word of 1..size-1 bytes, none of them a space or a control character,
 * nor '/' (it may become a path), copied into buf. */
static int word(const char *s, char *buf, size_t size)
{
	size_t len = strlen(s);

	if (!len || len >= size)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (iscntrl((unsigned char)s[i]) || s[i] == '/')
			return -EINVAL;
	memcpy(buf, s, len + 1);
	return 0;
}

/* An interface name as the kernel accepts one (dev_valid_name). */
static int ifname(const char *s, char buf[IFNAMSIZ])
{
	if (!strcmp(s, ".") || !strcmp(s, "..") || strchr(s, ':'))
		return -EINVAL;
	return word(s, buf, IFNAMSIZ);
}

/* "aa:bb:..": one to 32 bytes of hex pairs, as rtnl prints them. */
static int mac(const char *s, char buf[3 * 32])
{
	size_t len = strlen(s);

	if (len < 2 || len > 3 * 32 - 1 || (len + 1) % 3)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return -EINVAL;
	memcpy(buf, s, len + 1);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_saved(struct state *st, const char *hex)
{
	size_t len = strlen(hex), i;
	uint8_t *b;
	int ret;

	if (len % 2 || len / 2 > STATE_SAVED_MAX)
		return -EINVAL;
	b = malloc(len / 2 + 1);
	if (!b)
		return -ENOMEM;
	for (i = 0; i < len / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return -EINVAL;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	ret = state_add_saved(st, b, len / 2);
	free(b);
	return ret == -EMSGSIZE ? -EINVAL : ret;
}

/* link IFINDEX NAME MAC PHY UP [TYPE [KIND]] */
static int parse_link(struct state *st, char **f, int n)
{
	/* Older journals name no kind: any will do ("*"). */
	struct state_link l = { .type = 1 /* ARPHRD_ETHER */, .kind = "*" };
	unsigned long long v;

	if (n < 6 || n > 8)
		return -EINVAL;
	if (num_u(f[1], INT_MAX, &v) < 0 || v == 0)
		return -EINVAL;
	l.ifindex = (int)v;
	if (ifname(f[2], l.name) < 0)
		return -EINVAL;
	if (strcmp(f[3], "-") && mac(f[3], l.mac) < 0)
		return -EINVAL;
	if (num(f[4], -1, UINT32_MAX, &v) < 0)
		return -EINVAL;
	l.wiphy = (int64_t)v;
	if (num_u(f[5], 1, &v) < 0)
		return -EINVAL;
	l.up = v;
	if (n > 6) {
		if (num_u(f[6], UINT16_MAX, &v) < 0)
			return -EINVAL;
		l.type = (unsigned int)v;
	}
	if (n > 7) {
		if (!strcmp(f[7], "-"))
			l.kind[0] = '\0';
		else if (word(f[7], l.kind, sizeof(l.kind)) < 0)
			return -EINVAL;	/* "*", unknown, as an older line read back */
	}
	return state_add_link(st, &l);
}

/* daemon PID STARTTIME NAME [IFNAME], guard PID STARTTIME */
static int parse_process(char **f, int n, bool guard, struct state_daemon *d)
{
	unsigned long long v;

	if (guard ? n != 3 : n < 4 || n > 5)
		return -EINVAL;
	if (num_u(f[1], INT_MAX, &v) < 0 || v == 0)
		return -EINVAL;
	d->pid = (pid_t)v;
	if (num_u(f[2], ULLONG_MAX, &d->starttime) < 0)
		return -EINVAL;
	if (guard) {
		snprintf(d->name, sizeof(d->name), "guard");
		return 0;
	}
	if (word(f[3], d->name, sizeof(d->name)) < 0)
		return -EINVAL;
	if (n == 5 && ifname(f[4], d->ifname) < 0)
		return -EINVAL;
	return 0;
}

/* The lines that may appear once; a second one is a damaged journal. */
enum once {
	ONCE_NETNS = 1 << 0, ONCE_MAIN = 1 << 1, ONCE_CREATED = 1 << 2, ONCE_ETC = 1 << 3,
	ONCE_TUNNEL = 1 << 4, ONCE_SAVED_AT = 1 << 5, ONCE_RESOLV = 1 << 6,
	ONCE_GUARD = 1 << 7, ONCE_STAGE = 1 << 8, ONCE_FENCE = 1 << 9,
};

static int parse_id_pair(char **f, int n, dev_t *dev, ino_t *ino)
{
	unsigned long long a, b;

	if (n != 3 || num_u(f[1], UINT64_MAX, &a) < 0 || num_u(f[2], UINT64_MAX, &b) < 0)
		return -EINVAL;
	*dev = (dev_t)a;
	*ino = (ino_t)b;
	return 0;
}

static int parse_netns(struct state *st, char **f, int n)
{
	if (n != 4 || !netns_valid_name(f[1]) || strlen(f[1]) >= sizeof(st->netns))
		return -EINVAL;
	snprintf(st->netns, sizeof(st->netns), "%s", f[1]);
	return parse_id_pair(f + 1, 3, &st->netns_dev, &st->netns_ino);
}

static int parse_resolv(struct state *st, char **f, int n)
{
	if (n != 2)
		return -EINVAL;
	for (int i = 0; i <= RESOLV_ABSENT; i++) {
		if (!strcmp(f[1], resolv_names[i])) {
			st->resolv = (enum resolv_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* One line with a single number: etc, saved-at, stage. */
static int parse_scalar(char **f, int n, unsigned long long max, unsigned long long *v)
{
	return n == 2 ? num_u(f[1], max, v) : -EINVAL;
}

/* The lines that may appear once. 1: not one of them. */
static int parse_once(struct state *st, char **f, int n, unsigned int *seen)
{
	static const char *const keys[] = {
		"netns", "main", "created-netns", "etc", "tunnel", "saved-at", "resolv",
		"guard", "stage", "fence", NULL,
	};
	unsigned long long v;
	int k;

	for (k = 0; keys[k] && strcmp(f[0], keys[k]); k++)
		;
	if (!keys[k])
		return 1;
	if (*seen & (1u << k))
		return -EINVAL;
	*seen |= 1u << k;
	switch (1 << k) {
	case ONCE_NETNS:
		return parse_netns(st, f, n);
	case ONCE_MAIN:
		return parse_id_pair(f, n, &st->main_dev, &st->main_ino);
	case ONCE_CREATED:
		st->created_netns = true;
		return n == 1 ? 0 : -EINVAL;
	case ONCE_ETC:
		if (parse_scalar(f, n, ETC_CREATED_ALL, &v) < 0 || (v & ~ETC_CREATED_ALL))
			return -EINVAL;
		st->etc_flags = (unsigned int)v;
		return 0;
	case ONCE_TUNNEL:
		return n == 2 ? ifname(f[1], st->tunnel) : -EINVAL;
	case ONCE_SAVED_AT:
		if (parse_scalar(f, n, UINT32_MAX, &v) < 0)
			return -EINVAL;
		st->saved_at = (uint32_t)v;
		return 0;
	case ONCE_RESOLV:
		return parse_resolv(st, f, n);
	case ONCE_GUARD:
		return parse_process(f, n, true, &st->guard);
	case ONCE_FENCE:
		st->fence = true;
		return n == 1 ? 0 : -EINVAL;
	default: /* ONCE_STAGE */
		if (parse_scalar(f, n, STATE_STAGE_UP, &v) < 0)
			return -EINVAL;
		st->stage = (int)v;
		return 0;
	}
}

static int parse_line(struct state *st, char *line, unsigned int *seen)
{
	char *f[FIELDS_MAX];
	struct state_daemon d = { 0 };
	unsigned long long v;
	struct state_phy p = { 0 };
	int n, ret;

	n = split(line, f);
	if (n < 0)
		return n;
	ret = parse_once(st, f, n, seen);
	if (ret <= 0)
		return ret;
	if (!strcmp(f[0], "link"))
		return parse_link(st, f, n);
	if (!strcmp(f[0], "phy")) {
		if (n != 3 || num_u(f[1], UINT32_MAX, &v) < 0 || word(f[2], p.name, sizeof(p.name)) < 0)
			return -EINVAL;
		p.index = (uint32_t)v;
		return state_add_phy(st, &p);
	}
	if (!strcmp(f[0], "saved"))
		return n == 2 ? parse_saved(st, f[1]) : -EINVAL;
	if (!strcmp(f[0], "daemon")) {
		ret = parse_process(f, n, false, &d);
		return ret < 0 ? ret : state_add_daemon(st, &d);
	}
	return -EINVAL;
}

int state_parse(const char *buf, size_t len, const char *name, struct state **out,
		struct wgp_err *err)
{
	struct state *st = NULL;
	char *line = NULL;
	unsigned int lineno = 0, seen = 0;
	size_t off = 0, n;
	int ret = 0;

	if (len > STATE_FILE_MAX || memchr(buf, '\0', len))
		return wgp_refuse(err, EINVAL, name, "damaged state: %s",
				  len > STATE_FILE_MAX ? "too large" : "a NUL byte");
	st = calloc(1, sizeof(*st));
	line = malloc(len + 1);
	if (!st || !line) {
		ret = wgp_fail(err, ENOMEM, "Cannot read", "%s", name);
		goto cleanup;
	}
	for (; off < len; off += n + 1) {
		const char *nl = memchr(buf + off, '\n', len - off);
		char where[PATH_MAX + 16];

		n = nl ? (size_t)(nl - (buf + off)) : len - off;
		memcpy(line, buf + off, n);
		line[n] = '\0';
		lineno++;
		if (lineno == 1)
			ret = strcmp(line, "wgphys-state 1") ? -EINVAL : 0;
		else
			ret = parse_line(st, line, &seen);
		if (ret < 0) {
			snprintf(where, sizeof(where), "%s:%u", name, lineno);
			if (ret == -ENOMEM)
				wgp_fail(err, ret, "Cannot read", "%s", where);
			else
				wgp_refuse(err, -ret, where, "damaged state");
			goto cleanup;
		}
	}
	if (!(seen & ONCE_NETNS)) {
		ret = wgp_refuse(err, EINVAL, name, "damaged state: no namespace");
		goto cleanup;
	}
	*out = st;
	st = NULL;
cleanup:
	free(line);
	state_free(st);
	return ret;
}

/* The whole file (at most one byte past the limit, which the parser
 * refuses), from an fd whose owner and mode were checked. */
static int read_all(int fd, size_t hint, char **buf, size_t *len, struct wgp_err *err)
{
	size_t cap = (hint < STATE_FILE_MAX ? hint : STATE_FILE_MAX) + 1, n = 0;
	char *b = malloc(cap), *p;
	ssize_t r;

	while (b) {
		if (n == cap) {
			if (cap > STATE_FILE_MAX)
				break;
			cap = cap * 2 > STATE_FILE_MAX + 1 ? STATE_FILE_MAX + 1 : cap * 2;
			p = realloc(b, cap);
			if (!p)
				break;
			b = p;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return wgp_fail(err, errno, "Cannot read", "%s", STATE_FILE);
		}
		if (r == 0) {
			*buf = b;
			*len = n;
			return 0;
		}
		n += (size_t)r;
	}
	if (b && n > STATE_FILE_MAX) {
		*buf = b;
		*len = n;
		return 0;
	}
	free(b);
	return wgp_fail(err, ENOMEM, "Cannot read", "%s", STATE_FILE);
}

int state_read(struct state **out, struct wgp_err *err)
{
	struct stat sb;
	char *buf = NULL;
	size_t len = 0;
	int fd = -1, ret;

	/* Whoever could write the directory or the file could tell down what
	 * to undo and exec which namespace to enter. */
	if (lstat(WGPHYS_RUN_DIR, &sb) < 0)
		return errno == ENOENT ? -ENOENT : wgp_fail(err, errno, "Cannot read", "%s",
							    WGPHYS_RUN_DIR);
	ret = check_owner(WGPHYS_RUN_DIR, &sb, S_IFDIR, err);
	if (ret < 0)
		return ret;
	ret = path_check_parents(STATE_FILE, err);
	if (ret < 0)
		return ret;
	fd = open(STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : wgp_fail(err, errno, "Cannot read", "%s",
							    STATE_FILE);
	if (fstat(fd, &sb) < 0)
		ret = wgp_fail(err, errno, "Cannot read", "%s", STATE_FILE);
	else
		ret = check_owner(STATE_FILE, &sb, S_IFREG, err);
	if (!ret)
		ret = read_all(fd, (size_t)sb.st_size, &buf, &len, err);
	if (!ret)
		ret = state_parse(buf, len, STATE_FILE, out, err);
	free(buf);
	close(fd);
	return ret;
}
