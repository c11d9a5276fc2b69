// `npm run token -- --member 42 [--role staff|admin] [--ttl 2h]`: a token for local use, alone on
// stdout, so that `TOKEN=$(npm run -s token -- --member 42)` works. Signed with AUTH_JWT_SECRET,
// or with the development secret `npm start` keeps in .local/auth-secret (made if missing).
import { parseArgs } from 'node:util';
import { checkTokenRequest, DEFAULT_TTL, mintToken, parseMemberId, signingSecret, UsageError } from './devAuth.mjs';

const USAGE = `usage: npm run token -- --member <id> [--ttl <ttl>]
       npm run token -- --role staff|admin [--member <id>] [--ttl <ttl>]

  --member <id>   the member the token speaks for (its sub); required for a member token
  --role <role>   member (default), staff or admin
  --ttl <ttl>     lifetime: 30s, 30m, 2h, 7d (default ${DEFAULT_TTL})

Signed with AUTH_JWT_SECRET when set, else with the development secret in .local/auth-secret;
aud is AUTH_AUDIENCE (default ticketing), iss is AUTH_ISSUER when set.
`;

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        member: { type: 'string' },
        role: { type: 'string', default: 'member' },
        ttl: { type: 'string', default: DEFAULT_TTL },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const memberId = values.member === undefined ? null : parseMemberId(values.member);
  checkTokenRequest({ memberId, role: values.role, ttl: values.ttl }); // before a secret is made for nothing
  const { secret } = signingSecret(process.env);
  process.stdout.write(`${await mintToken({ secret, memberId, role: values.role, ttl: values.ttl, env: process.env })}\n`);
}

main().catch((error) => {
  if (error instanceof UsageError) {
    process.stderr.write(`token: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`token: ${error.message}\n`);
  process.exit(1);
});
