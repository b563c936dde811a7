import * as http from 'http';
import type { AddressInfo } from 'net';
import { handleAdpV2 } from './adpV2';
import { handleAisk } from './aisk';
import { handleAiskInit, handleAiskPromptToken, handleAiskStream } from './aiskAsk';
import { handleCloudApi } from './cloudApi';
import { Responder, sendJson, SimCore, type RequestContext } from './core';
import { handleLke } from './lke';
import { playScript } from './script';
import { handleTate } from './tate';
import type { RecordedRequest, RouteName } from './types';

const AISK_RE = /^\/bv\/aisk\/v1\/chatbots\/([^/]+)\/token$/;

function classify(pathname: string): { route: RouteName | 'unknown'; param?: string } {
	if (pathname === '/v1/qbot/chat/sse') return { route: 'lke' };
	if (pathname === '/adp/v2/chat') return { route: 'adpV2' };
	if (pathname === '/') return { route: 'cloudApi' };
	if (pathname === '/im/admin/v1/msg/send') return { route: 'tate' };
	if (pathname === '/bv/aisk/v1/prompts/tokens') return { route: 'aiskPromptToken' };
	if (pathname === '/bv/aisk/v1/prompts:init' || pathname === '/bv/aisk/v1/prompts%3Ainit') return { route: 'aiskInit' };
	if (pathname === '/bv/aisk-stream/v1/prompts') return { route: 'aiskStream' };
	const aisk = AISK_RE.exec(pathname);
	if (aisk) return { route: 'aisk', param: aisk[1] };
	return { route: 'unknown' };
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let ended = false;
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			ended = true;
			resolve(Buffer.concat(chunks));
		});
		req.on('error', () => resolve(null));
		req.on('close', () => {
			if (!ended) resolve(null);
		});
	});
}

async function handle(core: SimCore, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
	const r = new Responder(req, res, core);
	const at = Date.now();
	const path = req.url ?? '/';
	const url = new URL(path, 'http://127.0.0.1');
	const { route, param } = classify(url.pathname);
	const method = req.method ?? 'GET';

	const body = await readBody(req);
	if (body === null || !r.alive) return;
	const text = body.toString('utf8');
	let json: unknown;
	try {
		json = text.trim() === '' ? undefined : JSON.parse(text);
	} catch {
		json = undefined;
	}
	const record: RecordedRequest = { route, method, path, headers: req.headers, body: text, at };
	if (json !== undefined) record.json = json;
	core.requests.push(record);
	core.enter(route);
	res.once('close', () => {
		core.leave(route);
		const how = res.writableFinished ? '' : ' (connection closed before the end)';
		core.log(`${route} ${method} ${url.pathname} ${res.statusCode}${how}`);
	});

	if (route === 'unknown') {
		sendJson(r, 404, { code: 404, message: `Not Found: ${method} ${url.pathname}` });
		return;
	}
	const allowed = route === 'aiskInit' ? 'GET' : 'POST';
	if (method !== allowed) {
		sendJson(r, 405, { code: 405, message: `Method Not Allowed: ${method} ${url.pathname}` }, { allow: allowed });
		return;
	}
	const script = core.queues[route].shift();
	if (script) return playScript(r, route, script);

	const ctx: RequestContext = { core, r, req, res, url, body, text, json, record };
	switch (route) {
		case 'lke':
			return handleLke(ctx);
		case 'adpV2':
			return handleAdpV2(ctx);
		case 'cloudApi':
			return handleCloudApi(ctx);
		case 'aisk':
			return handleAisk(ctx, param ?? '');
		case 'tate':
			return handleTate(ctx);
		case 'aiskPromptToken':
			return handleAiskPromptToken(ctx);
		case 'aiskInit':
			return handleAiskInit(ctx);
		case 'aiskStream':
			return handleAiskStream(ctx);
	}
}

export interface RunningServer {
	server: http.Server;
	port: number;
}

export function listen(core: SimCore, port: number): Promise<RunningServer> {
	const server = http.createServer({ noDelay: true, keepAlive: true }, (req, res) => {
		handle(core, req, res).catch((err: unknown) => {
			core.log(`internal simulator error: ${err instanceof Error ? err.message : String(err)}`);
			if (!res.headersSent) {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ code: 500, message: 'simulator internal error' }));
			} else {
				res.destroy();
			}
		});
	});
	server.on('connection', (socket) => {
		if (core.closing) {
			socket.destroy();
			return;
		}
		core.opened++;
		core.sockets.add(socket);
		socket.on('close', () => core.sockets.delete(socket));
	});
	server.on('clientError', (_err, socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
		else socket.destroy();
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve({ server, port: (server.address() as AddressInfo).port });
		});
	});
}

export async function shutdown(core: SimCore, server: http.Server): Promise<void> {
	core.closing = true;
	for (const r of [...core.responders]) r.abort();
	for (const t of core.timers) clearTimeout(t);
	core.timers.clear();
	for (const s of core.sockets) s.destroy();
	core.sockets.clear();
	await new Promise<void>((resolve) => server.close(() => resolve()));
}
