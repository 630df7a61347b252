#!/bin/sh
# Creates (or re-passwords) the gateway and api logins of docs/database.md after `portcullis
# migrate` created the NOLOGIN roles they join. Passwords come from Docker secret files and reach
# psql as variables on stdin, never on a command line. Idempotent.
set -eu
PGPASSWORD="$(cat /run/secrets/postgres_password)"
export PGPASSWORD
{
  printf '\\set api_pw %s\n' "'$(sed "s/'/''/g" /run/secrets/db_api_password)'"
  printf '\\set gateway_pw %s\n' "'$(sed "s/'/''/g" /run/secrets/db_gateway_password)'"
  cat <<'SQL'
\set ON_ERROR_STOP on
SELECT 'CREATE ROLE portcullis_api_login LOGIN IN ROLE portcullis_api'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portcullis_api_login') \gexec
SELECT 'CREATE ROLE portcullis_gateway_login LOGIN IN ROLE portcullis_gateway'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portcullis_gateway_login') \gexec
ALTER ROLE portcullis_api_login WITH LOGIN PASSWORD :'api_pw';
ALTER ROLE portcullis_gateway_login WITH LOGIN PASSWORD :'gateway_pw';
SQL
} | psql --no-psqlrc --quiet
