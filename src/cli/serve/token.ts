/**
 * `palisade serve token create|list|revoke`: token administration straight on the store,
 * for bootstrapping and break-glass (the API does the same for admins). The secret of a new
 * token is printed once, alone on standard output, so `$(palisade serve token create …)`
 * captures it; it is never stored, only its hash.
 */
import type { CliIO, ParsedArgs } from '../command.js';
import { diagnostic, EXIT, PalisadeError } from '../../core/errors.js';
import { isRole } from '../../server/auth.js';
import { openStore } from '../../store/index.js';
import { DEFAULT_DB } from './serve.js';

const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;

const usage = (detail: string, field?: string) => new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail }, { field }));

export async function runToken(positionals: string[], values: ParsedArgs['values'], io: CliIO): Promise<number> {
  const [action, ...extra] = positionals;
  if (extra.length) throw usage(`unexpected argument "${extra[0]}"`, extra[0]);
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw usage(action ? `unknown token action "${action}"; expected create, list or revoke` : 'expected a token action: create, list or revoke', action);
  const name = typeof values.name === 'string' ? values.name : undefined;
  const role = values.role;
  const id = typeof values.id === 'string' ? values.id : undefined;
  const principal = typeof values.principal === 'string' ? values.principal.trim() : undefined;
  if (action === 'create') {
    if (!name || !TOKEN_NAME.test(name)) throw usage('token create needs --name (1–64 letters, digits, space, . _ @ -)', '--name');
    if (!isRole(role)) throw usage('token create needs --role viewer, auditor or admin', '--role');
    if (principal !== undefined && !TOKEN_NAME.test(principal)) throw usage('--principal: expected the person the token acts for (1–64 letters, digits, space, . _ @ -)', '--principal');
  } else if (principal !== undefined) {
    throw usage('--principal belongs to `token create`', '--principal');
  }
  if (action === 'revoke' && !id) throw usage('token revoke needs --id (see `palisade serve token list`)', '--id');
  const store = await openStore(typeof values.db === 'string' ? values.db : DEFAULT_DB);
  try {
    if (action === 'create') {
      // Break-glass from the database host: no token makes this one, so it acts for itself unless told.
      const { token, secret } = await store.createToken(name!, role as 'viewer' | 'auditor' | 'admin', { principal });
      io.stderr.write(`palisade serve: token "${token.name}" (${token.role}, id ${token.id}, acting for ${token.principal}) created; its secret is shown only this once:\n`);
      io.stdout.write(`${secret}\n`);
      return EXIT.ok;
    }
    if (action === 'list') {
      const tokens = await store.listTokens();
      const rows = [['ID', 'NAME', 'ROLE', 'CREATED', 'LAST USED', 'REVOKED', 'PRINCIPAL', 'CREATED BY'], ...tokens.map((t) => [t.id, t.name, t.role, t.createdAt, t.lastUsedAt ?? '-', t.revokedAt ?? '-', t.principal, t.createdBy ?? '-'])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) io.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
      return EXIT.ok;
    }
    if (!(await store.revokeToken(id!))) {
      io.stderr.write(`palisade: error: token ${id} does not exist or is revoked already [PALISADE_CLI_USAGE]\n`);
      return EXIT.input;
    }
    io.stderr.write(`palisade serve: token ${id} revoked\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
