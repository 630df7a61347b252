/**
 * zod → OpenAPI 3.1 pieces shared by every part of the document (openapi.ts). zod 4's
 * toJSONSchema emits JSON Schema 2020-12, the dialect OpenAPI 3.1 uses.
 */
import { z } from 'zod';

export type JsonObject = Record<string, unknown>;

export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // `unrepresentable: 'any'`: a refinement or transform has no JSON Schema form; its base type is still documented.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonObject;
  return rest;
}

/** Hono's `:name` path parameters as OpenAPI's `{name}`. */
export const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z][A-Za-z0-9_]*)/g, '{$1}');

export function parameters(schema: z.ZodObject, location: 'path' | 'query'): JsonObject[] {
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}
