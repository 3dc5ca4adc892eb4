#!/usr/bin/env bash
# Throwaway PostgreSQL server for the test suite.
#
#   scripts/pg.sh start   start a fresh server (idempotent), wait until it is ready
#   scripts/pg.sh url     print the SQLAlchemy URL of the running server (stdout)
#   scripts/pg.sh stop    stop the server and delete its data directory
#   scripts/pg.sh pause   stop the server, keep its data (tests of an outage)
#   scripts/pg.sh resume  start a paused server again on the same port
#
# SDGBOT_PG_STATE names another state directory, for a second server beside
# the suite's (a test that stops its database must not stop everyone's).
#
# The server listens on 127.0.0.1 only, on a free port, with trust auth and
# durability switched off (it is thrown away after the tests).  State lives in
# .pg/ at the repository root: .pg/port and .pg/datadir (the data directory,
# normally .pg/data, or a mktemp directory under /tmp when the repository is
# not reachable by the unprivileged user the server runs as when we are root).
#
# Progress goes to stderr; only `url` writes to stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
STATE="${SDGBOT_PG_STATE:-$ROOT/.pg}"
DB_NAME="sdgbot_test"
DB_USER="sdgbot"
FALLBACK_USER="sdgbot-pg"
START_TIMEOUT=30

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------------------
# Locating (and if need be installing) PostgreSQL
# ---------------------------------------------------------------------------
PGBIN=""

find_pgbin() {
    local initdb_path pg_ctl_path dir
    initdb_path="$(command -v initdb 2>/dev/null || true)"
    pg_ctl_path="$(command -v pg_ctl 2>/dev/null || true)"
    if [ -n "$initdb_path" ] && [ -n "$pg_ctl_path" ]; then
        # Use the real directory so initdb, pg_ctl, postgres, createdb match.
        dir="$(dirname "$(readlink -f "$pg_ctl_path")")"
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            PGBIN="$dir"
            return 0
        fi
    fi
    # Debian/Ubuntu layout; take the newest major version.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            PGBIN="$dir"
            return 0
        fi
    done
    return 1
}

install_postgresql() {
    if ! is_root; then
        die "PostgreSQL (initdb/pg_ctl) not found and not running as root, so it cannot be installed automatically. Install it, e.g. 'sudo apt-get install postgresql', and retry."
    fi
    command -v apt-get >/dev/null 2>&1 \
        || die "PostgreSQL (initdb/pg_ctl) not found and apt-get is not available; install PostgreSQL by hand."
    log "PostgreSQL not found; installing Debian's postgresql package (this takes a minute)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

ensure_pgbin() {
    if ! find_pgbin; then
        install_postgresql
        find_pgbin || die "PostgreSQL was installed but initdb/pg_ctl are still not found"
    fi
}

pgtool() {
    # Client-side tool from the server's bin dir, falling back to PATH.
    local name="$1"
    if [ -x "$PGBIN/$name" ]; then
        printf '%s\n' "$PGBIN/$name"
    else
        command -v "$name" 2>/dev/null || die "$name not found"
    fi
}

# ---------------------------------------------------------------------------
# Running server-side commands as an unprivileged user when we are root
# ---------------------------------------------------------------------------
RUN_USER=""

ensure_run_user() {
    if ! is_root; then
        RUN_USER="$(id -un)"
        return 0
    fi
    if id postgres >/dev/null 2>&1; then
        RUN_USER="postgres"
    else
        if ! id "$FALLBACK_USER" >/dev/null 2>&1; then
            log "creating system user $FALLBACK_USER to run PostgreSQL (initdb refuses root)"
            command -v useradd >/dev/null 2>&1 || die "useradd not found; cannot create a user for PostgreSQL"
            useradd --system --no-create-home --home-dir / --shell /bin/sh "$FALLBACK_USER" >&2
        fi
        RUN_USER="$FALLBACK_USER"
    fi
}

# as_pg CMD ARGS...: run a command as RUN_USER (directly when not root).
as_pg() {
    if ! is_root; then
        "$@"
        return
    fi
    if command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u "$RUN_USER" -- "$@")
    else
        local cmd
        cmd="$(printf '%q ' "$@")"
        (cd / && su -s /bin/sh "$RUN_USER" -c "$cmd")
    fi
}

# ---------------------------------------------------------------------------
# State helpers
# ---------------------------------------------------------------------------
read_state() {
    # Sets DATADIR and PORT from .pg/ (empty when absent).
    DATADIR=""
    PORT=""
    [ -f "$STATE/datadir" ] && DATADIR="$(cat "$STATE/datadir")"
    [ -f "$STATE/port" ] && PORT="$(cat "$STATE/port")"
    return 0
}

url_for() { printf 'postgresql+psycopg://%s@127.0.0.1:%s/%s\n' "$DB_USER" "$1" "$DB_NAME"; }

free_port() {
    local py
    py="$(command -v python3 || command -v python || true)"
    [ -n "$py" ] || die "python3 is needed to pick a free port"
    "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

is_ready() {
    # is_ready PORT: the server accepts connections on 127.0.0.1:PORT
    local port="$1" isready
    isready="$(pgtool pg_isready 2>/dev/null || true)"
    if [ -n "$isready" ]; then
        "$isready" -q -h 127.0.0.1 -p "$port" -d postgres -U "$DB_USER" -t 2 >/dev/null 2>&1
    else
        "$(pgtool psql)" -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -Atqc 'select 1' >/dev/null 2>&1
    fi
}

db_exists() {
    local port="$1"
    [ "$("$(pgtool psql)" -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -Atqc \
        "select 1 from pg_database where datname = '$DB_NAME'" 2>/dev/null)" = "1" ]
}

# Choose and create the data directory; sets DATADIR.
make_datadir() {
    mkdir -p "$STATE"
    local candidate="$STATE/data"
    rm -rf "$candidate"
    mkdir -p "$candidate"
    chmod 700 "$candidate"
    if is_root; then
        chown "$RUN_USER" "$candidate"
        if ! as_pg test -w "$candidate" -a -x "$candidate"; then
            rm -rf "$candidate"
            candidate="$(mktemp -d /tmp/sdgbot-pg.XXXXXXXX)"
            chmod 700 "$candidate"
            chown "$RUN_USER" "$candidate"
            log "$STATE is not reachable by user $RUN_USER; using $candidate"
            as_pg test -w "$candidate" || die "user $RUN_USER cannot write $candidate"
        fi
    fi
    DATADIR="$candidate"
    printf '%s\n' "$DATADIR" >"$STATE/datadir"
}

socket_dir_for() {
    # Unix socket paths are limited to ~107 bytes; use the data dir when short enough.
    local dir="$1"
    if [ "${#dir}" -le 80 ]; then
        printf '%s\n' "$dir"
    else
        printf '%s\n' /tmp
    fi
}

server_running() {
    # server_running DATADIR: a postmaster is alive for that data directory
    local dd="$1" pid
    [ -n "$dd" ] && [ -f "$dd/postmaster.pid" ] || return 1
    pid="$(head -n1 "$dd/postmaster.pid" 2>/dev/null || true)"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # A zombie (dead, not yet reaped) does not count.
    if [ -r "/proc/$pid/stat" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = "Z" ]; then
        return 1
    fi
    return 0
}

stop_server() {
    read_state
    if [ -z "$DATADIR" ] && [ -d "$STATE/data" ]; then
        DATADIR="$STATE/data"
    fi
    if [ -n "$DATADIR" ] && [ -d "$DATADIR" ]; then
        if server_running "$DATADIR"; then
            ensure_pgbin
            ensure_run_user
            log "stopping PostgreSQL (data dir $DATADIR)"
            if ! as_pg "$PGBIN/pg_ctl" -D "$DATADIR" -m fast -w -t 30 stop >&2; then
                log "fast shutdown failed; trying immediate shutdown"
                as_pg "$PGBIN/pg_ctl" -D "$DATADIR" -m immediate -w -t 30 stop >&2 || true
            fi
            if server_running "$DATADIR"; then
                local pid
                pid="$(head -n1 "$DATADIR/postmaster.pid")"
                log "postmaster $pid still alive; killing it"
                kill -KILL "$pid" 2>/dev/null || true
                sleep 1
            fi
        fi
        rm -rf "$DATADIR"
    fi
    rm -f "$STATE/datadir" "$STATE/port"
    rm -rf "$STATE/data"
    rmdir "$STATE" 2>/dev/null || true
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
cmd_start() {
    ensure_pgbin
    read_state
    if [ -n "$PORT" ] && server_running "$DATADIR" && is_ready "$PORT" && db_exists "$PORT"; then
        log "already running: $(url_for "$PORT")"
        return 0
    fi
    # Leftovers (crashed server, stale state from an earlier session): wipe them.
    if [ -n "$DATADIR" ] || [ -n "$PORT" ]; then
        log "removing stale state in $STATE"
        stop_server
    fi

    ensure_run_user
    make_datadir
    log "using $PGBIN ($("$PGBIN/pg_ctl" --version 2>/dev/null || echo unknown version)), running as $RUN_USER"
    log "initdb $DATADIR"
    if ! as_pg "$PGBIN/initdb" -D "$DATADIR" -U "$DB_USER" --auth=trust \
        -E UTF8 --no-locale --no-sync >"$STATE/initdb.log" 2>&1; then
        cat "$STATE/initdb.log" >&2
        die "initdb failed"
    fi
    rm -f "$STATE/initdb.log"

    local sockdir
    sockdir="$(socket_dir_for "$DATADIR")"
    # initdb --auth=trust already writes trust rules for local and loopback.
    as_pg sh -c "cat >> '$DATADIR/postgresql.conf'" <<EOF

# --- sdgbot throwaway test server (scripts/pg.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
logging_collector = off
EOF

    local attempt port
    for attempt in 1 2 3; do
        port="$(free_port)"
        printf '%s\n' "$port" >"$STATE/port"
        log "starting PostgreSQL on 127.0.0.1:$port (attempt $attempt)"
        if as_pg "$PGBIN/pg_ctl" -D "$DATADIR" -l "$DATADIR/server.log" \
            -o "-p $port -k '$sockdir'" -w -t "$START_TIMEOUT" start >/dev/null 2>&1; then
            break
        fi
        log "pg_ctl start failed; server log:"
        tail -n 20 "$DATADIR/server.log" >&2 || true
        as_pg "$PGBIN/pg_ctl" -D "$DATADIR" -m immediate -w stop >/dev/null 2>&1 || true
        port=""
    done
    [ -n "$port" ] || { stop_server; die "could not start PostgreSQL"; }

    local waited=0
    until is_ready "$port"; do
        if [ "$waited" -ge "$START_TIMEOUT" ]; then
            tail -n 20 "$DATADIR/server.log" >&2 || true
            stop_server
            die "PostgreSQL did not become ready within ${START_TIMEOUT}s"
        fi
        sleep 1
        waited=$((waited + 1))
    done

    if ! "$(pgtool createdb)" -h 127.0.0.1 -p "$port" -U "$DB_USER" -O "$DB_USER" "$DB_NAME" >&2; then
        stop_server
        die "createdb $DB_NAME failed"
    fi
    log "ready: $(url_for "$port")"
}

cmd_pause() {
    read_state
    server_running "$DATADIR" || { log "not running"; return 0; }
    ensure_pgbin
    ensure_run_user
    as_pg "$PGBIN/pg_ctl" -D "$DATADIR" -m fast -w -t 30 stop >/dev/null
    log "paused (data kept in $DATADIR)"
}

cmd_resume() {
    read_state
    [ -n "$PORT" ] && [ -n "$DATADIR" ] || die "no server state in $STATE"
    server_running "$DATADIR" && { log "already running"; return 0; }
    ensure_pgbin
    ensure_run_user
    as_pg "$PGBIN/pg_ctl" -D "$DATADIR" -l "$DATADIR/server.log" \
        -o "-p $PORT -k '$(socket_dir_for "$DATADIR")'" -w -t "$START_TIMEOUT" start >/dev/null
    log "resumed: $(url_for "$PORT")"
}

cmd_url() {
    read_state
    [ -n "$PORT" ] || die "no server state in $STATE; run 'scripts/pg.sh start' first"
    url_for "$PORT"
}

cmd_stop() {
    read_state
    if [ -z "$DATADIR" ] && [ -z "$PORT" ] && [ ! -d "$STATE/data" ]; then
        log "not running"
        rmdir "$STATE" 2>/dev/null || true
        return 0
    fi
    stop_server
    log "stopped"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    pause) cmd_pause ;;
    resume) cmd_resume ;;
    *)
        echo "usage: $0 start|stop|pause|resume|url" >&2
        exit 2
        ;;
esac
