import { decodeJwt, decodeProtectedHeader, type JWTVerifyResult } from 'jose';

// jose for the bench's "authentication off" API (see trustTokens.ts): everything as jose has it,
// except that jwtVerify reads the token's claims without checking its signature, algorithm,
// expiry or audience. The API's TokenVerifier, its cache and its reading of `sub` and `role`
// stay as they are, so the API with and without this differs by jose's verification alone.
export * from 'jose';

export async function jwtVerify(jwt: string | Uint8Array): Promise<JWTVerifyResult> {
  const token = typeof jwt === 'string' ? jwt : new TextDecoder().decode(jwt);
  return { payload: decodeJwt(token), protectedHeader: decodeProtectedHeader(token) } as JWTVerifyResult;
}
