/**
 * A JSON reader that keeps numbers as their text, so BIGINT and DECIMAL
 * values are read exactly (JSON.parse would round them through a double).
 *
 * Nodes: null, boolean, string, JsonNumber (the number's text), JsonNode[]
 * (arrays) and JsonObject (objects; a later duplicate key wins). Errors are
 * FormatError naming the character position (1-based) and what was found.
 */
import { FormatError } from './row-format.ts';

export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type JsonObject = Map<string, JsonNode>;
export type JsonNode = null | boolean | string | JsonNumber | JsonNode[] | JsonObject;

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseJson(text: string): JsonNode {
  const reader = new JsonReader(text);
  reader.skipSpace();
  const node = reader.value(0);
  reader.skipSpace();
  if (reader.pos < text.length) reader.fail('end of input');
  return node;
}

/** Compact JSON text of a node (for a JSON or string column given a non-string value). */
export function jsonNodeText(node: JsonNode): string {
  if (node === null) return 'null';
  if (typeof node === 'boolean') return node ? 'true' : 'false';
  if (typeof node === 'string') return JSON.stringify(node);
  if (node instanceof JsonNumber) return node.text;
  if (Array.isArray(node)) return `[${node.map(jsonNodeText).join(',')}]`;
  let out = '{';
  for (const [k, v] of node) out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${jsonNodeText(v)}`;
  return out + '}';
}

const MAX_DEPTH = 512;

class JsonReader {
  readonly #text: string;
  pos = 0;
  constructor(text: string) {
    this.#text = text;
  }

  fail(expected: string): never {
    const found = this.pos >= this.#text.length ? 'end of line' : `'${this.#text[this.pos]}'`;
    throw new FormatError(`invalid JSON at character ${this.pos + 1}: expected ${expected}, found ${found}`);
  }

  skipSpace(): void {
    const t = this.#text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      this.pos++;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new FormatError(`invalid JSON: nested deeper than ${MAX_DEPTH} levels`);
    const t = this.#text;
    const c = t[this.pos];
    switch (c) {
      case '{':
        return this.#object(depth);
      case '[':
        return this.#array(depth);
      case '"':
        return this.#string();
      case 't':
        return this.#word('true', true);
      case 'f':
        return this.#word('false', false);
      case 'n':
        return this.#word('null', null);
      default: {
        NUMBER_RE.lastIndex = this.pos;
        const m = NUMBER_RE.exec(t);
        if (m === null) this.fail('a JSON value');
        this.pos = NUMBER_RE.lastIndex;
        return new JsonNumber(m[0]);
      }
    }
  }

  #word<T extends JsonNode>(word: string, v: T): T {
    if (!this.#text.startsWith(word, this.pos)) this.fail('a JSON value');
    this.pos += word.length;
    return v;
  }

  #object(depth: number): JsonObject {
    const out: JsonObject = new Map();
    this.pos++;
    this.skipSpace();
    if (this.#text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.#text[this.pos] !== '"') this.fail('a string key');
      const key = this.#string();
      this.skipSpace();
      if (this.#text[this.pos] !== ':') this.fail("':'");
      this.pos++;
      this.skipSpace();
      out.set(key, this.value(depth + 1));
      this.skipSpace();
      const c = this.#text[this.pos];
      this.pos++;
      if (c === '}') return out;
      if (c !== ',') {
        this.pos--;
        this.fail("',' or '}'");
      }
    }
  }

  #array(depth: number): JsonNode[] {
    const out: JsonNode[] = [];
    this.pos++;
    this.skipSpace();
    if (this.#text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.#text[this.pos];
      this.pos++;
      if (c === ']') return out;
      if (c !== ',') {
        this.pos--;
        this.fail("',' or ']'");
      }
    }
  }

  #string(): string {
    const t = this.#text;
    let i = this.pos + 1;
    const start = i;
    // Fast path: no escapes.
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return t.slice(start, i);
      }
      if (c === 92 || c < 32) break;
      i++;
    }
    let out = t.slice(start, i);
    for (;;) {
      if (i >= t.length) {
        this.pos = i;
        this.fail("'\"' closing the string");
      }
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return out;
      }
      if (c < 32) {
        this.pos = i;
        this.fail('an escaped control character');
      }
      if (c !== 92) {
        out += t[i];
        i++;
        continue;
      }
      const e = t[i + 1];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = i;
            this.fail('four hex digits after \\u');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.pos = i + 1;
          this.fail('an escape sequence');
      }
      i += 2;
    }
  }
}
