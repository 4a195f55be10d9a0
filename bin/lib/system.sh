# Shared by bin/run and bin/test: install what is missing from Debian's packages, start stopped services,
# and prepare the project's virtualenv. Sourced, not executed.

apt_updated=0

install_debian_packages() {
  # $@: package names whose command is missing (the caller checks).
  [ "$#" -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: $* (run as root, or install them)" >&2
    return 1
  fi
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_commands() {
  # Pairs of command:package.
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  install_debian_packages "${missing[@]}"
}

ensure_redis_on_6379() {
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp --logfile /tmp/redis-6379.log
    for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "redis-server did not start on 127.0.0.1:6379" >&2
    return 1
  fi
}

ensure_postgres() {
  # Starts the installed cluster if it is stopped; makes sure database "test" is reachable over TCP.
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$version" ]; then
      echo "PostgreSQL is installed but has no cluster under /etc/postgresql" >&2
      return 1
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.1; done
  fi
  if ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
    # A fresh Debian cluster: no trust auth on TCP and no database "test". Give the postgres role a
    # local development password and create the database.
    su postgres -c "psql -qAtc \"ALTER ROLE postgres PASSWORD 'postgres'\"" >/dev/null
    su postgres -c "psql -qAtc 'select 1' -d test" >/dev/null 2>&1 || su postgres -c "createdb test"
    export PGPASSWORD=postgres
    export TEST_POSTGRES_URL="postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test"
  fi
}

ensure_venv() {
  # $1: pip extras, e.g. "[test]" or "".
  local python=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed$1"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".$1"
    touch "$stamp"
  fi
}
