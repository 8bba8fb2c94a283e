import { shellQuote as q } from '../hosts/host.js';

/**
 * Shell functions every host-side script of `up`, `down` and `status` starts with. A process is pyro's only when
 * its pid file names a live process whose command line has the role's marker argument, so a recycled pid is
 * never signalled. Output lines start with '@' and are parsed by pyro.
 */
export const HOST_PRELUDE = String.raw`
pyro_pid() { # PIDFILE MARKER: prints the pid when it is alive and ours
  [ -s "$1" ] || return 1
  p=$(cat "$1" 2>/dev/null) || return 1
  case "$p" in ''|*[!0-9]*) return 1;; esac
  tr '\0' '\n' < "/proc/$p/cmdline" 2>/dev/null | grep -qxF -- "$2" || return 1
  echo "$p"
}
pyro_state() { # ROLE PIDFILE MARKER HASHFILE
  if p=$(pyro_pid "$2" "$3"); then
    up=$(ps -o etimes= -p "$p" 2>/dev/null | tr -d ' '); [ -n "$up" ] || up=0
    echo "@svc $1 running $p $up $(cat "$4" 2>/dev/null || echo -)"
  elif [ -s "$2" ]; then echo "@svc $1 dead - 0 $(cat "$4" 2>/dev/null || echo -)"
  else echo "@svc $1 stopped - 0 -"; fi
}
pyro_file() { # ROLE NAME PATH: the file's content, base64 on one line
  [ -f "$3" ] && echo "@file $1 $2 $(base64 -w0 < "$3")"
  return 0
}
pyro_formatted() { # ROLE DIR DONE
  if [ -e "$3" ]; then echo "@formatted $1 yes"
  elif [ -d "$2" ] && [ -n "$(ls -A "$2" 2>/dev/null)" ]; then echo "@formatted $1 foreign"
  else echo "@formatted $1 no"; fi
}
# sync FILE is fsync (coreutils >= 8.24, Debian 9 on); an older sync ignores the name and flushes everything instead.
pyro_put() { # PATH MODE, content as base64 on stdin: written beside the target, synced, renamed over it, dir synced
  mkdir -p "$(dirname "$1")" && base64 -d > "$1.pyro-tmp" && chmod "$2" "$1.pyro-tmp" && sync "$1.pyro-tmp" && mv -f "$1.pyro-tmp" "$1" ||
    { rm -f "$1.pyro-tmp"; return 1; }
  sync "$(dirname "$1")" 2>/dev/null || :
}
pyro_port_busy() { # PORT: true when something listens on it
  h=$(printf ':%04X' "$1")
  awk -v h="$h" 'NR>1 && $4=="0A" && substr($2, length($2)-4)==h {f=1} END{exit !f}' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
pyro_tail() { # ROLE FILE...: last lines of each file that exists, as @log lines
  r=$1; shift
  for f in "$@"; do [ -s "$f" ] && { echo "@log $r ==> $f <=="; tail -n 25 "$f" | sed "s|^|@log $r |"; }; done
  return 0
}
pyro_format() { # ROLE DIR DONE LOG ARGV...: once; an unrecognised non-empty dir is refused, never wiped
  r=$1 d=$2 done=$3 log=$4; shift 4
  if [ -e "$done" ]; then echo "@format $r kept"; return 0; fi
  if [ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ]; then
    echo "@fail $r $d holds files but no $(basename "$done"): pyro formats only empty dirs"; return 1
  fi
  mkdir -p "$d" "$(dirname "$log")"
  if "$@" > "$log" 2>&1 < /dev/null; then echo "@format $r done"; return 0; fi
  echo "@fail $r formatting $d failed, see $log"; pyro_tail "$r" "$log"; return 1
}
pyro_before_start() { # ROLE LOGS RUNDIR PORT...: ports free, dirs made, the last 5 stdout files kept
  r=$1 logs=$2; mkdir -p "$logs" "$3"; shift 3
  for port in "$@"; do
    if pyro_port_busy "$port"; then echo "@fail $r port $port is already in use by another process"; return 1; fi
  done
  out="$logs/$r.out"
  for i in 4 3 2 1; do [ -f "$out.$i" ] && mv -f "$out.$i" "$out.$((i+1))"; done
  [ -f "$out" ] && mv -f "$out" "$out.1"
  return 0
}
pyro_start() { # ROLE CONF LOGS PIDFILE HASHFILE MARKER HASH PORT...
  r=$1 conf=$2 logs=$3 pf=$4 hf=$5 mk=$6 hash=$7; shift 7
  if p=$(pyro_pid "$pf" "$mk"); then echo "@running $r $p"; return 0; fi
  pyro_before_start "$r" "$logs" "$(dirname "$pf")" "$@" || return 1
  out="$logs/$r.out"
  # The redirections cover the whole background subshell: one left holding our stdout would keep the SSH
  # channel open for the daemon's lifetime. setsid detaches it from the session, so it outlives this one.
  (cd "$logs" && exec setsid nohup sh "$conf/run.sh") > "$out" 2>&1 < /dev/null &
  echo $! > "$pf.tmp" && mv -f "$pf.tmp" "$pf"
  printf '%s\n' "$hash" > "$hf"
  echo "@started $r $!"
}
pyro_sd() { if [ "$(id -u)" = 0 ]; then systemctl "$@"; else systemctl --user "$@"; fi; }
pyro_sd_ok() { # ROLE: systemd runs here and this user may keep units running
  if [ ! -d /run/systemd/system ] || ! command -v systemctl >/dev/null 2>&1; then
    echo "@fail $1 supervisor systemd: systemd is not running on this host"; return 1
  fi
  if [ "$(id -u)" != 0 ] && ! loginctl show-user "$(id -un)" -p Linger 2>/dev/null | grep -q '=yes'; then
    echo "@fail $1 supervisor systemd: user units stop at logout unless lingering is on (loginctl enable-linger $(id -un))"; return 1
  fi
}
pyro_sd_state() { # ROLE UNIT HASHFILE
  if [ ! -d /run/systemd/system ]; then echo "@svc $1 stopped - 0 -"; echo "@nosystemd $1"; return 0; fi
  st=$(pyro_sd show -p ActiveState --value "$2" 2>/dev/null); p=$(pyro_sd show -p MainPID --value "$2" 2>/dev/null)
  if [ "$st" = active ] && [ -n "$p" ] && [ "$p" != 0 ]; then
    up=$(ps -o etimes= -p "$p" 2>/dev/null | tr -d ' '); [ -n "$up" ] || up=0
    echo "@svc $1 running $p $up $(cat "$3" 2>/dev/null || echo -)"
  elif [ "$st" = failed ]; then echo "@svc $1 dead - 0 $(cat "$3" 2>/dev/null || echo -)"
  else echo "@svc $1 stopped - 0 -"; fi
}
pyro_sd_start() { # ROLE CONF LOGS UNIT HASHFILE HASH PORT...: the unit file lives in CONF and is linked
  r=$1 conf=$2 logs=$3 unit=$4 hf=$5 hash=$6; shift 6
  pyro_sd_ok "$r" || return 1
  if [ "$(pyro_sd show -p ActiveState --value "$unit" 2>/dev/null)" = active ]; then echo "@running $r"; return 0; fi
  pyro_before_start "$r" "$logs" "$(dirname "$hf")" "$@" || return 1
  if ! { pyro_sd link "$conf/$unit" >/dev/null 2>&1 || [ -e "/etc/systemd/system/$unit" ]; } || ! pyro_sd daemon-reload || ! pyro_sd enable "$unit" >/dev/null 2>&1 || ! pyro_sd start "$unit"; then
    echo "@fail $r systemctl start $unit failed"; pyro_sd status "$unit" --no-pager 2>&1 | tail -n 15 | sed "s|^|@log $r |"; return 1
  fi
  printf '%s\n' "$hash" > "$hf"
  echo "@started $r $(pyro_sd show -p MainPID --value "$unit")"
}
pyro_sd_stop() { # ROLE UNIT: systemd sends TERM, then KILL after the unit's TimeoutStopSec
  if [ -d /run/systemd/system ] && [ "$(pyro_sd show -p ActiveState --value "$2" 2>/dev/null)" = active ]; then
    pyro_sd stop "$2" && echo "@stopped $1 clean" || echo "@stopped $1 failed"
  else echo "@stopped $1 not-running"; fi
}
pyro_stop() { # ROLE PIDFILE MARKER GRACE_SECONDS: TERM, then KILL after the grace period
  if ! p=$(pyro_pid "$2" "$3"); then rm -f "$2"; echo "@stopped $1 not-running"; return 0; fi
  kill -TERM "$p" 2>/dev/null
  i=0; n=$(( $4 * 4 ))
  while [ $i -lt $n ] && pyro_pid "$2" "$3" >/dev/null; do sleep 0.25; i=$((i+1)); done
  how=clean
  if pyro_pid "$2" "$3" >/dev/null; then kill -KILL "$p" 2>/dev/null; how=forced; sleep 0.5; fi
  rm -f "$2"; echo "@stopped $1 $how"
}
`;

/** A command line from argv, each word quoted for sh. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(q).join(' ');
}

/** Lines pyro parses from a host script: `@kind word word rest…`. */
export interface ScriptLine {
  kind: string;
  words: string[];
  /** Everything after the kind and first word (a role), for messages. */
  rest: string;
}

export function parseLines(stdout: string): ScriptLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('@'))
    .map((l) => {
      const [kind, ...words] = l.slice(1).split(' ');
      const i = l.indexOf(' ', l.indexOf(' ') + 1);
      return { kind: kind!, words, rest: i < 0 ? '' : l.slice(i + 1) };
    });
}
