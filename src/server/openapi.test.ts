import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { apiRoutes } from './api.js';
import { buildOpenApi, operationId } from './openapi.js';
import { startTestServer } from './test-support.js';

/** The parts of the OpenAPI 3.1 structure this document uses, as a schema (ours, from the specification's field tables). */
const OPENAPI_SUBSET = {
  type: 'object',
  required: ['openapi', 'info', 'paths', 'components'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    info: { type: 'object', required: ['title', 'version'], properties: { title: { type: 'string' }, version: { type: 'string' } } },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace', 'parameters', 'summary', 'description'] },
        additionalProperties: {
          type: 'object',
          required: ['operationId', 'responses'],
          properties: {
            operationId: { type: 'string' },
            parameters: {
              type: 'array',
              items: { type: 'object', required: ['name', 'in', 'schema'], properties: { in: { enum: ['path', 'query', 'header', 'cookie'] }, required: { type: 'boolean' } } },
            },
            requestBody: { type: 'object', required: ['content'] },
            responses: {
              type: 'object',
              minProperties: 1,
              propertyNames: { pattern: '^([1-5]\\d\\d|default)$' },
              additionalProperties: { type: 'object', required: ['description'] },
            },
            security: { type: 'array' },
          },
        },
      },
    },
    components: { type: 'object', properties: { schemas: { type: 'object' }, securitySchemes: { type: 'object' } } },
  },
};

test('the OpenAPI document is well formed and its schemas compile', () => {
  const doc = buildOpenApi(apiRoutes()) as any;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormatsModule.default(ajv);
  const valid = ajv.validate(OPENAPI_SUBSET, doc);
  assert.ok(valid, ajv.errorsText(ajv.errors));
  // Every path parameter of a template is declared, and only those.
  const ids = new Set<string>();
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [method, op] of Object.entries<any>(ops)) {
      const declared = op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name).sort();
      assert.deepEqual(declared, inTemplate, `${method} ${path}`);
      assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
    }
  }
  // Every $ref resolves and every schema compiles (as JSON Schema 2020-12 subset ajv reads).
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  for (const r of new Set(refs)) {
    const name = /#\/components\/schemas\/(\w+)/.exec(r)?.[1];
    assert.ok(name && doc.components.schemas[name], `unresolved ${r}`);
  }
  ajv.addSchema(doc, 'openapi.json');
  for (const name of Object.keys(doc.components.schemas)) ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });
});

test('every route is in the document and every operation of the document is a route', async () => {
  const routes = apiRoutes();
  const doc = buildOpenApi(routes) as any;
  const fromRoutes = routes.map((r) => `${r.method} ${r.path}`).sort();
  const fromDoc = Object.entries<any>(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
  assert.deepEqual(fromDoc, fromRoutes);
  for (const r of routes) {
    const op = doc.paths[r.path][r.method.toLowerCase()];
    assert.equal(op.operationId, operationId(r));
    assert.equal(op['x-palisade-role'], r.role ?? 'none');
    if (r.role) assert.ok(op.responses['401'] && op.responses['403'] && op.responses['503'], `${r.method} ${r.path} documents 401, 403 and 503`);
    for (const p of r.query ?? []) assert.ok(op.parameters.some((x: any) => x.in === 'query' && x.name === p.name), `${r.path} ?${p.name}`);
  }
  // The server serves the same document.
  const t = await startTestServer();
  try {
    const served = await t.call('GET', '/api/v1/openapi.json', { as: 'viewer' });
    assert.equal(served.status, 200);
    assert.deepEqual(served.json(), JSON.parse(JSON.stringify(doc)));
  } finally {
    await t.stop();
  }
});

test('docs/serve.md lists every endpoint (generated table) and every metric', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { PACKAGE_ROOT } = await import('../core/version.js');
  const { endpointsMarkdown } = await import('./openapi.js');
  const { ServerMetrics } = await import('./metrics.js');
  const page = readFileSync(join(PACKAGE_ROOT, 'docs', 'serve.md'), 'utf8');
  const table = /<!-- endpoints:start[^>]*-->\n([\s\S]*?)<!-- endpoints:end -->/.exec(page)?.[1];
  assert.equal(table, endpointsMarkdown(apiRoutes()), 'regenerate the table in docs/serve.md from endpointsMarkdown(apiRoutes())');
  const names = (new ServerMetrics().render().match(/^# TYPE (\S+)/gm) ?? []).map((l) => l.slice('# TYPE '.length));
  for (const n of names) assert.ok(page.includes(`\`${n}\``), `docs/serve.md does not describe ${n}`);
});
