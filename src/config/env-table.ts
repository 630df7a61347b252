import { variableMeta, variablesSchema, VARIABLE_NAMES } from './variables.js';

function defaultOf(name: (typeof VARIABLE_NAMES)[number]): string {
  const meta = variableMeta(name);
  if (meta.defaultLabel) return meta.defaultLabel;
  const parsed = variablesSchema.shape[name].safeParse(undefined);
  return parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : '(none)';
}

/**
 * The README's configuration table, generated from the zod schema so the two cannot drift
 * (a test compares them). Every variable can also be given as NAME_FILE.
 */
export function environmentTable(): string {
  const rows = VARIABLE_NAMES.map((name) => {
    const meta = variableMeta(name);
    const flag = meta.flag ? ` (flag \`${meta.flag}\`)` : '';
    const secret = meta.secret ? ' **Secret.**' : '';
    return `| \`${name}\` | ${defaultOf(name)} | ${meta.description}${secret}${flag} |`;
  });
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}
