import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';
import {
	AgentChatError,
	asAgentChatError,
	bodyExcerpt,
	credentialTestFailure,
	failedItemJson,
	httpStatusError,
	inputError,
	redactDeep,
	redactSecrets,
	RETRYABLE_HTTP_STATUSES,
	toNodeError,
} from '../nodes/shared/errors';
import { SseFormatError } from '../nodes/shared/sse';
import { TransportError, type TransportFailureKind } from '../nodes/shared/transport';

const node: INode = {
	id: 'node-1',
	name: 'Agent',
	type: 'n8n-nodes-agent-chat.test',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const SECRET = 'sk-live-0123456789';

describe('AgentChatError and inputError', () => {
	it('keeps every option it is given', () => {
		const error = new AgentChatError('busy', {
			kind: 'vendor',
			code: 460011,
			description: 'try later',
			httpStatus: 200,
			retryable: true,
			retryAfterMs: 1500,
			field: 'content',
		});
		expect(error).toBeInstanceOf(Error);
		expect(error.name).toBe('AgentChatError');
		expect(error.message).toBe('busy');
		expect([error.kind, error.code, error.description, error.httpStatus, error.retryable, error.retryAfterMs, error.field]).toEqual([
			'vendor',
			460011,
			'try later',
			200,
			true,
			1500,
			'content',
		]);
	});

	it('is not retryable unless said so', () => {
		expect(new AgentChatError('x', { kind: 'http', code: 500 }).retryable).toBe(false);
	});

	it('names the field and the rule for bad input', () => {
		const error = inputError('options.timeout', 'must be a whole number from 1 to 600000');
		expect(error.message).toBe("Invalid parameter 'options.timeout': must be a whole number from 1 to 600000");
		expect([error.kind, error.code, error.field, error.retryable]).toEqual(['input', 'INVALID_INPUT', 'options.timeout', false]);
	});
});

describe('asAgentChatError', () => {
	it('passes an AgentChatError through unchanged', () => {
		const original = new AgentChatError('x', { kind: 'vendor', code: 1 });
		expect(asAgentChatError(original)).toBe(original);
	});

	const transportCases: Array<[TransportFailureKind, string, boolean]> = [
		['connect', 'CONNECTION_FAILED', true],
		['dns', 'HOST_NOT_FOUND', false],
		['reset', 'CONNECTION_RESET', true],
		['idle-timeout', 'IDLE_TIMEOUT', false],
		['total-timeout', 'TIMEOUT', false],
		['cancelled', 'CANCELLED', false],
		['protocol', 'PROTOCOL_ERROR', false],
	];
	it.each(transportCases)('turns a %s transport failure into code %s (retryable: %s)', (kind, code, retryable) => {
		const failure = asAgentChatError(new TransportError(kind, `the ${kind} failure`));
		expect(failure).toBeInstanceOf(AgentChatError);
		expect([failure.message, failure.kind, failure.code, failure.retryable]).toEqual([`the ${kind} failure`, 'transport', code, retryable]);
	});

	it('turns a broken SSE stream into a protocol error', () => {
		const failure = asAgentChatError(new SseFormatError('event too long'));
		expect([failure.message, failure.kind, failure.code, failure.retryable]).toEqual(['event too long', 'protocol', 'PROTOCOL_ERROR', false]);
	});

	it('keeps the message of any other error, and the text of a thrown non-error', () => {
		const fromError = asAgentChatError(new TypeError('cannot read x'));
		expect([fromError.message, fromError.kind, fromError.code]).toEqual(['cannot read x', 'protocol', 'UNEXPECTED_ERROR']);
		const fromString = asAgentChatError('plain text');
		expect([fromString.message, fromString.kind, fromString.code]).toEqual(['plain text', 'protocol', 'UNEXPECTED_ERROR']);
	});
});

describe('redactSecrets', () => {
	it('masks every occurrence of each secret', () => {
		expect(redactSecrets(`a ${SECRET} b ${SECRET} c token-42`, [SECRET, 'token-42'])).toBe('a *** b *** c ***');
	});

	it('masks a secret of four characters but leaves shorter ones alone', () => {
		expect(redactSecrets('pin 1234 and id 12', ['1234', '12'])).toBe('pin *** and id 12');
		expect(redactSecrets('id abc here', ['abc'])).toBe('id abc here');
	});

	it('masks the start of a secret that a cut excerpt ends with, from eight characters on', () => {
		expect(redactSecrets('key: sk-live-', [SECRET])).toBe('key: ***');
		expect(redactSecrets('key: sk-live', [SECRET])).toBe('key: sk-live');
	});

	it('masks a cut secret before the ellipsis and keeps the ellipsis', () => {
		expect(redactSecrets('key: sk-live-0123…', [SECRET])).toBe('key: ***…');
	});

	it('masks the longest start of the secret that the text ends with', () => {
		// Both "ABABABABAB" and "ABABABAB" are starts of the secret that the text ends with.
		expect(redactSecrets('id ABABABABAB', ['ABABABABAB-9'])).toBe('id ***');
	});

	it('leaves text without secrets as it is', () => {
		expect(redactSecrets('nothing to hide…', [SECRET])).toBe('nothing to hide…');
		expect(redactSecrets('', [SECRET])).toBe('');
	});
});

describe('redactDeep', () => {
	it('masks strings at any depth and leaves other values and the input alone', () => {
		const value = { message: `bad ${SECRET}`, count: 3, ok: false, none: null, list: [`x${SECRET}`, 7, { deeper: SECRET }] };
		const copy = JSON.parse(JSON.stringify(value));
		expect(redactDeep(value, [SECRET])).toEqual({ message: 'bad ***', count: 3, ok: false, none: null, list: ['x***', 7, { deeper: '***' }] });
		expect(value).toEqual(copy);
	});

	it('returns the very same value when there is no secret', () => {
		const value = { message: 'hello' };
		expect(redactDeep(value, [])).toBe(value);
	});

	it('masks a bare string', () => {
		expect(redactDeep(`Bearer ${SECRET}`, [SECRET])).toBe('Bearer ***');
	});
});

describe('toNodeError', () => {
	it('gives a NodeOperationError for bad input, with the item and the description, secrets masked', () => {
		const failure = new AgentChatError(`Invalid parameter 'appKey': got ${SECRET}`, {
			kind: 'input',
			code: 'INVALID_INPUT',
			description: `see ${SECRET}`,
		});
		const error = toNodeError(node, failure, 3, [SECRET]);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe("Invalid parameter 'appKey': got ***");
		expect(error.description).toBe('see ***');
		expect(error.context.itemIndex).toBe(3);
	});

	it('gives a NodeApiError for other failures, keeping message, code and HTTP status', () => {
		const failure = new AgentChatError(`Could not connect to 127.0.0.1:1 (ECONNREFUSED) ${SECRET}`, {
			kind: 'http',
			code: 503,
			httpStatus: 503,
			description: `Response body: ${SECRET}`,
		});
		const error = toNodeError(node, failure, 2, [SECRET]) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Could not connect to 127.0.0.1:1 (ECONNREFUSED) ***');
		expect(error.description).toBe('Response body: ***');
		expect(error.httpCode).toBe('503');
		expect(error.context.itemIndex).toBe(2);
		expect(error.errorResponse).toEqual({ message: 'Could not connect to 127.0.0.1:1 (ECONNREFUSED) ***', code: 503, httpStatus: 503 });
	});

	it('sends no HTTP status and no description when the failure has none', () => {
		const error = toNodeError(node, new AgentChatError('The connection was closed', { kind: 'transport', code: 'CONNECTION_RESET' }), 0, []) as NodeApiError;
		expect(error.errorResponse).toEqual({ message: 'The connection was closed', code: 'CONNECTION_RESET' });
		expect(error.message).toBe('The connection was closed');
		expect(error.description).toBeNull();
	});
});

describe('failedItemJson', () => {
	it('holds the error, its code, the HTTP status, the description and what arrived, secrets masked', () => {
		const failure = new AgentChatError(`failed with ${SECRET}`, { kind: 'http', code: 502, httpStatus: 502, description: `body ${SECRET}` });
		expect(failedItemJson(failure, { reply: `so far ${SECRET}`, isFinal: false }, [SECRET])).toEqual({
			error: 'failed with ***',
			code: 502,
			reply: 'so far ***',
			isFinal: false,
			httpStatus: 502,
			errorDescription: 'body ***',
		});
	});

	it('leaves out the HTTP status and description when there are none', () => {
		const failure = new AgentChatError('cancelled', { kind: 'transport', code: 'CANCELLED' });
		expect(failedItemJson(failure, {}, [])).toEqual({ error: 'cancelled', code: 'CANCELLED' });
	});
});

describe('credentialTestFailure', () => {
	it('says the message and its explanation, secrets masked', () => {
		const failure = new AgentChatError(`Signature of ${SECRET} rejected`, { kind: 'vendor', code: 'AuthFailure', description: 'Check the key' });
		expect(credentialTestFailure(failure, [SECRET])).toEqual({ status: 'Error', message: 'Signature of *** rejected. Check the key' });
	});

	it('says only the message when there is no explanation, whatever was thrown', () => {
		expect(credentialTestFailure(new TransportError('dns', 'Could not resolve the host x (ENOTFOUND)'), [])).toEqual({
			status: 'Error',
			message: 'Could not resolve the host x (ENOTFOUND)',
		});
	});
});

describe('HTTP status errors', () => {
	it('retries rate limits and busy upstreams only', () => {
		expect([...RETRYABLE_HTTP_STATUSES].sort()).toEqual([429, 502, 503, 504]);
	});

	it('reduces an HTML page to its text, without scripts and styles', () => {
		const page = '  <html><head><style>p { color: red }</style><script>alert("x")</script></head>\n<body><h1>Bad   Gateway</h1>\n<p>nginx</p></body></html>';
		expect(bodyExcerpt(page)).toBe('Bad Gateway nginx');
	});

	it('keeps angle brackets in a body that is not HTML, collapsing whitespace', () => {
		expect(bodyExcerpt('{"error":"a <b> c"}\n\n  x')).toBe('{"error":"a <b> c"} x');
	});

	it('cuts a long body at 1000 characters with an ellipsis', () => {
		expect(bodyExcerpt('y'.repeat(1000))).toBe('y'.repeat(1000));
		expect(bodyExcerpt('y'.repeat(1001))).toBe(`${'y'.repeat(1000)}…`);
	});

	it('names the vendor, the status and the start of the body', () => {
		const error = httpStatusError('AiSK', 503, `${'z'.repeat(300)}`, 2000);
		expect(error.message).toBe(`AiSK answered HTTP 503: ${'z'.repeat(200)}`);
		expect([error.kind, error.code, error.httpStatus, error.retryable, error.retryAfterMs]).toEqual(['http', 503, 503, true, 2000]);
		expect(error.description).toBe(`Response body: ${'z'.repeat(300)}`);
	});

	it('says when the body was empty, and does not retry a client error', () => {
		const error = httpStatusError('tate-a-tate', 400, ' \n ');
		expect(error.message).toBe('tate-a-tate answered HTTP 400');
		expect(error.description).toBe('The response body was empty.');
		expect(error.retryable).toBe(false);
		expect(error.retryAfterMs).toBeUndefined();
	});
});
