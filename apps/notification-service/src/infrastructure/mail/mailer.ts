import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { failpoint } from '@paystate/failpoints';
import { SendResult, classifySmtpFailure } from '../../domain/notification';

export const MAIL_SETTINGS = Symbol('MAIL_SETTINGS');

export interface MailSettings {
  host: string;
  port: number;
  from: string;
  timeoutMs: number;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The notification's creation time: a resend is the same message, date included. */
  date: Date;
  headers: Record<string, string>;
}

/**
 * The SMTP client (nodemailer). One connection per message, no pool: a mail server that went away
 * is noticed on the next attempt rather than through a stale pooled socket. Failures are values.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly transport: Transporter;

  constructor(@Inject(MAIL_SETTINGS) private readonly settings: MailSettings) {
    this.transport = createTransport({
      host: settings.host,
      port: settings.port,
      secure: false,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
    });
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    try {
      await this.transport.sendMail({ from: this.settings.from, ...mail });
    } catch (error) {
      const e = error as { responseCode?: unknown; message?: unknown };
      return classifySmtpFailure({
        ...(typeof e.responseCode === 'number' ? { responseCode: e.responseCode } : {}),
        message: typeof e.message === 'string' ? e.message : String(error),
      });
    }
    // outside the try: the server accepted, and a fault here is ours, not a refused mail (the at-least-once edge)
    await failpoint.async('notification.after-smtp-accept');
    return { outcome: 'accepted' };
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
