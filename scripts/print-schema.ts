/** Writes the sorted SDL to schema/schema.graphql (`npm run schema:print`); the drift test compares against it. */
import { writeFileSync } from 'node:fs';
import { printSortedSchema } from '../src/schema/index.js';

writeFileSync(new URL('../schema/schema.graphql', import.meta.url), printSortedSchema());
process.stdout.write('schema/schema.graphql written\n');
