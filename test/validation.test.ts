import { AgentChatError } from '../nodes/shared/errors';
import { checkBaseUrl, checkIntegerOption, isObject, UUID_PATTERN } from '../nodes/shared/validation';

/** The input error a check throws, for its field and message. */
function failureOf(check: () => unknown): AgentChatError {
	try {
		check();
	} catch (error) {
		return error as AgentChatError;
	}
	throw new Error('the check accepted the value');
}

describe('checkIntegerOption', () => {
	it('accepts whole numbers at both ends of the range and in between', () => {
		expect(checkIntegerOption(1, 'options.concurrency', 1, 100)).toBe(1);
		expect(checkIntegerOption(100, 'options.concurrency', 1, 100)).toBe(100);
		expect(checkIntegerOption(0, 'options.maxRetries', 0, 10)).toBe(0);
		expect(checkIntegerOption(7, 'options.maxRetries', 0, 10)).toBe(7);
	});

	it('reads a number written as text, spaces around it allowed', () => {
		expect(checkIntegerOption('5', 'options.maxRetries', 0, 10)).toBe(5);
		expect(checkIntegerOption(' 10 ', 'options.maxRetries', 0, 10)).toBe(10);
	});

	it('refuses empty or blank text even where 0 is allowed, instead of reading it as 0', () => {
		expect(failureOf(() => checkIntegerOption('', 'options.maxRetries', 0, 10)).message).toBe(
			`Invalid parameter 'options.maxRetries': must be a whole number from 0 to 10 (got "")`,
		);
		expect(failureOf(() => checkIntegerOption('  ', 'options.maxRetries', 0, 10)).message).toBe(
			`Invalid parameter 'options.maxRetries': must be a whole number from 0 to 10 (got "  ")`,
		);
	});

	it('names the field, the range and the value it got', () => {
		const error = failureOf(() => checkIntegerOption(101, 'options.concurrency', 1, 100));
		expect(error).toBeInstanceOf(AgentChatError);
		expect(error.kind).toBe('input');
		expect(error.field).toBe('options.concurrency');
		expect(error.message).toBe("Invalid parameter 'options.concurrency': must be a whole number from 1 to 100 (got 101)");
	});

	it.each([
		[0, '0'],
		[-1, '-1'],
		[11, '11'],
		[2.5, '2.5'],
		[Number.NaN, 'null'],
		['', '""'],
		['  ', '"  "'],
		['three', '"three"'],
		['4.5', '"4.5"'],
		[true, 'true'],
		[null, 'null'],
		[[3], '[3]'],
	])('refuses %p for a range of 1 to 10', (value, shown) => {
		expect(failureOf(() => checkIntegerOption(value, 'options.maxRetries', 1, 10)).message).toBe(
			`Invalid parameter 'options.maxRetries': must be a whole number from 1 to 10 (got ${shown})`,
		);
	});
});

describe('checkBaseUrl', () => {
	it('accepts http and https URLs and drops trailing slashes and surrounding spaces', () => {
		expect(checkBaseUrl('https://api.example.com', 'baseUrl')).toBe('https://api.example.com');
		expect(checkBaseUrl(' http://127.0.0.1:8080/base// ', 'baseUrl')).toBe('http://127.0.0.1:8080/base');
		expect(checkBaseUrl('https://host.example/', 'baseUrl')).toBe('https://host.example');
	});

	it('refuses a value that is not a URL, naming the field and the value', () => {
		const error = failureOf(() => checkBaseUrl(' not a url ', 'credentials.baseUrl'));
		expect(error.field).toBe('credentials.baseUrl');
		expect(error.message).toBe(`Invalid parameter 'credentials.baseUrl': must be an http:// or https:// URL (got "not a url")`);
	});

	it('refuses a missing value as an empty text', () => {
		expect(failureOf(() => checkBaseUrl(undefined, 'baseUrl')).message).toBe(
			`Invalid parameter 'baseUrl': must be an http:// or https:// URL (got "")`,
		);
		expect(failureOf(() => checkBaseUrl(42, 'baseUrl')).message).toBe(`Invalid parameter 'baseUrl': must be an http:// or https:// URL (got "")`);
	});

	it('refuses other schemes', () => {
		expect(failureOf(() => checkBaseUrl('ftp://files.example.com', 'baseUrl')).message).toBe(
			`Invalid parameter 'baseUrl': must be an http:// or https:// URL (got "ftp://files.example.com")`,
		);
		expect(failureOf(() => checkBaseUrl('ws://host.example', 'baseUrl')).field).toBe('baseUrl');
	});

	it('refuses a query string or a fragment, which a path appended later would break', () => {
		expect(failureOf(() => checkBaseUrl('https://host.example/api?x=1', 'baseUrl')).message).toBe(
			"Invalid parameter 'baseUrl': must not contain a query string or fragment",
		);
		expect(failureOf(() => checkBaseUrl('https://host.example/api#top', 'baseUrl')).message).toBe(
			"Invalid parameter 'baseUrl': must not contain a query string or fragment",
		);
	});
});

describe('UUID_PATTERN', () => {
	it('matches a UUID in either case and nothing around it', () => {
		expect(UUID_PATTERN.test('3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBe(true);
		expect(UUID_PATTERN.test('3F2504E0-4F89-11D3-9A0C-0305E82C3301')).toBe(true);
		expect(UUID_PATTERN.test(' 3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBe(false);
		expect(UUID_PATTERN.test('3f2504e0-4f89-11d3-9a0c-0305e82c3301x')).toBe(false);
		expect(UUID_PATTERN.test('3f2504e04f8911d39a0c0305e82c3301')).toBe(false);
		expect(UUID_PATTERN.test('3f2504e0-4f89-11d3-9a0c-0305e82c330g')).toBe(false);
		expect(UUID_PATTERN.test('3f2504e-04f89-11d3-9a0c-0305e82c3301')).toBe(false);
	});
});

describe('isObject', () => {
	it.each([
		['a plain object', { a: 1 }, true],
		['an empty object', {}, true],
		['an object without a prototype', Object.create(null) as object, true],
		['null', null, false],
		['a list', [1, 2], false],
		['an empty list', [], false],
		['a text', 'a', false],
		['a number', 1, false],
		['undefined', undefined, false],
		['false', false, false],
	])('%s', (_, value, expected) => {
		expect(isObject(value)).toBe(expected);
	});
});
