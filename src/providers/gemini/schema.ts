/**
 * JSON Schema as Gemini accepts it in `parametersJsonSchema` (tools) and `responseJsonSchema` (structured
 * output). Both take real JSON Schema, so nothing is down-converted to the older OpenAPI subset; two things
 * still fail upstream and are fixed here:
 *  - a root `$schema` keyword;
 *  - `$ref` next to other keywords ("only description and default can be set alongside $ref"), which
 *    pydantic and zod emit routinely. Local references (`#/$defs/…`, `#/definitions/…`) are inlined.
 *
 * Inlining is bounded: a client-supplied schema whose references expand exponentially, or nest absurdly
 * deep, is refused instead of exhausting memory or the stack. A reference cycle is cut at the second visit
 * (the recursive node keeps only its `type`), which is the price of inlining recursive schemas.
 */
import { UnsupportedFeatureError } from '../types.js';

const MAX_NODES = 20_000;
const MAX_DEPTH = 64;
const MAX_REF_CHAIN = 16;

/** Keywords whose value maps names to subschemas: the names are data, never keywords. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas']);
/** Keywords whose value is instance data, copied untouched (a `default` object may well contain "$ref"). */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);
/** Containers of inlined definitions: dropped once every local reference has been expanded. */
const DEFINITIONS = new Set(['$defs', 'definitions']);

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Resolves `#/a/b` against the root, following own properties only (never `__proto__` and friends). */
function resolvePointer(root: JsonObject, ref: string): unknown {
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (isObject(node) && Object.hasOwn(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}

export type PrepareOptions = {
  /** Names the schema in error messages ("tool parameters", "response_format schema"). */
  what: string;
  /** Tool parameters must describe an object. */
  objectRoot: boolean;
};

export function prepareJsonSchema(schema: JsonObject, options: PrepareOptions): JsonObject {
  let budget = MAX_NODES;
  const tooLarge = () => new UnsupportedFeatureError('gemini', 'json_schema', `the ${options.what} are too large or too deeply nested`);

  const visit = (node: unknown, depth: number, refChain: readonly string[]): unknown => {
    if (--budget < 0 || depth > MAX_DEPTH) throw tooLarge();
    if (Array.isArray(node)) return node.map((item) => visit(item, depth + 1, refChain));
    if (!isObject(node)) return node;

    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      const target = resolvePointer(schema, ref);
      if (isObject(target)) {
        const siblings = visitKeywords(
          Object.entries(node).filter(([key]) => key !== '$ref' && !DEFINITIONS.has(key)),
          depth,
          refChain,
        );
        if (refChain.includes(ref) || refChain.length >= MAX_REF_CHAIN) {
          const type = target.type;
          return Object.fromEntries([...(type !== undefined ? [['type', type] as const] : []), ...siblings]);
        }
        const expanded = visit(target, depth + 1, [...refChain, ref]);
        // Keywords written next to the $ref (a description, usually) win over the definition's own.
        return Object.fromEntries([...Object.entries(isObject(expanded) ? expanded : {}), ...siblings]);
      }
    }
    return Object.fromEntries(
      visitKeywords(
        Object.entries(node).filter(([key]) => !DEFINITIONS.has(key)),
        depth,
        refChain,
      ),
    );
  };

  // Object.fromEntries defines own properties, so a key spelled "__proto__" stays data.
  const visitKeywords = (entries: [string, unknown][], depth: number, refChain: readonly string[]): [string, unknown][] =>
    entries.map(([key, value]): [string, unknown] => {
      if (DATA_KEYWORDS.has(key)) return [key, structuredClone(value)];
      if (SCHEMA_MAPS.has(key) && isObject(value)) {
        return [key, Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, visit(sub, depth + 2, refChain)]))];
      }
      return [key, visit(value, depth + 1, refChain)];
    });

  const prepared = visit(schema, 0, []);
  const root: JsonObject = isObject(prepared) ? prepared : {};
  const { $schema: _dropped, ...rest } = root;
  if (options.objectRoot && rest.type === undefined) return { type: 'object', ...rest };
  return rest;
}
