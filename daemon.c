// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "caps.h"
#include "daemon.h"
#include "nsenter.h"
#include "paths.h"

static char *const daemon_env[] = {
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	"LANG=C.UTF-8",
	NULL,
};

unsigned long long proc_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: count from the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p && sscanf(p + 1, "%llu", &start) != 1)
		start = 0;
	return start;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static void report_and_exit(int pipe_fd, int code)
{
	ssize_t unused = write(pipe_fd, &code, sizeof(code));

	(void)unused;
	_exit(127);
}

static void child(int netns_fd, const char *netns, const struct daemon_spec *spec, int pipe_fd,
		  int go_fd)
{
	char go;
	char path[PATH_MAX];
	sigset_t none;
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() < 0)
		report_and_exit(pipe_fd, errno);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		report_and_exit(pipe_fd, errno);
	snprintf(path, sizeof(path), "%s/%s.log", WGPHYS_RUN_DIR, spec->name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		report_and_exit(pipe_fd, errno);
	if (nsenter_netns(netns_fd, netns, NULL) < 0)
		report_and_exit(pipe_fd, errno ? errno : EPERM);
	/* A private run directory: otherwise a dhcpcd or wpa_supplicant of
	 * the main namespace answers on the same control socket path, and
	 * ours would hand its work to it, or refuse to start. */
	snprintf(path, sizeof(path), "/run/%s", spec->name);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		report_and_exit(pipe_fd, errno);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
		report_and_exit(pipe_fd, errno);
	if (caps_bound_for_exec(spec->caps) < 0)
		report_and_exit(pipe_fd, EPERM);
	/* Not before the parent has recorded us: a crash of wgphys from here
	 * on leaves a daemon that down knows about. */
	if (read(go_fd, &go, 1) != 1)
		_exit(127);
	execve(spec->argv[0], spec->argv, daemon_env);
	report_and_exit(pipe_fd, errno);
}

int daemon_start(int netns_fd, const char *netns, const struct daemon_spec *spec,
		 int (*journal)(void *arg, const struct state_daemon *d, struct wgp_err *err),
		 void *arg, struct wgp_err *err)
{
	struct state_daemon d = { 0 };
	int fds[2], go[2], code = 0, ret;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return wgp_errf(err, errno, "Cannot start %s: %m", spec->name);
	if (pipe2(go, O_CLOEXEC) < 0) {
		ret = wgp_errf(err, errno, "Cannot start %s: %m", spec->name);
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = wgp_errf(err, errno, "Cannot start %s: %m", spec->name);
		close(fds[0]);
		close(fds[1]);
		close(go[0]);
		close(go[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		close(go[1]);
		child(netns_fd, netns, spec, fds[1], go[0]);
	}
	close(fds[1]);
	close(go[0]);
	d.pid = pid;
	d.starttime = proc_starttime(pid);
	snprintf(d.name, sizeof(d.name), "%s", spec->name);
	ret = journal(arg, &d, err);
	if (ret < 0 || write(go[1], "g", 1) != 1) {
		close(go[1]);
		close(fds[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return ret < 0 ? ret : wgp_errf(err, EIO, "Cannot start %s", spec->name);
	}
	close(go[1]);
	/* End of file: the exec closed the pipe; a number: it failed. */
	do
		n = read(fds[0], &code, sizeof(code));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n < 0 || n == sizeof(code)) {
		waitpid(pid, NULL, 0);
		if (n < 0)
			code = errno;
		return wgp_errf(err, code, "Cannot start %s in namespace \"%s\": %s",
				spec->argv[0], netns, strerror(code));
	}
	return 0;
}

int daemon_spawn_main(char *const *argv, struct wgp_err *err)
{
	int fds[2], code = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return wgp_errf(err, errno, "Cannot start %s: %m", argv[0]);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return wgp_errf(err, errno, "Cannot start %s: %m", argv[0]);
	}
	if (pid == 0) {
		char path[PATH_MAX];
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC), log;

		close(fds[0]);
		snprintf(path, sizeof(path), "%s/restore.log", WGPHYS_RUN_DIR);
		log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 || dup2(fd, 0) < 0 || dup2(log >= 0 ? log : fd, 1) < 0 ||
		    dup2(log >= 0 ? log : fd, 2) < 0)
			report_and_exit(fds[1], errno);
		/* Orphaned at once, so that nothing waits for the program to
		 * finish starting: it is not ours. */
		setsid();
		pid = fork();
		if (pid < 0)
			report_and_exit(fds[1], errno);
		if (pid > 0)
			_exit(0);
		execve(argv[0], argv, daemon_env);
		report_and_exit(fds[1], errno);
	}
	close(fds[1]);
	waitpid(pid, NULL, 0);
	/* End of file: exec'd (close-on-exec); a number: it could not be. */
	do
		n = read(fds[0], &code, sizeof(code));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == sizeof(code))
		return wgp_errf(err, code, "Cannot start %s: %s", argv[0], strerror(code));
	return 0;
}

bool daemon_alive(const struct state_daemon *d)
{
	char st;

	if (d->pid <= 0 || proc_starttime(d->pid) != d->starttime)
		return false;
	st = proc_state(d->pid);
	return st && st != 'Z' && st != 'X';
}

static void reap(pid_t pid)
{
	/* Ours if wgphys started it in this very run (a rollback). */
	waitpid(pid, NULL, WNOHANG);
}

/*
 * The daemon leads its own process group (it was started with setsid), and
 * what it forks (dhcpcd's privilege separation helpers) stays in it. The
 * kernel does not reuse a pid number while a process group of that number
 * has members, so the group is ours when its leader is ours or when that
 * pid is not in use at all: then, and only then, the whole group is
 * signalled. Nothing else on the machine is touched.
 */
static bool group_is_ours(const struct state_daemon *d)
{
	char path[64];

	if (daemon_alive(d))
		return true;
	snprintf(path, sizeof(path), "/proc/%d", (int)d->pid);
	return access(path, F_OK) < 0;
}

/* Whether a live (not zombie) process is left in the group. */
static bool group_alive(pid_t pgid)
{
	char path[64], buf[512], state;
	struct dirent *de;
	bool alive = false;
	DIR *dir;
	int fd, pgrp;
	ssize_t n;
	char *p;

	dir = opendir("/proc");
	if (!dir)
		return false;
	while (!alive && (de = readdir(dir))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.16s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %c %*d %d", &state, &pgrp) == 2 &&
		    pgrp == pgid && state != 'Z' && state != 'X')
			alive = true;
	}
	closedir(dir);
	return alive;
}

static bool group_gone(const struct state_daemon *d, int ms)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	for (; ms > 0; ms -= 20) {
		reap(d->pid);
		if (!daemon_alive(d) && !group_alive(d->pid))
			return true;
		nanosleep(&tick, NULL);
	}
	reap(d->pid);
	return !daemon_alive(d) && !group_alive(d->pid);
}

void daemon_term(const struct state_daemon *d)
{
	if (daemon_alive(d))
		kill(d->pid, SIGTERM);
}

int daemon_stop(const struct state_daemon *d, struct wgp_err *err)
{
	if (!group_is_ours(d))
		return 0;	/* gone, and its pid is someone else's now */
	/* The daemon first, so it can take its helpers down in order... */
	if (daemon_alive(d) && kill(d->pid, SIGTERM) < 0 && errno != ESRCH)
		return wgp_errf(err, errno, "Cannot stop %s (pid %d): %m", d->name, (int)d->pid);
	if (group_gone(d, 3000))
		return 0;
	/* ...then whatever of its group is left. */
	if (kill(-d->pid, SIGKILL) < 0 && errno != ESRCH)
		return wgp_errf(err, errno, "Cannot stop %s (pid %d): %m", d->name, (int)d->pid);
	if (group_gone(d, 2000))
		return 0;
	return wgp_errf(err, EBUSY, "%s (pid %d) does not exit", d->name, (int)d->pid);
}
