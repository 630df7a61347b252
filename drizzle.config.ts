import { defineConfig } from 'drizzle-kit';

// Generates SQL migrations from src/db/schema. Roles, grants, FORCE RLS and SECURITY DEFINER
// functions live in hand-written migrations next to the generated ones (drizzle-kit --custom).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './src/db/migrations',
  entities: { roles: true },
  strict: true,
});
