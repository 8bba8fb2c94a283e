import { strict as assert } from 'node:assert';
import { LsPlugin, lsPluginBlock, lsSection, lsString, lsValue, numberLiteral, unwritable } from '../../../src/services/logstash/config-syntax.js';
import { readLscl, readLsclValue } from '../../helpers/lscl.js';

// Plain YAML values in Logstash's config language, read back the way Logstash's grammar reads them (strings with
// config.support_escapes on). Hostile strings must come back exactly as written.

const HOSTILE = [
  '',
  '"',
  "'",
  '""',
  'say "hi"',
  "it's",
  'a\\b',
  '\\"',
  '\\\\"x',
  'x\\\\\\"y',
  '\\n is not a newline',
  'line one\nline two',
  'crlf\r\n',
  'tab\there',
  '# not a comment',
  'a => b',
  '} {',
  '[1, 2]',
  '%{COMBINEDAPACHELOG}',
  '^\\[(?<ts>[^\\]]+)\\] %{GREEDYDATA:msg}$',
  '\\d+\\.\\d+',
  'ünïcödé ✓ 🎉',
  '\\0 and x\\0y',
  'a backslash before the end: \\x',
];

describe('logstash config syntax: strings', () => {
  for (const s of HOSTILE) {
    it(`${JSON.stringify(s)} comes back as written`, () => {
      assert.equal(readLsclValue(lsString(s)), s);
    });
  }

  it('escapes only backslash, double quote, newline, carriage return and tab', () => {
    assert.equal(lsString('a"b\\c\nd\re\tf\'g#h'), '"a\\"b\\\\c\\nd\\re\\tf\'g#h"');
  });

  it('random strings of the characters that matter (backslash, quotes, newlines, braces, #, =>) all come back', () => {
    let seed = 11;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    const alphabet = ['\\', '"', "'", '\n', '\r', '\t', 'a', '#', '{', '}', '=', '>', ' ', '0', 'n', 't', 'r', ','];
    let n = 0;
    for (let i = 0; i < 2000; i++) {
      const s = Array.from({ length: 1 + rnd(10) }, () => alphabet[rnd(alphabet.length)]).join('');
      if (s.endsWith('\\')) continue;
      assert.equal(readLsclValue(lsString(s)), s);
      n++;
    }
    assert.ok(n > 1500, `${n} strings`);
  });

  it('a string ending in a backslash is refused: the grammar would take its closing quote for an escaped one', () => {
    // What writing it anyway gives: the value runs on past its quote and swallows what follows.
    const naive = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    assert.throws(() => readLscl(`filter { mutate { a => ${naive('C:\\dir\\')} b => "x" } }`), /expected/);
    assert.throws(() => lsString('C:\\dir\\'), /cannot end in a backslash/);
    assert.deepEqual(unwritable('C:\\dir\\'), { at: [], why: 'ends in a backslash, which no Logstash config string can end in' });
    assert.equal(unwritable('C:\\dir\\x'), undefined);
  });
});

describe('logstash config syntax: numbers, lists, maps, plugins', () => {
  it("numbers in the grammar's form (no exponent), exactly", () => {
    for (const [n, text] of [
      [0, '0'],
      [-0, '0'],
      [42, '42'],
      [-7, '-7'],
      [1.5, '1.5'],
      [0.1, '0.1'],
      [1e21, '1000000000000000000000'],
      [1.25e22, '12500000000000000000000'],
      [1.5e-7, '0.00000015'],
      [-2.5e-8, '-0.000000025'],
    ] as const) {
      assert.equal(numberLiteral(n), text, String(n));
      assert.equal(readLsclValue(lsValue(n)), n === 0 ? 0 : n);
    }
    assert.equal(numberLiteral(Infinity), undefined);
    assert.equal(numberLiteral(NaN), undefined);
    assert.match(unwritable([1, NaN])!.why, /NaN is not a number/);
  });

  it('lists inline, maps one entry a line with quoted keys, booleans bare; nesting comes back as written', () => {
    const v = { 'a "key"': ['x', 1, true, { nested: ['y'] }], 'line\nkey': {}, empty: [] };
    const text = lsValue(v, 2);
    assert.equal(text, '{\n    "a \\"key\\"" => ["x", 1, true, {\n      "nested" => ["y"]\n    }]\n    "line\\nkey" => {}\n    "empty" => []\n  }');
    // Booleans read back as the barewords Logstash's validators take as true and false.
    assert.deepEqual(readLsclValue(text), { 'a "key"': ['x', 1, 'true', { nested: ['y'] }], 'line\nkey': {}, empty: [] });
  });

  it('a plugin as a value (a codec): bare without options, a block with them', () => {
    assert.equal(lsValue(new LsPlugin('json')), 'json');
    assert.equal(lsPluginBlock(new LsPlugin('plain', [['format', '%{message}']]), 0), 'plain {\n  format => "%{message}"\n}');
    assert.throws(() => lsPluginBlock(new LsPlugin('mutate', [['bad name', 1]])), /not a Logstash option or plugin name/);
  });

  it('a section of plugin blocks reads back; a section without plugins is left out', () => {
    const text = lsSection('filter', [new LsPlugin('mutate', [['add_tag', ['a', 'b']]]), new LsPlugin('json', [['source', 'message']])]);
    assert.deepEqual(readLscl(text), {
      input: [],
      filter: [
        { plugin: 'mutate', options: [['add_tag', ['a', 'b']]] },
        { plugin: 'json', options: [['source', 'message']] },
      ],
      output: [],
    });
    assert.equal(lsSection('filter', []), '');
  });

  it('unwritable locates what cannot be written inside a value: null, a key or an item ending in a backslash', () => {
    assert.deepEqual(unwritable({ a: [1, null] }), { at: ['a', 1], why: 'is empty (null), which has no form in a Logstash config' });
    assert.deepEqual(unwritable({ 'k\\': 1 }), { at: ['k\\'], why: 'is a key ending in a backslash, which no Logstash config string can end in' });
    assert.deepEqual(unwritable({ m: { message: ['ok', 'bad\\'] } }), {
      at: ['m', 'message', 1],
      why: 'ends in a backslash, which no Logstash config string can end in',
    });
    assert.equal(unwritable({ a: ['x', 1.5, false, { b: {} }] }), undefined);
  });
});
