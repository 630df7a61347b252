/** Messaging and email: Slack, Discord, Telegram, Twilio, SendGrid, Mailgun, Mailchimp, MessageBird. */
import { decodeBase64Text } from '../checksums.js';
import type { SecretRule } from '../rule.js';
import { START, UUID, keyed, prefixed } from './helpers.js';

/** Slack's numeric team/user ids are 6-13 digits; shorter runs are hand-written placeholders. */
const SLACK_ID = '[0-9]{6,14}';

/** The first part of a Discord bot token is the base64 of the bot's numeric (snowflake) id. */
function discordIdOk(token: string): boolean {
  return /^[0-9]{17,20}$/.test(decodeBase64Text(token.slice(0, token.indexOf('.'))) ?? '');
}

export const COMMS_RULES: readonly SecretRule[] = [
  {
    // Bot (xoxb-team-bot-secret and the older xoxb-bot-secret).
    id: 'slack-bot-token',
    keywords: ['xoxb-'],
    pattern: new RegExp(
      `${START}(?<secret>xoxb-${SLACK_ID}(?:-${SLACK_ID})?-[A-Za-z0-9]{18,34})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))`,
      'g',
    ),
    confidence: 0.95,
    priority: 2,
  },
  {
    // User, workspace, legacy and refresh tokens: xox[pasore]-ids...-hex.
    id: 'slack-user-token',
    keywords: ['xoxp-', 'xoxa-', 'xoxs-', 'xoxo-', 'xoxr-', 'xoxe-'],
    pattern: new RegExp(
      `${START}(?<secret>xox[pasore]-(?:[0-9]-)?${SLACK_ID}(?:-${SLACK_ID}){1,3}-[A-Za-z0-9]{8,64})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))`,
      'g',
    ),
    confidence: 0.95,
    priority: 2,
  },
  {
    id: 'slack-app-token',
    keywords: ['xapp-'],
    pattern: prefixed(
      'xapp-',
      '[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{64}',
      '(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))',
    ),
    confidence: 0.99,
    priority: 2,
  },
  {
    // App configuration tokens: xoxe.xoxp-1-<~150 base62> and refresh tokens xoxe-1-<~140>.
    id: 'slack-config-token',
    keywords: ['xoxe'],
    pattern: new RegExp(
      `${START}(?<secret>xoxe\\.xox[bp]-[0-9]-[A-Za-z0-9]{140,180}|xoxe-[0-9]-[A-Za-z0-9]{130,170})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))`,
      'g',
    ),
    confidence: 0.95,
    minEntropy: 4,
    priority: 2,
  },
  {
    id: 'slack-webhook-url',
    keywords: ['hooks.slack.com'],
    pattern:
      /(?<secret>hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]{6,12}\/[A-Z0-9]{6,12}\/(?:[0-9]{10,20}\/)?[A-Za-z0-9]{20,40})(?![A-Za-z0-9])/g,
    confidence: 0.95,
    priority: 2,
  },
  {
    id: 'discord-webhook-url',
    keywords: ['/api/webhooks/'],
    anchor: 'window',
    pattern:
      /(?<secret>discord(?:app)?\.com\/api\/webhooks\/[0-9]{17,20}\/[A-Za-z0-9_-]{60,70})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    before: 40,
    confidence: 0.95,
    priority: 2,
  },
  {
    // Bot tokens: base64(user id) . timestamp . HMAC. The first part decodes to a snowflake id.
    id: 'discord-bot-token',
    keywords: ['discord', 'bot '],
    anchor: 'window',
    pattern:
      /(?<![A-Za-z0-9_-])(?<secret>[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    before: 80,
    after: 200,
    confidence: 0.85,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    // The same token assigned to any `…token` name (`BOT_TOKEN=`, `discordToken: "…"`): without the
    // word "discord" nearby, the first part must decode to a numeric bot id.
    id: 'discord-bot-token',
    keywords: ['token'],
    pattern:
      /[Tt][Oo][Kk][Ee][Nn]["'\]]{0,2}[ \t]{0,4}(?:=>|:=|[:=(,])[ \t]{0,4}["'`]?(?<secret>[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    confidence: 0.85,
    minEntropy: 3.5,
    check: ({ secret }) => discordIdOk(secret),
    priority: 2,
  },
  {
    // A bare bot token whose id starts with 1 (every 19-digit id, i.e. bots made since 2022): it
    // encodes to "MT" + one of ten characters, rare in prose. Older ids start "Mj", "Mz", "ND", "NT",
    // "OT"…, which English is full of; those need the name above.
    id: 'discord-bot-token',
    keywords: [...'aeimquycgk'].map((c) => `mt${c}`),
    pattern:
      /(?<![A-Za-z0-9_-])(?<secret>MT[A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    confidence: 0.85,
    minEntropy: 3.5,
    check: ({ secret }) => discordIdOk(secret),
    priority: 2,
  },
  {
    // Twilio account SIDs (AC…) and API key SIDs (SK…) under a `…sid` name (`account_sid`, `API_KEY_SID`):
    // 32 lower-case hex after the prefix. Bare ones are left out: "ac"/"sk" keywords would stop the
    // prefilter at "asked", "task" and "access" in every prompt.
    id: 'twilio-api-key',
    keywords: ['sid'],
    anchor: 'window',
    before: 0,
    after: 48,
    pattern: /(?<![A-Za-z0-9_-])(?<secret>(?:AC|SK)[a-f0-9]{32})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    confidence: 0.8,
    minEntropy: 3,
    check: ({ secret }) => /[a-f]/.test(secret.slice(2)) && /[0-9]/.test(secret.slice(2)),
    priority: 2,
  },
  {
    // Telegram bot tokens: <bot id>:AA<33 chars>; in the Bot API's URLs after "/bot"
    // (https://api.telegram.org/bot<token>/sendMessage), how most code writes it. A bare
    // "bot<id>:…" is no token (detect-secrets' tests keep it negative).
    id: 'telegram-bot-token',
    keywords: [':aa'],
    anchor: 'window',
    pattern:
      /(?:(?<![A-Za-z0-9_:-])|(?<=\/bot))(?<secret>[0-9]{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    before: 16,
    after: 40,
    confidence: 0.9,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    // Twilio account SIDs are public-ish; API key SIDs (SK...) and auth tokens next to "twilio" are not.
    id: 'twilio-api-key',
    keywords: ['twilio'],
    pattern: keyed(['twilio'], '(?:SK[a-f0-9]{32}|[a-f0-9]{32})'),
    confidence: 0.8,
    minEntropy: 3,
    priority: 1,
  },
  {
    id: 'sendgrid-api-token',
    keywords: ['sg.'],
    pattern:
      /(?<![A-Za-z0-9_.-])(?<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    confidence: 0.95,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'mailgun-api-key',
    keywords: ['key-'],
    pattern: /(?<![A-Za-z0-9_-])(?<secret>key-[a-f0-9]{32})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    confidence: 0.8,
    minEntropy: 3,
    priority: 2,
  },
  {
    // Mailgun's current private API keys and webhook signing keys: <32 hex>-<8 hex>-<8 hex>,
    // near the word "mailgun" (a UUID is 8-4-4-4-12: no clash).
    id: 'mailgun-api-key',
    keywords: ['mailgun'],
    anchor: 'window',
    pattern: /(?<![A-Za-z0-9_-])(?<secret>[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8})(?![A-Za-z0-9_-])/g,
    before: 200,
    after: 320,
    confidence: 0.85,
    minEntropy: 3,
    priority: 2,
  },
  {
    // Mailchimp API keys end with the datacentre: <32 hex>-us12.
    id: 'mailchimp-api-key',
    keywords: ['-us'],
    anchor: 'window',
    pattern: /(?<![A-Za-z0-9_-])(?<secret>[a-f0-9]{32}-us[0-9]{1,2})(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    before: 40,
    after: 8,
    confidence: 0.9,
    minEntropy: 3,
    priority: 2,
  },
  {
    id: 'messagebird-api-token',
    keywords: ['messagebird', 'message_bird', 'message-bird'],
    pattern: keyed(['messagebird', 'message_bird', 'message-bird'], `(?:${UUID}|[A-Za-z0-9]{25})`),
    confidence: 0.8,
    priority: 1,
  },
];
