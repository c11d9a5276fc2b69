# Sourced (not executed) by the MySQL image's entrypoint once, when it initialises an empty data
# directory, after it has created MYSQL_DATABASE; docker_process_sql is the entrypoint's own
# function (the mysql client, connected as root). Sourced because the file is not executable;
# `false` below then stops the entrypoint, so a missing password fails the first start loudly.
#
# Two users for the database, so that the long-running processes cannot change the schema:
#   ticketing_migrate  the migration step: the schema (CREATE, ALTER, DROP, INDEX, REFERENCES)
#                      and the rows of its migration history
#   ticketing_app      the API and the workers: rows only (SELECT, INSERT, UPDATE, DELETE)
# Their passwords come from MYSQL_MIGRATE_PASSWORD and MYSQL_APP_PASSWORD (see docker-compose.yml).

if [ -z "${MYSQL_APP_PASSWORD:-}" ] || [ -z "${MYSQL_MIGRATE_PASSWORD:-}" ]; then
  echo >&2 '01-users.sh: MYSQL_APP_PASSWORD and MYSQL_MIGRATE_PASSWORD must be set'
  false
fi

# The text as a single-quoted SQL string's content: backslashes and quotes escaped.
ticketing_sql_literal() {
  local escaped="${1//\\/\\\\}"
  printf '%s' "${escaped//\'/\\\'}"
}

ticketing_db="${MYSQL_DATABASE:-ticketing}"
app_password="$(ticketing_sql_literal "${MYSQL_APP_PASSWORD}")"
migrate_password="$(ticketing_sql_literal "${MYSQL_MIGRATE_PASSWORD}")"

docker_process_sql --database=mysql <<-EOSQL
	CREATE USER IF NOT EXISTS 'ticketing_migrate'@'%' IDENTIFIED BY '${migrate_password}';
	CREATE USER IF NOT EXISTS 'ticketing_app'@'%' IDENTIFIED BY '${app_password}';
	GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES ON \`${ticketing_db}\`.* TO 'ticketing_migrate'@'%';
	GRANT SELECT, INSERT, UPDATE, DELETE ON \`${ticketing_db}\`.* TO 'ticketing_app'@'%';
EOSQL
echo "01-users.sh: created ticketing_migrate (schema) and ticketing_app (rows only) on ${ticketing_db}"
