// Connection options shared by the NATS tools: where (--nats-url), as whom (--nkey: an nkey seed file, one
// identity of deploy/nats/permissions.txt; or --creds, --user/--password, --token), trusting whom (--tls-ca) and
// with which inbox prefix (--inbox-prefix: the permission table lets an identity read its own inbox only,
// _INBOX.<ns>.<identity>). Every option defaults to the environment the services read (NATS_URL, NATS_NKEY_FILE,
// NATS_TLS_CA) or NATS_INBOX_PREFIX.

import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator } from 'nats';

export const NATS_OPTIONS = {
    'nats-url': { type: 'string', default: process.env.NATS_URL || 'nats://127.0.0.1:4222' },
    nkey: { type: 'string', default: process.env.NATS_NKEY_FILE || undefined },
    'tls-ca': { type: 'string', default: process.env.NATS_TLS_CA || undefined },
    'inbox-prefix': { type: 'string', default: process.env.NATS_INBOX_PREFIX || undefined },
    creds: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    token: { type: 'string' },
};

export const NATS_USAGE = `  --nats-url URL      the NATS server (default $NATS_URL or nats://127.0.0.1:4222)
  --nkey FILE         an nkey seed file: connect as that identity (default $NATS_NKEY_FILE)
  --tls-ca FILE       the CA that signed the server's certificate (default $NATS_TLS_CA)
  --inbox-prefix P    replies on P.> (default $NATS_INBOX_PREFIX; the operator's is _INBOX.<ns>.operator)
  --creds FILE        a NATS credentials file (JWT + NKey seed)
  --user U --password P, or --token T   other ways to authenticate`;

export function natsOptions(args, name) {
    const options = { servers: args['nats-url'], name };
    if (args.nkey) {
        options.authenticator = nkeyAuthenticator(new TextEncoder().encode(readFileSync(args.nkey, 'utf8').trim()));
    }
    if (args.creds) options.authenticator = credsAuthenticator(readFileSync(args.creds));
    if (args['tls-ca']) options.tls = { caFile: args['tls-ca'] };
    else if (String(args['nats-url']).startsWith('tls://')) options.tls = {};
    if (args['inbox-prefix']) options.inboxPrefix = args['inbox-prefix'];
    if (args.user) options.user = args.user;
    if (args.password) options.pass = args.password;
    if (args.token) options.token = args.token;
    return options;
}
