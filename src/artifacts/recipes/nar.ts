import type { AssembleContext } from '../types.js';

/** A NAR's coordinates, as its manifest names them (Nar-Group, Nar-Id, Nar-Version). */
export interface NarId {
  group: string;
  id: string;
  version: string;
}

export interface NarSpec {
  /** The NAR's own coordinates. */
  nar: NarId;
  /** The parent NAR whose class loader this one's delegates to. */
  parent: NarId;
  /** The tree's lib/: its jars are the system class path, and the parent NARs below are read from it. */
  lib: string;
  /** A dir of jars: the processors' jar and its runtime closure. */
  closure: string;
  /** Where to write the .nar. */
  out: string;
  /** File names in lib/ of the parent NAR and its ancestors: jars they bundle are left to them. */
  parentNars: string[];
}

/**
 * Writes a NAR the way the NAR plugin lays one out: the closure's jars in META-INF/bundled-dependencies, minus every
 * jar the system class path (lib/*.jar) or an ancestor NAR already provides, so API classes stay shared with the
 * other NARs; a manifest naming the NAR and its parent.
 */
const BUILD_NAR_PY = String.raw`
import json, os, re, sys, zipfile
spec = json.loads(sys.argv[1])
lib, closure, out = spec['lib'], spec['closure'], spec['out']
def name(f):
    m = re.match(r'^(.*?)-\d', f)
    return m.group(1) if m else f[:-4]
provided = {name(f) for f in os.listdir(lib) if f.endswith('.jar')}
for p in spec['parentNars']:
    with zipfile.ZipFile(os.path.join(lib, p)) as z:
        provided |= {name(os.path.basename(n)) for n in z.namelist() if '/bundled-dependencies/' in n and n.endswith('.jar')}
keep = sorted(f for f in os.listdir(closure) if f.endswith('.jar') and name(f) not in provided)
nar, parent = spec['nar'], spec['parent']
manifest = ''.join(f'{k}: {v}\r\n' for k, v in [
    ('Manifest-Version', '1.0'), ('Created-By', 'pyro (assembled from Maven Central jars)'),
    ('Nar-Group', nar['group']), ('Nar-Id', nar['id']), ('Nar-Version', nar['version']),
    ('Nar-Dependency-Group', parent['group']), ('Nar-Dependency-Id', parent['id']), ('Nar-Dependency-Version', parent['version'])]) + '\r\n'
with zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED) as z:
    z.writestr('META-INF/', '')
    z.writestr('META-INF/MANIFEST.MF', manifest)
    z.writestr('META-INF/bundled-dependencies/', '')
    for f in keep:
        z.write(os.path.join(closure, f), 'META-INF/bundled-dependencies/' + f)
print(f'{out}: {len(keep)} bundled jars; left to parents/lib: {len(os.listdir(closure)) - len(keep)}')
`;

/** Builds the NAR `spec` describes (python3 on this machine, like the rest of an assembly). */
export async function buildNar(ctx: AssembleContext, spec: NarSpec): Promise<void> {
  await ctx.run(['python3', '-c', BUILD_NAR_PY, JSON.stringify(spec)]);
}
