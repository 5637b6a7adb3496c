import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DecryptionError, KeyUnavailableError, generateKey } from '../../src/crypto/envelope.js';
import {
  createLocalMasterKeyProvider,
  ensureDemoMasterKeyFile,
  loadMasterKeyProvider,
  parseMasterKeys,
} from '../../src/crypto/master-key.js';
import { AppError } from '../../src/errors.js';

const directory = mkdtempSync(join(tmpdir(), 'custodia-master-key-'));
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function base64Key(bytes = 32): string {
  return randomBytes(bytes).toString('base64');
}

async function configIssues(
  action: () => Promise<unknown>,
): Promise<{ path: string; message: string }[]> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONFIG_INVALID');
    return (error as AppError).details?.issues ?? [];
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('master key configuration', () => {
  it('rejects a key of the wrong length with a message naming crypto.masterKey', async () => {
    const issues = await configIssues(() => loadMasterKeyProvider({ masterKey: base64Key(16) }));
    expect(issues).toEqual([
      { path: 'crypto.masterKey', message: expect.stringContaining('exactly 32 bytes') as string },
    ]);
    expect(issues[0]?.message).toContain('not 16');
  });

  it('names the key file and the line of a bad key, never the key itself', async () => {
    const file = join(directory, 'bad.key');
    const short = base64Key(24);
    writeFileSync(file, `current:${base64Key()}\nold:${short}\n`);
    const issues = await configIssues(() => loadMasterKeyProvider({ masterKeyFile: file }));
    expect(issues.map((issue) => issue.path)).toEqual(['crypto.masterKeyFile (line 2)']);
    expect(JSON.stringify(issues)).not.toContain(short);
  });

  it.each([
    ['not base64', 'key:not base64 at all!', 'base64'],
    ['a bad id', `bad id:${base64Key()}`, 'key id'],
    ['no key', '# only a comment\n', 'holds no key'],
  ])('rejects a file with %s', async (_name, text, fragment) => {
    const file = join(directory, `case-${randomBytes(4).toString('hex')}.key`);
    writeFileSync(file, text);
    const issues = await configIssues(() => loadMasterKeyProvider({ masterKeyFile: file }));
    expect(issues[0]?.path).toContain('crypto.masterKeyFile');
    expect(issues[0]?.message).toContain(fragment);
  });

  it('rejects the same id twice', () => {
    const text = `a:${base64Key()}\na:${base64Key()}`;
    expect(() => parseMasterKeys(text, 'crypto.masterKeyFile')).toThrow(AppError);
  });

  it('requires a key, and only one source of it', async () => {
    expect((await configIssues(() => loadMasterKeyProvider({})))[0]?.path).toBe(
      'crypto.masterKeyFile',
    );
    const both = await configIssues(() =>
      loadMasterKeyProvider({ masterKey: base64Key(), masterKeyFile: '/x' }),
    );
    expect(both[0]?.path).toBe('crypto.masterKey');
  });

  it('reports an unreadable key file as a configuration error', async () => {
    const issues = await configIssues(() =>
      loadMasterKeyProvider({ masterKeyFile: join(directory, 'missing.key') }),
    );
    expect(issues[0]?.path).toBe('crypto.masterKeyFile');
  });

  it('reads several keys, the first current, with comments, blank lines and base64url', () => {
    const text = `# rotation in progress\n\nnew:${randomBytes(32).toString('base64url')}\nold:${base64Key()}\n`;
    const provider = createLocalMasterKeyProvider(parseMasterKeys(text, 'crypto.masterKeyFile'));
    expect(provider.keyId).toBe('new');
    expect(provider.keyIds).toEqual(['new', 'old']);
  });

  it('gives a bare key a stable derived id', () => {
    const key = base64Key();
    const [first] = parseMasterKeys(key, 'crypto.masterKey');
    const [second] = parseMasterKeys(key, 'crypto.masterKey');
    expect(first?.id).toMatch(/^k[0-9a-f]{12}$/);
    expect(first?.id).toBe(second?.id);
  });

  it('accepts comma-separated keys in the environment variable', () => {
    const keys = parseMasterKeys(`a:${base64Key()},b:${base64Key()}`, 'crypto.masterKey');
    expect(keys.map((key) => key.id)).toEqual(['a', 'b']);
  });
});

describe('local master key provider', () => {
  const oldKey = { id: 'old', key: generateKey() };
  const newKey = { id: 'new', key: generateKey() };

  it('wraps with the current key and unwraps with any configured key', async () => {
    const before = createLocalMasterKeyProvider([oldKey]);
    const orgKey = generateKey();
    const wrapped = await before.wrap(orgKey, 'org-1/key-1');
    expect(wrapped.keyId).toBe('old');
    const during = createLocalMasterKeyProvider([newKey, oldKey]);
    expect((await during.unwrap(wrapped, 'org-1/key-1')).equals(orgKey)).toBe(true);
    expect((await during.wrap(orgKey, 'org-1/key-1')).keyId).toBe('new');
  });

  it('refuses a retired master key with a typed error', async () => {
    const wrapped = await createLocalMasterKeyProvider([oldKey]).wrap(generateKey(), 'ctx');
    const after = createLocalMasterKeyProvider([newKey]);
    await expect(after.unwrap(wrapped, 'ctx')).rejects.toBeInstanceOf(KeyUnavailableError);
  });

  it('fails on a changed context or a wrapped key claimed by another key id', async () => {
    const provider = createLocalMasterKeyProvider([newKey, oldKey]);
    const wrapped = await provider.wrap(generateKey(), 'ctx');
    await expect(provider.unwrap(wrapped, 'other')).rejects.toBeInstanceOf(DecryptionError);
    await expect(provider.unwrap({ ...wrapped, keyId: 'old' }, 'ctx')).rejects.toBeInstanceOf(
      DecryptionError,
    );
  });
});

describe('demo master key file', () => {
  it('creates ./data/master.key with mode 0600 once and never overwrites it', async () => {
    const file = join(directory, 'data', 'master.key');
    expect(await ensureDemoMasterKeyFile(file)).toEqual({ created: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const contents = readFileSync(file, 'utf8');
    expect(await ensureDemoMasterKeyFile(file)).toEqual({ created: false });
    expect(readFileSync(file, 'utf8')).toBe(contents);
    const provider = await loadMasterKeyProvider({ masterKeyFile: file });
    expect(provider.keyId).toBe('demo-1');
  });
});
