export * from './roles.js';
export * from './auth.js';
export * from './instance.js';
export * from './tenancy.js';
export * from './credentials.js';
export * from './guardrails.js';
export * from './logs.js';
export * from './audit.js';
