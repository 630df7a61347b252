/**
 * The texts of the tools a request offers the model and of the answer format it asks for: each
 * description, and the descriptions and titles inside their JSON schemas. The provider puts them
 * into the prompt, so a customer's address in a tool's description or a blocked project name in
 * a parameter's reaches it like any turn. Written by the application, or handed to it by an MCP
 * server: judged as developer text (PII, secrets, custom rules; not the injection model, to which
 * every tool description reads as an instruction), and read for tool poisoning, orders hidden in
 * a description (tool-poisoning.ts). Names, enums, patterns and defaults are left alone: changing
 * them would change what the tool accepts.
 */
import { isObject, stringSlot, type JsonObject, type TextSlot } from './text-slots.js';

/** Deeper than any schema a client sends; a body nested past it is not walked further. */
const MAX_SCHEMA_DEPTH = 32;

/** Every `description` and `title` string in a JSON schema. */
function schemaTextSlots(schema: unknown, at: string, depth = 0): TextSlot[] {
  if (depth > MAX_SCHEMA_DEPTH) return [];
  if (Array.isArray(schema)) return schema.flatMap((value, i) => schemaTextSlots(value, `${at}[${i}]`, depth + 1));
  if (!isObject(schema)) return [];
  return Object.entries(schema).flatMap(([key, value]) =>
    (key === 'description' || key === 'title') && typeof value === 'string'
      ? stringSlot(schema, key, `${at}.${key}`, 'system')
      : schemaTextSlots(value, `${at}.${key}`, depth + 1),
  );
}

/** A tool or format object's own description and its schema's texts, marked as definitions. */
const describedSlots = (holder: JsonObject, at: string, schemaKey: string): TextSlot[] =>
  [...stringSlot(holder, 'description', `${at}.description`, 'system'), ...schemaTextSlots(holder[schemaKey], `${at}.${schemaKey}`)].map(
    (slot): TextSlot => ({ ...slot, definition: true }),
  );

const each = (list: unknown, at: string, slots: (item: JsonObject, at: string) => TextSlot[]): TextSlot[] =>
  Array.isArray(list) ? list.flatMap((item, i) => (isObject(item) ? slots(item, `${at}[${i}]`) : [])) : [];

/** Chat Completions: function and custom tools, and a JSON-schema `response_format`. */
export function chatToolDefinitionSlots(body: JsonObject): TextSlot[] {
  const tools = each(body.tools, 'tools', (tool, at) => [
    ...(isObject(tool.function) ? describedSlots(tool.function, `${at}.function`, 'parameters') : []),
    ...(isObject(tool.custom) ? describedSlots(tool.custom, `${at}.custom`, 'format') : []),
  ]);
  const format = body.response_format;
  const schema =
    isObject(format) && isObject(format.json_schema) ? describedSlots(format.json_schema, 'response_format.json_schema', 'schema') : [];
  return [...tools, ...schema];
}

/** Anthropic Messages: each tool's description and input schema. */
export function anthropicToolDefinitionSlots(body: JsonObject): TextSlot[] {
  return each(body.tools, 'tools', (tool, at) => describedSlots(tool, at, 'input_schema'));
}

/**
 * Responses: the tools a remote MCP server listed (`mcp_list_tools`, in an answer and replayed
 * with the conversation): each description and its input schema's texts, judged like the tools
 * the application offers.
 */
export function mcpListedToolSlots(item: JsonObject, at: string): TextSlot[] {
  return item.type === 'mcp_list_tools'
    ? each(item.tools, `${at}.tools`, (tool, toolAt) => describedSlots(tool, toolAt, 'input_schema'))
    : [];
}

/** Responses: function and custom tools (flat), and a JSON-schema `text.format`. */
export function responsesToolDefinitionSlots(body: JsonObject): TextSlot[] {
  const tools = each(body.tools, 'tools', (tool, at) => describedSlots(tool, at, tool.type === 'custom' ? 'format' : 'parameters'));
  const format =
    isObject(body.text) && isObject(body.text.format) && body.text.format.type === 'json_schema' ? body.text.format : undefined;
  return [...tools, ...(format ? describedSlots(format, 'text.format', 'schema') : [])];
}
