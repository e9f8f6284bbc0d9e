# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the CLI scripts of tests/cli: the binary under test, a private
# temporary directory, and expect(). The script sets `script` (its name in
# messages) before sourcing this file.
top=$(cd "$(dirname "$0")/../.." && pwd)
ga=${GPU_ASSIGN:-$PWD/gpu-assign}
[ -x "$ga" ] || { echo "$script: no gpu-assign at $ga (build it, or set GPU_ASSIGN)" >&2; exit 2; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0}
unset GA_SYSFS_ROOT
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ga-$script.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

pass=0 fail=0
# expect NAME WANT-STATUS WANT-STDERR(exact, "" for none) CMD...
# Every program runs under timeout, stdin empty: a hang fails the case, not the run.
expect() {
	local name=$1 want=$2 want_err=$3 status
	shift 3
	if [ "$(type -t "$1")" = function ]; then
		"$@" >"$tmp/out" 2>"$tmp/err" </dev/null # a script's helper runs its commands itself
	else
		timeout 20 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	fi
	status=$?
	if [ "$status" = "$want" ] && [ "$(cat "$tmp/err")" = "$want_err" ]; then
		pass=$((pass + 1)); echo "PASS $name"
	else
		fail=$((fail + 1)); echo "FAIL $name: exit $status (want $want), stderr: $(cat "$tmp/err") (want: $want_err)"
	fi
}
