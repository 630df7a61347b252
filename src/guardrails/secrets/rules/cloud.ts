/** Cloud and infrastructure providers: AWS, Azure, Google Cloud, Cloudflare, HashiCorp, PaaS hosts. */
import { decodeBase64Text } from '../checksums.js';
import type { SecretRule } from '../rule.js';
import { END, START, UUID, ci, keyed, mixedCase, prefixed } from './helpers.js';

/** The text from `lines` lines above the span to `lines` lines below it. */
function lineWindow(text: string, start: number, end: number, lines: number): string {
  let from = text.lastIndexOf('\n', start - 1);
  for (let i = 0; i < lines && from > 0; i++) from = text.lastIndexOf('\n', from - 1);
  let to = text.indexOf('\n', end);
  for (let i = 0; i < lines && to !== -1; i++) to = text.indexOf('\n', to + 1);
  return text.slice(from + 1, to === -1 ? text.length : to);
}

/** "azure" within two lines of the key, and the key is not a lockfile hash or an SSH public key. */
function azureKeyContext(text: string, start: number, end: number): boolean {
  const before = text.slice(text.lastIndexOf('\n', start - 1) + 1, start);
  if (/sha(?:256|384|512)-|integrity|[Pp]ublic[Kk]ey|ssh-(?:rsa|ed25519|dss)/.test(before)) return false;
  return /[Aa][Zz][Uu][Rr][Ee]/.test(lineWindow(text, start, end, 2));
}

/** An AWS secret access key has upper- and lower-case letters and digits (a git SHA has no capital). */
const awsSecretShape = (secret: string): boolean => /[A-Z]/.test(secret) && /[a-z]/.test(secret) && /[0-9]/.test(secret);

export const CLOUD_RULES: readonly SecretRule[] = [
  {
    // AWS access key ids: a 4-letter type prefix and 16 base32 characters (A-Z, 2-7).
    id: 'aws-access-key-id',
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    pattern: new RegExp(`(?<![A-Za-z0-9])(?<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])`, 'g'),
    confidence: 0.95,
    priority: 2,
  },
  {
    // The 40-character secret has no prefix: only recognisable next to an AWS-ish secret name.
    id: 'aws-secret-access-key',
    keywords: ['aws', 'secret_access_key', 'secretaccesskey', 'secret-access-key', 'secret access key'],
    // The name as the console and the CLI write it too: "Secret access key: …" (the credentials
    // CSV's header, `aws configure`'s prompt), with spaces.
    pattern: new RegExp(
      `(?<![A-Za-z0-9])(?:[Aa][Ww][Ss]|[Ss][Ee][Cc][Rr][Ee][Tt][_ -]?[Aa][Cc][Cc][Ee][Ss][Ss][_ -]?[Kk][Ee][Yy])[\\w.\\-]{0,40}?["'\`]?[ \\t]{0,4}(?:=>|:=|[:=,]|[ \\t])[ \\t]{0,4}["'\`]?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'g',
    ),
    confidence: 0.9,
    minEntropy: 4,
    check: ({ secret }) => awsSecretShape(secret),
    priority: 1,
  },
  {
    // The secret written next to its access key id, on its line or the next: a credentials CSV
    // row, "id:secret", a table, "key AKIA… secret …". Without a name before it, the id was
    // found and the secret, the half that signs requests, went out in a redacted answer.
    id: 'aws-secret-access-key',
    keywords: ['akia', 'asia'],
    pattern: new RegExp(
      `(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Za-z0-9])[^\\n]{0,80}?(?:\\n[^\\n]{0,80}?)?(?<![A-Za-z0-9/+])(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'g',
    ),
    confidence: 0.9,
    minEntropy: 4,
    check: ({ secret }) => awsSecretShape(secret),
    priority: 1,
  },
  {
    // Amazon Bedrock long-term keys: "ABSK" + base64("BedrockAPIKey-...").
    id: 'aws-bedrock-api-key',
    keywords: ['absk'],
    pattern: prefixed('ABSKQmVkcm9ja0FQSUtleS', '[A-Za-z0-9+/]{100,200}={0,2}'),
    confidence: 0.95,
    priority: 2,
  },
  {
    // Short-term Bedrock keys: "bedrock-api-key-" + base64("bedrock.amazonaws.com/...").
    id: 'aws-bedrock-api-key',
    keywords: ['bedrock-api-key-'],
    pattern: new RegExp(`${START}(?<secret>bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%&]{0,4000})(?![A-Za-z0-9+/=%&])`, 'g'),
    confidence: 0.95,
    priority: 2,
  },
  {
    // Account ids are not secret on their own, but secretlint and many policies treat them as sensitive.
    id: 'aws-account-id',
    keywords: ['aws'],
    pattern: keyed(['aws'], '[0-9]{12}|[0-9]{4}-[0-9]{4}-[0-9]{4}', '(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))'),
    confidence: 0.6,
    placeholders: 'strict',
    // Only under a name that says "account" (`AWS_ACCOUNT_ID`, `awsAccount`), not any 12-digit AWS value.
    check: ({ match }) => /[Aa][Cc][Cc][Oo][Uu][Nn][Tt]/.test(match[0]),
    priority: 1,
  },
  {
    // IBM Cloudant: a 64-hex password or a 24-letter API key under a cloudant / cl_ / clou_ name.
    id: 'ibm-cloudant-credential',
    keywords: ['cloudant', 'clou_', 'clou-', 'cl_', 'cl-'],
    pattern: keyed(['cloudant', 'clou', 'cl'], '[0-9a-f]{64}|[a-z]{24}'),
    confidence: 0.8,
    minEntropy: 3,
    priority: 1,
  },
  {
    // IBM SoftLayer API keys: 64 lower-case alphanumerics under a softlayer / sl_ name or in an API URL.
    id: 'ibm-softlayer-api-key',
    keywords: ['softlayer', 'sl_', 'sl-', 'slapi'],
    pattern: keyed(['softlayer', 'sl'], '[a-z0-9]{64}'),
    confidence: 0.8,
    minEntropy: 3,
    priority: 1,
  },
  {
    id: 'ibm-softlayer-api-key',
    keywords: ['softlayer.com/'],
    pattern: /softlayer\.com\/(?:soap|rest)\/v3(?:\.1)?\/(?<secret>[a-z0-9]{64})(?![A-Za-z0-9])/g,
    confidence: 0.85,
    minEntropy: 3,
    priority: 1,
  },
  {
    // IBM Cloud IAM API keys: 44 URL-safe base64 characters under an ibm / iam / cloud name.
    id: 'ibm-cloud-iam-key',
    keywords: ['ibm', 'iam', 'cloud'],
    pattern: keyed(['ibm', 'iam', 'cloud'], '[A-Za-z0-9_-]{44}'),
    confidence: 0.8,
    minEntropy: 4,
    placeholders: 'strict',
    check: ({ secret }) => mixedCase(secret, 4) && /[0-9]/.test(secret),
    priority: 1,
  },
  {
    // Entra ID (Azure AD) client secrets: 3 characters, a digit, "Q~", then 31-34 characters.
    id: 'azure-ad-client-secret',
    keywords: ['q~'],
    anchor: 'window',
    pattern: /(?<![\w~.-])(?<secret>[\w~.-]{3}\dQ~[\w~.-]{31,34})(?![\w~.-])/g,
    before: 8,
    after: 48,
    confidence: 0.9,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    // Storage account keys in connection strings: AccountKey=<88 base64>.
    id: 'azure-storage-account-key',
    keywords: ['accountkey'],
    pattern: /[Aa]ccount[Kk]ey\s{0,2}=\s{0,2}["']?(?<secret>[A-Za-z0-9+/]{86}==)/g,
    confidence: 0.95,
    minEntropy: 4,
    priority: 2,
  },
  {
    // The bare 88-character key with "azure" on its line or the two lines around it (SQL
    // credentials, portal notes). Lockfile integrity hashes and SSH public keys look the same.
    id: 'azure-storage-account-key',
    keywords: ['azure'],
    anchor: 'window',
    pattern: /(?<![A-Za-z0-9+/=-])(?<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/g,
    before: 400,
    after: 400,
    confidence: 0.75,
    minEntropy: 4.5,
    check: ({ text, start, end }) => azureKeyContext(text, start, end),
    priority: 1,
  },
  {
    // IBM Cloud Object Storage HMAC secrets: 48 hex under a secret access key name.
    id: 'ibm-cos-hmac-secret',
    keywords: ['secret_access_key', 'secret-access-key', 'secretaccesskey', 'secret_key', 'secret-key', 'secretkey'],
    pattern: new RegExp(
      `${ci('secret')}[_-]?(?:${ci('access')}[_-]?)?${ci('key')}["'\\]]{0,2}[ \\t]{0,4}(?:=>|:=|[:=])[ \\t]{0,4}["']?(?<secret>[a-f0-9]{48})(?![A-Za-z0-9])`,
      'g',
    ),
    confidence: 0.8,
    minEntropy: 3,
    priority: 1,
  },
  {
    // Tenant and client ids of an Azure service principal: identifiers, not secrets, but with the
    // client secret next to them they are a working login, and secretlint reports them.
    id: 'azure-identity',
    keywords: ['azure', 'arm_'],
    pattern: new RegExp(
      `(?<![A-Za-z0-9])(?:${ci('azure')}|${ci('arm')})[_-]?(?:${ci('ad')}[_-]?)?(?:${ci('tenant')}|${ci('client')})[_-]?${ci('id')}["']?[ \\t]{0,4}(?:=>|:=|[:=])[ \\t]{0,4}["']?(?<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![A-Za-z0-9-])`,
      'g',
    ),
    confidence: 0.5,
    placeholders: 'strict',
    priority: 1,
  },
  {
    // A service-account key file; its private_key is caught by the PEM rule, this marks the file itself.
    id: 'gcp-service-account',
    keywords: ['service_account'],
    anchor: 'window',
    pattern: /"type"\s{0,4}:\s{0,4}"(?<secret>service_account)"/g,
    confidence: 0.6,
    priority: 1,
  },
  {
    id: 'cloudflare-origin-ca-key',
    keywords: ['v1.0-'],
    pattern: prefixed('v1\\.0-', '[a-f0-9]{24}-[a-f0-9]{146}'),
    confidence: 0.95,
    priority: 2,
  },
  {
    id: 'cloudflare-global-api-key',
    keywords: ['cloudflare'],
    pattern: keyed(['cloudflare'], '[a-f0-9]{37}'),
    confidence: 0.85,
    minEntropy: 3,
    priority: 1,
  },
  {
    id: 'cloudflare-api-key',
    keywords: ['cloudflare'],
    pattern: keyed(['cloudflare'], '[A-Za-z0-9_-]{40}'),
    confidence: 0.85,
    minEntropy: 3.5,
    priority: 1,
  },
  {
    id: 'digitalocean-token',
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: prefixed('do[opr]_v1_', '[a-f0-9]{64}'),
    confidence: 0.95,
    priority: 2,
  },
  {
    id: 'heroku-api-key',
    keywords: ['heroku'],
    pattern: keyed(['heroku'], UUID),
    confidence: 0.8,
    priority: 1,
  },
  {
    id: 'heroku-api-key-v2',
    keywords: ['hrku-'],
    pattern: prefixed('HRKU-AA', '[0-9a-zA-Z_-]{58}'),
    confidence: 0.95,
    priority: 2,
  },
  {
    // Vault service tokens: hvs.<~90+ chars> (current) and s.<24 chars> (legacy, needs mixed case and digits).
    id: 'vault-service-token',
    keywords: ['hvs.'],
    pattern: prefixed('hvs\\.', '[A-Za-z0-9_-]{90,300}'),
    confidence: 0.95,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'vault-service-token',
    keywords: ['s.'],
    pattern: /(?<![A-Za-z0-9_.-])(?<secret>s\.[A-Za-z0-9]{24})(?![A-Za-z0-9_.-])/g,
    confidence: 0.7,
    minEntropy: 3.5,
    check: ({ secret }) => /[A-Z]/.test(secret) && /[a-z]/.test(secret.slice(2)) && /[0-9]/.test(secret),
    priority: 1,
  },
  {
    id: 'vault-batch-token',
    keywords: ['hvb.'],
    pattern: prefixed('hvb\\.', '[A-Za-z0-9_-]{138,400}'),
    confidence: 0.95,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'terraform-api-token',
    keywords: ['.atlasv1.'],
    anchor: 'window',
    pattern: new RegExp(`${START}(?<secret>[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70})${END}`, 'g'),
    before: 20,
    confidence: 0.95,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'flyio-access-token',
    keywords: ['fo1_', 'fm1r_', 'fm1a_', 'fm2_'],
    pattern: new RegExp(`${START}(?<secret>fo1_[\\w-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,2000}={0,3})(?![A-Za-z0-9_+/=-])`, 'g'),
    confidence: 0.9,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'databricks-api-token',
    keywords: ['dapi'],
    pattern: prefixed('dapi', '[a-f0-9]{32}(?:-\\d)?'),
    confidence: 0.9,
    minEntropy: 3,
    priority: 2,
  },
  {
    id: 'clickhouse-cloud-api-secret-key',
    keywords: ['4b1d'],
    pattern: new RegExp(`(?<![A-Za-z0-9])(?<secret>4b1d[A-Za-z0-9]{38})(?![A-Za-z0-9])`, 'g'),
    confidence: 0.85,
    minEntropy: 4,
    priority: 2,
  },
  {
    id: 'scalingo-api-token',
    keywords: ['tk-us-'],
    pattern: prefixed('tk-us-', '[\\w-]{48}'),
    confidence: 0.9,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'openshift-user-token',
    keywords: ['sha256~'],
    pattern: prefixed('sha256~', '[\\w-]{43}', '(?![\\w-])'),
    confidence: 0.9,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'alibaba-access-key-id',
    keywords: ['ltai'],
    pattern: new RegExp(`(?<![A-Za-z0-9])(?<secret>LTAI[A-Za-z0-9]{20})(?![A-Za-z0-9])`, 'g'),
    confidence: 0.85,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    // 1Password service-account tokens: "ops_" + base64 JSON.
    id: '1password-service-account-token',
    keywords: ['ops_eyj'],
    pattern: prefixed('ops_eyJ', '[A-Za-z0-9+/]{250,4000}={0,3}'),
    confidence: 0.95,
    minEntropy: 4,
    priority: 2,
  },
  {
    // 1Password account secret keys: A3-XXXXXX-XXXXXX-XXXXX-XXXXX-XXXXX-XXXXX (the 6+6 may be joined).
    id: '1password-secret-key',
    keywords: ['a3-'],
    pattern:
      /(?<![A-Za-z0-9-])(?<secret>A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})(?![A-Za-z0-9-])/g,
    confidence: 0.9,
    minEntropy: 3,
    priority: 2,
  },
  {
    id: 'artifactory-api-key',
    keywords: ['akcp'],
    pattern: new RegExp(`(?<![A-Za-z0-9])(?<secret>AKCp[A-Za-z0-9]{69})(?![A-Za-z0-9])`, 'g'),
    confidence: 0.9,
    minEntropy: 4,
    priority: 2,
  },
  {
    // Reference tokens are base64 of "reftkn:01:...".
    id: 'artifactory-reference-token',
    keywords: ['cmvmdg'],
    pattern: new RegExp(`(?<![A-Za-z0-9])(?<secret>cmVmdGtu[A-Za-z0-9]{56})(?![A-Za-z0-9])`, 'g'),
    confidence: 0.9,
    minEntropy: 4,
    check: ({ secret }) => decodeBase64Text(secret) !== undefined || secret.length === 64,
    priority: 2,
  },
  {
    // New Relic user API keys (NRAK-), ingest/insert keys (NRII-) and browser keys (NRJS-).
    id: 'new-relic-api-key',
    keywords: ['nrak-', 'nrii-', 'nrjs-'],
    pattern: prefixed('(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19})', ''),
    confidence: 0.9,
    minEntropy: 3,
    priority: 2,
  },
  {
    // Netlify personal access tokens.
    id: 'netlify-access-token',
    keywords: ['nfp_'],
    pattern: prefixed('nfp_', '[A-Za-z0-9]{36,44}'),
    confidence: 0.9,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'doppler-api-token',
    keywords: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.'],
    // service tokens may name their config: dp.st.prd.<40–44>
    pattern: prefixed('dp\\.(?:pt|st(?:\\.[a-z0-9_-]{1,40})?|sa|ct|scim|audit)\\.', '[A-Za-z0-9]{40,44}'),
    confidence: 0.9,
    minEntropy: 3.5,
    priority: 2,
  },
];
