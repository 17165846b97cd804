#!/usr/bin/env bash
# Init script for the official postgres image (mounted into /docker-entrypoint-initdb.d/; runs
# once, when the data directory is empty). Creates Allmende's two roles and its database, the
# same way `provisionDatabase()` in libs/db/src/provision.ts does for `allmende dev` and tests:
#
#   allmende_owner  runs migrations (`allmende db migrate`) and owns every table
#   allmende_app    the api and worker connect as it; owns nothing, no BYPASSRLS
#
# Passwords come from ALLMENDE_OWNER_PASSWORD and ALLMENDE_APP_PASSWORD. They are read by psql
# itself (\getenv) and reach SQL only as :'var' literals, which psql quotes and escapes; they
# are never interpolated into the SQL text by the shell, nor passed on a command line.
# Re-running the script is safe: it creates what is missing and resets attributes/passwords.
set -euo pipefail

: "${ALLMENDE_OWNER_PASSWORD:?ALLMENDE_OWNER_PASSWORD must be set (password of role allmende_owner)}"
: "${ALLMENDE_APP_PASSWORD:?ALLMENDE_APP_PASSWORD must be set (password of role allmende_app)}"
: "${POSTGRES_USER:=postgres}"
export ALLMENDE_OWNER_PASSWORD ALLMENDE_APP_PASSWORD

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" <<'EOSQL'
\getenv owner_password ALLMENDE_OWNER_PASSWORD
\getenv app_password ALLMENDE_APP_PASSWORD

SELECT 'CREATE ROLE allmende_owner'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'allmende_owner') \gexec
SELECT 'CREATE ROLE allmende_app'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'allmende_app') \gexec

-- Row-level security is forced on every tenant-owned table: neither role may bypass it.
ALTER ROLE allmende_owner WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
  PASSWORD :'owner_password';
ALTER ROLE allmende_app WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
  PASSWORD :'app_password';

SELECT 'CREATE DATABASE allmende OWNER allmende_owner'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'allmende') \gexec
-- In case POSTGRES_DB=allmende made the image create it, owned by the superuser.
ALTER DATABASE allmende OWNER TO allmende_owner;

\connect allmende
-- PostgreSQL < 15 lets PUBLIC create tables in `public`; the app role must not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO allmende_owner;
EOSQL
