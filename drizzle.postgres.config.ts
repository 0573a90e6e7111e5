import { defineConfig } from 'drizzle-kit';

// PostgreSQL migrations, generated from src/db/postgres/schema.ts (`npm run db:generate`),
// committed, and applied at start by the PostgreSQL adapter.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/postgres/schema.ts',
  out: './migrations/postgres',
});
