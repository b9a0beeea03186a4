#!/usr/bin/env bash
# Installs what the test suite needs from Debian's packages when it is missing: PostgreSQL
# server binaries (the registry tests run against a real PostgreSQL; without a Docker engine
# the tests start it as a local process), Chromium (the browser tests drive Debian's build,
# never one Playwright downloads), npm (brings axe-core for the accessibility checks) and
# openssl (makes the certificates of the NATS TLS tests); `make bench` needs wrk (its HTTP
# load generator, a compiled client that runs in its own process).
# Does nothing when everything is present.
set -euo pipefail

have_postgres() {
  command -v pg_ctl >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

missing=()
have_postgres || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)  # certificates for the NATS TLS tests
command -v wrk >/dev/null 2>&1 || missing+=(wrk)  # the benchmarks' HTTP load generator
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${missing[*]} (install them with apt-get as root)" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
