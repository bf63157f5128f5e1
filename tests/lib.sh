# shellcheck shell=bash
# Tiny TAP library shared by the project's shell tests.
#
#   . tests/lib.sh
#   ok "desc"                     pass
#   not_ok "desc" [detail]        fail, detail printed as "# " comments
#   check "desc" CMD...           pass iff CMD exits 0; its output is shown on failure
#   poll SECONDS "desc" CMD...    re-run CMD every ~0.15 s until it exits 0 or
#                                 SECONDS pass; the only sanctioned way to wait
#   skip "desc" reason            "ok N - desc # SKIP reason"
#   diag msg...                   "# msg"
#   run CMD...                    print "# + CMD", then run it (status passes through)
#   done_testing                  print "1..N"; exit 1 if anything failed
#
# check and poll run CMD in the current shell (not a subshell), so a CMD that
# is a shell function can set variables or start background jobs; they return
# CMD's verdict, so "check ... || bail" works.  Under "set -e", write
# "check ... || true" where a failure must not end the script.
# Safe under "set -u".  State lives in _tap_* variables.

_tap_count=0
_tap_failed=0

# Dumps a file as TAP comment lines.
_tap_comment_file() {
	local line
	while IFS= read -r line || [[ -n $line ]]; do
		printf '#   %s\n' "$line"
	done <"$1"
}

diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

ok() {
	_tap_count=$((_tap_count + 1))
	printf 'ok %d - %s\n' "$_tap_count" "${1-}"
	return 0
}

not_ok() {
	_tap_count=$((_tap_count + 1))
	_tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s\n' "$_tap_count" "${1-}"
	if [[ -n ${2-} ]]; then
		local line
		while IFS= read -r line; do
			printf '#   %s\n' "$line"
		done <<<"$2"
	fi
	return 1
}

skip() {
	_tap_count=$((_tap_count + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_count" "${1-}" "${2-}"
	return 0
}

run() {
	printf '# + %s\n' "$*"
	"$@"
}

# Output goes to a file rather than $(...) so CMD stays in this shell and
# daemons it starts cannot hold a pipe open and hang the test.
check() {
	local desc=$1 out rc=0
	shift
	out=$(mktemp) || return 1
	"$@" >"$out" 2>&1 || rc=$?
	if ((rc == 0)); then
		ok "$desc"
	else
		not_ok "$desc"
		printf '#   command: %s\n#   exit status: %d\n' "$*" "$rc"
		_tap_comment_file "$out"
	fi
	rm -f "$out"
	return "$rc"
}

# Microseconds since the epoch, from bash's own clock (no fork per call).
_tap_now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	printf '%s' "$t"
}

poll() {
	local secs=$1 desc=$2 out rc tries=0 start deadline now
	shift 2
	out=$(mktemp) || return 1
	start=$(_tap_now_us)
	# Fractional seconds are accepted ("0.5"); awk does the float maths once.
	deadline=$((start + $(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000000 }')))
	while :; do
		tries=$((tries + 1))
		rc=0
		"$@" >"$out" 2>&1 || rc=$?
		((rc == 0)) && break
		now=$(_tap_now_us)
		((now >= deadline)) && break
		sleep 0.15
	done
	now=$(_tap_now_us)
	if ((rc == 0)); then
		ok "$desc"
		diag "  took $(((now - start) / 1000)) ms, $tries tries"
	else
		not_ok "$desc"
		printf '#   command: %s\n#   gave up after %s s, %d tries; last exit status %d, last output:\n' \
			"$*" "$secs" "$tries" "$rc"
		_tap_comment_file "$out"
	fi
	rm -f "$out"
	return "$rc"
}

done_testing() {
	printf '1..%d\n' "$_tap_count"
	if ((_tap_failed > 0)); then
		diag "failed $_tap_failed of $_tap_count"
		exit 1
	fi
	exit 0
}
