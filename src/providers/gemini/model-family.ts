/**
 * What a model id says about the request shape it needs. Google's ids are open-ended ("gemini-flash-latest",
 * "gemini-3.5-pro-preview-…"), so only known OLD families are special-cased: anything unrecognised gets the
 * newest behaviour, which is what an alias will point at.
 */

/** The id without a `models/` or `tunedModels/` resource prefix, lower-cased. */
function bareId(model: string): string {
  return model.replace(/^(?:models|tunedModels)\//, '').toLowerCase();
}

/** Gemma models on AI Studio reject `systemInstruction` ("Developer instruction is not enabled"). */
export function isGemma(model: string): boolean {
  return bareId(model).startsWith('gemma-');
}

/** Gemini 1.x and 2.x: no thinkingLevel, no thought-signature validation on replayed function calls. */
export function isPreGemini3(model: string): boolean {
  const id = bareId(model);
  return /^gemini-[12](?:[.-]|$)/.test(id) || /^gemini-pro(?:-vision)?$/.test(id);
}

/** Gemini 3 and later (and unknown Gemini aliases): thinkingLevel, strict thought-signature validation. */
export function usesGemini3Features(model: string): boolean {
  return bareId(model).startsWith('gemini-') && !isPreGemini3(model);
}

/** Models that cannot think at all: sending a thinkingConfig would fail upstream with a less clear message. */
export function cannotThink(model: string): boolean {
  const id = bareId(model);
  return /^gemini-(?:1(?:[.-]|$)|2\.0(?:[.-]|$))/.test(id) || /^gemini-pro(?:-vision)?$/.test(id);
}
