import { existsSync } from 'fs';
import { join } from 'path';
import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { AiskApi } from '../credentials/AiskApi.credentials';
import { TateATateApi } from '../credentials/TateATateApi.credentials';
import { TencentLkeApi } from '../credentials/TencentLkeApi.credentials';

// Saved credentials are stored under these type and field names: renaming one loses the user's keys.
// Every expectation is the public contract written out by hand. Each test makes its credential, so that a coverage
// tool counts the test as reading it.

function field(credential: ICredentialType, name: string): INodeProperties {
	const found = credential.properties.find((property) => property.name === name);
	if (!found) throw new Error(`${credential.name} has no field ${name}`);
	return found;
}

const isPassword = (property: INodeProperties): boolean => property.typeOptions?.password === true;

describe('credential types', () => {
	it('keep their type names and display names', () => {
		expect([new TencentLkeApi(), new AiskApi(), new TateATateApi()].map(({ name, displayName }) => [name, displayName])).toEqual([
			['tencentLkeApi', 'Tencent LKE API'],
			['aiskApi', 'AiSK API'],
			['tateATateApi', 'Tate-a-Tate API'],
		]);
	});

	it('point to the vendors\' documentation and to icons that exist', () => {
		const expected: Array<[ICredentialType, string]> = [
			[new TencentLkeApi(), 'https://www.tencentcloud.com/document/product/1254'],
			[new AiskApi(), 'https://developers.blendvision.com/'],
			[new TateATateApi(), 'https://chat.tate-a-tate.com/'],
		];
		for (const [credential, url] of expected) {
			expect(credential.documentationUrl).toBe(url);
			const icon = String(credential.icon);
			expect(icon).toMatch(/^file:\.\.\/nodes\/[A-Za-z]+\/[A-Za-z]+\.svg$/);
			// n8n resolves the icon next to the built credential file, which sits where the source does.
			expect(existsSync(join(__dirname, '..', 'credentials', icon.slice('file:'.length)))).toBe(true);
		}
	});
});

describe('tencentLkeApi', () => {

	it('has the contract\'s fields in order', () => {
		const credential = new TencentLkeApi();
		expect(credential.properties.map((property) => property.name)).toEqual(['appKey', 'secretId', 'secretKey', 'site', 'chatBaseUrl', 'apiEndpoint', 'region']);
	});

	it('hides the keys as passwords and requires only the AppKey', () => {
		const credential = new TencentLkeApi();
		for (const name of ['appKey', 'secretId', 'secretKey']) {
			expect(isPassword(field(credential, name))).toBe(true);
			expect(field(credential, name).type).toBe('string');
			expect(field(credential, name).default).toBe('');
		}
		expect(credential.properties.filter((property) => property.required === true).map((property) => property.name)).toEqual(['appKey']);
	});

	it('offers the international site by default, the China site and custom hosts', () => {
		const credential = new TencentLkeApi();
		const site = field(credential, 'site');
		expect(site.type).toBe('options');
		expect(site.default).toBe('international');
		expect((site.options ?? []).map((option) => ('value' in option ? option.value : undefined))).toEqual(['international', 'china', 'custom']);
		const descriptions = (site.options ?? []).map((option) => ('description' in option ? option.description : ''));
		expect(descriptions[0]).toContain('lke.intl.tencentcloudapi.com');
		expect(descriptions[0]).toContain('ap-jakarta');
		expect(descriptions[1]).toContain('wss.lke.cloud.tencent.com');
		expect(descriptions[1]).toContain('ap-guangzhou');
	});

	it('shows the host fields only for custom hosts, none of them secret', () => {
		const credential = new TencentLkeApi();
		for (const name of ['chatBaseUrl', 'apiEndpoint', 'region']) {
			const property = field(credential, name);
			expect(property.displayOptions).toEqual({ show: { site: ['custom'] } });
			expect(property.type).toBe('string');
			expect(isPassword(property)).toBe(false);
		}
		expect(field(credential, 'chatBaseUrl').default).toBe('');
		expect(field(credential, 'apiEndpoint').default).toBe('');
		expect(field(credential, 'region').default).toBe('ap-jakarta');
	});

	it('says which chat paths are appended to a custom chat base URL, the current API\'s first', () => {
		const credential = new TencentLkeApi();
		const description = field(credential, 'chatBaseUrl').description ?? '';
		expect(description).toContain('/adp/v2/chat');
		expect(description).toContain('/v1/qbot/chat/sse');
		expect(description.indexOf('/adp/v2/chat')).toBeLessThan(description.indexOf('/v1/qbot/chat/sse'));
	});
});

describe('aiskApi', () => {

	it('has the token as a required password, an optional organization and the API host', () => {
		const credential = new AiskApi();
		expect(credential.properties.map((property) => property.name)).toEqual(['apiToken', 'orgId', 'baseUrl']);
		expect(isPassword(field(credential, 'apiToken'))).toBe(true);
		expect(field(credential, 'apiToken').required).toBe(true);
		expect(field(credential, 'apiToken').default).toBe('');
		expect(isPassword(field(credential, 'orgId'))).toBe(false);
		expect(field(credential, 'orgId').required).not.toBe(true);
		expect(field(credential, 'orgId').default).toBe('');
		expect(field(credential, 'baseUrl').default).toBe('https://api.one.blendvision.com');
	});
});

describe('tateATateApi', () => {

	it('has the secret key as a required password and the API root', () => {
		const credential = new TateATateApi();
		expect(credential.properties.map((property) => property.name)).toEqual(['secretKey', 'baseUrl']);
		expect(isPassword(field(credential, 'secretKey'))).toBe(true);
		expect(field(credential, 'secretKey').required).toBe(true);
		expect(field(credential, 'secretKey').default).toBe('');
		expect(isPassword(field(credential, 'baseUrl'))).toBe(false);
		expect(field(credential, 'baseUrl').default).toBe('https://chat.tate-a-tate.com/im');
	});
});
