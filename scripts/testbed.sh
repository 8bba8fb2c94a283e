#!/usr/bin/env bash
# Simulated bare-metal hosts for pyro's integration tests.
#
# Each host hN is a network namespace pyro-hN on the bridge pyrobr0 (10.213.0.1/24) at 10.213.0.1N, with its own
# hostname (UTS namespace), a private mount namespace where /opt/pyro and /var/lib/pyro are bind mounts of
# WORKDIR/hosts/hN/{opt,data}, and a real OpenSSH sshd listening on 10.213.0.1N:22 (login: root, key
# WORKDIR/id_ed25519). Everything started over SSH on a host inherits its network, hostname and mounts.
# Traffic stays on this machine: no NAT, no forwarding, the only route out of a host is the bridge.
# Names: the hosts share the machine's /etc/hosts (a marked block lists h1..hN); /etc/resolv.conf is replaced in
# each host's mount namespace by WORKDIR/resolv.conf (nameserver 127.0.0.1), so names that /etc/hosts cannot
# answer fail at once instead of waiting for an unreachable DNS server.
#
# Usage (as root):
#   testbed.sh up N WORKDIR          create h1..hN (tears down any leftover testbed first)
#   testbed.sh down [WORKDIR]        tear everything down (idempotent; works after a failed up)
#   testbed.sh stop-sshd hN WORKDIR  stop hN's sshd (connections are refused; running sessions survive)
#   testbed.sh start-sshd hN WORKDIR start hN's sshd again
#   testbed.sh rekey hN WORKDIR      give hN a new host key and restart its sshd (known_hosts is NOT updated)
#   testbed.sh cut hN WORKDIR        cut hN off the network (its link down: packets vanish, as in a partition)
#   testbed.sh heal hN WORKDIR       put hN's link back up
#
# Only one testbed can exist on a machine at a time (the bridge, namespace names and addresses are fixed).
# stdout carries only a final summary line; diagnostics go to stderr (set TESTBED_VERBOSE=1 for progress).
# Environment: TESTBED_SSHD_TIMEOUT (seconds to wait for an sshd to listen, default 20).

set -euo pipefail
umask 022
export LC_ALL=C

readonly BRIDGE=pyrobr0
readonly BRIDGE_ADDR=10.213.0.1
readonly NET_PREFIX=10.213.0.1 # host N gets ${NET_PREFIX}N
readonly NS_PREFIX=pyro-h
readonly VETH_PREFIX=vpyro-h # root-namespace end of host N's veth pair; the host's end is eth0
readonly MAX_HOSTS=99        # 10.213.0.11 .. 10.213.0.199
readonly MARK_BEGIN='# pyro-testbed begin'
readonly MARK_END='# pyro-testbed end'
readonly STATE_DIR=/run/pyro-testbed
readonly LOCK_FILE=/run/pyro-testbed.lock
readonly WORKDIR_MARKER=.pyro-testbed
readonly SSHD=/usr/sbin/sshd
readonly MOUNT_POINTS=(/opt/pyro /var/lib/pyro)
SSHD_TIMEOUT=${TESTBED_SSHD_TIMEOUT:-20}
PROG=testbed.sh

die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
log() { if [[ -n ${TESTBED_VERBOSE:-} ]]; then printf '%s: %s\n' "$PROG" "$*" >&2; fi; }

usage() {
  cat >&2 <<EOF
usage: $PROG up N WORKDIR
       $PROG down [WORKDIR]
       $PROG stop-sshd hN WORKDIR
       $PROG start-sshd hN WORKDIR
       $PROG rekey hN WORKDIR
       $PROG cut hN WORKDIR
       $PROG heal hN WORKDIR
EOF
  exit 2
}

addr_of() { printf '%s%s' "$NET_PREFIX" "${1#h}"; } # h3 -> 10.213.0.13
ns_of() { printf '%s%s' "$NS_PREFIX" "${1#h}"; }    # h3 -> pyro-h3
veth_of() { printf '%s%s' "$VETH_PREFIX" "${1#h}"; } # h3 -> vpyro-h3

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (it creates network namespaces, a bridge and sshd daemons)"
}

require_tools() {
  local t
  for t in ip unshare mount hostname ssh-keygen timeout flock awk; do
    command -v "$t" >/dev/null 2>&1 || die "required command '$t' not found"
  done
  [[ -x $SSHD ]] || die "$SSHD not found (install Debian's openssh-server)"
  ip netns list >/dev/null 2>&1 || die "'ip netns' does not work here (need iproute2 and network namespace support)"
}

# Absolute, normalized path; refuses characters that would need quoting in sshd_config, YAML or JSON.
abs_workdir() {
  local wd=$1
  [[ -n $wd ]] || die "WORKDIR must not be empty"
  wd=$(realpath -m -- "$wd")
  case $wd in
    / | /tmp | /root | /home | /etc | /usr | /var | /opt | /run | /opt/pyro | /var/lib/pyro | /var/lib)
      die "refusing to use '$wd' as WORKDIR" ;;
  esac
  [[ $wd =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "WORKDIR '$wd' may only contain letters, digits and . _ / + -"
  printf '%s' "$wd"
}

host_name_arg() {
  [[ $1 =~ ^h[1-9][0-9]?$ ]] || die "bad host name '$1' (expected h1, h2, ...)"
}

lock() {
  mkdir -p "$(dirname "$LOCK_FILE")"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another testbed.sh is still running (lock $LOCK_FILE held for 120 s)"
}

# ---------------------------------------------------------------------------------------------------------------
# teardown

# True if the process exists and is not a zombie (PID 1 here may take seconds to reap orphans).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != [ZX] ]]
}

# Live (non-zombie) processes in a network namespace.
ns_pids() {
  local p out=""
  for p in $(ip netns pids "$1" 2>/dev/null || true); do
    if alive "$p"; then out+="$p "; fi
  done
  printf '%s' "$out"
}

# Kill every process in a namespace: TERM, then KILL; wait until they are gone.
kill_ns_procs() {
  local ns=$1 pids i
  pids=$(ns_pids "$ns")
  [[ -n ${pids// /} ]] || return 0
  log "killing processes in $ns: $pids"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pids=$(ns_pids "$ns")
    [[ -n ${pids// /} ]] || return 0
    sleep 0.1
  done
  for ((i = 0; i < 50; i++)); do # KILL, again for anything forked meanwhile
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
    pids=$(ns_pids "$ns")
    [[ -n ${pids// /} ]] || return 0
  done
  warn "processes in $ns survived SIGKILL: $pids"
}

# Kill the pid in a pidfile if it is one of our sshds (covers an sshd whose namespace name is already gone).
kill_pidfile_sshd() {
  local pidfile=$1 conf=$2 pid cmd i
  [[ -f $pidfile ]] || return 0
  pid=$(head -n1 "$pidfile" 2>/dev/null | tr -dc 0-9) || true
  [[ -n $pid ]] || return 0
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 0
  [[ $cmd == *"$conf"* ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
}

remove_hosts_block() {
  [[ -f /etc/hosts ]] || return 0
  grep -qxF -e "$MARK_BEGIN" -e "$MARK_END" /etc/hosts || return 0
  local tmp
  tmp=$(mktemp)
  # Drop the marker lines and, between them, only lines that look like ours (robust to a missing end marker).
  awk -v b="$MARK_BEGIN" -v e="$MARK_END" '
    $0 == b { inblock = 1; next }
    $0 == e { inblock = 0; next }
    inblock && $0 ~ /^10\.213\.0\.[0-9]+[ \t]+h[0-9]+[ \t]*$/ { next }
    { print }
  ' /etc/hosts >"$tmp"
  # Rewrite in place (keeps the inode: /etc/hosts may be a bind mount, and the hosts' mount namespaces see it).
  cat "$tmp" >/etc/hosts
  rm -f "$tmp"
}

# Remove a workdir only if it is ours (marker file), or empty.
remove_workdir() {
  local wd=$1
  [[ -e $wd ]] || return 0
  if [[ -f $wd/$WORKDIR_MARKER ]] || [[ -d $wd && -z $(ls -A "$wd" 2>/dev/null) ]]; then
    rm -rf --one-file-system -- "$wd" || warn "could not remove $wd"
  else
    warn "not removing $wd: it is not a testbed workdir (no $WORKDIR_MARKER in it)"
  fi
}

# Tear down everything the testbed may have created on this machine; WORKDIR (if given) too.
# With keep_recorded=keep, the workdir of the last `up` (recorded in $STATE_DIR) is left in place.
cleanup_all() {
  local wd=${1:-} keep_recorded=${2:-} ns dir link prev

  # sshds recorded in the given workdir (normally also found through their namespace below)
  if [[ -n $wd && -d $wd/hosts ]]; then
    for dir in "$wd"/hosts/h*/; do
      [[ -d $dir ]] || continue
      kill_pidfile_sshd "${dir}sshd.pid" "${dir}sshd_config"
    done
  fi

  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${NS_PREFIX}[0-9]+\$" || true); do
    kill_ns_procs "$ns"
    ip netns del "$ns" 2>/dev/null || warn "could not delete network namespace $ns"
  done

  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
    grep -E "^${VETH_PREFIX}[0-9]+\$" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link del "$BRIDGE" 2>/dev/null || warn "could not delete bridge $BRIDGE"
  fi

  remove_hosts_block

  # mount points we created (only if still empty: rmdir never removes content)
  if [[ -f $STATE_DIR/created-dirs ]]; then
    while IFS= read -r dir; do
      [[ -n $dir ]] && rmdir -- "$dir" 2>/dev/null || true
    done <"$STATE_DIR/created-dirs"
    rm -f "$STATE_DIR/created-dirs"
  fi

  # the workdir of the previous `up` (e.g. after a run that was killed with SIGKILL)
  if [[ -f $STATE_DIR/workdir && $keep_recorded != keep ]]; then
    prev=$(cat "$STATE_DIR/workdir")
    rm -f "$STATE_DIR/workdir"
    if [[ -n $prev && $prev != "$wd" && -f $prev/$WORKDIR_MARKER ]]; then
      rm -rf --one-file-system -- "$prev" || true
    fi
  fi

  rmdir "$STATE_DIR" 2>/dev/null || true
  [[ -z $wd ]] || remove_workdir "$wd"
}

# ---------------------------------------------------------------------------------------------------------------
# sshd

write_sshd_config() {
  local wd=$1 name=$2 dir=$wd/hosts/$2
  cat >"$dir/sshd_config" <<EOF
# pyro testbed host $name (generated by scripts/testbed.sh; sshd reads only this file)
ListenAddress $(addr_of "$name"):22
AddressFamily inet
PidFile $dir/sshd.pid
HostKey $dir/ssh_host_ed25519_key
AuthorizedKeysFile $wd/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
AcceptEnv LANG LC_*
MaxStartups 100:30:200
MaxSessions 64
LogLevel VERBOSE
Subsystem sftp internal-sftp
EOF
}

gen_host_key() {
  local dir=$1 name=$2
  rm -f "$dir/ssh_host_ed25519_key" "$dir/ssh_host_ed25519_key.pub"
  ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$dir/ssh_host_ed25519_key" </dev/null >/dev/null ||
    die "ssh-keygen failed for $name's host key"
}

# Start hN's sshd in its namespaces (does not wait for it to listen).
launch_sshd() {
  local wd=$1 name=$2 dir=$wd/hosts/$2 ns out
  ns=$(ns_of "$name")
  [[ -e /run/netns/$ns ]] || die "network namespace $ns does not exist (is the testbed up?)"
  mkdir -p /run/sshd "$dir/opt" "$dir/data"
  [[ -f $wd/resolv.conf ]] || die "$wd/resolv.conf is missing (is the testbed up?)"
  chmod 0755 /run/sshd
  rm -f "$dir/sshd.pid"
  out=$("$SSHD" -t -f "$dir/sshd_config" 2>&1) || die "sshd rejects $dir/sshd_config: $out"
  # sshd daemonizes; unshare's sh is replaced by sshd, so the daemon keeps the new UTS and mount namespaces.
  # The machine's DNS server is unreachable from a host (no forwarding), so every lookup that /etc/hosts cannot
  # answer would wait for DNS timeouts (10 s); a resolv.conf pointing at the host's own loopback fails at once.
  # fd 9 (the lock) must not leak into the daemon.
  if ! ip netns exec "$ns" unshare -m -u --propagation private sh -c '
      set -e
      hostname "$1"
      mount --bind "$2" /opt/pyro
      mount --bind "$3" /var/lib/pyro
      if [ -e /etc/resolv.conf ]; then mount --bind "$6" /etc/resolv.conf; fi # absent: glibc uses 127.0.0.1
      exec /usr/sbin/sshd -f "$4" -E "$5"' \
    sh "$name" "$dir/opt" "$dir/data" "$dir/sshd_config" "$dir/sshd.log" "$wd/resolv.conf" \
    </dev/null >>"$dir/launch.log" 2>&1 9>&-; then
    die "starting sshd for $name in $ns failed: $(tail -n 5 "$dir/launch.log" 2>/dev/null | tr '\n' ' ')"
  fi
}

# Wait until hN's sshd answers with an SSH banner and has written its pidfile.
wait_sshd() {
  local wd=$1 name=$2 dir=$wd/hosts/$2 addr deadline banner pid
  addr=$(addr_of "$name")
  deadline=$((SECONDS + SSHD_TIMEOUT))
  while :; do
    banner=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/22" && head -c 4 <&3' sh "$addr" 2>/dev/null) || true
    pid=$(cat "$dir/sshd.pid" 2>/dev/null | tr -dc 0-9) || true
    if [[ $banner == SSH- && -n $pid ]] && alive "$pid"; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      die "sshd of $name did not start listening on $addr:22 within ${SSHD_TIMEOUT}s;" \
        "last lines of $dir/sshd.log: $(tail -n 5 "$dir/sshd.log" 2>/dev/null | tr '\n' ' ')" \
        "$(tail -n 3 "$dir/launch.log" 2>/dev/null | tr '\n' ' ')"
    fi
    sleep 0.1
  done
}

stop_sshd() {
  local wd=$1 name=$2 dir=$wd/hosts/$2 i addr
  # Only the listening daemon: sessions it started keep running, as when sshd is stopped on a real host.
  kill_pidfile_sshd "$dir/sshd.pid" "$dir/sshd_config"
  rm -f "$dir/sshd.pid"
  # make sure the port is really closed
  addr=$(addr_of "$name")
  for ((i = 0; i < 50; i++)); do
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/22"' sh "$addr" 2>/dev/null || return 0
    sleep 0.1
  done
  die "something still listens on $addr:22 after stopping $name's sshd"
}

# ---------------------------------------------------------------------------------------------------------------
# generated files

host_names() { # h1 h2 ... as present in WORKDIR/hosts, in numeric order
  local wd=$1
  ls -1 "$wd/hosts" 2>/dev/null | grep -E '^h[0-9]+$' | sort -t h -k 2 -n
}

write_hosts_json() {
  local wd=$1 name pid first=1 tmp
  tmp=$(mktemp "$wd/.hosts.json.XXXXXX")
  {
    printf '{\n  "hosts": [\n'
    for name in $(host_names "$wd"); do
      pid=$(cat "$wd/hosts/$name/sshd.pid" 2>/dev/null | tr -dc 0-9) || true
      [[ -n $pid ]] || pid=null
      ((first)) || printf ',\n'
      first=0
      printf '    {"name": "%s", "address": "%s", "sshdPid": %s, "hostKeyPub": "%s", "netns": "%s"}' \
        "$name" "$(addr_of "$name")" "$pid" "$wd/hosts/$name/ssh_host_ed25519_key.pub" "$(ns_of "$name")"
    done
    printf '\n  ],\n  "identity": "%s",\n  "knownHosts": "%s",\n  "inventory": "%s",\n  "user": "root"\n}\n' \
      "$wd/id_ed25519" "$wd/known_hosts" "$wd/inventory.yaml"
  } >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$wd/hosts.json"
}

write_known_hosts() {
  local wd=$1 name type key rest
  : >"$wd/known_hosts"
  for name in $(host_names "$wd"); do
    read -r type key rest <"$wd/hosts/$name/ssh_host_ed25519_key.pub"
    printf '%s,%s %s %s\n' "$name" "$(addr_of "$name")" "$type" "$key" >>"$wd/known_hosts"
  done
}

write_inventory() {
  local wd=$1 n=$2 i
  {
    printf 'cluster:\n  name: testbed\n'
    printf 'defaults:\n  ssh:\n    user: root\n    identity: %s\n' "$wd/id_ed25519"
    printf 'hosts:\n'
    printf '  - name: h1\n    address: %s\n' "$(addr_of h1)"
    printf '    roles: [hdfs-namenode, yarn-resourcemanager, kafka-controller, kafka-broker, hdfs-datanode, yarn-nodemanager, postgresql, superset]\n'
    for ((i = 2; i <= n; i++)); do
      printf '  - name: h%d\n    address: %s\n' "$i" "$(addr_of "h$i")"
      if ((n == 3)); then # three KRaft controllers
        printf '    roles: [hdfs-datanode, yarn-nodemanager, kafka-controller, kafka-broker]\n'
      else # one controller (on h1): keep the quorum odd
        printf '    roles: [hdfs-datanode, yarn-nodemanager, kafka-broker]\n'
      fi
    done
  } >"$wd/inventory.yaml"
}

# ---------------------------------------------------------------------------------------------------------------
# subcommands

cmd_up() {
  [[ $# -eq 2 ]] || usage
  local n=$1 wd name ns veth addr i d
  [[ $n =~ ^[1-9][0-9]*$ ]] && ((n <= MAX_HOSTS)) || die "N must be a number from 1 to $MAX_HOSTS, got '$n'"
  require_root
  require_tools
  wd=$(abs_workdir "$2")
  lock

  # leftovers of an earlier testbed (any workdir)
  cleanup_all ""

  if [[ -e $wd ]]; then
    [[ -d $wd ]] || die "WORKDIR $wd exists and is not a directory"
    if [[ -f $wd/$WORKDIR_MARKER ]]; then
      find "$wd" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system -- {} +
    elif [[ -n $(ls -A "$wd") ]]; then
      die "WORKDIR $wd is not empty and is not a testbed workdir; use a new or empty directory"
    fi
  fi
  mkdir -p "$wd"
  : >"$wd/$WORKDIR_MARKER"
  mkdir -p "$STATE_DIR"
  printf '%s\n' "$wd" >"$STATE_DIR/workdir"

  # From here on, a failure or an interrupt tears down what exists (the workdir stays, for its logs).
  trap 'rc=$?; trap - EXIT; if ((rc != 0)); then cleanup_all "" keep || true; fi; exit $rc' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  log "client key"
  ssh-keygen -q -t ed25519 -N '' -C pyro-testbed -f "$wd/id_ed25519" </dev/null >/dev/null || die "ssh-keygen failed"
  cp "$wd/id_ed25519.pub" "$wd/authorized_keys"
  printf '# pyro testbed: no DNS server is reachable from the hosts; names come from /etc/hosts\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$wd/resolv.conf"
  chmod 0600 "$wd/id_ed25519" "$wd/authorized_keys"

  for d in "${MOUNT_POINTS[@]}"; do
    if [[ ! -e $d ]]; then
      mkdir -p "$d"
      printf '%s\n' "$d" >>"$STATE_DIR/created-dirs"
    fi
    [[ -d $d ]] || die "$d exists and is not a directory"
  done
  mkdir -p /run/sshd
  chmod 0755 /run/sshd

  log "bridge $BRIDGE"
  ip link add "$BRIDGE" type bridge forward_delay 0 stp_state 0 || die "cannot create bridge $BRIDGE"
  ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up

  for ((i = 1; i <= n; i++)); do
    name=h$i ns=$(ns_of "h$i") veth=$(veth_of "h$i") addr=$(addr_of "h$i")
    log "host $name: $ns $addr"
    ip netns add "$ns" || die "cannot create network namespace $ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns" || die "cannot create veth pair for $name"
    ip link set "$veth" master "$BRIDGE"
    ip link set "$veth" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$BRIDGE_ADDR" dev eth0
  done

  # /etc/hosts is shared by every host's mount namespace, so this is also how the hosts find each other.
  remove_hosts_block
  {
    printf '%s\n' "$MARK_BEGIN"
    for ((i = 1; i <= n; i++)); do printf '%s h%d\n' "$(addr_of "h$i")" "$i"; done
    printf '%s\n' "$MARK_END"
  } >>/etc/hosts

  for ((i = 1; i <= n; i++)); do
    name=h$i
    mkdir -p "$wd/hosts/$name/opt" "$wd/hosts/$name/data"
    gen_host_key "$wd/hosts/$name" "$name"
    write_sshd_config "$wd" "$name"
    launch_sshd "$wd" "$name"
  done
  for ((i = 1; i <= n; i++)); do wait_sshd "$wd" "h$i"; done

  write_known_hosts "$wd"
  write_inventory "$wd" "$n"
  write_hosts_json "$wd"

  trap - EXIT INT TERM
  local summary=""
  for ((i = 1; i <= n; i++)); do summary+=" h$i=$(addr_of "h$i")"; done
  printf 'testbed up: %d host(s)%s; workdir %s\n' "$n" "$summary" "$wd"
}

cmd_down() {
  [[ $# -le 1 ]] || usage
  local wd=""
  require_root
  if [[ $# -eq 1 ]]; then wd=$(abs_workdir "$1"); fi
  # A teardown must finish, even when the caller is being interrupted.
  trap '' INT TERM HUP
  lock
  cleanup_all "$wd"
  if [[ -n $wd && -e $wd ]]; then
    printf 'testbed down (%s kept)\n' "$wd"
  else
    printf 'testbed down%s\n' "${wd:+: $wd removed}"
  fi
}

with_host() { # common checks for stop-sshd / start-sshd / rekey
  [[ $# -eq 2 ]] || usage
  host_name_arg "$1"
  require_root
}

cmd_stop_sshd() {
  with_host "$@"
  local name=$1 wd
  wd=$(abs_workdir "$2")
  [[ -d $wd/hosts/$name ]] || die "no host $name in $wd"
  lock
  stop_sshd "$wd" "$name"
  write_hosts_json "$wd"
  printf 'sshd of %s stopped\n' "$name"
}

cmd_start_sshd() {
  with_host "$@"
  local name=$1 wd pid
  wd=$(abs_workdir "$2")
  [[ -d $wd/hosts/$name ]] || die "no host $name in $wd"
  lock
  pid=$(cat "$wd/hosts/$name/sshd.pid" 2>/dev/null | tr -dc 0-9) || true
  if [[ -n $pid ]] && alive "$pid"; then
    printf 'sshd of %s already running (pid %s)\n' "$name" "$pid"
    return 0
  fi
  launch_sshd "$wd" "$name"
  wait_sshd "$wd" "$name"
  write_hosts_json "$wd"
  printf 'sshd of %s started (pid %s)\n' "$name" "$(cat "$wd/hosts/$name/sshd.pid")"
}

cmd_rekey() {
  with_host "$@"
  local name=$1 wd
  wd=$(abs_workdir "$2")
  [[ -d $wd/hosts/$name ]] || die "no host $name in $wd"
  lock
  stop_sshd "$wd" "$name"
  gen_host_key "$wd/hosts/$name" "$name"
  launch_sshd "$wd" "$name"
  wait_sshd "$wd" "$name"
  write_hosts_json "$wd"
  printf 'sshd of %s restarted with a new host key (known_hosts unchanged)\n' "$name"
}

cmd_link() { # cut / heal: the root-namespace end of the host's veth down or up
  local state=$1
  shift
  with_host "$@"
  local name=$1 wd
  wd=$(abs_workdir "$2")
  [[ -d $wd/hosts/$name ]] || die "no host $name in $wd"
  ip link set "$(veth_of "$name")" "$state" || die "cannot set the link of $name $state"
  printf 'link of %s %s\n' "$name" "$state"
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  [[ $SSHD_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "TESTBED_SSHD_TIMEOUT must be a positive number of seconds, got '$SSHD_TIMEOUT'"
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    stop-sshd) cmd_stop_sshd "$@" ;;
    start-sshd) cmd_start_sshd "$@" ;;
    rekey) cmd_rekey "$@" ;;
    cut) cmd_link down "$@" ;;
    heal) cmd_link up "$@" ;;
    -h | --help | help) usage ;;
    *) printf '%s: error: unknown subcommand %s\n' "$PROG" "$cmd" >&2; usage ;;
  esac
}

main "$@"
