import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { foreignKeyKey, indexKey, type ColumnDescription, type SchemaDescription } from './schemaDescription.js';

// The schema parser Prisma itself uses (WebAssembly); CommonJS, hence require.
const { get_dmmf } = createRequire(import.meta.url)('@prisma/prisma-schema-wasm') as {
  get_dmmf(params: string): string;
};

export const SCHEMA_PATH = new URL('../../../prisma/schema.prisma', import.meta.url);

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isRequired: boolean;
  nativeType: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: Array<{ name: string }>;
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
}

/** What each Prisma type becomes on MySQL when the field names no native type. */
const DEFAULT_TYPES: Record<string, string> = {
  Int: 'int',
  BigInt: 'bigint',
  String: 'varchar(191)',
  Boolean: 'tinyint(1)',
  Float: 'double',
  Decimal: 'decimal(65,30)',
  DateTime: 'datetime(3)',
  Json: 'json',
  Bytes: 'longblob',
};

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

export async function describePrismaSchema(path: URL = SCHEMA_PATH): Promise<SchemaDescription> {
  const text = await readFile(path, 'utf8');
  return describeDmmf(JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', text]] }))) as Dmmf);
}

function describeDmmf(dmmf: Dmmf): SchemaDescription {
  const models = new Map(dmmf.datamodel.models.map((model) => [model.name, model]));
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((candidate) => candidate.name === fieldName);
    if (field === undefined) throw new Error(`${model.name} has no field ${fieldName}`);
    return field.dbName ?? field.name;
  };

  const description: SchemaDescription = {};
  for (const model of models.values()) {
    const columns: Record<string, ColumnDescription> = {};
    const foreignKeys: string[] = [];
    for (const field of model.fields) {
      if (field.kind === 'scalar') columns[field.dbName ?? field.name] = describeField(field);
      else if (field.kind === 'object' && (field.relationFromFields?.length ?? 0) > 0) {
        const target = models.get(field.type);
        if (target === undefined) throw new Error(`${model.name}.${field.name} points at unknown model ${field.type}`);
        foreignKeys.push(
          foreignKeyKey(
            (field.relationFromFields ?? []).map((name) => columnOf(model, name)),
            tableOf(target),
            (field.relationToFields ?? []).map((name) => columnOf(target, name)),
            REFERENTIAL_ACTIONS[field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull')] ?? '?',
            REFERENTIAL_ACTIONS[field.relationOnUpdate ?? 'Cascade'] ?? '?',
          ),
        );
      } else if (field.kind !== 'object') throw new Error(`${model.name}.${field.name}: ${field.kind} fields are not described yet`);
    }
    const modelIndexes = dmmf.datamodel.indexes.filter((index) => index.model === model.name);
    const columnsOf = (index: DmmfIndex) => index.fields.map((field) => columnOf(model, field.name));
    description[tableOf(model)] = {
      columns,
      primaryKey: modelIndexes.filter((index) => index.type === 'id').flatMap(columnsOf),
      indexes: [
        ...new Set(
          modelIndexes
            .filter((index) => index.type === 'unique' || index.type === 'normal')
            .map((index) => indexKey(index.type === 'unique', columnsOf(index))),
        ),
      ].sort(),
      foreignKeys: foreignKeys.sort(),
    };
  }
  return description;
}

function describeField(field: DmmfField): ColumnDescription {
  const type = field.nativeType === null ? DEFAULT_TYPES[field.type] : nativeType(field.nativeType);
  if (type === undefined) throw new Error(`no MySQL type known for Prisma type ${field.type}`);
  return { type, nullable: !field.isRequired, default: describeDefault(field.default) };
}

function nativeType([name, args]: [string, string[]]): string {
  const unsigned = /^Unsigned(.+)$/.exec(name);
  const base = (unsigned ? unsigned[1]! : name).toLowerCase();
  return `${base}${args.length > 0 ? `(${args.join(',')})` : ''}${unsigned ? ' unsigned' : ''}`;
}

/** Defaults the database holds; those Prisma generates in the client (uuid(), cuid()) are not. */
function describeDefault(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') return String(value);
  const { name, args } = value as { name: string; args: unknown[] };
  if (name === 'autoincrement' || name === 'now') return name;
  if (name === 'dbgenerated') return String(args[0]);
  return null;
}
