// Errors the mailer throws. They carry only what is safe to log and to show an operator: never
// the SMTP URL or its credentials, and never the original nodemailer error as `cause`, because
// pino's error serializer prints the whole cause chain.

/** Email is needed but this instance has no SMTP server configured (production only). */
export class EmailNotConfiguredError extends Error {
  readonly code = 'EMAIL_NOT_CONFIGURED';

  constructor() {
    super('email is not configured on this instance (set SMTP_URL)');
    this.name = 'EmailNotConfiguredError';
  }
}

/** The SMTP server could not be reached in time, refused the login, or refused the message. */
export class EmailDeliveryError extends Error {
  /** nodemailer's error code (ECONNECTION, ETIMEDOUT, EAUTH, EENVELOPE, EMESSAGE…) or 'ETIMEDOUT'. */
  readonly code: string;
  /** SMTP reply code when the server answered with an error (e.g. 535, 550). */
  readonly responseCode: number | undefined;
  /** Whether retrying the same message is pointless (5xx reply), as nodemailer classifies it. */
  readonly permanent: boolean | undefined;

  constructor(message: string, details: { code: string; responseCode?: number | undefined; permanent?: boolean | undefined }) {
    super(message);
    this.name = 'EmailDeliveryError';
    this.code = details.code;
    this.responseCode = details.responseCode;
    this.permanent = details.permanent;
  }
}
