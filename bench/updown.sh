#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/updown.sh: how long `wgphys up` and `wgphys down` take next to the
# published shell script they replace (bench/baseline.sh), on a real kernel
# in the test world of tests/vm/world.sh. Run it inside the VM:
#
#     tests/vm/run -t 1500 bench/updown.sh
#
# In one boot it runs BENCH_ROUNDS (default 3) rounds; each round runs the
# baseline, then wgphys, from the same state: an online laptop, that is a
# dhcpcd of the system's own ("dhcpcd -B -4 eth0", started here, reused
# while it lives and holds its lease) with a lease and a default route on
# eth0, wlan0 down, and no other dhcpcd or wpa_supplicant in the main
# namespace (whatever the previous down started there is stopped first, by
# pid). For each it measures:
#   up       until `up` returns
#   traffic  from `up` returning until the main namespace reaches the
#            tunnel's service (world_ask $WORLD_TUNNEL_SERVER answers
#            $WORLD_TUNNEL_CLIENT), polled every ~20 ms, at most 60 s
#   down     until `down` returns
#   online   from `down` returning until eth0, back in the main namespace,
#            has a LAN address and a default route again (at most 60 s)
# Between up and down it waits (at most 30 s, not timed into anything) for
# eth0 and wlan0 in "physical" to have their leases, so both downs start
# from a settled tunnel; that wait is shown as "settled". Once settled it
# times one more probe ("1 ask"): what a probe itself costs, which every
# traffic time includes (under TCG, a few hundred ms).
# It prints every run, then the medians, the ratios baseline/wgphys and the
# goals: up >= 10x sooner, traffic within 1 s of up returning, down >= 10x
# sooner. A benchmark, not a test: exit status 0 unless something broke,
# which it says on lines starting "BROKE:".
#
# Environment:
#   BENCH_ROUNDS  rounds (default 3)
#   WGPHYS        the wgphys to time (default: the release build ./wgphys
#                 if it exists, else build/test/wgphys; the sanitizer build
#                 is several times slower, so prefer the release one)

# shellcheck disable=SC2317 # functions called through poll_from and trap
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=tests/vm/world.sh
. "$repo/tests/vm/world.sh"

ROUNDS=${BENCH_ROUNDS:-3}
if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || ((ROUNDS < 1)); then
	echo "bench/updown.sh: BENCH_ROUNDS must be a positive number" >&2
	exit 2
fi
if [[ -z ${WGPHYS-} ]]; then
	WGPHYS=$repo/wgphys
	[[ -x $WGPHYS ]] || WGPHYS=$repo/build/test/wgphys
fi
[[ $WGPHYS == /* ]] || WGPHYS=$repo/$WGPHYS
BASELINE=$here/baseline.sh
export WG_SETCONF=/etc/wireguard/wg0-setconf.conf
# Only the sanitizer build reads these.
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
LOG=/tmp/bench

broke=0
say() { printf '%s\n' "$*"; }
fail() {
	broke=1
	say "BROKE: $*"
}
# Prints a file indented, for the output of a command that failed.
show() { [[ -s $1 ]] && sed 's/^/    | /' "$1"; }

now_us() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

# poll_from T0_US SECS PAUSE CMD...: run CMD until it exits 0, PAUSE seconds
# apart, for at most SECS after T0_US (microseconds). Sets poll_us to the
# time from T0_US to CMD's success and poll_tries; returns 1 on timeout.
poll_us=0 poll_tries=0
poll_from() {
	local t0=$1 secs=$2 pause=$3 deadline t
	shift 3
	deadline=$((t0 + secs * 1000000))
	poll_tries=0
	while :; do
		poll_tries=$((poll_tries + 1))
		if "$@" >/dev/null 2>&1; then
			t=${EPOCHREALTIME/[.,]/}
			poll_us=$((t - t0))
			return 0
		fi
		t=${EPOCHREALTIME/[.,]/}
		((t >= deadline)) && return 1
		sleep "$pause"
	done
}

# A zombie passes kill -0: read the state instead.
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

ppid_of() {
	local stat pp
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	read -r _ pp _ <<<"${stat##*) }"
	printf '%s' "$pp"
}

# Is pid $1 pid $2 or one of its descendants (dhcpcd's privsep helpers)?
under() {
	local p=$1
	while [[ -n $p ]] && ((p > 1)); do
		((p == $2)) && return 0
		p=$(ppid_of "$p") || return 1
	done
	return 1
}

main_ns=$(stat -L -c %i /proc/$$/ns/net)

# Prints "pid comm" of every live dhcpcd and wpa_supplicant whose network
# namespace is (IN=1) or is not (IN=0) the main one.
daemons() { # IN
	local p comm ns
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == dhcpcd || $comm == wpa_supplicant ]] || continue
		alive "${p#/proc/}" || continue
		ns=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
		if [[ $1 == 1 ]]; then
			[[ $ns == "$main_ns" ]] || continue
		else
			[[ $ns != "$main_ns" ]] || continue
		fi
		printf '%s %s\n' "${p#/proc/}" "$comm"
	done
}

# Stops the given pids: TERM, up to 10 s, then KILL. Returns 1 if KILL was
# needed.
stop_pids() {
	local p rc=0 deadline
	(($#)) || return 0
	kill -TERM "$@" 2>/dev/null
	deadline=$(($(now_us) + 10000000))
	for p in "$@"; do
		while alive "$p" && (($(now_us) < deadline)); do sleep 0.05; done
		if alive "$p"; then
			kill -KILL "$p" 2>/dev/null
			rc=1
		fi
	done
	return "$rc"
}

has_lease() { # eth0 in main: a LAN address and a default route through it
	[[ $(ip -4 -o addr show dev eth0 2>/dev/null) == *"inet ${WORLD_ROUTER%.*}."* ]] &&
		[[ -n $(ip -4 route show default dev eth0 2>/dev/null) ]]
}
tunnel_passes() {
	[[ $(world_ask "$WORLD_TUNNEL_SERVER") == "$WORLD_TUNNEL_CLIENT" ]]
}
physical_settled() { # both NICs have their leases in physical
	[[ $(ip -n physical -4 -o addr show dev eth0 2>/dev/null) == *"inet ${WORLD_ROUTER%.*}."* ]] &&
		[[ $(ip -n physical -4 -o addr show dev wlan0 2>/dev/null) == *"inet ${WORLD_CAFE_ROUTER%.*}."* ]]
}

# Prints what keeps the main namespace from being as before up; returns 1
# if anything does.
unclean() {
	local left
	[[ -e /sys/class/net/eth0 ]] || echo "eth0 is not in the main namespace"
	[[ -e /sys/class/net/wlan0 ]] || echo "wlan0 is not in the main namespace"
	iw phy phy0 info >/dev/null 2>&1 || echo "phy0 is not in the main namespace"
	[[ -e /run/netns/physical ]] && echo "/run/netns/physical still exists"
	ip link show wg0 >/dev/null 2>&1 && echo "wg0 still exists"
	[[ -e /run/wgphys/state ]] && echo "/run/wgphys/state still exists"
	left=$(daemons 0 | tr '\n' ' ')
	[[ -n $left ]] && echo "dhcpcd/wpa_supplicant left outside the main namespace: $left"
	[[ -e /sys/class/net/eth0 && -e /sys/class/net/wlan0 && ! -e /run/netns/physical &&
		! -e /run/wgphys/state && -z $left ]] && ! ip link show wg0 >/dev/null 2>&1 &&
		iw phy phy0 info >/dev/null 2>&1
}
is_clean() { unclean >/dev/null; }

# Best effort after a failure, so later rounds can still run: wgphys's own
# down, then by hand what the baseline leaves.
recover() {
	[[ -e /run/wgphys/state ]] && "$WGPHYS" down >>"$LOG/recover.log" 2>&1
	# shellcheck disable=SC2046 # one pid per word
	stop_pids $(daemons 0 | awk '{ print $1 }')
	if [[ -e /run/netns/physical ]]; then
		ip -n physical link set eth0 netns 1 2>/dev/null
		ip netns exec physical iw phy phy0 set netns 1 2>/dev/null
		ip netns del physical 2>/dev/null
	fi
	ip link del wg0 2>/dev/null
	poll_from "$(now_us)" 10 0.1 is_clean
}

# The online laptop every up starts from. Sets sys_note.
sys_dhcpcd=
sys_note=
ensure_online() {
	local p pids=()
	# What the previous down started in the main namespace (the baseline's
	# dhcpcd -b and wpa_supplicant -B, wgphys's RestoreOnDown): not part of
	# the starting state.
	# (No process substitution: the guest has no /dev/fd.)
	for p in $(daemons 1 | awk '{ print $1 }'); do
		[[ -n $sys_dhcpcd ]] && under "$p" "$sys_dhcpcd" && continue
		pids+=("$p")
	done
	sys_note=
	if ((${#pids[@]})); then
		sys_note="stopped ${#pids[@]} daemon(s) the previous down started; "
		stop_pids "${pids[@]}" || sys_note+="(some needed KILL) "
	fi
	# wlan0 as at boot: down, no address.
	ip addr flush dev wlan0 2>/dev/null
	ip link set wlan0 down 2>/dev/null
	if [[ -n $sys_dhcpcd ]] && alive "$sys_dhcpcd"; then
		if has_lease; then
			sys_note+="system dhcpcd reused"
			return 0
		fi
		stop_pids "$sys_dhcpcd"
		sys_note+="system dhcpcd alive without its lease, restarted"
	elif [[ -n $sys_dhcpcd ]]; then
		sys_note+="system dhcpcd had exited, restarted"
	else
		sys_note+="system dhcpcd started"
	fi
	# The address seen next must be this dhcpcd's, not one left behind.
	ip addr flush dev eth0 2>/dev/null
	ip link set eth0 up
	dhcpcd -B -4 eth0 >>"$LOG/sys-dhcpcd.log" 2>&1 &
	sys_dhcpcd=$!
	disown "$sys_dhcpcd" 2>/dev/null
	if ! poll_from "$(now_us)" 30 0.1 has_lease; then
		fail "the system's dhcpcd got no lease on eth0 within 30 s"
		show "$LOG/sys-dhcpcd.log"
		return 1
	fi
	sys_note+=" (lease in $(ms "$poll_us") ms)"
}

declare -A res=()
# One up/down of IMPL (baseline | wgphys) in round R; fills res[IMPL,R,*]
# (microseconds). Returns 1 if something broke.
run_one() {
	local impl=$1 r=$2 t0 t1 rc why restore_size=0
	local -a up down
	if [[ $impl == baseline ]]; then
		up=("$BASELINE" up) down=("$BASELINE" down)
	else
		up=("$WGPHYS" up) down=("$WGPHYS" down)
	fi
	ensure_online || return 1
	if ! why=$(unclean); then
		fail "round $r $impl: not a clean start: $why"
		return 1
	fi

	t0=$(now_us)
	"${up[@]}" >"$LOG/$impl-$r-up.log" 2>&1
	rc=$?
	t1=$(now_us)
	if ((rc != 0)); then
		fail "round $r: $impl up exited $rc after $(ms $((t1 - t0))) ms; its output:"
		show "$LOG/$impl-$r-up.log"
		recover || fail "and the state could not be cleaned up: $(unclean)"
		return 1
	fi
	res[$impl,$r,up]=$((t1 - t0))
	if poll_from "$t1" 60 0.02 tunnel_passes; then
		res[$impl,$r,traffic]=$poll_us
		res[$impl,$r,tries]=$poll_tries
	else
		fail "round $r: after $impl up, the main namespace did not reach $WORLD_TUNNEL_SERVER through the tunnel within 60 s ($(world_ask "$WORLD_TUNNEL_SERVER" 2>&1 | head -c 200))"
	fi
	t0=$(now_us)
	if poll_from "$t0" 30 0.1 physical_settled; then
		res[$impl,$r,settled]=$((t0 + poll_us - t1))
	else
		say "note: round $r $impl: eth0 and wlan0 did not both get leases in physical within 30 s; going down anyway"
	fi
	# What one probe costs once the tunnel is up: part of every traffic time.
	t0=$(now_us)
	tunnel_passes && res[$impl,$r,ask]=$(($(now_us) - t0))
	restore_size=$(stat -c %s /run/wgphys/restore.log 2>/dev/null || echo 0)

	t0=$(now_us)
	"${down[@]}" >"$LOG/$impl-$r-down.log" 2>&1
	rc=$?
	t1=$(now_us)
	if ((rc != 0)); then
		fail "round $r: $impl down exited $rc after $(ms $((t1 - t0))) ms; its output:"
		show "$LOG/$impl-$r-down.log"
		if [[ $impl == wgphys && -s /run/wgphys/restore.log ]]; then
			say "    what RestoreOnDown's daemons said (/run/wgphys/restore.log):"
			tail -c +$((restore_size + 1)) /run/wgphys/restore.log | tail -n 20 | sed 's/^/    | /'
		fi
	else
		res[$impl,$r,down]=$((t1 - t0))
	fi
	if poll_from "$t1" 60 0.02 has_lease; then
		((rc == 0)) && res[$impl,$r,online]=$poll_us
	else
		fail "round $r: after $impl down, eth0 had no LAN address and default route in the main namespace within 60 s"
		ip -4 addr show dev eth0 2>&1 | sed 's/^/    | /'
	fi
	if ! poll_from "$t1" 10 0.1 is_clean; then
		fail "round $r: after $impl down: $(unclean | paste -sd ';')"
		recover || fail "and the state could not be cleaned up: $(unclean | paste -sd ';')"
		return 1
	fi
	((rc == 0))
}

fmt() { # microseconds or nothing
	if [[ -n ${1-} ]]; then ms "$1"; else printf '%s' -; fi
}

print_run() {
	local impl=$1 r=$2
	printf '%-5s %-8s %9s %9s %5s %8s %9s %9s %9s  %s\n' "$r" "$impl" \
		"$(fmt "${res[$impl,$r,up]-}")" "$(fmt "${res[$impl,$r,traffic]-}")" \
		"${res[$impl,$r,tries]-"-"}" "$(fmt "${res[$impl,$r,ask]-}")" \
		"$(fmt "${res[$impl,$r,settled]-}")" "$(fmt "${res[$impl,$r,down]-}")" \
		"$(fmt "${res[$impl,$r,online]-}")" "$sys_note"
}

# Median (microseconds) of KEY over the rounds IMPL completed; empty if none.
median() { # IMPL KEY
	local r v vals=()
	for ((r = 1; r <= ROUNDS; r++)); do
		if [[ $2 == uptraffic ]]; then
			[[ -n ${res[$1,$r,up]-} && -n ${res[$1,$r,traffic]-} ]] || continue
			v=$((res[$1,$r,up] + res[$1,$r,traffic]))
		else
			v=${res[$1,$r,$2]-}
			[[ -n $v ]] || continue
		fi
		vals+=("$v")
	done
	((${#vals[@]})) || return 0
	printf '%s\n' "${vals[@]}" | sort -n | awk '{ a[NR] = $1 }
		END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%d\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

worst() { # IMPL KEY
	local r m=
	for ((r = 1; r <= ROUNDS; r++)); do
		[[ -n ${res[$1,$r,$2]-} ]] || continue
		[[ -z $m ]] || ((res[$1,$r,$2] > m)) && m=${res[$1,$r,$2]}
	done
	printf '%s' "$m"
}

world_started=
teardown() {
	[[ -e /run/wgphys/state ]] && "$WGPHYS" down >>"$LOG/teardown.log" 2>&1
	[[ -e /run/netns/physical ]] && recover
	# shellcheck disable=SC2046 # one pid per word
	stop_pids $(daemons 1 | awk '{ print $1 }') $(daemons 0 | awk '{ print $1 }')
	if [[ -n $world_started ]]; then
		world_started=
		world_down >/dev/null || say "note: world_down reported a problem"
	fi
}
trap teardown EXIT

mkdir -p "$LOG"
for f in "$WGPHYS" "$BASELINE"; do
	if [[ ! -x $f ]]; then
		say "BROKE: $f is missing or not executable (make wgphys build/test/wgphys)"
		exit 1
	fi
done
if ! world_up; then
	say "BROKE: the test world did not come up"
	exit 1
fi
world_started=1

# The baseline's "wg setconf" wants a wg(8) file: the world's wg-quick file
# without Address, DNS and MTU, as the script's users make it.
mkdir -p /etc/wireguard
if ! (umask 077 && wg-quick strip "$WORLD_WG_CONF" >"$WG_SETCONF" 2>"$LOG/strip.log"); then
	say "BROKE: wg-quick strip $WORLD_WG_CONF failed:"
	show "$LOG/strip.log"
	exit 1
fi
# wgphys: defaults (Interfaces = auto, DHCP = dhcpcd, RestoreOnDown = yes)
# but for the world's wg-quick file.
printf '[Tunnel]\nConfig = %s\n' "$WORLD_WG_CONF" >/etc/wgphys.conf
chmod 644 /etc/wgphys.conf
if ! "$WGPHYS" check >"$LOG/check.log" 2>&1; then
	say "BROKE: wgphys check refuses the configuration:"
	show "$LOG/check.log"
	exit 1
fi

# The guest's root is 9p: read every program the rounds run once, so the
# first round does not pay for it and the second not.
for c in "ip -V" "iw --version" "wg --version" "killall -V" "dhcpcd --version" \
	"wpa_supplicant -v" "socat -V" "$WGPHYS status" "$BASELINE"; do
	# shellcheck disable=SC2086 # one command per string
	$c >/dev/null 2>&1
done

build="release build"
ldd "$WGPHYS" 2>/dev/null | grep -q libasan && build="sanitizer build (ASan/UBSan): slower than the release one"
say "bench/updown.sh: $ROUNDS round(s), baseline then wgphys in each, one VM boot"
say "wgphys: ${WGPHYS#"$repo"/} ($build); baseline: ${BASELINE#"$repo"/}"
say "guest: $(uname -r), $(nproc) CPU(s) under TCG; dhcpcd $(dhcpcd --version | head -n 1 | awk '{ print $2 }')"
say ""
say "times in ms; traffic, settled and online count from the return of up or down"
say "(tries: probes until traffic passed; 1 ask: one probe once settled)"
printf '%-5s %-8s %9s %9s %5s %8s %9s %9s %9s  %s\n' round impl up traffic tries "1 ask" settled down online "starting state"

for ((r = 1; r <= ROUNDS; r++)); do
	for impl in baseline wgphys; do
		run_one "$impl" "$r"
		print_run "$impl" "$r"
	done
done

say ""
say "medians over the completed runs (ms)"
printf '%-20s %10s %10s %16s   %s\n' "" baseline wgphys baseline/wgphys goal
row() { # label key goal-kind
	local b w ratio goal=
	b=$(median baseline "$2")
	w=$(median wgphys "$2")
	ratio=-
	[[ -n $b && -n $w ]] && ((w > 0)) && ratio=$(awk -v b="$b" -v w="$w" 'BEGIN { printf "%.1fx", b / w }')
	case $3 in
	x10)
		if [[ $ratio == - ]]; then
			goal="wgphys >= 10x sooner: no data"
		elif awk -v b="$b" -v w="$w" 'BEGIN { exit !(b >= 10 * w) }'; then
			goal="wgphys >= 10x sooner: met"
		else
			goal="wgphys >= 10x sooner: NOT met"
		fi ;;
	1s)
		if [[ -z $w ]]; then
			goal="wgphys within 1 s: no data"
		elif ((w <= 1000000)); then
			goal="wgphys within 1 s: met (worst run $(ms "$(worst wgphys traffic)"))"
		else
			goal="wgphys within 1 s: NOT met (worst run $(ms "$(worst wgphys traffic)"))"
		fi ;;
	esac
	printf '%-20s %10s %10s %16s   %s\n' "$1" "$(fmt "$b")" "$(fmt "$w")" "$ratio" "$goal"
}
row "up returns" up x10
row "traffic after up" traffic 1s
row "up + traffic" uptraffic -
row "down returns" down x10
row "online after down" online -
row "settled after up" settled -
row "one probe, settled" ask -

if ((broke)); then
	say ""
	say "something broke (see the BROKE: lines above); logs were in $LOG in the guest"
	exit 1
fi
exit 0
