// A reader of the Logstash pipeline configs pyro writes, following Logstash's grammar (lscl_grammar.treetop) where
// pyro's output goes: comments, sections, plugins, options, and values (double-quoted strings, barewords, numbers,
// arrays, hashes, plugins as values). Strings are read as the grammar's PEG rule reads them, `\"` taken as a unit
// and any other character one at a time, then unescaped as config.support_escapes does (\\ \" \' \n \r \t). So a
// string the grammar would misread is misread here too.

export interface LsclPlugin {
  plugin: string;
  options: [string, LsclValue][];
}
export type LsclValue = string | number | LsclValue[] | { [k: string]: LsclValue } | LsclPlugin;
export type LsclConfig = Record<'input' | 'filter' | 'output', LsclPlugin[]>;

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t' };

export function unescape(s: string): string {
  return s.replace(/\\(.)/g, (m: string, c: string) => ESCAPES[c] ?? m);
}

class Reader {
  i = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    const line = this.text.slice(0, this.i).split('\n').length;
    throw new Error(`expected ${what} at line ${line}: ${JSON.stringify(this.text.slice(this.i, this.i + 40))}`);
  }

  /** Whitespace and comments (a comment runs to the end of its line). */
  skip(): void {
    for (;;) {
      const m = /^(?:[ \t\r\n]+|#[^\r\n]*\r?\n)/.exec(this.text.slice(this.i));
      if (!m) return;
      this.i += m[0].length;
    }
  }

  eat(token: string): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.i)) return false;
    this.i += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.eat(token)) this.fail(JSON.stringify(token));
  }

  match(re: RegExp): string | undefined {
    this.skip();
    const m = re.exec(this.text.slice(this.i));
    if (!m) return undefined;
    this.i += m[0].length;
    return m[0];
  }

  string(): string | undefined {
    this.skip();
    if (this.text[this.i] !== '"') return undefined;
    let j = this.i + 1;
    for (;;) {
      if (j >= this.text.length) this.fail('a closing quote');
      if (this.text.startsWith('\\"', j)) j += 2;
      else if (this.text[j] === '"') break;
      else j += 1;
    }
    const raw = this.text.slice(this.i + 1, j);
    this.i = j + 1;
    return unescape(raw);
  }

  value(): LsclValue {
    const s = this.string();
    if (s !== undefined) return s;
    if (this.eat('[')) {
      const items: LsclValue[] = [];
      if (this.eat(']')) return items;
      do items.push(this.value());
      while (this.eat(','));
      this.expect(']');
      return items;
    }
    if (this.eat('{')) {
      const hash: Record<string, LsclValue> = {};
      while (!this.eat('}')) {
        const key = this.string() ?? this.fail('a quoted hash key');
        if (key in hash) this.fail(`no duplicate key ${key}`);
        this.expect('=>');
        hash[key] = this.value();
      }
      return hash;
    }
    const n = this.match(/^-?[0-9]+(\.[0-9]*)?(?![A-Za-z0-9_])/);
    if (n !== undefined) return Number(n);
    const word = this.match(/^[A-Za-z_][A-Za-z0-9_]+/) ?? this.fail('a value');
    return this.eat('{') ? this.pluginBody(word) : word;
  }

  pluginBody(plugin: string): LsclPlugin {
    const options: [string, LsclValue][] = [];
    while (!this.eat('}')) {
      const name = this.match(/^[A-Za-z0-9_-]+/) ?? this.fail('an option name');
      this.expect('=>');
      options.push([name, this.value()]);
    }
    return { plugin, options };
  }

  config(): LsclConfig {
    const out: LsclConfig = { input: [], filter: [], output: [] };
    for (;;) {
      this.skip();
      if (this.i >= this.text.length) return out;
      const section = (this.match(/^(input|filter|output)\b/) ?? this.fail('input, filter or output')) as keyof LsclConfig;
      this.expect('{');
      while (!this.eat('}')) {
        const plugin = this.match(/^[A-Za-z0-9_-]+/) ?? this.fail('a plugin');
        this.expect('{');
        out[section].push(this.pluginBody(plugin));
      }
    }
  }
}

/** A pipeline config as Logstash reads it: each section's plugins with their options in order. */
export function readLscl(text: string): LsclConfig {
  return new Reader(text).config();
}

/** One value as Logstash reads it (a string, number, array, hash or bareword). */
export function readLsclValue(text: string): LsclValue {
  const r = new Reader(text);
  const v = r.value();
  r.skip();
  if (r.i !== text.length) r.fail('the end of the value');
  return v;
}

/** A plugin's options as an object (for assertions; a repeated option keeps its last value). */
export function optionsOf(p: LsclPlugin): Record<string, LsclValue> {
  return Object.fromEntries(p.options);
}
