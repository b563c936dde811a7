/**
 * A streaming webhook's response read as it arrives: n8n writes one JSON object per line
 * ({"type":"begin"|"item"|"end"|"error", "content", "metadata": {"nodeName", …}}), and each line
 * is kept with the time it reached the client.
 */

export interface ArrivedLine {
	/** ms from sending the request to the network read that completed this line. */
	at: number;
	type: string;
	content?: string;
	nodeName?: string;
}

export interface StreamedResponse {
	status: number;
	lines: ArrivedLine[];
	/** Lines that are not JSON objects. */
	unreadable: string[];
	/** ms from sending the request to the end of the body. */
	totalMs: number;
	/** The first 2000 characters of the body, for failure messages. */
	head: string;
}

function parseLine(text: string, at: number): ArrivedLine | undefined {
	try {
		const raw = JSON.parse(text) as { type?: unknown; content?: unknown; metadata?: { nodeName?: unknown } };
		if (!raw || typeof raw !== 'object') return undefined;
		return {
			at,
			type: String(raw.type),
			content: typeof raw.content === 'string' ? raw.content : undefined,
			nodeName: typeof raw.metadata?.nodeName === 'string' ? raw.metadata.nodeName : undefined,
		};
	} catch {
		return undefined;
	}
}

/** POSTs `body` as JSON to `url` and reads the streamed answer line by line. */
export async function postAndReadLines(url: string, body: unknown, timeoutMs = 120_000): Promise<StreamedResponse> {
	const started = performance.now();
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(timeoutMs),
	});
	const lines: ArrivedLine[] = [];
	const unreadable: string[] = [];
	let head = '';
	let pending = '';
	const take = (text: string, at: number) => {
		if (!text.trim()) return;
		const line = parseLine(text, at);
		if (line) lines.push(line);
		else unreadable.push(text);
	};
	const decoder = new TextDecoder();
	if (res.body) {
		for await (const bytes of res.body) {
			const at = performance.now() - started;
			const text = decoder.decode(bytes, { stream: true });
			if (head.length < 2000) head += text;
			pending += text;
			const parts = pending.split('\n');
			pending = parts.pop() ?? '';
			for (const part of parts) take(part, at);
		}
	}
	const totalMs = performance.now() - started;
	take(pending + decoder.decode(), totalMs);
	return { status: res.status, lines, unreadable, totalMs, head: head.slice(0, 2000) };
}
