#!/bin/sh
# Runs once, on an empty data directory (docker-entrypoint-initdb.d): one login and one
# database per service that keeps data, each owning only its own database. The superuser
# (password in the postgres_password secret) is for the operator, never for a service.
# A service's password is read from its secret, the same file the service reads its
# database URL from: postgresql+psycopg://<service>:<password>@postgres:5432/<service>.
# Use passwords of letters and digits only (e.g. `openssl rand -hex 24`): they sit in a URL.
set -eu
for service in registry notifier gateway; do
  url=$(cat "/run/secrets/${service}_database_url")
  password=$(printf '%s' "$url" | sed -E 's|^[^:]+://[^:/@]+:([^@]+)@.*$|\1|')
  if [ "$password" = "$url" ]; then
    echo "init-databases: no password in the ${service}_database_url secret" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
