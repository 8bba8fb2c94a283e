import { shellQuote } from '../hosts/host.js';

/** Exit code of the prepare script when the user is not root and `sudo -n` is refused. */
export const NO_ROOT_EXIT = 97;
/** Line the prepare script prints between the install's output and the re-check's. */
export const RECHECK_MARKER = '@@pyro-recheck';

/**
 * One sh script for one exec: `commands` as root (directly as root, else through `sudo -n`, else exit
 * NO_ROOT_EXIT without running anything), then `recheck` as the connecting user, so what PATH, JAVA_HOME and
 * the interpreter resolve to is what the services will see. Pure.
 */
export function prepareScript(commands: readonly string[], recheck: string): string {
  const install = shellQuote(['set -e', ...commands].join('\n'));
  return [
    `S=${install}`,
    'if [ "$(id -u)" = 0 ]; then sh -c "$S"; rc=$?',
    // `sudo -n true` first: a refused sudo and a failed install would otherwise share exit code 1.
    'elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n sh -c "$S"; rc=$?',
    `else echo "pyro: $(id -un) is not root and sudo -n asks for a password (or there is no sudo)" >&2; rc=${NO_ROOT_EXIT}; fi`,
    `echo "${RECHECK_MARKER} $rc"`,
    '[ "$rc" = 0 ] || exit "$rc"',
    recheck,
  ].join('\n');
}
