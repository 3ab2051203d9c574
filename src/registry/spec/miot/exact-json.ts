/**
 * JSON.parse, except that an integer literal beyond 2^53 - 1 becomes a bigint instead of a rounded
 * number. MIoT-Spec-V2 documents write uint64/int64 ranges as plain JSON numbers
 * (`[0, 18446744073709551615, 1]`), which `JSON.parse` would round to a value the format cannot hold.
 * Node 20 has no JSON.parse source-text access, hence this small parser. Errors are SyntaxErrors
 * naming the offset, like JSON.parse's.
 */
export type ExactJson =
  | null
  | boolean
  | number
  | bigint
  | string
  | ExactJson[]
  | { [key: string]: ExactJson };

const MAX_DEPTH = 64;

export function parseExactJson(text: string): ExactJson {
  const parser = new Parser(text);
  parser.space();
  const value = parser.value(0);
  parser.space();
  if (parser.at < text.length) parser.fail('unexpected text after the JSON value');
  return value;
}

class Parser {
  at = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.at}`);
  }

  space(): void {
    while (this.at < this.#text.length && ' \t\n\r'.includes(this.#text.charAt(this.at))) this.at++;
  }

  value(depth: number): ExactJson {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.#text.charAt(this.at);
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, result] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.#text.startsWith(word, this.at)) {
        this.at += word.length;
        return result;
      }
    }
    return this.fail(c === '' ? 'unexpected end of JSON input' : `unexpected token ${JSON.stringify(c)}`);
  }

  object(depth: number): { [key: string]: ExactJson } {
    const result: { [key: string]: ExactJson } = {};
    this.at++;
    this.space();
    if (this.#text.charAt(this.at) === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      if (this.#text.charAt(this.at) !== '"') this.fail('expected a property name');
      const key = this.string();
      this.space();
      if (this.#text.charAt(this.at) !== ':') this.fail('expected ":"');
      this.at++;
      this.space();
      // defineProperty, so a "__proto__" key is an ordinary key, as with JSON.parse.
      Object.defineProperty(result, key, {
        value: this.value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.space();
      const next = this.#text.charAt(this.at++);
      if (next === '}') return result;
      if (next !== ',') this.fail('expected "," or "}"');
    }
  }

  array(depth: number): ExactJson[] {
    const result: ExactJson[] = [];
    this.at++;
    this.space();
    if (this.#text.charAt(this.at) === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      result.push(this.value(depth + 1));
      this.space();
      const next = this.#text.charAt(this.at++);
      if (next === ']') return result;
      if (next !== ',') this.fail('expected "," or "]"');
    }
  }

  string(): string {
    const start = this.at;
    this.at++;
    for (;;) {
      const c = this.#text.charAt(this.at);
      if (c === '') this.fail('unterminated string');
      if (c === '"') break;
      if (c === '\\') this.at++;
      else if (c < ' ') this.fail('control character in string');
      this.at++;
    }
    this.at++;
    // The literal is well delimited now; JSON.parse decodes its escapes (and rejects bad ones).
    return JSON.parse(this.#text.slice(start, this.at)) as string;
  }

  number(): number | bigint {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(
      this.#text.slice(this.at, this.at + 400),
    );
    if (match === null) return this.fail('malformed number');
    this.at += match[0].length;
    const value = Number(match[0]);
    const integerLiteral = match[2] === undefined && match[3] === undefined;
    return integerLiteral && !Number.isSafeInteger(value) ? BigInt(match[0]) : value;
  }
}

/**
 * JSON.stringify that writes bigints as plain integer literals (what MIoT documents contain), so
 * `parseExactJson(stringifyExactJson(x))` gives `x` back.
 */
export function stringifyExactJson(value: unknown, indent = 2): string {
  // A marker no real text contains: bigints become marked strings, then the quotes come off.
  const marker = `\u0001bigint${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v),
    indent,
  );
  const escaped = JSON.stringify(marker).slice(1, -1);
  return text.replace(new RegExp(`"${escaped.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}(-?[0-9]+)"`, 'g'), '$1');
}
