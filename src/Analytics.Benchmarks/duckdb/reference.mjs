// DuckDB reference for issue 31's full-rebuild target: builds the asset SQL compiled for DuckDB (by the benchmark's
// DuckDbReferenceDialect) on the same raw tables (exported from PostgreSQL after ingest), in dependency order, and
// prints each asset's rows and how long the builds took. Run by `Analytics.Benchmarks duckdb`; usage:
//   node reference.mjs COMPILED_SQL RAW_DIR [DATABASE_FILE]
// (a file, as PostgreSQL's tables are; without one, an in-memory database).
// RAW_DIR holds <schema>.<table>.csv and <schema>.<table>.columns (name<TAB>PostgreSQL type per line).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [compiledPath, rawDir, databaseFile] = process.argv.slice(2);
if (!compiledPath || !rawDir) {
  console.error('usage: node reference.mjs COMPILED_SQL RAW_DIR [DATABASE_FILE]');
  process.exit(2);
}

// PostgreSQL types as DuckDB spells them; numeric without a precision holds any value, so the widest decimal.
const duckType = (pg) => {
  const t = pg.toLowerCase();
  if (t === 'numeric') return 'DECIMAL(38, 9)';
  if (t.startsWith('numeric(')) return t.replace('numeric', 'DECIMAL');
  if (t === 'timestamp with time zone') return 'TIMESTAMPTZ';
  if (t === 'timestamp without time zone') return 'TIMESTAMP';
  if (t === 'text' || t.startsWith('character varying') || t === 'jsonb' || t === 'json') return 'VARCHAR';
  if (t === 'bigint' || t === 'integer' || t === 'smallint' || t === 'boolean' || t === 'date' || t === 'uuid' || t === 'double precision') return t.toUpperCase();
  throw new Error(`no DuckDB type for PostgreSQL ${pg}`);
};

const db = await DuckDBInstance.create(databaseFile ?? ':memory:');
const c = await db.connect();
await c.run("set TimeZone = 'UTC'");
// PostgreSQL's integer / integer truncates (period indexes are day counts / 7); DuckDB's gives a double unless told.
await c.run('set integer_division = true');

const schemas = new Set();
const ensureSchema = async (schema) => {
  if (!schemas.has(schema)) { await c.run(`create schema "${schema}"`); schemas.add(schema); }
};

for (const file of readdirSync(rawDir).filter(f => f.endsWith('.columns'))) {
  const name = file.slice(0, -'.columns'.length);
  await ensureSchema(name.split('.')[0]);
  const columns = readFileSync(join(rawDir, file), 'utf8').trim().split('\n').filter(Boolean)
    .map(l => l.split('\t')).map(([n, t]) => [n, duckType(t)]);
  await c.run(`create table ${name} (${columns.map(([n, t]) => `"${n}" ${t}`).join(', ')})`);
  await c.run(`insert into ${name} select * from read_csv('${join(rawDir, name + '.csv')}', header = true, auto_detect = false, `
    + `columns = {${columns.map(([n, t]) => `'${n}': '${t}'`).join(', ')}})`);
}

// The compiled file: "-- schema.key" then the asset's SQL, in dependency order.
const assets = [];
for (const block of readFileSync(compiledPath, 'utf8').split(/^-- (?=[a-z_0-9]+\.[a-z_0-9]+\n)/m).filter(b => b.trim())) {
  const newline = block.indexOf('\n');
  const [schema, key] = block.slice(0, newline).trim().split('.');
  assets.push({ schema, key, sql: block.slice(newline + 1).trim().replace(/;\s*$/, '') });
}

const started = performance.now();
for (const a of assets) {
  await ensureSchema(a.schema);
  const t0 = performance.now();
  try {
    await c.run(`create table "${a.schema}"."${a.key}" as ${a.sql}`);
  } catch (e) {
    console.error(`${a.key}: ${e.message}`);
    process.exit(1);
  }
  const rows = (await c.runAndReadAll(`select count(*) from "${a.schema}"."${a.key}"`)).getRows()[0][0];
  console.log(`${a.key.padEnd(36)} ${String(rows).padStart(10)} rows ${((performance.now() - t0) / 1000).toFixed(2)}s`);
}
console.log(`duckdb builds: ${((performance.now() - started) / 1000).toFixed(2)} s for ${assets.length} assets`);
