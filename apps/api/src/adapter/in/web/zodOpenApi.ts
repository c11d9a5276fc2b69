// Adds `.openapi()` to zod schemas. Imported (for its effect) by every module that declares
// schemas, so the order modules load in never matters.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);
