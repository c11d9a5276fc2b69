// Read by the Prisma CLI (only `prisma generate` is used; migrations are applied by `npm run migrate`).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  datasource: { url: process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/ticketing' },
});
