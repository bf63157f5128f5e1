// SPDX-License-Identifier: GPL-2.0
/*
 * When root runs a command as another user from a terminal, the command
 * gets a pseudo-terminal of its own and wgphys relays between the two, as
 * sudo's use_pty does: root's terminal never reaches the user's processes.
 * Leaving the session (setsid) is not enough: a process the command left
 * behind keeps fds 0-2, and a terminal that is not one's controlling
 * terminal can still be read from, so it would read root's next line.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "pty.h"

struct relay {
	int master;
	int in, out;		/* root's terminal: what is read, what is written */
	int sig;		/* signalfd */
	pid_t child;
	bool raw;		/* root's terminal was put in raw mode */
	struct termios saved;
	int status;		/* the child's, once it has exited */
	bool exited;
};

/* What the child reports when it could not exec. */
struct report {
	int ret;
	bool cmd_failed;
	struct wgp_err err;
};

/* The signals the relay handles; blocked, read from a signalfd. */
static const int relayed[] = { SIGCHLD, SIGWINCH, SIGHUP, SIGTERM, SIGINT, SIGQUIT, 0 };

bool pty_needed(uid_t uid)
{
	struct stat sb;

	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd) && fstat(fd, &sb) == 0 && sb.st_uid != uid)
			return true;
	return false;
}

/* The first of fds from..to that is a terminal, or -1. */
static int first_tty(int from, int to)
{
	for (int fd = from; fd <= to; fd++)
		if (isatty(fd))
			return fd;
	return -1;
}

/* A new pseudo-terminal, its slave the user's (group tty, 0620, as a login
 * makes it) with root's terminal's settings and size. */
static int open_pty(uid_t uid, int *master, char *name, size_t len, struct wgp_err *err)
{
	const struct group *tty = getgrnam("tty");
	struct termios tio;
	struct winsize ws;
	int m, s = -1, from = first_tty(0, 2);

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return wgp_fail(err, errno, "Cannot open", "a pseudo-terminal for the command");
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, len) != 0 ||
	    (s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
	    fchown(s, uid, tty ? tty->gr_gid : (gid_t)-1) < 0 || fchmod(s, 0620) < 0) {
		wgp_fail(err, errno, "Cannot prepare", "a pseudo-terminal for the command");
		if (s >= 0)
			close(s);
		close(m);
		return -errno;
	}
	if (from >= 0 && tcgetattr(from, &tio) == 0)
		tcsetattr(s, TCSANOW, &tio);
	if (from >= 0 && ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(s, TIOCSWINSZ, &ws);
	close(s);
	*master = m;
	return 0;
}

/* In the child: the pseudo-terminal as controlling terminal, on each of
 * fds 0-2 that was a terminal. Then child(). Never returns. */
static void child_side(const char *name, int master, const sigset_t *mask, int report_fd,
		       int (*child)(void *arg, bool *cmd_failed, struct wgp_err *err), void *arg)
{
	struct report r = { .ret = -EIO };
	ssize_t unused;
	int s;

	sigprocmask(SIG_SETMASK, mask, NULL);
	close(master);
	if (setsid() < 0 || (s = open(name, O_RDWR | O_CLOEXEC)) < 0 || ioctl(s, TIOCSCTTY, 0) < 0) {
		r.ret = wgp_fail(&r.err, errno, "Cannot attach", "%s to the command", name);
	} else {
		for (int fd = 0; fd <= 2; fd++)
			if (isatty(fd) && fd != s && dup2(s, fd) < 0)
				r.ret = wgp_fail(&r.err, errno, "Cannot attach", "%s to the command", name);
		if (s > 2)
			close(s);
		if (!r.err.code)
			r.ret = child(arg, &r.cmd_failed, &r.err);
	}
	unused = write(report_fd, &r, sizeof(r));
	(void)unused;
	_exit(127);
}

static void copy_winsize(struct relay *rl)
{
	struct winsize ws;

	if (ioctl(rl->in >= 0 ? rl->in : rl->out, TIOCGWINSZ, &ws) == 0)
		ioctl(rl->master, TIOCSWINSZ, &ws);
}

/* Keystrokes go through untouched: the pseudo-terminal's own line
 * discipline turns ^C into SIGINT for the command. Only when we are in the
 * foreground of root's terminal; a background job leaves it alone. */
static void raw_on(struct relay *rl)
{
	struct termios tio;

	if (rl->in < 0 || tcgetpgrp(rl->in) != getpgrp() || tcgetattr(rl->in, &rl->saved) < 0)
		return;
	tio = rl->saved;
	cfmakeraw(&tio);
	rl->raw = tcsetattr(rl->in, TCSADRAIN, &tio) == 0;
}

static void raw_off(struct relay *rl)
{
	if (rl->raw)
		tcsetattr(rl->in, TCSADRAIN, &rl->saved);
	rl->raw = false;
}

/* The command stopped (^Z in its terminal): stop too, as a job of root's
 * shell, and carry on both when the shell continues us. */
static void suspend(struct relay *rl)
{
	raw_off(rl);
	raise(SIGSTOP);
	raw_on(rl);
	copy_winsize(rl);
	kill(rl->child, SIGCONT);
}

static void on_signal(struct relay *rl)
{
	struct signalfd_siginfo si;
	int status;
	pid_t p;

	if (read(rl->sig, &si, sizeof(si)) != sizeof(si))
		return;
	switch (si.ssi_signo) {
	case SIGCHLD:
		while ((p = waitpid(rl->child, &status, WNOHANG | WUNTRACED)) == rl->child) {
			if (WIFSTOPPED(status)) {
				suspend(rl);
			} else if (WIFEXITED(status) || WIFSIGNALED(status)) {
				rl->status = status;
				rl->exited = true;
				break;
			}
		}
		break;
	case SIGWINCH:
		copy_winsize(rl);
		break;
	default:	/* sent to wgphys from outside: meant for the command */
		kill(rl->child, (int)si.ssi_signo);
	}
}

/* Copy what is there from one fd to the other; false at the end. */
static bool pass(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf)), w;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n; off += w) {
		w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			w = 0;
		else if (w < 0)
			return false;
	}
	return true;
}

/* Until the child exits; then what it wrote last, and no more. */
static void relay_loop(struct relay *rl)
{
	/* Root's keystrokes only while we are the foreground job that set
	 * raw mode: a background job reading its terminal would be stopped. */
	bool in_open = rl->raw, out_open = true;

	while (!rl->exited) {
		struct pollfd p[3] = {
			{ .fd = rl->sig, .events = POLLIN },
			{ .fd = out_open ? rl->master : -1, .events = POLLIN },
			{ .fd = in_open ? rl->in : -1, .events = POLLIN },
		};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			on_signal(rl);
		if (p[1].revents)
			out_open = pass(rl->master, rl->out);
		if (p[2].revents)
			in_open = pass(rl->in, rl->master);
	}
	fcntl(rl->master, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 64 && pass(rl->master, rl->out);)
		i++;
}

/* The relay needs CAP_KILL alone (to forward signals to the user's
 * command); it stays uid 0, so the user cannot trace it. */
static void relay_narrow(void)
{
	capng_clear(CAPNG_SELECT_CAPS);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_KILL);
	capng_apply(CAPNG_SELECT_CAPS);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* After the fork: did the child exec? EOF on the report pipe says yes. */
static int child_report(struct relay *rl, int fd, bool *cmd_failed, struct wgp_err *err)
{
	struct report r;
	ssize_t n;

	do
		n = read(fd, &r, sizeof(r));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(r))
		return 0;
	waitpid(rl->child, NULL, 0);
	*cmd_failed = r.cmd_failed;
	if (err)
		*err = r.err;
	return r.ret < 0 ? r.ret : -EIO;
}

int pty_run(uid_t uid, int (*child)(void *arg, bool *cmd_failed, struct wgp_err *err), void *arg,
	    bool *cmd_failed, struct wgp_err *err)
{
	struct relay rl = { .master = -1, .sig = -1, .in = isatty(0) ? 0 : -1,
			    .out = first_tty(1, 2) };
	sigset_t mask, old;
	char name[64];
	int report[2] = { -1, -1 }, null_out = -1, ret;

	*cmd_failed = false;
	ret = open_pty(uid, &rl.master, name, sizeof(name), err);
	if (ret < 0)
		return ret;
	if (rl.out < 0)
		rl.out = null_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	sigemptyset(&mask);
	for (int i = 0; relayed[i]; i++)
		sigaddset(&mask, relayed[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	rl.sig = signalfd(-1, &mask, SFD_CLOEXEC);
	if (rl.sig < 0 || pipe2(report, O_CLOEXEC) < 0) {
		ret = wgp_fail(err, errno, "Cannot start", "the terminal relay");
		goto out;
	}
	rl.child = fork();
	if (rl.child < 0) {
		ret = wgp_fail(err, errno, "Cannot start", "the command");
		goto out;
	}
	if (rl.child == 0) {
		close(report[0]);
		child_side(name, rl.master, &old, report[1], child, arg);
	}
	close(report[1]);
	report[1] = -1;
	relay_narrow();
	ret = child_report(&rl, report[0], cmd_failed, err);
	if (ret < 0)
		goto out;
	raw_on(&rl);
	relay_loop(&rl);
	raw_off(&rl);
	if (!rl.exited)
		waitpid(rl.child, &rl.status, 0);
	ret = WIFSIGNALED(rl.status) ? 128 + WTERMSIG(rl.status) : WEXITSTATUS(rl.status);
out:
	/* Closing the master hangs the terminal up for whatever is left. */
	close(rl.master);
	if (rl.sig >= 0)
		close(rl.sig);
	for (int i = 0; i < 2; i++)
		if (report[i] >= 0)
			close(report[i]);
	if (null_out >= 0)
		close(null_out);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
