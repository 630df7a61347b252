// Cost of the guardrail detectors: each alone and all together over a 4 KB prompt (median and
// p99 per call), and throughput over 64 KB and 1 MB inputs, to show the cost grows linearly; then
// adversarial inputs (the repetitive runs that make a backtracking pattern blow up) at three sizes,
// each time over the one before, which stays near the size ratio when growth is linear.
// Usage: npx tsx bench/guardrails.ts [iterations for 4 KB, default 2000]
// The prompt is ordinary text of the kind a gateway sees (prose, a code block, a date, a version
// number, an email address): no secret and no injection, the common case the budget is for.
// Figures move with other load on the machine: compare them side by side, in one run.
import { detectInjection } from '../src/guardrails/injection/detect.js';
import { detectPii } from '../src/guardrails/pii/detect.js';
import { scanText } from '../src/guardrails/scan.js';
import { detectSecrets } from '../src/guardrails/secrets/detect.js';

const PARAGRAPHS = [
  'Summarise the following meeting notes for the team and list the action items with owners and due dates.',
  'On 2026-03-14 we agreed to migrate the billing service to version 4.2.1 before the end of the quarter; Maria owns the rollout.',
  'The latency regression came from the new cache layer: p95 went from 180 ms to 420 ms under load, mostly on cold keys.',
  'Contact the vendor at support@vendor.example.com if the export job fails again; they asked for the job id and the time.',
  '```ts\nexport function retry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {\n  return fn().catch((e) => (attempts > 1 ? retry(fn, attempts - 1) : Promise.reject(e)));\n}\n```',
  'Next steps: review the dashboards, write the incident report, and schedule a follow-up for Thursday at 10:30.',
];

function promptOf(bytes: number): string {
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${PARAGRAPHS[i % PARAGRAPHS.length]}\n\n`;
  return text.slice(0, bytes);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function measure(fn: (text: string) => unknown, text: string, iterations: number): { medianUs: number; p99Us: number } {
  for (let i = 0; i < Math.min(200, iterations); i++) fn(text);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    fn(text);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { medianUs: percentile(samples, 50), p99Us: percentile(samples, 99) };
}

const iterations = Number(process.argv[2] ?? 2000);
const detectors: [string, (text: string) => unknown][] = [
  ['pii', detectPii],
  ['secrets', detectSecrets],
  ['injection', (text) => detectInjection(text)],
  ['all (scanText)', (text) => scanText(text)],
];

const small = promptOf(4096);
// Warm every detector up before timing any of them: the optimising compiler runs on a background
// thread, and on a busy machine it can lag behind, so the first detector timed used to be measured
// partly unoptimised (pii read ~1.7x its steady-state cost when it went first).
for (let round = 0; round < 3; round++) for (const [, fn] of detectors) for (let i = 0; i < 300; i++) fn(small);
console.log(`4 KB prompt, ${iterations} calls each`);
console.log('detector          median µs   p99 µs');
for (const [name, fn] of detectors) {
  const { medianUs, p99Us } = measure(fn, small, iterations);
  console.log(`${name.padEnd(16)} ${medianUs.toFixed(1).padStart(10)} ${p99Us.toFixed(1).padStart(8)}`);
}

// The same prompt as typeset text: em dashes, curly quotes, no-break spaces before units. The
// PII and secret detectors read such text through detection-view.ts (ASCII skips it).
const typeset = small.replace(/ - /g, ' \u2014 ').replace(/'/g, '\u2019').replace(/ ms\b/g, '\u00a0ms');
const typesetCost = measure((text) => scanText(text), typeset, iterations);
console.log(
  `${'all, typeset text'.padEnd(16)} ${typesetCost.medianUs.toFixed(1).padStart(10)} ${typesetCost.p99Us.toFixed(1).padStart(8)}`,
);

console.log('\nall detectors by input size (linear growth: MB/s should stay about the same)');
console.log('size      median ms    MB/s');
for (const [label, bytes, runs] of [
  ['4 KB', 4096, iterations],
  ['64 KB', 65_536, 200],
  ['1 MB', 1_048_576, 15],
] as const) {
  const { medianUs } = measure((text) => scanText(text), promptOf(bytes), runs);
  console.log(
    `${label.padEnd(8)} ${(medianUs / 1000).toFixed(3).padStart(10)} ${(bytes / 1_048_576 / (medianUs / 1e6)).toFixed(1).padStart(7)}`,
  );
}

// Repetitive runs aimed at each detector's patterns (the unit tests check these end and yield
// nothing; how their cost grows is measured here, never asserted in a test).
const ADVERSARIAL: [string, (repeats: number) => string][] = [
  ['digits and separators', (n) => '1 2 '.repeat(n) + ' 12-34-'.repeat(n / 2)],
  ['local part, then dots', (n) => `${'a'.repeat(n)}@${'b.'.repeat(n)}`],
  ['at signs', (n) => '@'.repeat(2 * n)],
  ['key= prefixes', (n) => 'key='.repeat(n)],
  ['JWT-like run', (n) => `eyJ${'A'.repeat(4 * n)}`],
  ['PEM headers', (n) => '-----BEGIN '.repeat(n / 2)],
  ['attack word, brackets', (n) => 'ignore '.repeat(n / 2) + '<'.repeat(n / 2) + '[ '.repeat(n / 2)],
  ['escape sequences', (n) => '%49\\u0067&#110;x'.repeat(n / 2)],
  ['spelt-out letters', (n) => 'i g n o r e   '.repeat(n / 2)],
  ['hidden characters', (n) => '\u{e0049}\u{e0020}\ufe0f\u{e0110}\u2062\u2064 x'.repeat(n / 2)],
  ['Braille cells', (n) => '\u2801\u2820\u283c\u2803 \u2800'.repeat(n / 2)],
  ['NATO words, spaces', (n) => 'Alfa Bravo   ,  Charlie / '.repeat(n / 4) + 'Tango      '.repeat(n / 2)],
  ['substitution words', (n) => 'gur naq lbh eht uoy gsv, '.repeat(n / 2)],
  ['base85-like run', (n) => 'AAAAA9jqo^'.repeat(n / 2)],
  ['upper-case lines', (n) => 'MAAAABBBBCCCCDDDD: X\n'.repeat(n / 4)],
  ['colons on one line', (n) => 'A: '.repeat(n)],
  // base64 words that each decode to text with an address in it: every one is decoded and read
  ['base64 words with values', (n) => `${Buffer.from('mail a@b.io').toString('base64')} `.repeat(n / 2)],
  // lines of one width that read as a wrapped run: joined into one, decoded once, and in a
  // stream looked back over from its end
  ['wrapped base64 lines', (n) => `${Buffer.from('mail a@b.io, ok').toString('base64')}\n`.repeat(n / 2)],
  // one run of single characters that reads as a list of addresses, every one found
  ['spelt-out addresses', (n) => 'a @ b . i o , '.repeat(n / 2)],
  // one chain of joined string literals that reads as a list of addresses; quotes that never close
  ['joined literals', (n) => `"a@b.io, " + `.repeat(n / 2) + `'x "y `.repeat(n / 2)],
  // one chain of literals with comments between them that reads as a list of addresses; then
  // gaps of comment openers that never close
  ['comments between literals', (n) => `"a@b.io, " /* c */ + `.repeat(n / 2) + `"x" ${'/* // '.repeat(40)}"y" `.repeat(n / 64)],
  // one list of literals in a join call that reads as a list of addresses; then arguments
  // that are joined by no call
  ['literals in a join call', (n) => `"".join([${'"a@b.io", '.repeat(n / 2)}])${' f("x", "y");'.repeat(n / 2)}`],
  // one list of quoted characters that reads as a list of addresses; then commas and symbols
  ['lists of characters', (n) => `[${"'a', '@', 'b', '.', 'i', 'o', ' ', ".repeat(n / 8)}] ${'x, /, '.repeat(n / 2)}`],
  // tokens of Latin and Cyrillic look-alike letters, each read as Latin, among Cyrillic words
  ['mixed-script tokens', (n) => 'Сервисa billingа вырос, в Kubernetesе ok. '.repeat(n / 4)],
  // numbers written in words, each a phone number read and found; then digit words that never
  // make a run ("one or two")
  ['number words', (n) => 'call two one two, five five five, oh one eight two. '.repeat(n / 8) + 'one or two, '.repeat(n / 2)],
  // tokens that read backwards like a key's start and are none: each is read by the detectors
  ['keys written backwards', (n) => 'x8Ea2Sg4Dh6Fc1Jb5Nz0_phg '.repeat(n / 2)],
  // a token broken over lines at every line: each break joins a head and the next line's start
  ['tokens broken over lines', (n) => 'see ab12cd34ef\nghij and '.repeat(n / 2)],
];
const SMALL_REPEATS = 10_000;
const SIZE_RATIO = 4;
// Three sizes, two ratios: a garbage collection that lands in one measurement moves one ratio
// (single runs read 5–6.6 for cases that grow 4 times from the next size on), while growth
// faster than linear moves both (quadratic: near 16 each).
console.log(
  `\nall detectors on adversarial input: ${SMALL_REPEATS}, ${SIZE_RATIO * SMALL_REPEATS} and ${SIZE_RATIO ** 2 * SMALL_REPEATS} repeats (linear: both time ratios near ${SIZE_RATIO})`,
);
console.log('input                     small ms   large ms  larger ms   ratio  ratio');
for (const [label, make] of ADVERSARIAL) {
  const smallMs = measure((text) => scanText(text), make(SMALL_REPEATS), 9).medianUs / 1000;
  const largeMs = measure((text) => scanText(text), make(SIZE_RATIO * SMALL_REPEATS), 5).medianUs / 1000;
  const largerMs = measure((text) => scanText(text), make(SIZE_RATIO ** 2 * SMALL_REPEATS), 3).medianUs / 1000;
  console.log(
    `${label.padEnd(24)} ${smallMs.toFixed(2).padStart(9)} ${largeMs.toFixed(2).padStart(10)} ${largerMs.toFixed(2).padStart(10)} ${(largeMs / smallMs).toFixed(2).padStart(7)} ${(largerMs / largeMs).toFixed(2).padStart(6)}`,
  );
}
