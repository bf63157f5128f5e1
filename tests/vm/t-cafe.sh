#!/bin/bash
# The café, end to end (issue 12). An online laptop goes up at home, leaves
# (its cable out), and arrives at a café whose Wi-Fi ("cafe2", WPA2-PSK) it
# has never seen: an ordinary user of group wgphys scans and joins it with
# wpa_cli over the physical wpa_supplicant's control socket; dhcpcd in
# physical takes a lease; the café's captive portal holds the tunnel, and
# `wgphys status` says so; the user logs in with Chromium through
# `wgphys exec` (its own sandbox on, under no_new_privs); the tunnel
# handshakes over the café; main is seen only through the tunnel
# throughout; down puts the laptop back.
# Run inside the VM: tests/vm/run tests/vm/t-cafe.sh
# Asserted: what the kernel (ip -j, iw, wg, /proc, nft -j), the captures,
# the portal's logs (HTTP and DNS) and Chromium's DOM report.
# shellcheck disable=SC2317
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
# shellcheck source=tests/vm/world.sh
. "$here/world.sh"
# shellcheck source=tests/vm/chromium.sh
. "$here/chromium.sh"
WGPHYS=${WGPHYS:-$repo/build/test/wgphys}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
CTRL=/run/wgphys-wpa_supplicant
home=/tmp/cafe-home

world_started=
sys_dhcpcd=
chromium_pid=
main_listener=
teardown() {
	[[ -n $chromium_pid ]] && kill "$chromium_pid" 2>/dev/null
	[[ -n $main_listener ]] && kill "$main_listener" 2>/dev/null
	"$WGPHYS" down >/dev/null 2>&1
	[[ -n $sys_dhcpcd ]] && kill "$sys_dhcpcd" 2>/dev/null
	if [[ -n $world_started ]]; then
		world_started=
		world_down
	fi
}
trap teardown EXIT

t0=${EPOCHREALTIME/[.,]/}
ms() { echo $(((${EPOCHREALTIME/[.,]/} - t0) / 1000)); }
# fd 3: the TAP stream, for what timed says while the command's own
# output is redirected.
exec 3>&1
timed() { # name cmd...: runs cmd, notes how long it took
	local s=${EPOCHREALTIME/[.,]/} rc
	"${@:2}"
	rc=$?
	diag "time: $1 $(((${EPOCHREALTIME/[.,]/} - s) / 1000)) ms" >&3
	return $rc
}

if world_up && world_started=1 && world_cafe2_up; then
	ok "the world comes up, with the second café and its portal"
else
	not_ok "the world comes up, with the second café and its portal"
	done_testing
fi
diag "time: world up at $(ms) ms"

in_phys() { ip netns exec physical "$@"; }
has_ipv4() { ip "${@:3}" -j -4 addr show dev "$1" 2>/dev/null | jq -e --arg p "$2" \
	'[.[].addr_info[] | select(.local | startswith($p))] | length > 0' >/dev/null; }
answer_is() { # want addr
	local got
	got=$(world_ask "$2") || return 1
	echo "got: $got"
	[[ $got == "$1" ]]
}
main_links() { ip -j link show | jq -r '.[] | select(.ifname != "wg0") | "\(.ifname)=\(.address)"' | sort | tr '\n' ' '; }
handshake() { wg show wg0 latest-handshakes | awk '{ print $2 }'; }

# --- people: one in group wgphys, one not
getent group wgphys >/dev/null || groupadd -r wgphys
useradd -m -d "$home" -G wgphys -s /bin/sh cafe 2>/dev/null
useradd -M -s /bin/sh stranger 2>/dev/null
cuid=$(id -u cafe) cgid=$(id -g cafe)
as_user() { SUDO_UID=$cuid SUDO_GID=$cgid "$WGPHYS" exec -- "$@"; }
W=(runuser -u cafe -- wpa_cli -p "$CTRL" -i wlan0)

# The laptop's Wi-Fi knows no network nearby: the café is new to it.
cat >"$WORLD_WPA_CONF" <<EOF
ctrl_interface=/run/wpa_supplicant
update_config=1
EOF
world_wgphys_conf no

# --- 1. laptop online (at home, wired), then check and up
ip link set eth0 up
dhcpcd -B -4 eth0 >/tmp/sys-dhcpcd.log 2>&1 &
sys_dhcpcd=$!
poll 60 "online: the system's dhcpcd has a lease on eth0" has_ipv4 eth0 192.168.1.
eth0_addr=$(ip -j -4 addr show dev eth0 | jq -r '.[0].addr_info[0].local')
poll 20 "online: the LAN's service sees the laptop's own address" answer_is "$eth0_addr" "$WORLD_ROUTER"
links_before=$(main_links)
check "wgphys check exits 0" "$WGPHYS" check
timed up check "wgphys up exits 0" "$WGPHYS" up
shook() { (($(handshake) > ${1:-0})); }
poll 30 "up: the tunnel handshakes at home" shook 0
poll 20 "up: main is seen as the tunnel address" answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_ROUTER"

# --- 2. the control socket: where, whose, for whom; the private one stays
wpa=$(awk '$1 == "daemon" && $4 == "wpa_supplicant" { print $2 }' /run/wgphys/state)
poll 20 "wpa_supplicant's control socket is at $CTRL/wlan0" test -S "$CTRL/wlan0"
check "the directory is root:wgphys 0750" test "$(stat -c '%U:%G %a %F' "$CTRL")" == "root:wgphys 750 directory"
check "the socket is root:wgphys 0770" test "$(stat -c '%U:%G %a %F' "$CTRL/wlan0")" == "root:wgphys 770 socket"
check "wpa_supplicant keeps a private tmpfs on /run/wpa_supplicant" \
	grep -q ' /run/wpa_supplicant .* - tmpfs ' "/proc/${wpa:-0}/mountinfo"
check "and main's /run/wpa_supplicant holds no socket of it" test ! -e /run/wpa_supplicant/wlan0
check "wpa_supplicant runs in physical" \
	test "$(stat -L -c %i "/proc/${wpa:-0}/ns/net")" == "$(stat -L -c %i /run/netns/physical)"
check "a user in group wgphys talks to it (wpa_cli status)" bash -c "$(printf '%q ' "${W[@]}") status | grep -q '^wpa_state='"
check "a user outside the group is refused" bash -c \
	"! runuser -u stranger -- wpa_cli -p $CTRL -i wlan0 status 2>&1 | grep -q '^wpa_state='"

# --- 3. arrival at the café: the cable is out, the new Wi-Fi joined by the user
world_sniff_start cafe air "$WORLD_CAFE2_IF"
world_sniff_start uplink lan v-lan
hs_home=$(handshake)
in_phys ip link set eth0 down
poll 20 "arrival: physical has no default route via eth0 any more" \
	bash -c '! ip -n physical -j route show default | jq -e ".[] | select(.dev == \"eth0\")" >/dev/null'
ap_mac=$(ip -n air -j link show "$WORLD_CAFE2_IF" | jq -r '.[0].address')
timed scan check "the user starts a scan (wpa_cli scan)" bash -c "$(printf '%q ' "${W[@]}") scan | grep -qx OK"
poll 60 "the scan finds cafe2 at the access point's address" bash -c \
	"$(printf '%q ' "${W[@]}") scan_results | grep -E '^$ap_mac\s.*\scafe2$'"
id=$("${W[@]}" add_network | tail -n 1)
check "add_network gives a network id" test -n "$id" -a "$id" -eq "$id"
check "set_network ssid" bash -c "$(printf '%q ' "${W[@]}") set_network $id ssid '\"$WORLD_CAFE2_SSID\"' | grep -qx OK"
check "set_network psk" bash -c "$(printf '%q ' "${W[@]}") set_network $id psk '\"$WORLD_CAFE2_PSK\"' | grep -qx OK"
check "select_network" bash -c "$(printf '%q ' "${W[@]}") select_network $id | grep -qx OK"
s=${EPOCHREALTIME/[.,]/}
poll 60 "the kernel: wlan0 is associated with cafe2's access point" \
	bash -c "ip netns exec physical iw dev wlan0 link | grep -q 'Connected to $ap_mac'"
wlan_mac=$(in_phys ip -j link show wlan0 | jq -r '.[0].address')
check "the access point has it as an authorized station (WPA2 done)" bash -c \
	"ip netns exec air iw dev $WORLD_CAFE2_IF station get $wlan_mac | grep -q 'authorized:.*yes'"
poll 60 "dhcpcd in physical takes a lease from cafe2" has_ipv4 wlan0 192.168.60. -n physical
diag "time: join to lease $(((${EPOCHREALTIME/[.,]/} - s) / 1000)) ms"
laddr=$(in_phys ip -j -4 addr show dev wlan0 | jq -r '.[0].addr_info[0].local')
diag "the laptop is $laddr at the café"
check "cafe2's DHCP server has the lease of wlan0's MAC" grep -q "$wlan_mac $laddr" "$WORLD_DIR/cafe2-dnsmasq.leases"
poll 20 "physical's default route is the café's" bash -c \
	"ip -n physical -j route show default | jq -e '.[] | select(.dev == \"wlan0\" and .gateway == \"$WORLD_PORTAL\")' >/dev/null"

# --- 4. the portal holds the tunnel, and status says so
main_listener_file=/tmp/main-listener.got
: >"$main_listener_file"
socat -u TCP4-LISTEN:8099,reuseaddr,fork "OPEN:$main_listener_file,append" 2>/dev/null &
main_listener=$!
unreachable() { ! world_ask "$@"; }
check "held: main reaches nothing (the tunnel cannot pass the portal)" unreachable "$WORLD_ROUTER"
held() { ip netns exec air nft -j list chain inet portal forward |
	jq -e '[.nftables[].rule? | select(.comment == "held") | .expr[] | .counter?.packets // empty] | add > 0' >/dev/null; }
poll 30 "held: the café's firewall drops what the laptop sends towards the tunnel's server" held
check "held: no handshake since arrival" test "$(handshake)" == "$hs_home"
"$WGPHYS" status >/tmp/status.out 2>&1
rc=$?
check "status exits 0 (up, healthy)" test $rc -eq 0 || diag "$(cat /tmp/status.out)"
portal_line=$(grep '^portal: ' /tmp/status.out)
diag "$portal_line"
check "status prints one portal line" test "$(grep -c '^portal: ' /tmp/status.out)" == 1
check "it names the portal's address and the command to run" \
	bash -c "[[ '$portal_line' == *'$WORLD_PORTAL '* && '$portal_line' == *'wgphys exec chromium'* ]]"
check "the portal's log has the probe, from the laptop's café address" \
	grep -q " $laddr GET connectivitycheck.gstatic.com /generate_204 ua=wgphys-portal-probe" "$WORLD_DIR/portal.log"

# --- 5. Chromium through exec, its sandbox on: the portal's page, its DOM, a
# screenshot, and the user's click (over the DevTools protocol). One start
# of the browser: under TCG each costs a minute or two.
diag "userns: kernel.unprivileged_userns_clone=$(sysctl -n kernel.unprivileged_userns_clone 2>/dev/null || echo absent)" \
	"user.max_user_namespaces=$(sysctl -n user.max_user_namespaces)"
rm -rf "$home/p1"
runuser -u cafe -- mkdir "$home/p1"
s=${EPOCHREALTIME/[.,]/}
as_user chromium "${cafe_chromium_flags[@]}" --user-data-dir="$home/p1" --window-size=800,560 \
	--remote-debugging-port=0 http://example.com/ >/dev/null 2>/tmp/chromium1.err &
chromium_pid=$!
renderer() { # the pid of a renderer of user cafe
	local p
	for p in $(pgrep -u cafe -f -- '--type=renderer'); do
		echo "$p"
		return 0
	done
	return 1
}
poll 240 "wgphys exec chromium starts a renderer" renderer
diag "time: chromium start to renderer $(((${EPOCHREALTIME/[.,]/} - s) / 1000)) ms"
r=$(renderer)
browser=$(pgrep -u cafe -f -- '/usr/lib/chromium/chromium .*--remote-debugging-port=0' | head -n 1)
check "Chromium runs without --no-sandbox" bash -c "! tr '\\0' ' ' </proc/${browser:-0}/cmdline | grep -q -- --no-sandbox"
check "exec gave it no_new_privs" grep -qP '^NoNewPrivs:\t1$' "/proc/${browser:-0}/status"
check "its renderer is confined by seccomp-bpf (Seccomp: 2)" grep -qP '^Seccomp:\t2$' "/proc/${r:-0}/status"
check "its renderer lives in a user namespace of its own (the namespace sandbox)" \
	test "$(stat -L -c %i "/proc/${r:-0}/ns/user")" != "$(stat -L -c %i /proc/1/ns/user)"
check "and in a network namespace of its own" \
	test "$(stat -L -c %i "/proc/${r:-0}/ns/net")" != "$(stat -L -c %i /run/netns/physical)"
timed cdp check "DevTools: the page's DOM and a screenshot; the user clicks accept; the answer's DOM" \
	as_user python3 "$here/cdp.py" --profile "$home/p1" --timeout 240 \
	viewport 800x560 wait-for 'button[name=accept]' dom "$home/before.html" \
	screenshot "$home/portal.png" click 'button[name=accept]' \
	wait-text 'You are online' dom "$home/after.html" screenshot "$home/online.png" close ||
	diag "Chromium said: $(grep -v dbus /tmp/chromium1.err | tail -n 8)"
t_accept=$(date +%s)
check "the DOM held the portal's form, posting to /accept" grep -q '<form id="login" method="post" action="/accept">' "$home/before.html"
check "and its accept button" grep -q '<button id="accept" type="submit" name="accept" value="yes">' "$home/before.html"
check "the portal served it to Chromium at the laptop's café address" \
	grep -qE " $laddr GET example.com / ua=Mozilla.*HeadlessChrome" "$WORLD_DIR/portal.log"
png_size() { python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else "not a PNG")' "$1"; }
check "the screenshot of the portal is an 800x560 PNG" test "$(png_size "$home/portal.png")" == 800x560
[[ -d /job && -w /job && -f $home/portal.png ]] && cp "$home/portal.png" /job/cafe-portal.png
check "after it, the portal's answer: you are online" grep -q '<h1 id="online">You are online</h1>' "$home/after.html"
[[ -d /job && -w /job && -f $home/online.png ]] && cp "$home/online.png" /job/cafe-online.png
poll 30 "Chromium exits after Browser.close" bash -c "! kill -0 $chromium_pid 2>/dev/null"
chromium_pid=
check "the portal logged the accept from the laptop's café address" \
	grep -qE " $laddr ACCEPT$" "$WORLD_DIR/portal.log"
check "the café's firewall now lets that address through (nft set)" bash -c \
	"ip netns exec air nft -j list set inet portal allowed | jq -e '.nftables[].set?.elem // [] | index(\"$laddr\")' >/dev/null"

# --- 7. the tunnel over the café; main through it only. WireGuard makes a
# new handshake when it sends with keys past their age (REKEY_AFTER_TIME,
# 120 s; dead at 180 s): main's first packets after the accept, or the
# next keepalive (25 s).
s=${EPOCHREALTIME/[.,]/}
poll 60 "main is seen as the tunnel address, over the café" answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_ROUTER"
poll 150 "the tunnel handshakes over the café" shook "$hs_home"
diag "time: the handshake came $(($(handshake) - t_accept)) s after the click's driver returned" \
	"(negative: before, WireGuard was retrying); the home one $((t_accept - hs_home)) s before"
check "its endpoint is still the server's" bash -c "wg show wg0 endpoints | grep -q '192.168.1.1:51820'"
check "the server has the laptop at its café address (it roamed there)" bash -c \
	"ip netns exec lan wg show wg0 endpoints | grep -q '$laddr:'"
"$WGPHYS" status >/tmp/status2.out 2>&1
check "status no longer prints a portal line" bash -c "! grep -q '^portal: ' /tmp/status2.out"
exec_lan() { local got; got=$(as_user socat -u -T 3 "TCP:$WORLD_ROUTER:7777,connect-timeout=3" - </dev/null) || return 1; echo "got: $got"; [[ $got == "$laddr" ]]; }
check "exec: a command in physical is seen with the café address (the capture's positive control)" exec_lan

# --- 8. the café never reached main
check "from the café, main's listener on the laptop is unreachable" \
	bash -c "! ip netns exec air timeout 6 socat -u - TCP:$laddr:8099,connect-timeout=4 </dev/null"
check "and it received nothing" test ! -s "$main_listener_file"
kill "$main_listener" 2>/dev/null
main_listener=

world_sniff_stop cafe
world_sniff_stop uplink
ok_cafe="udp port 67 or udp port 68 or arp or (udp and dst host 192.168.1.1 and dst port 51820)"
ok_cafe+=" or (dst host $WORLD_PORTAL and (dst port 53 or dst port 80))"
ok_cafe+=" or (tcp and host 192.168.1.1 and port 7777)"
# physical's own refusals of the café's attempt on port 8099 (main's listener)
ok_cafe+=" or (tcp and src port 8099 and dst host $WORLD_PORTAL and tcp[tcpflags] & tcp-rst != 0)"
n=$(world_sniff_count cafe "src host $laddr and not ($ok_cafe)")
check "café capture: nothing from the laptop but DHCP, ARP, WireGuard, DNS and HTTP to the portal, and exec's 7777" test "$n" == 0 ||
	diag "$(tcpdump -n -r "$WORLD_DIR/cafe.pcap" "src host $laddr and not ($ok_cafe)" 2>/dev/null | head -n 5)"
check "café capture: the tunnel went over it (WireGuard from the laptop)" \
	test "$(world_sniff_count cafe "src host $laddr and udp dst port 51820")" -gt 0
check "café capture: the control packets of exec's command are there (the capture counts)" \
	test "$(world_sniff_count cafe "src host $laddr and tcp dst port 7777")" -gt 0
check "café capture: no HTTPS from the laptop at all (Chromium made no connection of its own)" \
	test "$(world_sniff_count cafe "src host $laddr and tcp dst port 443")" == 0
n=$(world_sniff_count uplink "src host $laddr and not udp port 51820 and not tcp port 7777")
check "uplink capture: what the café forwarded from the laptop was WireGuard (and exec's 7777)" test "$n" == 0
asked=$(awk -v a="$laddr" '/query\[/ && $NF == a { print $(NF-2) }' "$WORLD_DIR/cafe2-dnsmasq.log" | sort -u | tr '\n' ' ')
diag "names the laptop asked the café's DNS: $asked"
check "the café's DNS was asked only for the names typed, and the probe's" \
	test "$asked" == "connectivitycheck.gstatic.com example.com "

# --- 9. the sandbox needs user namespaces, and says so without them
if [[ -e /proc/sys/kernel/unprivileged_userns_clone ]]; then
	sysctl -qw kernel.unprivileged_userns_clone=0
	runuser -u cafe -- mkdir -p "$home/p4"
	s=${EPOCHREALTIME/[.,]/}
	as_user timeout 120 chromium "${cafe_chromium_flags[@]}" --user-data-dir="$home/p4" \
		--dump-dom about:blank >/dev/null 2>/tmp/chromium4.err
	rc=$?
	diag "time: chromium refusing $(((${EPOCHREALTIME/[.,]/} - s) / 1000)) ms"
	sysctl -qw kernel.unprivileged_userns_clone=1
	check "without unprivileged user namespaces Chromium refuses to start (exit $rc)" test $rc -ne 0
	check "and says it has no usable sandbox" grep -q 'No usable sandbox' /tmp/chromium4.err ||
		diag "$(grep -v dbus /tmp/chromium4.err | tail -n 3)"
else
	skip "Chromium without user namespaces" "no kernel.unprivileged_userns_clone here"
fi

# --- 10. down: the laptop back as it was
timed down check "wgphys down exits 0" "$WGPHYS" down
check "the namespace is gone" test ! -e /run/netns/physical
check "the control socket directory is gone" test ! -e "$CTRL"
check "the fence is gone" bash -c "! nft list tables | grep -q wgphys"
ip link set eth0 up
check "main's links are the ones before up (names and MACs)" test "$(main_links)" == "$links_before" ||
	diag "before: $links_before" "after:  $(main_links)"
poll 60 "the system's dhcpcd gets eth0's lease back" has_ipv4 eth0 192.168.1.
poll 20 "the LAN's service sees the laptop's own address again" answer_is "$eth0_addr" "$WORLD_ROUTER"
diag "time: whole test $(ms) ms"

userdel -r cafe >/dev/null 2>&1
userdel stranger >/dev/null 2>&1
done_testing
