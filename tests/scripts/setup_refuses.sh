#!/usr/bin/env bash
# scripts/setup.sh on a machine it cannot install on: without apt-get, and as a user with neither
# root nor sudo. Each time: exit status 2 and one line on stderr saying what is needed.
#   tests/scripts/setup_refuses.sh SOURCE_DIR WORK_DIR
set -euo pipefail
source_dir="$1"
work="$2"
rm -rf "$work"
mkdir -p "$work/bin"
status=0

expect_refusal() {  # expect_refusal WHAT EXPECTED_TEXT COMMAND...
  local what="$1" expected="$2" code=0
  shift 2
  "$@" >"$work/out" 2>"$work/err" </dev/null || code=$?
  if [ "$code" -ne 2 ]; then
    echo "FAIL $what: exit status $code, expected 2 (stderr: $(cat "$work/err"))"; status=1; return
  fi
  if [ "$(wc -l <"$work/err")" -ne 1 ] || ! grep -q "$expected" "$work/err"; then
    echo "FAIL $what: expected one line with '$expected', found: $(cat "$work/err")"; status=1; return
  fi
  echo "ok $what: $(cat "$work/err")"
}

# A PATH with the tools the script uses before its checks, and no apt-get or dpkg-query.
for tool in bash env dirname id grep sed cat; do
  ln -sf "$(command -v "$tool")" "$work/bin/$tool"
done
expect_refusal "without apt" "needs a Debian 12 machine with apt-get" \
  env PATH="$work/bin" bash "$source_dir/scripts/setup.sh"

# A user who is not root and cannot use sudo (no terminal to ask a password on).
# The script is copied where that user can read it (the checkout may sit in root's home).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
  readable="$(mktemp -d /tmp/aekit-setup-check.XXXXXX)"
  mkdir -p "$readable/scripts"
  cp "$source_dir/scripts/setup.sh" "$readable/scripts/setup.sh"
  chmod -R a+rX "$readable"
  expect_refusal "without root" "needs root or sudo" \
    setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent bash "$readable/scripts/setup.sh"
  rm -rf "$readable"
else
  echo "skip without root: the test is not running as root"
fi
exit "$status"
