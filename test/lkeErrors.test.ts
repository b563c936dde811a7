/**
 * The Tencent LKE error mapper (pure): dialog errors of both API versions, the canned answers that
 * stand for errors, bodies that are not event streams, and the Cloud API's envelope. Expected texts
 * are written out by hand; codes and meanings follow the vendor's error tables (docs/vendors/tencent-lke.md).
 */
import { AgentChatError } from '../nodes/shared/errors';
import { thrownAgentChatError } from './helpers/failureOf';
import {
	adpV2ErrorFromEvent,
	busyReplyError,
	clientToolsRequiredError,
	cloudApiError,
	incompleteStreamError,
	lkeDialogError,
	lkeErrorFromEvent,
	parseCloudApiResponse,
	retriesAtMostOnce,
	sensitiveContentError,
	unexpectedChatBody,
} from '../nodes/TencentLke/errors';


describe('LKE dialog errors', () => {
	test('a documented code: its meaning, the server text when it says more, the hint', () => {
		expect(lkeDialogError(460004, '机器人不存在')).toMatchObject({
			kind: 'vendor',
			code: 460004,
			message: 'Tencent LKE error 460004: The application does not exist',
			description: 'The server said: 机器人不存在 Check that the application is published and that the AppKey belongs to it.',
			retryable: false,
		});
		// The server repeating the meaning adds nothing.
		expect(lkeDialogError(460004, 'The application does not exist').description).toBe('Check that the application is published and that the AppKey belongs to it.');
		expect(lkeDialogError('460011', '').retryable).toBe(true);
	});

	test('an unknown code: the server text is the meaning; neither: "Unknown error"; no details: no description', () => {
		expect(lkeDialogError(999999, 'odd failure')).toMatchObject({ message: 'Tencent LKE error 999999: odd failure', description: undefined, retryable: false });
		expect(lkeDialogError(999999, '')).toMatchObject({ message: 'Tencent LKE error 999999: Unknown error', description: undefined });
		expect(lkeDialogError('E-x', '')).toMatchObject({ code: 'E-x', message: 'Tencent LKE error E-x: Unknown error' });
	});

	test('v1 {code, message} and v2 {Code, Message}; a message that is not text is left out', () => {
		expect(lkeErrorFromEvent({ code: 460004, message: 'gone' }).description).toMatch(/^The server said: gone /);
		expect(lkeErrorFromEvent({ code: 460004, message: 42 }).description).not.toMatch(/server said/);
		expect(adpV2ErrorFromEvent({ Code: 460004, Message: 'gone' }).description).toMatch(/^The server said: gone /);
		expect(adpV2ErrorFromEvent({ Code: 460004, Message: ['x'] }).description).not.toMatch(/server said/);
	});

	test('one more attempt only for the transient codes, as vendor errors with numeric codes', () => {
		expect(retriesAtMostOnce(lkeDialogError(460020, ''))).toBe(true);
		expect(retriesAtMostOnce(lkeDialogError(460011, ''))).toBe(false);
		expect(retriesAtMostOnce(new AgentChatError('x', { kind: 'http', code: 500 }))).toBe(false);
		expect(retriesAtMostOnce(new AgentChatError('x', { kind: 'vendor', code: '460020' }))).toBe(false);
	});
});

describe('answers that stand for errors', () => {
	test('the canned "too busy" answer is 460011, retried, with its hint', () => {
		expect(busyReplyError()).toMatchObject({
			kind: 'vendor',
			code: 460011,
			retryable: true,
			message: 'Tencent LKE error 460011: Exceed the concurrency limit',
			description:
				'The service sent its canned "too busy" answer (reply method 7) instead of an answer. Lower the node\'s Concurrency option or raise the application\'s concurrency quota.',
		});
	});

	test('client tools: named when known', () => {
		expect(clientToolsRequiredError(['search', 'calc']).description).toBe(
			"The agent stopped to wait for the caller to run its client tools (search, calc) and send their outputs (reply method 20). Configure the application's tools on the server side (plugins or workflows) instead.",
		);
		expect(clientToolsRequiredError([]).description).toMatch(/run its client tools and send/);
		expect(clientToolsRequiredError([])).toMatchObject({ code: 'CLIENT_TOOLS_REQUIRED', message: 'Tencent LKE: the application needs client-side tools, which this node does not run' });
	});

	test('sensitive content and an incomplete stream', () => {
		expect(sensitiveContentError()).toMatchObject({
			code: 'SENSITIVE_CONTENT',
			description: 'The content safety check rejected the question before the bot answered. Rephrase the content.',
		});
		expect(incompleteStreamError(true)).toMatchObject({
			code: 'INCOMPLETE_STREAM',
			retryable: true,
			message: 'The Tencent LKE stream ended before the final reply: the answer is incomplete',
			description: 'The server closed the connection without sending the reply marked is_final. What arrived is kept on the item under "Continue On Fail".',
		});
		expect(incompleteStreamError(false, 'response.completed').description).toMatch(/without sending response\.completed\./);
	});
});

describe('a 200 that is not an event stream', () => {
	test('a JSON error in any of its shapes is the dialog error', () => {
		expect(unexpectedChatBody('application/json', '{"code":460004,"msg":"no app"}')).toMatchObject({ code: 460004, description: expect.stringMatching(/^The server said: no app /) });
		expect(unexpectedChatBody('application/json', '{"error":{"code":460004,"message":"m1"}}').description).toMatch(/^The server said: m1 /);
		expect(unexpectedChatBody('application/json', '{"Error":{"Code":460004,"Message":"m2"}}').description).toMatch(/^The server said: m2 /);
		expect(unexpectedChatBody('application/json', '{"Code":"460004"}').code).toBe(460004);
	});

	test('code 0, no code, or not JSON: the content type and the body', () => {
		for (const body of ['{"code":0,"msg":"ok"}', '{"data":1}', '<html>hi</html>']) {
			expect(unexpectedChatBody('text/html', body)).toMatchObject({ kind: 'protocol', code: 'UNEXPECTED_CONTENT_TYPE', message: 'Tencent LKE answered with text/html instead of an event stream', description: body });
		}
		expect(unexpectedChatBody('', '')).toMatchObject({ message: 'Tencent LKE answered with no content type instead of an event stream', description: 'The body was empty.' });
		expect(unexpectedChatBody('text/plain', 'x'.repeat(600)).description).toBe('x'.repeat(500));
	});
});

describe('the Cloud API envelope (GetWsToken)', () => {
	test('Response.Error: the code, the message, the hint and the RequestId', () => {
		const failure = thrownAgentChatError(() =>
			parseCloudApiResponse(200, JSON.stringify({ Response: { Error: { Code: 'AuthFailure.SignatureExpire', Message: 'expired' }, RequestId: 'req-1' } })),
		);
		expect(failure).toMatchObject({
			kind: 'vendor',
			code: 'AuthFailure.SignatureExpire',
			httpStatus: undefined,
			retryable: false,
			message: 'Tencent Cloud API error AuthFailure.SignatureExpire: expired',
			description:
				"The request timestamp is more than 5 minutes away from Tencent Cloud's time: check the n8n host's clock (enable NTP time synchronization). RequestId: req-1 (quote it to Tencent Cloud support).",
		});
		const noCode = thrownAgentChatError(() => parseCloudApiResponse(400, JSON.stringify({ Response: { Error: { Message: 5 } } })));
		expect(noCode).toMatchObject({ code: 'UnknownError', httpStatus: 400, message: 'Tencent Cloud API error UnknownError: no message', description: 'The answer carried no RequestId.' });
	});

	test('frequency limits and internal errors are retried; a sub-code of the limit takes its hint', () => {
		expect(cloudApiError('RequestLimitExceeded.UinLimitExceeded', 'slow', 'r')).toMatchObject({
			retryable: true,
			description: 'GetWsToken allows 100 requests a second: lower the request rate. RequestId: r (quote it to Tencent Cloud support).',
		});
		expect(cloudApiError('InternalError', '', undefined).retryable).toBe(true);
		expect(cloudApiError('X.RequestLimitExceeded.', '', undefined)).toMatchObject({ retryable: false, description: 'The answer carried no RequestId.' });
		expect(cloudApiError('FailedOperation', '', undefined, 503).retryable).toBe(true);
	});

	test('no envelope: a 2xx is a protocol error with the body; another status is an HTTP error', () => {
		for (const body of ['[1]', '{"Response":[1]}', '{"Response":"x"}', 'not json', 'null']) {
			expect(thrownAgentChatError(() => parseCloudApiResponse(200, body))).toMatchObject({ code: 'UNEXPECTED_RESPONSE', message: 'Tencent Cloud API answered without a Response object' });
		}
		expect(thrownAgentChatError(() => parseCloudApiResponse(200, ''))).toMatchObject({ description: 'Response body: (empty)' });
		expect(thrownAgentChatError(() => parseCloudApiResponse(300, '{"Response":{"Token":"t"}}'))).toMatchObject({ kind: 'http', code: 300 });
		expect(thrownAgentChatError(() => parseCloudApiResponse(502, 'bad gateway'))).toMatchObject({ kind: 'http', code: 502, retryable: true });
		expect(parseCloudApiResponse(299, '{"Response":{"Token":"t","RequestId":"r"}}')).toEqual({ Token: 't', RequestId: 'r' });
	});
});
