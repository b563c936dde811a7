/**
 * Serialising an event whose text is hundreds of megabytes through JSON.stringify costs more than
 * the benchmark it serves measures; when the text needs no JSON escaping, the event is serialised
 * with a placeholder and the text's UTF-8 bytes are spliced in its place.
 */

/** Put this where the raw text goes; JSON.stringify keeps it recognisable. */
export const RAW_TEXT = '\u0000sim-raw-text\u0000';
const RAW_TEXT_JSON = JSON.stringify(RAW_TEXT);

/** True when JSON.stringify(text) is the text between quotes (checked on a short pattern, not a long text). */
export function needsNoJsonEscaping(text: string): boolean {
	return JSON.stringify(text) === `"${text}"`;
}

/** `head + json + tail` with every `"RAW_TEXT"` in json replaced by `"` + the text's bytes (its pieces in order) + `"`. */
export function spliceRawText(json: string, textBytes: Buffer[], head = '', tail = ''): Buffer {
	const parts: Buffer[] = [Buffer.from(head)];
	let from = 0;
	for (let at = json.indexOf(RAW_TEXT_JSON); at >= 0; at = json.indexOf(RAW_TEXT_JSON, from)) {
		parts.push(Buffer.from(json.slice(from, at) + '"'), ...textBytes, Buffer.from('"'));
		from = at + RAW_TEXT_JSON.length;
	}
	parts.push(Buffer.from(json.slice(from) + tail));
	return Buffer.concat(parts);
}
