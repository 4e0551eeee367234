#!/usr/bin/env bash
# postern's test command: installs what the test mail stack needs (Dovecot, the vmail
# user, tmux), runs every test of the workspace, then checks that no stack process
# outlived the run. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(dovecot-core dovecot-imapd dovecot-pop3d dovecot-submissiond dovecot-lmtpd tmux)

missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})) || ! id vmail >/dev/null 2>&1; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "scripts/test.sh: the test mail stack needs ${missing[*]:-the vmail user}, and" \
             "installing it needs root. Run this script as root." >&2
        exit 1
    fi
fi
if ((${#missing[@]})); then
    echo "scripts/test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! id vmail >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin vmail
fi

# Benchmarks are not tests: they run in release builds, from .ci/run or by hand.
cargo test --workspace --lib --bins --tests "$@"

# Every stack's Dovecot carries its run directory in its command line and its children
# carry it in their titles: none may be left once the test processes are gone. Dovecot
# children can take a moment to exit after their master, so wait a little first.
LEFTOVER='dovecot -F -c [^ ]*/postern-stack-|postern-stack-[0-9]+-[0-9]+-[0-9a-f]+/'
for _ in $(seq 50); do
    pgrep -f "$LEFTOVER" >/dev/null || break
    sleep 0.1
done
if pgrep -af "$LEFTOVER"; then
    echo "scripts/test.sh: test mail stack processes outlived the tests (listed above)" >&2
    exit 1
fi
