// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "paths.h"
#include "state.h"

#define STATE_FILE WGPHYS_RUN_DIR "/state"
#define STATE_TMP WGPHYS_RUN_DIR "/state.new"
#define LOCK_FILE WGPHYS_RUN_DIR "/lock"

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

int state_add_saved(struct state *st, const void *nlh, size_t len)
{
	uint8_t *copy;

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

static int make_run_dir(struct wgp_err *err)
{
	struct stat sb;

	/* 0755, the journal 0644: status is for everyone, and the journal
	 * holds no secret (names, MACs, addresses, pids). What must not be
	 * readable keeps its own mode (the lock, the logs, the saved
	 * resolv.conf: 0600). */
	if (mkdir(WGPHYS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return wgp_errf(err, errno, "Cannot create %s: %m", WGPHYS_RUN_DIR);
	/* Someone else's directory here would let them edit what down undoes. */
	if (lstat(WGPHYS_RUN_DIR, &sb) < 0)
		return wgp_errf(err, errno, "Cannot stat %s: %m", WGPHYS_RUN_DIR);
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 0022))
		return wgp_refuse(err, EPERM, WGPHYS_RUN_DIR, "must be a directory owned by root "
				  "that group and others cannot write");
	/* One made 0700 by an earlier wgphys opens to readers. */
	if ((sb.st_mode & 0777) != 0755 && chmod(WGPHYS_RUN_DIR, 0755) < 0)
		return wgp_fail(err, errno, "Cannot chmod", "%s", WGPHYS_RUN_DIR);
	return 0;
}

int state_lock(struct wgp_err *err)
{
	int fd, ret;

	ret = make_run_dir(err);
	if (ret < 0)
		return ret;
	fd = open(LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return wgp_errf(err, errno, "Cannot open %s: %m", LOCK_FILE);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ret = wgp_errf(err, errno, errno == EWOULDBLOCK ?
			       "Another wgphys up or down is running" :
			       "Cannot lock %s: %m", LOCK_FILE);
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

int state_write(const struct state *st, struct wgp_err *err)
{
	FILE *f = NULL;
	size_t i, j;
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
		ret = wgp_errf(err, errno, "Cannot write %s: %m", STATE_TMP);
		if (fd >= 0)
			close(fd);
		return ret;
	}
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
	for (i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		fprintf(f, "link %d %s %s %" PRId64 " %d %u %s\n", l->ifindex, l->name,
			l->mac[0] ? l->mac : "-", l->wiphy, l->up, l->type,
			l->kind[0] ? l->kind : "-");
	}
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
	if (ferror(f) || fflush(f) != 0 || fsync(fileno(f)) < 0) {
		ret = wgp_errf(err, errno, "Cannot write %s: %m", STATE_TMP);
		fclose(f);
		return ret;
	}
	fclose(f);
	if (rename(STATE_TMP, STATE_FILE) < 0)
		return wgp_errf(err, errno, "Cannot write %s: %m", STATE_FILE);
	return 0;
}

int state_remove(struct wgp_err *err)
{
	if (unlink(STATE_FILE) < 0 && errno != ENOENT)
		return wgp_errf(err, errno, "Cannot remove %s: %m", STATE_FILE);
	return 0;
}

static int hex_blob(struct state *st, const char *hex)
{
	size_t len = strlen(hex), i;
	uint8_t *b;
	int ret;

	if (len % 2 || len / 2 < 16)
		return -EINVAL;
	b = malloc(len / 2);
	if (!b)
		return -ENOMEM;
	for (i = 0; i < len / 2; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(b);
			return -EINVAL;
		}
		b[i] = (uint8_t)v;
	}
	/* The saved message must be whole, or replaying it reads past it. */
	if (((const uint32_t *)(const void *)b)[0] != len / 2) {
		free(b);
		return -EINVAL;
	}
	ret = state_add_saved(st, b, len / 2);
	free(b);
	return ret;
}

static int parse_line(struct state *st, char *line)
{
	char word[32];
	uintmax_t a, b;
	long long ll;
	int i, n;

	if (sscanf(line, "netns %64s %ju %ju", st->netns, &a, &b) == 3) {
		st->netns_dev = (dev_t)a;
		st->netns_ino = (ino_t)b;
	} else if (sscanf(line, "main %ju %ju", &a, &b) == 2) {
		st->main_dev = (dev_t)a;
		st->main_ino = (ino_t)b;
	} else if (!strcmp(line, "created-netns")) {
		st->created_netns = true;
	} else if (!strcmp(line, "fence")) {
		st->fence = true;
	} else if (sscanf(line, "etc %u", &st->etc_flags) == 1) {
	} else if (sscanf(line, "tunnel %15s", st->tunnel) == 1) {
	} else if (!strncmp(line, "link ", 5)) {
		/* Older journals name no kind: any will do ("*"). */
		struct state_link l = { .type = 1 /* ARPHRD_ETHER */, .kind = "*" };

		if (sscanf(line, "link %d %15s %95s %lld %d %u %31s", &l.ifindex, l.name, l.mac,
			   &ll, &n, &l.type, l.kind) < 5)
			return -EINVAL;
		l.wiphy = ll;
		l.up = n;
		if (!strcmp(l.mac, "-"))
			l.mac[0] = '\0';
		if (!strcmp(l.kind, "-"))
			l.kind[0] = '\0';
		return state_add_link(st, &l);
	} else if (!strncmp(line, "phy ", 4)) {
		struct state_phy p = { 0 };

		if (sscanf(line, "phy %ju %64s", &a, p.name) != 2)
			return -EINVAL;
		p.index = (uint32_t)a;
		return state_add_phy(st, &p);
	} else if (sscanf(line, "saved-at %u", &st->saved_at) == 1) {
	} else if (!strncmp(line, "saved ", 6)) {
		return hex_blob(st, line + 6);
	} else if (sscanf(line, "resolv %31s", word) == 1) {
		for (i = 0; i <= RESOLV_ABSENT; i++)
			if (!strcmp(word, resolv_names[i]))
				break;
		if (i > RESOLV_ABSENT)
			return -EINVAL;
		st->resolv = (enum resolv_mode)i;
	} else if (!strncmp(line, "daemon ", 7)) {
		struct state_daemon d = { 0 };

		if (sscanf(line, "daemon %d %ju %31s %15s", &i, &a, d.name, d.ifname) < 3)
			return -EINVAL;
		d.pid = i;
		d.starttime = (unsigned long long)a;
		return state_add_daemon(st, &d);
	} else if (!strncmp(line, "guard ", 6)) {
		if (sscanf(line, "guard %d %ju", &i, &a) != 2 || i <= 0)
			return -EINVAL;
		st->guard.pid = i;
		st->guard.starttime = (unsigned long long)a;
		snprintf(st->guard.name, sizeof(st->guard.name), "guard");
	} else if (sscanf(line, "stage %d", &st->stage) == 1) {
	} else if (strcmp(line, "wgphys-state 1")) {
		return -EINVAL;
	}
	return 0;
}

int state_read(struct state **out, struct wgp_err *err)
{
	struct state *st = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned int lineno = 0;
	FILE *f;
	int fd, ret = 0;

	fd = open(STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT :
		       wgp_errf(err, errno, "Cannot read %s: %m", STATE_FILE);
	f = fdopen(fd, "r");
	st = calloc(1, sizeof(*st));
	if (!f || !st) {
		ret = -ENOMEM;
		if (!f)
			close(fd);
		goto cleanup;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		ret = parse_line(st, line);
		if (ret < 0) {
			wgp_errf(err, -ret, "%s:%u: damaged state", STATE_FILE, lineno);
			goto cleanup;
		}
	}
	if (!st->netns[0]) {
		ret = wgp_errf(err, EINVAL, "%s: damaged state: no namespace", STATE_FILE);
		goto cleanup;
	}
	*out = st;
	st = NULL;
cleanup:
	free(line);
	if (f)
		fclose(f);
	state_free(st);
	return ret;
}
