#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for tests and the demo.
#
#   scripts/pg_cluster.sh start [DIR]   initdb + start; prints the env file (sourceable)
#   scripts/pg_cluster.sh env DIR       prints DIR/env again
#   scripts/pg_cluster.sh stop DIR      pg_ctl stop -m fast, then removes DIR
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to a system
# user (sqlite2pg-test, created on first use) and every server command runs via
# runuser. DIR should live under /tmp: that user must be able to traverse into it.
set -euo pipefail

OS_USER=${PG_CLUSTER_OS_USER:-sqlite2pg-test}
SUPERUSER=postgres              # bootstrap superuser (initdb -U)
APP_ROLE=app                    # non-superuser role the tool is tested as
APP_PASSWORD=s3cret-pw
FIRST_PORT=${PG_CLUSTER_FIRST_PORT:-54320}
MARKER=.sqlite2pg-pg-cluster    # stop only deletes directories carrying this

usage() {
    cat <<USAGE
Usage: scripts/pg_cluster.sh start [DIR]
       scripts/pg_cluster.sh env DIR
       scripts/pg_cluster.sh stop DIR

start  Creates a cluster in DIR/data (DIR defaults to a new mktemp -d under /tmp),
       sockets in DIR/sock, TCP on 127.0.0.1 at the first free port from $FIRST_PORT,
       fsync=off, timezone UTC. Auth: trust on the Unix socket; scram-sha-256 on
       127.0.0.1. Creates role '$APP_ROLE' (LOGIN CREATEDB, password '$APP_PASSWORD',
       not a superuser). Waits until ready, writes DIR/env and prints it:
         PGHOST PGPORT PGUSER ($SUPERUSER) PG_CLUSTER_DIR
         SQLITE2PG_TEST_PG="host=DIR/sock port=P user=$SUPERUSER dbname=postgres"
         SQLITE2PG_TEST_APP_PG="host=127.0.0.1 port=P user=$APP_ROLE password=$APP_PASSWORD dbname=postgres"
       Use: eval "\$(scripts/pg_cluster.sh start)"   or   source DIR/env
env    Prints DIR/env.
stop   Fast shutdown, then removes DIR (only if start created it). No-op if DIR is gone.

Environment: PG_BINDIR (default: highest /usr/lib/postgresql/*/bin),
PG_CLUSTER_OS_USER (default sqlite2pg-test, used when run as root),
PG_CLUSTER_FIRST_PORT (default 54320).
USAGE
}

die() { echo "pg_cluster.sh: $*" >&2; exit 1; }
log() { echo "pg_cluster.sh: $*" >&2; }

find_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then
        [[ -x "$PG_BINDIR/initdb" ]] || die "PG_BINDIR=$PG_BINDIR has no initdb"
        echo "$PG_BINDIR"; return
    fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]] \
        || die "no PostgreSQL server found under /usr/lib/postgresql/*/bin (apt-get install postgresql, or scripts/install_deps.sh)"
    echo "$d"
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Runs a command as the cluster owner; from inside DIR so that tools which look at
# the working directory never trip over an untraversable one (e.g. /root/...).
as_owner() {
    if is_root; then
        (cd "$DIR" && runuser -u "$OS_USER" -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

ensure_os_user() {
    is_root || return 0
    id -u "$OS_USER" >/dev/null 2>&1 && return 0
    command -v useradd >/dev/null || die "useradd not found; cannot create system user $OS_USER"
    # A parallel start may win the race; only fail if the user still doesn't exist.
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER" 2>/dev/null \
        || id -u "$OS_USER" >/dev/null 2>&1 || die "could not create system user $OS_USER"
}

port_in_use() {
    # Anything answering on 127.0.0.1:PORT, or a socket file of another cluster in /tmp
    # or /var/run/postgresql on that port (those would clash for tools using defaults).
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    [[ -e "/tmp/.s.PGSQL.$1" || -e "/var/run/postgresql/.s.PGSQL.$1" ]]
}

abs_dir() { (cd "$1" && pwd -P); }

cmd_start() {
    local bindir created=0
    bindir=$(find_bindir)
    if [[ -n "${1:-}" ]]; then
        DIR=$1
        if [[ -e "$DIR" ]]; then
            [[ -d "$DIR" ]] || die "$DIR exists and is not a directory"
            [[ -z "$(ls -A "$DIR")" ]] || die "$DIR is not empty (stop the old cluster first: pg_cluster.sh stop $DIR)"
        else
            mkdir -p "$DIR"; created=1
        fi
    else
        DIR=$(mktemp -d /tmp/sqlite2pg-pg.XXXXXX); created=1
    fi
    DIR=$(abs_dir "$DIR")
    # Paths end up unquoted in conninfo strings and the socket path is limited to ~107 bytes.
    local problem=""
    [[ "$DIR" =~ ^[A-Za-z0-9_./+-]+$ ]] || problem="DIR must not contain spaces or quotes: $DIR"
    (( ${#DIR} <= 80 )) || problem="DIR path too long for a Unix socket: $DIR"
    chmod 755 "$DIR"   # mktemp -d makes 0700; the cluster owner must traverse it
    if [[ -z "$problem" ]] && is_root; then
        ensure_os_user
        chown "$OS_USER:" "$DIR"
        runuser -u "$OS_USER" -- test -x "$DIR" -a -w "$DIR" \
            || problem="user $OS_USER cannot enter $DIR (a parent directory is not traversable; use a DIR under /tmp)"
    fi
    if [[ -n "$problem" ]]; then
        (( created )) && rmdir "$DIR" 2>/dev/null || true
        die "$problem"
    fi
    touch "$DIR/$MARKER"
    mkdir -p "$DIR/sock" "$DIR/log"
    is_root && chown -R "$OS_USER:" "$DIR"

    as_owner "$bindir/initdb" --pgdata="$DIR/data" --username="$SUPERUSER" \
        --encoding=UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 \
        --no-instructions >"$DIR/log/initdb.log" 2>&1 \
        || { cat "$DIR/log/initdb.log" >&2; die "initdb failed"; }

    # Only the socket is trusted; TCP always wants a password (tests use it for
    # password handling and masking).
    as_owner tee "$DIR/data/pg_hba.conf" >/dev/null <<HBA
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  scram-sha-256
HBA

    # Try ports upward; a port can be taken between the check and the bind (parallel
    # runs), so a failed start moves on to the next port.
    local port=$FIRST_PORT started=0 tries=0
    while (( tries < 50 )); do
        if port_in_use "$port"; then
            port=$((port + 1)); continue
        fi
        tries=$((tries + 1))
        as_owner tee "$DIR/data/conf.d.sqlite2pg.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR/sock'
unix_socket_permissions = 0777
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 50
timezone = 'UTC'
log_timezone = 'UTC'
logging_collector = off
CONF
        grep -q "conf.d.sqlite2pg.conf" "$DIR/data/postgresql.conf" \
            || echo "include 'conf.d.sqlite2pg.conf'" | as_owner tee -a "$DIR/data/postgresql.conf" >/dev/null
        if as_owner "$bindir/pg_ctl" --pgdata="$DIR/data" --log="$DIR/log/postgres.log" \
                --wait --timeout=60 --silent start >/dev/null 2>&1; then
            started=1; break
        fi
        if grep -qE "could not (bind|create listen)|already in use" "$DIR/log/postgres.log" 2>/dev/null; then
            log "port $port busy, trying the next one"
            port=$((port + 1)); continue
        fi
        cat "$DIR/log/postgres.log" >&2 || true
        die "pg_ctl start failed (log: $DIR/log/postgres.log)"
    done
    (( started )) || die "no free port found from $FIRST_PORT"

    local i
    for ((i = 0; i < 60; i++)); do
        "$bindir/pg_isready" -q -h "$DIR/sock" -p "$port" -U "$SUPERUSER" -d postgres && break
        sleep 0.5
    done
    "$bindir/pg_isready" -q -h "$DIR/sock" -p "$port" -U "$SUPERUSER" -d postgres \
        || die "server did not become ready (log: $DIR/log/postgres.log)"

    as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR/sock" -p "$port" -U "$SUPERUSER" -d postgres \
        -c "CREATE ROLE $APP_ROLE LOGIN CREATEDB NOSUPERUSER NOCREATEROLE PASSWORD '$APP_PASSWORD'" >/dev/null

    local tmp
    tmp=$(mktemp "$DIR/env.XXXXXX")
    cat >"$tmp" <<ENV
export PG_CLUSTER_DIR='$DIR'
export PG_BINDIR='$bindir'
export PGHOST='$DIR/sock'
export PGPORT='$port'
export PGUSER='$SUPERUSER'
export SQLITE2PG_TEST_PG='host=$DIR/sock port=$port user=$SUPERUSER dbname=postgres'
export SQLITE2PG_TEST_APP_PG='host=127.0.0.1 port=$port user=$APP_ROLE password=$APP_PASSWORD dbname=postgres'
ENV
    chmod 644 "$tmp"
    mv "$tmp" "$DIR/env"
    log "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') running in $DIR (port $port, socket $DIR/sock); stop with: $0 stop $DIR"
    cat "$DIR/env"
}

cmd_env() {
    [[ -n "${1:-}" ]] || die "env needs DIR"
    [[ -f "$1/env" ]] || die "$1/env not found (is a cluster running there?)"
    cat "$1/env"
}

cmd_stop() {
    [[ -n "${1:-}" ]] || die "stop needs DIR"
    [[ -e "$1" ]] || { log "$1 does not exist; nothing to stop"; return 0; }
    DIR=$(abs_dir "$1")
    [[ -f "$DIR/$MARKER" ]] || die "$DIR was not created by pg_cluster.sh start; refusing to touch it"
    if [[ -f "$DIR/data/postmaster.pid" ]]; then
        local bindir
        bindir=$(find_bindir)
        as_owner "$bindir/pg_ctl" --pgdata="$DIR/data" --mode=fast --wait --timeout=60 --silent stop \
            || log "pg_ctl stop failed (server may already be down)"
    fi
    rm -rf -- "$DIR"
    log "stopped and removed $DIR"
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    env) shift; cmd_env "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac
