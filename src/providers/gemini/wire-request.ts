/**
 * The request side of the Gemini (AI Studio, v1beta) wire format, as far as this adapter writes it.
 * Field names follow the REST JSON form (camelCase) of google.ai.generativelanguage.v1beta.
 */

export type WireTextPart = { text: string; thought?: true; thoughtSignature?: string };
export type WireInlineDataPart = { inlineData: { mimeType: string; data: string } };
export type WireFileDataPart = { fileData: { fileUri: string; mimeType?: string } };
export type WireFunctionCallPart = {
  functionCall: { id?: string; name: string; args: Record<string, unknown> };
  thoughtSignature?: string;
};
export type WireFunctionResponsePart = {
  functionResponse: { id?: string; name: string; response: Record<string, unknown> };
};

export type WirePart = WireTextPart | WireInlineDataPart | WireFileDataPart | WireFunctionCallPart | WireFunctionResponsePart;
export type WireMediaPart = WireInlineDataPart | WireFileDataPart;

export type WireContent = { role: 'user' | 'model'; parts: WirePart[] };

export type WireFunctionDeclaration = { name: string; description?: string; parametersJsonSchema: Record<string, unknown> };

export type WireToolConfig = {
  functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED'; allowedFunctionNames?: string[] };
};

export type WireThinkingConfig = {
  thinkingBudget?: number;
  thinkingLevel?: 'minimal' | 'low' | 'medium' | 'high';
  includeThoughts?: boolean;
};

export type WireGenerationConfig = {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  candidateCount?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: WireThinkingConfig;
};

export type WireGenerateContentRequest = {
  contents: WireContent[];
  systemInstruction?: { parts: WireTextPart[] };
  tools?: { functionDeclarations: WireFunctionDeclaration[] }[];
  toolConfig?: WireToolConfig;
  generationConfig?: WireGenerationConfig;
};
