/**
 * Rolling upgrades run the new migrations while the previous version still serves (expand, then
 * contract: docs/upgrades.md). A migration that drops, renames or narrows something the previous
 * version reads or writes breaks those replicas mid-upgrade. This check finds such statements so a
 * reviewer sees them: each must carry a `-- portcullis:contract <why the previous release no longer
 * needs it>` line in its migration, or be rewritten as an expand step.
 */

export type UnsafeStatement = { rule: string; statement: string };

/** Statement shapes the previous release may depend on, with the reason each is unsafe mid-upgrade. */
const UNSAFE_PATTERNS: readonly { rule: string; pattern: RegExp }[] = [
  { rule: 'drop table (the previous release may still read or write it)', pattern: /\bdrop\s+table\b/i },
  { rule: 'drop column (the previous release may still select or insert it)', pattern: /\bdrop\s+column\b/i },
  {
    rule: 'rename (the previous release uses the old name)',
    pattern: /\brename\s+(column\s+|constraint\s+)?[\w"]+\s+to\b|\brename\s+to\b/i,
  },
  {
    rule: 'column type change (the previous release may write values the new type refuses)',
    pattern: /\balter\s+column\s+[\w"]+\s+(set\s+data\s+)?type\b/i,
  },
  { rule: 'set not null (the previous release may insert rows without the column)', pattern: /\bset\s+not\s+null\b/i },
  { rule: 'drop function (the previous release may still call it)', pattern: /\bdrop\s+function\b/i },
  {
    rule: 'add a NOT NULL column without a default (the previous release inserts rows without it)',
    pattern: /\badd\s+column\s+(?:if\s+not\s+exists\s+)?[\w"]+\s+(?:(?!\bdefault\b)[^,;])*\bnot\s+null\b(?:(?!\bdefault\b)[^,;])*$/i,
  },
];

const CONTRACT_MARKER = /^[ \t]*--[ \t]*portcullis:contract[ \t]+\S.{10,}$/m;

/** Drizzle separates statements with this marker; plain `;` also ends one. */
function statementsOf(sqlText: string): string[] {
  // A function body ($$ … $$ or $tag$ … $tag$) runs later, when called: what it drops is the
  // function's business (e.g. retention dropping a partition), not this migration's.
  const withoutBodies = sqlText.replace(/\$(\w*)\$[\s\S]*?\$\1\$/g, "''");
  const withoutComments = withoutBodies
    .split('\n')
    .map((line) => line.replace(/--(?!>).*$/, ''))
    .join('\n');
  return withoutComments
    .split(/-->\s*statement-breakpoint|;\s*\n/)
    .map((s) => s.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim())
    .filter((s) => s.length > 0);
}

/** Unsafe statements in one migration, or none when it declares itself a contract step with a reason. */
export function unsafeStatements(sqlText: string): UnsafeStatement[] {
  if (CONTRACT_MARKER.test(sqlText)) return [];
  const found: UnsafeStatement[] = [];
  for (const statement of statementsOf(sqlText)) {
    for (const { rule, pattern } of UNSAFE_PATTERNS) {
      if (pattern.test(statement)) found.push({ rule, statement: statement.slice(0, 160) });
    }
  }
  return found;
}
