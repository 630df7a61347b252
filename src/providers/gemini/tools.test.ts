import { describe, expect, it } from 'vitest';
import type { FunctionTool } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { toTools } from './tools.js';

const weather: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};
const time: FunctionTool = { type: 'function', name: 'get_time', parameters: {} };

describe('toTools', () => {
  it('declares functions with full JSON Schema parameters', () => {
    expect(toTools([weather, time], undefined)).toEqual({
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather for a city',
              parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            },
            { name: 'get_time', parametersJsonSchema: { type: 'object' } },
          ],
        },
      ],
    });
  });

  it('maps tool choice to functionCallingConfig', () => {
    const config = (choice: Parameters<typeof toTools>[1], tools = [weather, time]) => toTools(tools, choice).toolConfig;
    expect(config({ type: 'auto' })).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(config({ type: 'none' })).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(config({ type: 'required' })).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(config({ type: 'function', name: 'get_time' })).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time'] },
    });
  });

  it('uses VALIDATED for strict tools when the model may choose, ANY when a call is forced', () => {
    const strict = { ...weather, strict: true };
    expect(toTools([strict], undefined).toolConfig).toEqual({ functionCallingConfig: { mode: 'VALIDATED' } });
    expect(toTools([strict], { type: 'auto' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'VALIDATED' } });
    expect(toTools([strict], { type: 'required' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
  });

  it('sends nothing without tools, and refuses a forced call without tools or to an unknown function', () => {
    expect(toTools(undefined, { type: 'auto' })).toEqual({});
    expect(toTools([], { type: 'none' })).toEqual({});
    expect(() => toTools([], { type: 'required' })).toThrow(UnsupportedFeatureError);
    expect(() => toTools([weather], { type: 'function', name: 'nope' })).toThrow(UnsupportedFeatureError);
  });
});
