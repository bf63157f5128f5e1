#!/bin/bash
# What runs on behalf of wgphys holds only what it needs (issue 9):
#  - the endpoint lookup (finding 3): while a name is being resolved, the
#    process parsing the network's answer is an unprivileged uid with no
#    capability (effective, permitted, bounding) and no_new_privs, lives in
#    physical with physical's /etc, and its memory holds no WireGuard key
#    (scanned through /proc/PID/mem, with wgphys itself as the positive
#    control: the scanner must find the key there);
#  - descriptors (finding 4): what `up 9<file` and `down 9<file` inherit
#    reaches neither dhcpcd and wpa_supplicant in physical nor the
#    RestoreOnDown daemons in main.
# The lookup is made slow on purpose: a DNS proxy in the LAN holds each
# answer back until the test has looked at the lookup process (at most 25 s).
#
#   tests/vm/run tests/vm/t-confine.sh [WGPHYS=PATH]
# shellcheck disable=SC2317
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
. "$here/world.sh"
WGPHYS=$repo/build/test/wgphys
for arg in "$@"; do
	case $arg in
	WGPHYS=*) declare "$arg" ;;
	*) echo "usage: $0 [WGPHYS=PATH]" >&2; exit 2 ;;
	esac
done
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
HOLD=25

world_started=
proxy=
teardown() {
	"$WGPHYS" down >/dev/null 2>&1
	[[ -n $proxy ]] && kill "$proxy" 2>/dev/null
	pkill_ours
	if [[ -n $world_started ]]; then
		world_started=
		world_down
	fi
}
# RestoreOnDown's daemons in main: ours to stop, by the pids we found.
restored=()
pkill_ours() {
	local p
	for p in "${restored[@]}"; do
		kill "$p" 2>/dev/null
	done
	restored=()
}
trap teardown EXIT
check "the world comes up" world_up && world_started=1 || done_testing

# ---- a DNS proxy in the LAN that answers late ----
ip -n lan addr add 192.168.1.53/24 dev eth1
cat >/tmp/slowdns.py <<'EOF'
# Answers nothing until /tmp/slowdns.release exists (the test has looked
# at the lookup), or until HOLD seconds have passed: the lookup must end
# within up's 30 s.
import os, socket, sys, threading, time
hold = float(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("192.168.1.53", 53))
def answer(q, peer):
    print("query from", peer[0], flush=True)
    end = time.time() + hold
    while not os.path.exists("/tmp/slowdns.release") and time.time() < end:
        time.sleep(0.1)
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(3)
    up.sendto(q, ("192.168.1.1", 53))
    try:
        srv.sendto(up.recv(4096), peer)
    except OSError as e:
        print("no answer:", e, flush=True)
while True:
    q, peer = srv.recvfrom(4096)
    threading.Thread(target=answer, args=(q, peer), daemon=True).start()
EOF
ip netns exec lan python3 /tmp/slowdns.py "$HOLD" >/tmp/slowdns.log 2>&1 &
proxy=$!
listening() { [[ -n $(ip netns exec lan ss -Hlnu 'sport = :53' src 192.168.1.53) ]]; }
poll 60 "the slow DNS proxy listens on 192.168.1.53" listening

# A laptop configured by hand, whose resolver is the slow one; one try,
# long enough for the late answer.
ip link set eth0 up
ip addr add 192.168.1.50/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
printf 'nameserver 192.168.1.53\noptions timeout:30 attempts:1\n' >/etc/resolv.conf
sed "s/^Endpoint = .*/Endpoint = $WORLD_ENDPOINT_NAME:51820/" "$WORLD_WG_CONF" >/tmp/wg-named.conf
chmod 600 /tmp/wg-named.conf
key=$(awk '$1 == "PrivateKey" { print $3 }' /tmp/wg-named.conf)
cat >/etc/wgphys.conf <<EOF
[Physical]
Interfaces = auto
DHCP = none
RestoreOnDown = no
[Tunnel]
Config = /tmp/wg-named.conf
EOF

# Every writable mapping of a process (heap, stack, data, anonymous: where
# a key read at run time can be), searched for it as bytes and as base64.
# Exit 0: not found; 1: found; 2: the process could not be read (or was
# gone before a byte was). Mappings over 64 MiB are ASan's shadow and reserved space.
cat >/tmp/memscan.py <<'EOF'
import base64, sys, time
t0 = time.time()
pid, key = int(sys.argv[1]), sys.argv[2]
needles = [base64.b64decode(key), key.encode()]
hits, scanned = [], 0
try:
    maps, mem = open(f"/proc/{pid}/maps"), open(f"/proc/{pid}/mem", "rb", 0)
except OSError as e:
    print(f"cannot read pid {pid}: {e}")
    sys.exit(2)
with maps, mem:
    for line in maps:
        f = line.split()
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        if f[1][:2] != "rw" or hi - lo > 64 << 20 or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]")):
            continue
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except OSError:
            continue
        scanned += len(data)
        for n in needles:
            if n in data:
                hits.append(f"{f[0]} {f[5] if len(f) > 5 else 'anon'}")
print(f"scanned {scanned} bytes in {time.time() - t0:.1f} s; key found in: {', '.join(hits) or 'nothing'}")
sys.exit(1 if hits else 0 if scanned else 2)
EOF

# ---- up: find the process doing the lookup while it waits ----
physns=
lookup_pid=
"$WGPHYS" up >/tmp/up.out 2>&1 &
up_pid=$!
# The lookup runs in physical, as a fork of wgphys (a child, or a child of
# a child): found by its ancestry and its namespace, not by what wgphys
# says. /proc/PID/task/*/children keeps it cheap on a loaded machine.
comm_want=$(basename "$WGPHYS" | cut -c1-15)
kids() { cat /proc/"$1"/task/*/children 2>/dev/null; }
find_lookup() {
	local c p
	grep -q 'query from' /tmp/slowdns.log 2>/dev/null || return 1
	physns="net:[$(stat -L -c %i /run/netns/physical)]"
	for c in $(kids "$up_pid"); do
		for p in "$c" $(kids "$c"); do
			[[ $(cat "/proc/$p/comm" 2>/dev/null) == "$comm_want" ]] || continue
			[[ $(readlink "/proc/$p/ns/net") == "$physns" ]] || continue
			lookup_pid=$p
			return 0
		done
	done
	return 1
}
if poll 40 "a lookup process is waiting for the slow DNS answer" find_lookup; then
	# Everything read at once, while the answer is held back: the kernel's
	# view first, then the memory of the lookup, of its parent, and of
	# wgphys up (the control); judged after the answer is let go.
	status=$(cat "/proc/$lookup_pid/status")
	netns_seen=$(readlink "/proc/$lookup_pid/ns/net")
	resolv_seen=$(cat "/proc/$lookup_pid/root/etc/resolv.conf")
	resolver=$(awk '$1 == "PPid:" { print $2 }' <<<"$status")
	python3 /tmp/memscan.py "$lookup_pid" "$key" >/tmp/scan-lookup 2>&1; scan_lookup=$?
	scan_resolver=skip
	if [[ $resolver != "$up_pid" ]]; then
		python3 /tmp/memscan.py "$resolver" "$key" >/tmp/scan-resolver 2>&1; scan_resolver=$?
	fi
	python3 /tmp/memscan.py "$up_pid" "$key" >/tmp/scan-up 2>&1; scan_up=$?
	[[ -d /proc/$lookup_pid ]] && still=yes || still=no
	touch /tmp/slowdns.release

	field() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ +/, ""); print }' <<<"$status"; }
	diag "lookup pid $lookup_pid: $(field Uid) / $(field CapEff) $(field CapPrm) $(field CapBnd) nnp $(field NoNewPrivs)"
	read -r ru eu su fu <<<"$(field Uid)"
	check "the lookup runs as an unprivileged uid (real, effective, saved, fs: $ru)" \
		test "$ru" -gt 0 -a "$eu" == "$ru" -a "$su" == "$ru" -a "$fu" == "$ru"
	for f in CapEff CapPrm CapBnd CapInh CapAmb; do
		check "the lookup's $f is empty" test "$(field "$f")" == 0000000000000000
	done
	check "the lookup has no_new_privs" test "$(field NoNewPrivs)" == 1
	check "the lookup is in no supplementary group" test -z "$(field Groups)"
	check "the lookup runs in physical" test "$netns_seen" == "$physns"
	check "and reads physical's resolv.conf, not main's" grep -q 192.168.1.53 <<<"$resolv_seen"
	check "the lookup was still waiting when its memory had been read" test $still == yes
	diag "lookup: $(cat /tmp/scan-lookup)"
	check "no key in the lookup's memory" test $scan_lookup == 0
	if [[ $scan_resolver != skip ]]; then
		diag "resolver (pid $resolver): $(cat /tmp/scan-resolver)"
		check "no key in the resolver's memory (pid $resolver)" test "$scan_resolver" == 0
	fi
	diag "wgphys up: $(cat /tmp/scan-up)"
	check "the scanner finds the key where it is: wgphys up itself (control)" test $scan_up == 1
fi
touch /tmp/slowdns.release
wait "$up_pid"
rc=$?
check "up with a slowly resolved endpoint exits 0" test $rc -eq 0 || diag "$(cat /tmp/up.out)"
check "the name was resolved (the LAN's server)" bash -c "wg show wg0 endpoints | grep -q '192.168.1.1:51820'"
check "the query reached the LAN from physical's eth0 (192.168.1.50)" \
	grep -q 'query from 192.168.1.50' /tmp/slowdns.log
check "down" "$WGPHYS" down

# ---- descriptors: up 9<file and down 9<file ----
echo "wgphys-confine-marker" >/tmp/marker
world_wgphys_conf yes
check "up with fds 9 and 10 open on a marker file" \
	bash -c "'$WGPHYS' up 9</tmp/marker 10>>/tmp/marker"
# Whatever process holds an fd on the marker file: none may be wgphys's.
holders() {
	local p fd
	for p in /proc/[0-9]*; do
		for fd in "$p"/fd/*; do
			[[ $(readlink "$fd" 2>/dev/null) == /tmp/marker ]] && echo "${p#/proc/} $(cat "$p/comm") ${fd##*/}"
		done
	done 2>/dev/null
	return 0
}
daemon_pids=$(awk '$1 == "daemon" { print $2 }' /run/wgphys/state)
check "up started daemons (dhcpcd and wpa_supplicant)" \
	test "$(awk '$1 == "daemon" { print $4 }' /run/wgphys/state | sort | tr '\n' ' ')" == "dhcpcd wpa_supplicant "
for p in $daemon_pids; do
	diag "$(cat "/proc/$p/comm") (pid $p) fds: $(ls "/proc/$p/fd" | sort -n | tr '\n' ' ')"
	check "$(cat "/proc/$p/comm"): fd 9 and 10 are not the marker" \
		bash -c "[[ \$(readlink /proc/$p/fd/9) != /tmp/marker && \$(readlink /proc/$p/fd/10) != /tmp/marker ]]"
done
check "no process holds the marker file after up" test -z "$(holders)"
poll 30 "wlan0 associates in physical" bash -c "ip netns exec physical iw dev wlan0 link | grep -q 'SSID: cafe'"
check "down with fds 9 and 10 open on the marker file" \
	bash -c "'$WGPHYS' down 9</tmp/marker 10>>/tmp/marker"
# RestoreOnDown's programs detach and daemonize: look for them in main.
restored_started() {
	# shellcheck disable=SC2207
	restored=($(pgrep -x dhcpcd) $(pgrep -x wpa_supplicant))
	((${#restored[@]} >= 2))
}
poll 20 "RestoreOnDown started dhcpcd and wpa_supplicant in main" restored_started
for p in "${restored[@]}"; do
	diag "$(cat "/proc/$p/comm" 2>/dev/null) (pid $p) fds: $(ls "/proc/$p/fd" 2>/dev/null | sort -n | tr '\n' ' ')"
done
check "no process holds the marker file after down" test -z "$(holders)" || diag "$(holders)"
pkill_ours

done_testing
