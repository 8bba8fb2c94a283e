// Import rules CI enforces (`npm run lint:deps`): no cycles, and layers that only look down.
// Layers, bottom up: util, render, pki, ui -> inventory -> hosts, clients, state, artifacts, prepare -> services -> check,
// produce, phases, init -> cli. Type-only imports count: a cycle through types is still a cycle.
const layer = (name, path, mayNot) => ({
  name: `layer-${name}`,
  comment: `${path} must not import ${mayNot.join(', ')}`,
  severity: 'error',
  from: { path },
  to: { path: mayNot.map((p) => `^src/${p}/`) },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import cycles make layers meaningless', from: {}, to: { circular: true } },
    layer('util', '^src/(util|render|pki)/', [
      'inventory',
      'hosts',
      'clients',
      'state',
      'artifacts',
      'services',
      'phases',
      'cli',
      'check',
      'prepare',
      'produce',
      'init',
    ]),
    layer('inventory', '^src/inventory/', ['hosts', 'clients', 'state', 'artifacts', 'services', 'phases', 'cli', 'check', 'prepare', 'produce', 'ui', 'init']),
    layer('low', '^src/(hosts|clients|state|artifacts|prepare)/', ['services', 'phases', 'cli', 'check', 'produce', 'init']),
    layer('services', '^src/services/', ['phases', 'cli', 'check', 'prepare', 'produce', 'init']),
    layer('verbs', '^src/(phases|check|produce|init)/', ['cli']),
    {
      name: 'no-orphans',
      severity: 'warn',
      comment: 'a module nothing imports is dead code (entry points excepted)',
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '^src/cli/(index|write-schema)\\.ts$', '(^|/)\\.[^/]+\\.(c|m)?js$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
