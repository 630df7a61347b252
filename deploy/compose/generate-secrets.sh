#!/bin/sh
# Writes the Docker secrets deploy/docker-compose.yml reads into deploy/secrets/ (directory 0700).
# Existing files are kept, so running it again never rotates a secret by accident.
# The files are 0644 inside that 0700 directory: Docker Compose bind-mounts file secrets with their
# host mode, and the containers run as uid 10001, not as your user.
set -eu
dir="$(cd "$(dirname "$0")/.." && pwd)/secrets"
umask 077
mkdir -p "$dir"
chmod 0700 "$dir"
hex() { openssl rand -hex "$1"; }
put() { # put NAME VALUE: write once
  if [ ! -e "$dir/$1" ]; then printf '%s\n' "$2" >"$dir/$1"; fi
  chmod 0644 "$dir/$1"
}
put postgres_password "$(hex 24)"
put redis_password "$(hex 24)"
put db_api_password "$(hex 24)"
put db_gateway_password "$(hex 24)"
put auth_secret "$(openssl rand -base64 48 | tr -d '\n')"
put master_key "$(openssl rand -base64 32 | tr -d '\n')"
read_secret() { tr -d '\n' <"$dir/$1"; }
put redis_url "redis://:$(read_secret redis_password)@redis:6379"
put database_url_owner "postgres://portcullis_owner:$(read_secret postgres_password)@postgres:5432/portcullis"
put database_url_api "postgres://portcullis_api_login:$(read_secret db_api_password)@postgres:5432/portcullis"
put database_url_gateway "postgres://portcullis_gateway_login:$(read_secret db_gateway_password)@postgres:5432/portcullis"
echo "secrets in $dir (keep a copy of master_key: without it stored provider keys cannot be decrypted)"
