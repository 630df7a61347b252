/**
 * Function tools → `tools: [{ functionDeclarations }]` and tool choice → `toolConfig.functionCallingConfig`.
 * Parameters go out as full JSON Schema (`parametersJsonSchema`), not the lossy OpenAPI subset.
 *
 * `strict` tools use mode VALIDATED (calls are schema-constrained, text answers stay possible) when the model
 * may choose; a forced call uses ANY, which also constrains calls. `parallelToolCalls` has no Gemini knob and
 * is not sent: Gemini decides how many calls to make.
 */
import type { FunctionTool, ToolChoice } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { prepareJsonSchema } from './schema.js';
import type { WireFunctionDeclaration, WireGenerateContentRequest, WireToolConfig } from './wire-request.js';

export function toTools(
  tools: readonly FunctionTool[] | undefined,
  choice: ToolChoice | undefined,
): Pick<WireGenerateContentRequest, 'tools' | 'toolConfig'> {
  if (tools === undefined || tools.length === 0) {
    if (choice?.type === 'required' || choice?.type === 'function') {
      throw new UnsupportedFeatureError('gemini', 'tool_choice', 'tool_choice requires a tool call but no tools were given');
    }
    return {};
  }
  const functionDeclarations = tools.map((tool): WireFunctionDeclaration => ({
    name: tool.name,
    ...(tool.description !== undefined && tool.description !== '' ? { description: tool.description } : {}),
    parametersJsonSchema: prepareJsonSchema(tool.parameters, { what: `parameters of tool ${tool.name}`, objectRoot: true }),
  }));
  const strict = tools.some((tool) => tool.strict === true);
  return { tools: [{ functionDeclarations }], ...toolConfig(choice, strict, tools) };
}

function toolConfig(choice: ToolChoice | undefined, strict: boolean, tools: readonly FunctionTool[]): { toolConfig?: WireToolConfig } {
  switch (choice?.type) {
    case undefined:
      return strict ? { toolConfig: { functionCallingConfig: { mode: 'VALIDATED' } } } : {};
    case 'auto':
      return { toolConfig: { functionCallingConfig: { mode: strict ? 'VALIDATED' : 'AUTO' } } };
    case 'none':
      return { toolConfig: { functionCallingConfig: { mode: 'NONE' } } };
    case 'required':
      return { toolConfig: { functionCallingConfig: { mode: 'ANY' } } };
    case 'function':
      if (!tools.some((tool) => tool.name === choice.name)) {
        throw new UnsupportedFeatureError('gemini', 'tool_choice', 'tool_choice names a function that is not among the tools');
      }
      return { toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } } };
  }
}
