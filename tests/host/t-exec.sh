#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `wgphys exec` on the build machine, as root, without touching its network,
# its users or its files. Every assertion reads what the kernel reports
# about the command (/proc/PID/...), never what wgphys says it did.
#
#   the test's own netns: "main"            "physical" (ip netns add)
#   +------------------------------+        +------------------------------+
#   | Xvfb :N                      |        | the command, as the user     |
#   |  @/tmp/.X11-unix/XN abstract |        | /etc/netns/physical/         |
#   |  /tmp/.X11-unix/XN path -----+--------+-> resolv.conf over /etc      |
#   | wgx-m 10.77.0.1/30 ==========+==veth==+== wgx-p 10.77.0.2/30         |
#   +------------------------------+        +------------------------------+
#
# The script re-runs itself in new pid, mount and network namespaces
# (unshare --kill-child): tmpfs on /tmp and /run, an overlay on /etc that
# holds the test's users, group and /etc/netns. When the script ends, or is
# killed, the kernel takes all of it away; the outer half then checks that
# nothing is left.
#
# WGPHYS: the binary under test (default build/test/wgphys, the ASan build);
# the wgphys-core beside it is what the front runs for up and down.

# Most functions here run through check and poll, which shellcheck cannot
# see: SC2317 would call them unreachable.
# shellcheck disable=SC2317,SC2012
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"

if [[ ${WGX_INNER-} != 1 ]]; then
	# ---- outer half: the real machine ----
	if ((EUID != 0)); then
		echo "1..0 # SKIP needs root"
		exit 0
	fi
	WGPHYS=${WGPHYS:-build/test/wgphys}
	[[ $WGPHYS == /* ]] || WGPHYS=$root/$WGPHYS
	if [[ ! -x $WGPHYS ]]; then
		echo "1..0 # SKIP $WGPHYS not built"
		exit 0
	fi
	# Without these nothing here can run; Xvfb and xdpyinfo are needed
	# only by the X checks at the end, which skip on their own.
	for tool in unshare setpriv setcap useradd ip script python3; do
		if ! command -v "$tool" >/dev/null; then
			echo "1..0 # SKIP $tool not installed"
			exit 0
		fi
	done
	result=$(mktemp)
	trap 'rm -f "$result"' EXIT
	# The inner half reports its TAP counters and its pid namespace here.
	exec {resfd}>"$result"
	WGX_INNER=1 WGX_RESFD=$resfd WGPHYS=$WGPHYS \
		unshare --pid --fork --kill-child --mount-proc --mount --net \
		--propagation private -- bash "${BASH_SOURCE[0]}"
	rc=$?
	exec {resfd}>&-
	read -r _tap_count _tap_failed pidns <"$result" || {
		_tap_count=0 _tap_failed=0 pidns=
	}
	((rc == 0 || _tap_failed > 0)) ||
		not_ok "inner half exited $rc without a failed test"

	left=
	for u in wgxalice wgxbob wgxcarol wgxdave; do
		getent passwd "$u" >/dev/null && left+=" user $u"
	done
	getent group wgxextra >/dev/null && left+=" group wgxextra"
	if [[ -n $pidns ]]; then
		for p in /proc/[0-9]*; do
			[[ $(readlink "$p/ns/pid" 2>/dev/null) == "$pidns" ]] &&
				left+=" process ${p#/proc/}"
		done
	fi
	if [[ -z $left ]]; then
		ok "nothing left behind (users, group, processes)"
	else
		not_ok "nothing left behind" "left:$left"
	fi
	done_testing
fi

# ---- inner half: private pid, mount and network namespaces ----

wgphys=$WGPHYS
T=/tmp/wgx
pids=()
# The binaries may live under /tmp (a CI checkout), which the tmpfs below
# hides: hold them open and copy them in after.
exec {binfd}<"$wgphys"
exec {corefd}<"$(dirname "$wgphys")/wgphys-core"

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	printf '%s %s %s\n' "$_tap_count" "$_tap_failed" \
		"$(readlink /proc/self/ns/pid)" >&"$WGX_RESFD"
}
trap cleanup EXIT

# Not through check: its temporary file would be made in the real /tmp,
# then hidden by the tmpfs before it could be removed.
setup() {
	mount -t tmpfs -o mode=0755 wgx-tmp /tmp &&
	mount -t tmpfs -o mode=0755 wgx-run /run &&
	mkdir -p /tmp/etc-up /tmp/etc-work &&
	mount -t overlay wgx-etc -o lowerdir=/etc,upperdir=/tmp/etc-up,workdir=/tmp/etc-work /etc &&
	mkdir -m 1777 /tmp/.X11-unix "$T" &&
	mkdir -m 0700 /run/wgphys &&
	mkdir -p /etc/netns/physical &&
	# Xvfb compiles its keymap into here on some versions.
	{ [[ ! -d /var/lib/xkb ]] || mount -t tmpfs -o mode=0755 wgx-xkb /var/lib/xkb; }
}
if setup_out=$(setup 2>&1) && mkdir -p "$T/build" &&
	cat "/proc/self/fd/$binfd" >"$T/build/wgphys" && chmod 0755 "$T/build/wgphys" &&
	cat "/proc/self/fd/$corefd" >"$T/build/wgphys-core" && chmod 0755 "$T/build/wgphys-core"; then
	wgphys=$T/build/wgphys
	exec {binfd}<&- {corefd}<&-
	# A checkout under /tmp is hidden now: a working directory that no
	# longer resolves upsets tools that look at it (pyenv's python3 shim).
	cd /
	ok "private /tmp, /run and an overlay on /etc"
else
	not_ok "private /tmp, /run and an overlay on /etc" "$setup_out"
	exit 1
fi

users() {
	groupadd wgphys &&
	groupadd wgxextra &&
	useradd -M -N -g users -G wgxextra -s /bin/sh -d /home/wgxalice wgxalice &&
	useradd -M -N -g users -G wgphys -s /bin/sh -d /home/wgxbob wgxbob &&
	useradd -M -N -g users -s /bin/sh -d /home/wgxcarol wgxcarol
}
check "test users and group wgphys (in the overlay only)" users || exit 1
alice=$(id -u wgxalice) alice_gid=$(id -g wgxalice)
bob=$(id -u wgxbob) bob_gid=$(id -g wgxbob)

netns() {
	ip link set lo up &&
	ip netns add physical &&
	ip -n physical link set lo up &&
	ip link add wgx-m type veth peer name wgx-p netns physical &&
	ip addr add 10.77.0.1/30 dev wgx-m && ip link set wgx-m up &&
	ip -n physical addr add 10.77.0.2/30 dev wgx-p &&
	ip -n physical link set wgx-p up &&
	echo "nameserver 192.0.2.53 # wgx-physical" >/etc/netns/physical/resolv.conf &&
	# A symlink in the netns etc dir must be skipped, not followed.
	ln -s /etc/shadow /etc/netns/physical/hostname
}
check "namespace physical with a veth and its /etc/netns" netns || exit 1

phys_ino=$(stat -L -c %i /run/netns/physical)
write_state() {
	printf 'wgphys-state 1\nnetns physical %s %s\nmain %s %s\nstage 100\n' \
		"$(stat -L -c %d /run/netns/physical)" "$phys_ino" \
		"$(stat -L -c %d /proc/self/ns/net)" "$(stat -L -c %i /proc/self/ns/net)" \
		>/run/wgphys/state && chmod 0600 /run/wgphys/state
}
check "state file as wgphys up writes it" write_state || exit 1

# ---- helpers ----

# Start "wgphys exec ... sleep" in the background; $pid is wgphys's pid,
# which must become sleep's: no extra fork. Its stderr goes to $T/err.
start() {
	"$@" 2>"$T/err" &
	pid=$!
	pids+=("$pid")
}

# Exec'd into sleep, or dead: either way there is something to look at.
settled() {
	local comm state
	comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 0
	[[ $comm == sleep ]] && return 0
	state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)
	[[ -z $state || $state == Z ]]
}

is_sleep() {
	[[ $(cat "/proc/$1/comm" 2>/dev/null) == sleep ]] || {
		echo "pid $1 is not sleep; wgphys said:"
		cat "$T/err"
		return 1
	}
}

status_field() {
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ +/, ""); print }' "/proc/$1/status"
}

expect_eq() {	# desc got want
	if [[ $2 == "$3" ]]; then
		ok "$1"
	else
		not_ok "$1" "got:  '$2'"$'\n'"want: '$3'"
	fi
}

sorted_words() {
	tr ' ' '\n' <<<"$*" | sed '/^$/d' | sort -n -u | tr '\n' ' '
}

# The kernel's view of a command that should hold nothing.
check_dropped() {	# who pid uid gid "groups"
	local who=$1 p=$2 u=$3 g=$4 groups=$5 f
	expect_eq "$who: Uid is $u (real, effective, saved, fs)" \
		"$(status_field "$p" Uid)" "$u $u $u $u"
	expect_eq "$who: Gid is $g" "$(status_field "$p" Gid)" "$g $g $g $g"
	expect_eq "$who: Groups are the target's" \
		"$(sorted_words "$(status_field "$p" Groups)")" "$(sorted_words "$groups")"
	for f in CapInh CapPrm CapEff CapBnd CapAmb; do
		expect_eq "$who: $f is empty" "$(status_field "$p" "$f")" 0000000000000000
	done
	expect_eq "$who: NoNewPrivs is 1" "$(status_field "$p" NoNewPrivs)" 1
	# The kernel names the new program before it closes the close-on-exec
	# fds: give it the moment.
	poll 2 "$who: only fds 0 1 2" fds_are "$p" "0 1 2 "
	expect_eq "$who: in namespace physical" \
		"$(readlink /proc/"$p"/ns/net)" "net:[$phys_ino]"
}

fds_are() {	# pid "n n n "
	local got
	got=$(ls /proc/"$1"/fd | sort -n | tr '\n' ' ')
	[[ $got == "$2" ]] || { echo "got '$got', want '$2'"; return 1; }
}

session_of() {
	awk '{ sub(/.*\) /, ""); print $4 }' "/proc/$1/stat"
}

stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# ---- sudo: root with SUDO_UID/SUDO_GID ----

# The runtime dir root's environment names is root's: alice gets her own.
mkdir -m 0755 /run/user && mkdir -m 0700 "/run/user/$alice" &&
	chown wgxalice "/run/user/$alice"
san=()		# the sanitizers' settings, which must not reach the command
[[ -v ASAN_OPTIONS ]] && san+=("ASAN_OPTIONS=$ASAN_OPTIONS")
[[ -v UBSAN_OPTIONS ]] && san+=("UBSAN_OPTIONS=$UBSAN_OPTIONS")
exec 7</etc/hostname		# an fd the command must not inherit
start env -i SUDO_UID="$alice" SUDO_GID="$alice_gid" SUDO_USER=wgxalice \
	FOO=bar LD_PRELOAD= LD_LIBRARY_PATH=/wgx-nonexistent GCONV_PATH=/wgx \
	DISPLAY=:7 LC_ALL=C TERM=dumb HOME=/root XDG_RUNTIME_DIR=/run/user/0 \
	PATH=/usr/sbin:/usr/bin:/sbin:/bin "${san[@]}" \
	"$wgphys" exec -- sleep 600
exec 7<&-
poll 10 "sudo: the command starts" settled "$pid"
if check "sudo: wgphys became the command (same pid, no fork)" is_sleep "$pid"; then
	check_dropped sudo "$pid" "$alice" "$alice_gid" "$(id -G wgxalice)"
	expect_eq "sudo: /etc/resolv.conf is /etc/netns/physical's" \
		"$(cat /proc/"$pid"/root/etc/resolv.conf)" \
		"nameserver 192.0.2.53 # wgx-physical"
	expect_eq "sudo: a symlink in /etc/netns/physical was not bound" \
		"$(cat /proc/"$pid"/root/etc/hostname)" "$(cat /etc/hostname)"
	expect_eq "sudo: /sys shows physical's devices" \
		"$(ls /proc/"$pid"/root/sys/class/net | tr '\n' ' ')" "lo wgx-p "
	expect_eq "sudo: only the allowed environment, with the target's HOME etc." \
		"$(tr '\0' '\n' <"/proc/$pid/environ" | sort | tr '\n' ' ')" \
		"$(printf '%s\n' DISPLAY=:7 HOME=/home/wgxalice LC_ALL=C \
			LOGNAME=wgxalice PATH=/usr/local/bin:/usr/bin:/bin \
			SHELL=/bin/sh TERM=dumb USER=wgxalice \
			"XDG_RUNTIME_DIR=/run/user/$alice" | sort | tr '\n' ' ')"
	s=$(session_of "$pid")
	if [[ $s == "$pid" && $s != "$(session_of $$)" ]]; then
		ok "sudo: a new session (sid $s, the test's is $(session_of $$))"
	else
		not_ok "sudo: a new session" "sid $s, pid $pid, test's sid $(session_of $$)"
	fi
fi
stop "$pid"

# A shell with job control makes wgphys a process group leader, and setsid()
# is refused to those: then wgphys must leave the controlling terminal, so
# that TIOCSTI cannot type into the shell. script(1) provides the terminal,
# given to alice as sudo finds hers (a root-owned one gets a pty of its own:
# see "root's terminal" below).
stat_field() {	# pid n: the nth field after the command name
	awk -v n="$2" '{ sub(/.*\) /, ""); print $n }' "/proc/$1/stat"
}
jobctl() {
	SUDO_UID=$alice SUDO_GID=$alice_gid SHELL=/bin/sh script -qec "chown $alice \$(tty); sh -c 'set -m; \"\$0\" exec -- sleep 600 & echo \$! >$T/jc; wait' $wgphys" /dev/null \
		</dev/null >"$T/jc.out" 2>&1 &
	pids+=($!)
}
have_jc() {
	[[ -s $T/jc ]] && settled "$(cat "$T/jc")"
}
jobctl
if poll 10 "job control: the command starts" have_jc &&
	check "job control: wgphys became the command" is_sleep "$(cat "$T/jc")"; then
	pid=$(cat "$T/jc")
	pids+=("$pid")
	if [[ $(stat_field "$pid" 3) == "$pid" && $(stat_field "$pid" 4) != "$pid" ]]; then
		expect_eq "job control: no controlling terminal left (tty_nr)" \
			"$(stat_field "$pid" 5)" 0
	else
		not_ok "job control: wgphys was a process group leader" \
			"pgrp $(stat_field "$pid" 3) sid $(stat_field "$pid" 4) pid $pid"
	fi
	stop "$pid"
else
	diag "$(cat "$T/jc.out")"
fi

# ---- root with -u: a root login, not sudo or pkexec ----

login=(env -u SUDO_UID -u SUDO_GID -u SUDO_USER -u PKEXEC_UID)
start "${login[@]}" "$wgphys" exec -u wgxbob -- sleep 600
poll 10 "-u wgxbob: the command starts" settled "$pid"
if check "-u wgxbob: wgphys became the command" is_sleep "$pid"; then
	check_dropped "-u wgxbob" "$pid" "$bob" "$bob_gid" "$(id -G wgxbob)"
fi
stop "$pid"

runs_as() {	# "uid gid" wgphys-command...: what the command's id says
	local want=$1 got
	shift
	# shellcheck disable=SC2016 # expanded by the command's shell
	got=$("$@" -- sh -c 'echo "$(id -u) $(id -g)"') || return 1
	if [[ $got != "$want" ]]; then
		echo "ran as '$got', want '$want'"
		return 1
	fi
}
check "-u '#UID' is that user" runs_as "$bob $bob_gid" "${login[@]}" "$wgphys" exec -u "#$bob"
check "PKEXEC_UID is that user" runs_as "$alice $alice_gid" \
	env -u SUDO_UID PKEXEC_UID="$alice" "$wgphys" exec

refused() {	# want-status want-text command...
	local want=$1 text=$2 rc=0
	shift 2
	rm -f "$T/ran"
	"$@" >"$T/out" 2>&1 || rc=$?
	cat "$T/out"
	[[ ! -e $T/ran ]] || { echo "the command ran"; return 1; }
	if [[ $want == nonzero ]]; then
		((rc != 0)) || { echo "exit status 0"; return 1; }
	else
		((rc == want)) || { echo "exit status $rc, want $want"; return 1; }
	fi
	grep -qi -- "$text" "$T/out" || { echo "no '$text' in the output"; return 1; }
}
chmod 1777 "$T"
ran=(touch "$T/ran")

check "root without SUDO_UID or -u: refused, exit 2" \
	refused 2 "-u" env -u SUDO_UID -u PKEXEC_UID "$wgphys" exec -- "${ran[@]}"
check "root with SUDO_UID=0: refused, exit 2" \
	refused 2 "root" env SUDO_UID=0 SUDO_GID=0 "$wgphys" exec -- "${ran[@]}"
check "-u no-such-user: refused, exit 2" \
	refused 2 "no such user" "${login[@]}" "$wgphys" exec -u wgx-nobody-here -- "${ran[@]}"
# A sudoers or polkit rule that grants only "wgphys exec" must not let its
# user pick another one: -u root there was a way to root.
check "-u under sudo: refused, exit 2" \
	refused 2 "sudo" env SUDO_UID="$alice" SUDO_GID="$alice_gid" SUDO_USER=wgxalice \
	"$wgphys" exec -u wgxbob -- "${ran[@]}"
check "-u root under sudo: refused, exit 2" \
	refused 2 "sudo" env SUDO_UID="$alice" SUDO_GID="$alice_gid" SUDO_USER=wgxalice \
	"$wgphys" exec -u root -- "${ran[@]}"
check "-u under pkexec: refused, exit 2" \
	refused 2 "pkexec" env -u SUDO_UID -u SUDO_USER PKEXEC_UID="$alice" \
	"$wgphys" exec -u wgxbob -- "${ran[@]}"
# uid 0 owns /etc even with no capability: never a target.
check "-u root from a root login: refused, exit 2" \
	refused 2 "root" "${login[@]}" "$wgphys" exec -u root -- "${ran[@]}"
check "-u '#0' from a root login: refused, exit 2" \
	refused 2 "root" "${login[@]}" "$wgphys" exec -u '#0' -- "${ran[@]}"

# ---- root's terminal ----

# A root shell on a terminal of its own (python's pty module): it runs
# wgphys exec -u wgxbob, then waits at its "prompt". "steal": the command
# leaves behind a process that ignores SIGHUP and reads one line from its
# stdin; root then types a line. "relay": the command says which terminal
# it has, reads a line root types, and exits 7.
cat >"$T/term.py" <<'PY'
import os, pty, select, sys, time
mode, wgphys, T = sys.argv[1:4]
login = ["env", "-u", "SUDO_UID", "-u", "SUDO_GID", "-u", "SUDO_USER", "-u", "PKEXEC_UID",
         wgphys, "exec", "-u", "wgxbob", "--", "sh", "-c"]
if mode == "steal":
    # fd 3: a background list's stdin is /dev/null in a shell without
    # job control; a process left behind on purpose keeps the terminal.
    cmd = login + [f"trap '' HUP; exec 3<&0; (touch {T}/ready; read -r line <&3; "
                   f"echo \"stolen:$line\" >{T}/stolen) & exit 0"]
else:
    cmd = login + ['echo "tty:$(tty) uid:$(id -u)"; read -r x; echo "got:$x"; exit 7']
pid, fd = pty.fork()
if pid == 0:
    os.execvp("sh", ["sh", "-c", 'echo "root-tty:$(tty)"; "$@"; echo "status:$?"; sleep 20',
                     "sh"] + cmd)
out = b""
def read_until(word, secs=15):
    global out
    end = time.time() + secs
    while word not in out and time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return word in out
def until_file(path, secs=15):
    end = time.time() + secs
    while not os.path.exists(path) and time.time() < end:
        time.sleep(0.1)
    return os.path.exists(path)
ok = True
if mode == "steal":
    ok = read_until(b"status:") and until_file(f"{T}/ready")
    os.write(fd, b"root-secret-line\n")
    ok = until_file(f"{T}/stolen") and ok
    stolen = open(f"{T}/stolen").read() if os.path.exists(f"{T}/stolen") else "(none)"
    print("left-behind read:", repr(stolen), "ready:", os.path.exists(f"{T}/ready"), "out:", repr(out))
    ok = ok and "root-secret" not in stolen and stolen.startswith("stolen:")
else:
    ok = read_until(b"tty:") and read_until(b"\n", 2)
    os.write(fd, b"hello\n")
    ok = read_until(b"status:") and read_until(b"\n", 2) and ok
    text = out.decode(errors="replace")
    lines = dict(l.split(":", 1) for l in text.replace("\r", "").split("\n") if ":" in l)
    print(repr(text))
    ok = ok and lines.get("root-tty") and lines.get("tty", "").split(" ")[0].startswith("/dev/pts/") \
        and lines["tty"].split(" ")[0] != lines["root-tty"] \
        and lines.get("got") == "hello" and lines.get("status") == "7"
os.kill(pid, 9)
os.waitpid(pid, 0)
sys.exit(0 if ok else 1)
PY
rm -f "$T/ready" "$T/stolen"
check "root's terminal: a process the command left behind cannot read root's next line" \
	python3 "$T/term.py" steal "$wgphys" "$T"
check "root's terminal: the command has a terminal of its own, relayed both ways, status 7" \
	python3 "$T/term.py" relay "$wgphys" "$T"

# ---- a user in a few hundred groups ----

# 400 groups with ten-digit ids put the Groups line of /proc/PID/status
# past 4 KiB, and the lines the drop verifies (CapBnd, NoNewPrivs) after it.
many_groups() {
	local i
	for i in $(seq 1 400); do
		echo "wgxg$i:x:$((1000000000 + i)):wgxdave"
	done >>/etc/group &&
	useradd -M -N -g users -s /bin/sh -d /home/wgxdave wgxdave
}
check "a user in 400 groups (in the overlay only)" many_groups
dave=$(id -u wgxdave)
dave_groups() {
	local got
	got=$("${login[@]}" "$wgphys" exec -u wgxdave -- sh -c 'echo "$(id -u) $(id -G | wc -w)"') ||
		return 1
	[[ $got == "$dave 401" ]] || { echo "ran as '$got', want '$dave 401'"; return 1; }
}
check "a user in 400 groups: exec runs the command, in all 401 groups" dave_groups

# ---- exit status, missing command ----

rc=0
env SUDO_UID="$alice" "$wgphys" exec -- sh -c 'exit 7' || rc=$?
expect_eq "the command's exit status comes back (7)" "$rc" 7
check "a missing command: 127 and a clear line" \
	refused 127 "wgx-no-such-command: command not found" \
	env SUDO_UID="$alice" "$wgphys" exec -- wgx-no-such-command

# ---- the namespace file must be the one up recorded ----

# Keep physical alive while its name is taken away.
touch /run/netns/wgx-keep && mount --bind /run/netns/physical /run/netns/wgx-keep
restore_ns() {
	local _
	for _ in 1 2 3; do
		umount /run/netns/physical 2>/dev/null || break
	done
	rm -f /run/netns/physical &&
	touch /run/netns/physical &&
	mount --bind /run/netns/wgx-keep /run/netns/physical &&
	[[ $(stat -L -c %i /run/netns/physical) == "$phys_ino" ]]
}
as_alice=(env SUDO_UID="$alice" SUDO_GID="$alice_gid" "$wgphys" exec --)

umount /run/netns/physical && rm /run/netns/physical &&
	ln -s /proc/1/ns/net /run/netns/physical
check "namespace file a symlink to the main namespace: refused" \
	refused nonzero "symbolic link" "${as_alice[@]}" "${ran[@]}"
restore_ns

umount /run/netns/physical && echo junk >/run/netns/physical
check "namespace file a plain file: refused" \
	refused nonzero "not the namespace" "${as_alice[@]}" "${ran[@]}"
restore_ns

ip netns add wgx-other && mount --bind /run/netns/wgx-other /run/netns/physical
check "namespace file another namespace: refused" \
	refused nonzero "not the namespace" "${as_alice[@]}" "${ran[@]}"
check "namespace physical back in place" restore_ns

mv /run/wgphys/state /run/wgphys/state.wgx
check "no state file: refused, 'not up'" \
	refused nonzero "not up" "${as_alice[@]}" "${ran[@]}"
# An up that has not finished: no kill switch around the namespace yet.
sed 's/^stage 100$/stage 9/' /run/wgphys/state.wgx >/run/wgphys/state
chmod 0600 /run/wgphys/state
check "up not finished (stage 9): refused, 'coming up'" \
	refused nonzero "coming up" "${as_alice[@]}" "${ran[@]}"
mv /run/wgphys/state.wgx /run/wgphys/state
# The state names the namespace: /etc/wgphys.conf unreadable, or naming
# another one, is no reason to refuse (the former) but is (the latter).
printf '[Physical]\nNamespace = elsewhere\n' >/etc/wgphys.conf
chmod 0600 /etc/wgphys.conf
check "a configuration naming another namespace: refused" \
	refused nonzero "is configured" "${as_alice[@]}" "${ran[@]}"
rm -f /etc/wgphys.conf

# ---- installed with file capabilities, run by a user ----

mkdir -m 0755 "$T/bin"
# The core beside it, as root's: the copy runs it for up and down.
caps_copy() {	# caps
	install -o root -g wgphys -m 0750 "$wgphys" "$T/bin/wgphys" &&
	install -m 0755 "$wgphys-core" "$T/bin/wgphys-core" &&
	setcap "$1" "$T/bin/wgphys"
}
# setpriv keeps its capabilities until it execs; env then runs the binary
# as the plain user, so that the file mode is really checked.
as_bob=(setpriv --reuid=wgxbob --regid=users --init-groups -- env)
as_carol=(setpriv --reuid=wgxcarol --regid=users --init-groups -- env)
check "capability-installed copy (root:wgphys 0750)" \
	caps_copy cap_sys_admin,cap_dac_read_search,cap_setpcap+p

# glibc strips LD_PRELOAD and LD_LIBRARY_PATH from a capability binary
# itself; LD_WGX_TEST is one it leaves, so wgphys's own filter is tested.
start "${as_bob[@]}" -i SUDO_UID=0 SUDO_GID=0 FOO=bar LD_PRELOAD= \
	LD_LIBRARY_PATH=/wgx LD_WGX_TEST=1 GCONV_PATH=/wgx HOME=/wgx-home PATH=/usr/bin:/bin \
	"$T/bin/wgphys" exec -- sleep 600
poll 10 "caps, user in wgphys: the command starts" settled "$pid"
if check "caps: wgphys became the command" is_sleep "$pid"; then
	check_dropped "caps, SUDO_UID=0 ignored" "$pid" "$bob" "$bob_gid" "$(id -G wgxbob)"
	env=$(tr '\0' '\n' <"/proc/$pid/environ")
	expect_eq "caps: the user's environment is kept (FOO, HOME)" \
		"$(grep -E '^(FOO|HOME)=' <<<"$env" | sort | tr '\n' ' ')" \
		"FOO=bar HOME=/wgx-home "
	expect_eq "caps: loader variables are gone (LD_*, GCONV_PATH)" \
		"$(grep -E '^(LD_|GCONV_PATH=)' <<<"$env")" ""
fi
stop "$pid"

printf '[Physical]\nNamespace = physical\n' >/etc/wgphys.conf && chmod 0600 /etc/wgphys.conf
check "caps: /etc/wgphys.conf unreadable by the user: exec runs all the same" \
	"${as_bob[@]}" "$T/bin/wgphys" exec -- true
rm -f /etc/wgphys.conf

# The passwd entry only fills in what the user's environment lacks.
# shellcheck disable=SC2016 # expanded by the command's shell
show_env='echo "$HOME $USER $LOGNAME $SHELL"'
expect_eq "caps: HOME, USER, LOGNAME and SHELL set: kept as they are" \
	"$("${as_bob[@]}" -i HOME=/wgx-h USER=wgx-u LOGNAME=wgx-l SHELL=/wgx-s PATH=/usr/bin:/bin \
		"$T/bin/wgphys" exec -- sh -c "$show_env" 2>&1)" "/wgx-h wgx-u wgx-l /wgx-s"
expect_eq "caps: USER, LOGNAME and SHELL missing: from the passwd entry" \
	"$("${as_bob[@]}" -i HOME=/wgx-h PATH=/usr/bin:/bin \
		"$T/bin/wgphys" exec -- sh -c "$show_env" 2>&1)" "/wgx-h wgxbob wgxbob /bin/sh"

# Every command but exec goes to the wgphys-core beside the copy, which
# must start with nothing: a stand-in shows what it was given.
mkdir -m 0755 "$T/bin2"
install -o root -g wgphys -m 0750 "$T/bin/wgphys" "$T/bin2/wgphys" &&
	setcap cap_sys_admin,cap_dac_read_search,cap_setpcap+p "$T/bin2/wgphys"
# shellcheck disable=SC2016 # the stand-in's own
printf '#!/bin/sh\necho "$0 $*"; grep -E "^Cap(Inh|Prm|Eff|Amb)" /proc/$$/status\n' >"$T/bin2/wgphys-core"
chmod 0755 "$T/bin2/wgphys-core"
expect_eq "caps: status is handed to wgphys-core beside the copy, same argv, no capability" \
	"$("${as_bob[@]}" "$T/bin2/wgphys" status --json 2>&1 | tr -s '\t\n' '  ')" \
	"$T/bin2/wgphys-core status --json CapInh: 0000000000000000 CapPrm: 0000000000000000 CapEff: 0000000000000000 CapAmb: 0000000000000000 "
rm -f "$T/bin2/wgphys-core"
builtin_core=$(strings "$wgphys" | grep -m1 '^/.*/wgphys-core$')
# One installed on this machine is hidden, in this test's mount namespace.
hidden=
if [[ -e $builtin_core ]] && mount -t tmpfs wgx-nocore "$(dirname "$builtin_core")"; then
	hidden=$(dirname "$builtin_core")
fi
check "caps: no wgphys-core anywhere: one line naming it, exit 1" \
	refused 1 "Cannot run $builtin_core: No such file" "${as_bob[@]}" "$T/bin2/wgphys" status
[[ -n $hidden ]] && umount "$hidden"

check "caps: -u refused, exit 2" \
	refused 2 "root only" "${as_bob[@]}" "$T/bin/wgphys" exec -u wgxalice -- "${ran[@]}"
check "caps: up is refused to a user, exit 2" \
	refused 2 "only root" "${as_bob[@]}" "$T/bin/wgphys" up
check "caps: down is refused to a user, exit 2" \
	refused 2 "only root" "${as_bob[@]}" "$T/bin/wgphys" down
check "caps: a user not in group wgphys is refused" \
	refused nonzero "permission denied" "${as_carol[@]}" "$T/bin/wgphys" exec -- "${ran[@]}"

# Without CAP_SETPCAP the bounding set cannot be emptied: refuse, not run.
caps_copy cap_sys_admin,cap_dac_read_search+p
check "caps without cap_setpcap: refused rather than run with a bounding set" \
	refused nonzero "bounding" "${as_bob[@]}" "$T/bin/wgphys" exec -- "${ran[@]}"

# ---- X through the path socket ----

if ! command -v Xvfb >/dev/null || ! command -v xdpyinfo >/dev/null; then
	skip "X from inside physical, through /tmp/.X11-unix" "Xvfb or xdpyinfo not installed"
	exit 0
fi
n=42
while [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]]; do
	n=$((n + 1))
done
Xvfb ":$n" -nolisten tcp >"$T/xvfb.log" 2>&1 &
pids+=($!)
if poll 10 "Xvfb :$n answers in the main namespace" xdpyinfo -display ":$n"; then
	check "X from inside physical, through /tmp/.X11-unix/X$n" \
		"${as_alice[@]}" xdpyinfo -display ":$n"
else
	diag "$(cat "$T/xvfb.log")"
fi

# The outer half prints the plan, after its own check.
exit 0
