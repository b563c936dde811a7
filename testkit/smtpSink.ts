/**
 * A tiny SMTP server that accepts every mail and keeps it in memory: for the demo and the
 * end-to-end tests, where n8n's Send Email node delivers to 127.0.0.1.
 *
 * Speaks just enough SMTP for nodemailer without TLS: EHLO/HELO, MAIL FROM, RCPT TO, DATA
 * (dot-unstuffing), RSET, NOOP, QUIT, and AUTH PLAIN/LOGIN accepting any user (so a credential
 * with a user name also works). STARTTLS is not advertised: point an n8n SMTP credential at it
 * with `secure: false` and `disableStartTls: true`.
 *
 * Node's `net` only. The mail is parsed just enough to assert on it: headers, the Subject
 * (RFC 2047 words decoded) and the text body (quoted-printable / base64 decoded; the first
 * text/plain part of a multipart message).
 */
import * as net from 'net';

export interface ReceivedMail {
	/** The MAIL FROM address. */
	from: string;
	/** The RCPT TO addresses. */
	to: string[];
	/** The message as sent after DATA (dot-unstuffed, CRLF line ends). */
	raw: string;
	/** Header fields, lower-case names, unfolded; the last one wins when repeated. */
	headers: Record<string, string>;
	/** The Subject header, decoded. */
	subject: string;
	/** The text body, decoded, with \n line ends (the first text/plain part of a multipart message). */
	text: string;
	/** The HTML body, decoded, when there is one. */
	html?: string;
}

export interface SmtpSink {
	host: string;
	port: number;
	/** Every mail received so far, in order. */
	mails: ReceivedMail[];
	/** Resolves when at least `count` mails have been received; rejects after timeoutMs. */
	waitForMails(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
	/** Forgets the mails received so far. */
	clear(): void;
	/** Closes every connection and the server. */
	close(): Promise<void>;
}

export interface SmtpSinkOptions {
	/** 0 (default): a random free port. */
	port?: number;
	/** The name the server greets with (default "smtp-sink.local"). */
	name?: string;
}

const MAX_LINE = 1 << 20;
const MAX_MESSAGE = 25 << 20;

/** One SMTP connection: reads command lines and DATA, replies, and hands each complete mail to `deliver`. */
class SmtpSession {
	private buffer = '';
	private mode: 'command' | 'data' | 'auth-login-user' | 'auth-login-pass' = 'command';
	private from = '';
	private to: string[] = [];
	private dataLines: string[] = [];
	private dataSize = 0;

	constructor(
		private readonly socket: net.Socket,
		private readonly name: string,
		private readonly deliver: (mail: ReceivedMail) => void,
	) {}

	start(): void {
		this.socket.on('error', () => this.socket.destroy());
		this.socket.setEncoding('latin1'); // bytes as they come; the body is decoded as UTF-8 later
		this.socket.on('data', (chunk: string) => this.received(chunk));
		this.reply(`220 ${this.name} ESMTP smtp-sink ready`);
	}

	private reply(line: string): void {
		if (!this.socket.destroyed) this.socket.write(line + '\r\n');
	}

	private reset(): void {
		this.from = '';
		this.to = [];
		this.dataLines = [];
		this.dataSize = 0;
	}

	private received(chunk: string): void {
		this.buffer += chunk;
		let at: number;
		while ((at = this.buffer.indexOf('\n')) >= 0) {
			const line = this.buffer.slice(0, at).replace(/\r$/, '');
			this.buffer = this.buffer.slice(at + 1);
			this.line(line);
		}
		if (this.buffer.length > MAX_LINE) {
			this.reply('500 Line too long');
			this.socket.destroy();
		}
	}

	private line(line: string): void {
		if (this.mode === 'data') return this.dataLine(line);
		if (this.mode === 'auth-login-user') {
			this.mode = 'auth-login-pass';
			return this.reply('334 UGFzc3dvcmQ6');
		}
		if (this.mode === 'auth-login-pass') {
			this.mode = 'command';
			return this.reply('235 Authentication successful');
		}
		this.command(line);
	}

	private dataLine(line: string): void {
		if (line === '.') {
			this.mode = 'command';
			const raw = Buffer.from(this.dataLines.join('\r\n') + '\r\n', 'latin1').toString('utf8');
			try {
				this.deliver({ from: this.from, to: this.to.slice(), ...parseMessage(raw) });
				this.reply('250 OK: queued');
			} catch (e) {
				this.reply(`554 Could not parse the message: ${(e as Error).message}`);
			}
			this.reset();
			return;
		}
		this.dataSize += line.length + 2;
		if (this.dataSize > MAX_MESSAGE) {
			this.reply('552 Message too large');
			this.socket.end();
			return;
		}
		this.dataLines.push(line.startsWith('.') ? line.slice(1) : line);
	}

	private command(line: string): void {
		const verb = line.split(' ', 1)[0].toUpperCase();
		const arg = line.slice(verb.length).trim();
		switch (verb) {
			case 'EHLO':
				this.reset();
				this.reply(`250-${this.name} greets ${arg || 'you'}`);
				this.reply('250-8BITMIME');
				this.reply('250-SMTPUTF8');
				this.reply('250-AUTH PLAIN LOGIN');
				this.reply(`250 SIZE ${MAX_MESSAGE}`);
				return;
			case 'HELO':
				this.reset();
				return this.reply(`250 ${this.name}`);
			case 'MAIL': {
				const m = /^FROM:\s*<([^>]*)>/i.exec(arg);
				if (!m) return this.reply('501 Syntax: MAIL FROM:<address>');
				this.reset();
				this.from = m[1];
				return this.reply('250 OK');
			}
			case 'RCPT': {
				const m = /^TO:\s*<([^>]*)>/i.exec(arg);
				if (!m) return this.reply('501 Syntax: RCPT TO:<address>');
				if (!this.from) return this.reply('503 MAIL first');
				this.to.push(m[1]);
				return this.reply('250 OK');
			}
			case 'DATA':
				if (!this.from || this.to.length === 0) return this.reply('503 MAIL and RCPT first');
				this.mode = 'data';
				return this.reply('354 End data with <CR><LF>.<CR><LF>');
			case 'AUTH': {
				const [mech, initial] = arg.split(/\s+/);
				if (/^PLAIN$/i.test(mech ?? '')) return this.reply(initial ? '235 Authentication successful' : '334 ');
				if (/^LOGIN$/i.test(mech ?? '')) {
					this.mode = initial ? 'auth-login-pass' : 'auth-login-user';
					return this.reply(initial ? '334 UGFzc3dvcmQ6' : '334 VXNlcm5hbWU6');
				}
				return this.reply('504 Unrecognized authentication type');
			}
			case 'RSET':
				this.reset();
				return this.reply('250 OK');
			case 'NOOP':
				return this.reply('250 OK');
			case 'QUIT':
				this.reply(`221 ${this.name} closing`);
				this.socket.end();
				return;
			case 'STARTTLS':
				return this.reply('502 STARTTLS not supported');
			default:
				// A bare base64 line after "AUTH PLAIN" without an initial response.
				if (/^[A-Za-z0-9+/=]+$/.test(line)) return this.reply('235 Authentication successful');
				return this.reply('502 Command not implemented');
		}
	}
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
	const name = options.name ?? 'smtp-sink.local';
	const mails: ReceivedMail[] = [];
	const sockets = new Set<net.Socket>();
	const waiters: Array<{ count: number; resolve: (m: ReceivedMail[]) => void }> = [];

	const delivered = (mail: ReceivedMail) => {
		mails.push(mail);
		for (const w of [...waiters]) {
			if (mails.length >= w.count) {
				waiters.splice(waiters.indexOf(w), 1);
				w.resolve(mails.slice());
			}
		}
	};

	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		new SmtpSession(socket, name, delivered).start();
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => {
			server.removeListener('error', reject);
			resolve();
		});
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;

	let closing: Promise<void> | undefined;
	return {
		host: '127.0.0.1',
		port,
		mails,
		waitForMails(count: number, timeoutMs = 10_000) {
			if (mails.length >= count) return Promise.resolve(mails.slice());
			return new Promise((resolve, reject) => {
				const waiter = {
					count,
					resolve: (m: ReceivedMail[]) => {
						clearTimeout(timer);
						resolve(m);
					},
				};
				const timer = setTimeout(() => {
					waiters.splice(waiters.indexOf(waiter), 1);
					reject(new Error(`smtp sink: ${mails.length} of ${count} mails after ${timeoutMs} ms`));
				}, timeoutMs);
				waiters.push(waiter);
			});
		},
		clear() {
			mails.length = 0;
		},
		close() {
			closing ??= new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			});
			return closing;
		},
	};
}

// ---------------------------------------------------------------------------------------------
// Message parsing (enough for assertions and for printing)

interface Part {
	headers: Record<string, string>;
	body: string;
}

function splitHeaders(raw: string): Part {
	const at = raw.search(/\r?\n\r?\n/);
	const head = at < 0 ? raw : raw.slice(0, at);
	const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
	const headers: Record<string, string> = {};
	const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
	for (const line of unfolded.split(/\r?\n/)) {
		const i = line.indexOf(':');
		if (i <= 0) continue;
		headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
	}
	return { headers, body };
}

function charsetOf(contentType: string | undefined): BufferEncoding {
	const m = /charset="?([^";\s]+)"?/i.exec(contentType ?? '');
	const cs = (m?.[1] ?? 'utf-8').toLowerCase();
	return cs === 'us-ascii' || cs === 'iso-8859-1' || cs === 'latin1' ? 'latin1' : 'utf8';
}

/** Quoted-printable to bytes. */
export function decodeQuotedPrintable(text: string): Buffer {
	const soft = text.replace(/=\r?\n/g, '');
	const bytes: number[] = [];
	for (let i = 0; i < soft.length; i++) {
		const c = soft[i];
		if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
			bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
			i += 2;
		} else {
			for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
		}
	}
	return Buffer.from(bytes);
}

function decodeBody(part: Part): string {
	const encoding = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
	const charset = charsetOf(part.headers['content-type']);
	if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString(charset);
	if (encoding === 'quoted-printable') return decodeQuotedPrintable(part.body).toString(charset);
	return part.body;
}

/** RFC 2047 encoded words (=?charset?B|Q?...?=) in a header value. */
export function decodeHeaderWords(value: string): string {
	return value
		.replace(/\?=\s+=\?/g, '?==?') // whitespace between adjacent encoded words is dropped
		.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, charset: string, kind: string, data: string) => {
			const cs = charsetOf(`charset=${charset}`);
			if (kind.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString(cs);
			return decodeQuotedPrintable(data.replace(/_/g, ' ')).toString(cs);
		});
}

function boundaryOf(contentType: string | undefined): string | undefined {
	return /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
}

/** Leaf parts of a (possibly nested) multipart message. */
function leafParts(part: Part): Part[] {
	const type = (part.headers['content-type'] ?? 'text/plain').toLowerCase();
	const boundary = boundaryOf(part.headers['content-type']);
	if (!type.startsWith('multipart/') || !boundary) return [part];
	const out: Part[] = [];
	const pieces = part.body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`));
	for (const piece of pieces.slice(1)) {
		if (piece.trim() === '') continue;
		out.push(...leafParts(splitHeaders(piece)));
	}
	return out;
}

export function parseMessage(raw: string): Pick<ReceivedMail, 'raw' | 'headers' | 'subject' | 'text' | 'html'> {
	const top = splitHeaders(raw);
	const leaves = leafParts(top);
	const isType = (p: Part, t: string) => (p.headers['content-type'] ?? 'text/plain').toLowerCase().startsWith(t);
	const textPart = leaves.find((p) => isType(p, 'text/plain'));
	const htmlPart = leaves.find((p) => isType(p, 'text/html'));
	return {
		raw,
		headers: top.headers,
		subject: decodeHeaderWords(top.headers.subject ?? ''),
		text: textPart ? decodeBody(textPart).replace(/\r\n/g, '\n') : '',
		html: htmlPart ? decodeBody(htmlPart).replace(/\r\n/g, '\n') : undefined,
	};
}
