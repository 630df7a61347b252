/**
 * Whether a variable / key / header name says its value is a secret. Names are split into words
 * (snake_case, kebab-case, camelCase, dotted) and judged by the last meaningful word, the way
 * people name things: `client_secret`, `JIRA_API_TOKEN`, `oktaApiToken`, `db-password` are secrets;
 * `secret_length`, `credentialsId`, `public_key`, `csrf-token`, `key_name` are not.
 */

export type SecretNameKind = 'password' | 'key';

/** Trailing words that do not change what the name holds (`api_key_value`, `token_b64`, `password2`). */
const NEUTRAL_SUFFIX = new Set([
  'value',
  'val',
  'str',
  'string',
  'raw',
  'plain',
  'plaintext',
  'cleartext',
  'b64',
  'base64',
  'hex',
  'data',
  'txt',
]);

/** A name containing one of these words is not a secret, whatever else it says. */
const DENY_ANY = new Set([
  'public',
  'pub',
  'publishable',
  'csrf',
  'xsrf',
  'authenticity',
  'nonce',
  'next',
  'page',
  'pagination',
  'continuation',
  'cursor',
  'sync',
  'placeholder',
  'hint',
  'policy',
  'rotation',
  'regex',
  'pattern',
  'prompt',
  'label',
  'input',
  'field',
  'column',
  'reset',
  'forgot',
  'min',
  'max',
  'length',
  'validator',
  'validation',
  'strength',
  'keyboard',
]);

/** A name ending in one of these holds metadata about a secret, not the secret. */
const DENY_LAST = new Set([
  'id',
  'ids',
  'name',
  'names',
  'url',
  'uri',
  'urls',
  'path',
  'file',
  'filename',
  'files',
  'dir',
  'type',
  'types',
  'len',
  'size',
  'count',
  'version',
  'prefix',
  'suffix',
  'format',
  'mode',
  'expiry',
  'expires',
  'expiration',
  'expire',
  'ttl',
  'timeout',
  'enabled',
  'enable',
  'required',
  'provider',
  'endpoint',
  'host',
  'hostname',
  'port',
  'location',
  'ref',
  'reference',
  'arn',
  'env',
  'variable',
  'var',
  'vars',
  'description',
  'desc',
  'store',
  'manager',
  'scope',
  'scopes',
  'kind',
  'class',
  'method',
  'index',
  'idx',
  'template',
  'param',
  'params',
  'hash',
  'hashed',
  'digest',
  'algorithm',
  'alg',
  'set',
  'list',
  'map',
  'user',
  'username',
  'email',
  'login',
  'created',
  'updated',
  'date',
  'time',
  'source',
  'owner',
  'status',
  'state',
  'error',
  'message',
  'msg',
  'text',
  'title',
  'button',
  'link',
  'route',
  'tag',
  'tags',
  'field',
  'header',
  'id1',
  'region',
  'service',
  'mount',
  'path',
  'generator',
  'factory',
  'builder',
  'handler',
  'helper',
  'util',
  'utils',
  'check',
  'checker',
  'callback',
  'request',
  'response',
  'result',
  'flag',
  'option',
  'options',
  'config',
  'settings',
  'secretref',
  'keyref',
  'selector',
  'vault',
  'rotated',
  'issuer',
  'audience',
  'usage',
  'uses',
  'constraints',
]);

const PASSWORD_WORDS = [
  'password',
  'passwd',
  'passphrase',
  'passcode',
  'pwd',
  'pw',
  'pass',
  'pword',
  'contrasena',
  'passwort',
  'motdepasse',
];
const KEY_WORDS = [
  'secret',
  'token',
  'credential',
  'credentials',
  'creds',
  'auth',
  'authorization',
  'bearer',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
];
/** Compound words that end a name: "apikey", "secretkey", "accesstoken", "clientsecret"… */
const KEY_ENDINGS = [
  'apikey',
  'secretkey',
  'privatekey',
  'accesskey',
  'authkey',
  'clientkey',
  'masterkey',
  'signingkey',
  'secret',
  'token',
  'password',
  'passwd',
];
/** "key" is a secret only with one of these before it (`api_key`, `x-api-key`, `SECRET_ACCESS_KEY`); `bucket_key`, `schemaKey` are not. */
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'secret',
  'private',
  'priv',
  'auth',
  'client',
  'app',
  'master',
  'account',
  'service',
  'signing',
  'sign',
  'encryption',
  'enc',
  'license',
  'licence',
  'session',
  'consumer',
  'admin',
  'shared',
  'webhook',
  'storage',
  'subscription',
  'integration',
  'deploy',
  'personal',
  'root',
  'hmac',
  'jwt',
  'crypt',
  'crypto',
  'decryption',
  'cipher',
  'aes',
  'ssh',
  'gpg',
  'pgp',
  'openai',
  'anthropic',
  'db',
  'database',
]);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9ñ]+/)
    .filter((w) => w.length > 0 && !/^[0-9]+$/.test(w));
}

/** What kind of secret a name announces, if any. */
export function secretNameKind(name: string): SecretNameKind | undefined {
  const ws = words(name.replace(/ñ/g, 'n'));
  while (ws.length > 1 && NEUTRAL_SUFFIX.has(ws[ws.length - 1]!)) ws.pop();
  // Rails' `secret_key_base`: the key every session and encrypted credential derives from ("base"
  // alone stays no secret word: `api_base` is a URL)
  if (ws.length > 2 && ws[ws.length - 1] === 'base' && ws[ws.length - 2] === 'key') ws.pop();
  const last = ws[ws.length - 1];
  if (last === undefined) return undefined;
  if (ws.some((w) => DENY_ANY.has(w)) || DENY_LAST.has(last)) return undefined;
  if (PASSWORD_WORDS.includes(last)) return 'password';
  if (KEY_WORDS.includes(last)) return 'key';
  if ((last === 'key' || last === 'keys') && ws.length > 1 && KEY_QUALIFIERS.has(ws[ws.length - 2]!)) return 'key';
  // Run-together names: "theapikey", "MYPASSWORD", "clientsecret", "accesstoken".
  for (const ending of KEY_ENDINGS) {
    if (last.endsWith(ending) && last.length > ending.length) return ending.startsWith('pass') ? 'password' : 'key';
  }
  return undefined;
}
