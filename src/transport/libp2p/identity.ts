// A persisted Ed25519 identity: the peer id survives restarts of the same data directory.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';

export const KEY_FILE = 'peer-key';

export async function loadOrCreateIdentity(dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, KEY_FILE);
  try {
    return privateKeyFromProtobuf(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot load the peer key ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  await mkdir(dataDir, { recursive: true });
  const key = await generateKeyPair('Ed25519');
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600 });
  await rename(tmp, path);
  return key;
}
