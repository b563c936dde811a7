import type { IDataObject } from 'n8n-workflow';

/**
 * AiSK citations (`smartchat.v1.Citation`) as the node outputs them: `{ type, sourceId,
 * subSourceId, name, url, content }`, every key present (an empty text where the API gives
 * nothing). Field names are read in the proto form (`source_id`) and in the lowerCamel form a
 * grpc-gateway with default JSON options sends (`sourceId`). Pure.
 */

export interface AiskReference extends IDataObject {
	type: string;
	sourceId: string;
	subSourceId: string;
	/** The web link's title, the file's name or the media's name. */
	name: string;
	/** The web link's URL or the file's download URL. */
	url: string;
	/** The cited text; for media, the cited subtitle lines, one per line. */
	content: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function field(object: Json | undefined, snake: string): unknown {
	if (!object) return undefined;
	if (object[snake] !== undefined) return object[snake];
	return object[snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())];
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function objectField(object: Json, snake: string): Json | undefined {
	const value = field(object, snake);
	return isObject(value) ? value : undefined;
}

/** One citation normalized; undefined for something that is not a citation object. */
export function normalizeCitation(citation: unknown): AiskReference | undefined {
	if (!isObject(citation)) return undefined;
	const webLink = objectField(citation, 'web_link');
	const localDrive = objectField(citation, 'local_drive');
	const media = objectField(citation, 'vod') ?? objectField(citation, 'video') ?? objectField(citation, 'aod');
	const mediaLines = Array.isArray(field(media, 'contents'))
		? (field(media, 'contents') as unknown[]).map((line) => (isObject(line) ? text(line.content) : '')).filter(Boolean)
		: [];
	return {
		type: text(citation.type),
		sourceId: text(field(citation, 'source_id')),
		subSourceId: text(field(citation, 'sub_source_id')),
		name: text(field(webLink, 'title')) || text(field(localDrive, 'file_name')) || text(field(media, 'name')),
		url: text(field(webLink, 'url')) || text(field(localDrive, 'download_url')),
		content: text(field(webLink, 'content')) || text(field(localDrive, 'content')) || mediaLines.join('\n'),
	};
}

/** The identity of a cited source: the same source sent again on a later message is one reference. */
export function referenceKey(reference: AiskReference): string {
	return JSON.stringify([reference.type, reference.sourceId, reference.subSourceId, reference.sourceId || reference.subSourceId ? '' : reference.name + reference.url]);
}
