/** The sandbox's signing key: one RS256 key pair generated at start, published as a JWKS. */
import { randomUUID } from 'node:crypto';
import { SignJWT, compactVerify, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface Jwks {
  keys: JWK[];
}

export class SigningKey {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly kid: string,
    readonly jwks: Jwks,
  ) {}

  static async create(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const jwk = await exportJWK(publicKey);
    const jwks: Jwks = { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] };
    return new SigningKey(privateKey, publicKey, kid, jwks);
  }

  /** A compact JWS with header `{"alg":"RS256","kid":...}` over the given claims (no claims are added). */
  sign(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: this.kid }).sign(this.privateKey);
  }

  /** The claims of a compact JWS this key signed (RS256), or undefined when it is not one. */
  async verify(compact: string): Promise<Record<string, unknown> | undefined> {
    if (typeof compact !== 'string' || compact.split('.').length !== 3) return undefined;
    try {
      const { payload, protectedHeader } = await compactVerify(compact, this.publicKey, { algorithms: ['RS256'] });
      if (protectedHeader.alg !== 'RS256') return undefined;
      const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
      return claims as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
}
