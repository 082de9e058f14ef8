import nodemailer, { type Transporter } from 'nodemailer';

export interface MailSettings {
  /** SHELF_SMTP_URL: `smtp://user:pass@host:587` or `smtps://…:465`; nodemailer's URL options apply. */
  smtpUrl: string;
  /** SHELF_MAIL_FROM: `Shelf <shelf@example.org>`. */
  from: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Sends one mail over SMTP. A server that is down or slow fails the send within seconds; the
 * notify queue retries it later, so nothing waits on mail.
 */
export class Mailer {
  private readonly transport: Transporter;

  constructor(private readonly settings: MailSettings) {
    this.transport = nodemailer.createTransport({ url: settings.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  }

  async send(mail: OutgoingMail): Promise<void> {
    // Mail content never names a file or URL to inline: refuse both, whatever a value holds.
    await this.transport.sendMail({ ...mail, from: this.settings.from, disableFileAccess: true, disableUrlAccess: true });
  }

  close(): void {
    this.transport.close();
  }
}
