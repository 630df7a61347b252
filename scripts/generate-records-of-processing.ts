/**
 * Writes docs/records-of-processing.md from the data map (src/governance/data-map.ts).
 * Run after changing the map: `npx tsx scripts/generate-records-of-processing.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RECORDS_OF_PROCESSING_PATH, renderRecordsOfProcessing } from '../src/governance/records-of-processing.js';

const target = fileURLToPath(new URL(`../${RECORDS_OF_PROCESSING_PATH}`, import.meta.url));
writeFileSync(target, renderRecordsOfProcessing());
console.log(`wrote ${RECORDS_OF_PROCESSING_PATH}`);
