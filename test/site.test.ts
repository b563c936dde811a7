import { TencentLkeApi } from '../credentials/TencentLkeApi.credentials';
import { buildLkeChatRequest } from '../nodes/TencentLke/chatRequest';
import { buildCloudApiRequest, planGetWsToken } from '../nodes/TencentLke/getWsTokenRequest';
import { resolveLkeSite } from '../nodes/TencentLke/site';

/*
 * Where each site sends its requests, written out from Tencent's pages (docs/vendors/tencent-lke.md,
 * "Sites"): international chat https://wss.lke.tencentcloud.com, Cloud API
 * https://lke.intl.tencentcloudapi.com, region ap-jakarta; China chat https://wss.lke.cloud.tencent.com,
 * Cloud API https://lke.tencentcloudapi.com, region ap-guangzhou.
 */

describe('resolveLkeSite', () => {
	it('international: the international dialog host, the intl Cloud API endpoint, ap-jakarta', () => {
		expect(resolveLkeSite({ site: 'international' })).toEqual({
			chatBaseUrl: 'https://wss.lke.tencentcloud.com',
			apiEndpoint: 'https://lke.intl.tencentcloudapi.com',
			region: 'ap-jakarta',
		});
	});

	it('china: the China dialog host, the China Cloud API endpoint, ap-guangzhou', () => {
		expect(resolveLkeSite({ site: 'china' })).toEqual({
			chatBaseUrl: 'https://wss.lke.cloud.tencent.com',
			apiEndpoint: 'https://lke.tencentcloudapi.com',
			region: 'ap-guangzhou',
		});
	});

	it('a credential saved without a site, or with an empty one, is international (the field default)', () => {
		const international = {
			chatBaseUrl: 'https://wss.lke.tencentcloud.com',
			apiEndpoint: 'https://lke.intl.tencentcloudapi.com',
			region: 'ap-jakarta',
		};
		expect(resolveLkeSite({})).toEqual(international);
		expect(resolveLkeSite({ site: '' })).toEqual(international);
		const siteField = new TencentLkeApi().properties.find((property) => property.name === 'site');
		expect(siteField?.default).toBe('international');
	});

	it('a preset ignores custom fields left over from an earlier choice', () => {
		const leftovers = { chatBaseUrl: 'http://127.0.0.1:1', apiEndpoint: 'http://127.0.0.1:2', region: 'eu-frankfurt' };
		expect(resolveLkeSite({ site: 'china', ...leftovers }).chatBaseUrl).toBe('https://wss.lke.cloud.tencent.com');
		expect(resolveLkeSite({ site: 'international', ...leftovers }).region).toBe('ap-jakarta');
	});

	it('custom: the hosts and region as written, the chat base without its trailing slash', () => {
		expect(
			resolveLkeSite({ site: 'custom', chatBaseUrl: 'http://127.0.0.1:8080/', apiEndpoint: ' http://127.0.0.1:8081/api ', region: ' ap-singapore ' }),
		).toEqual({ chatBaseUrl: 'http://127.0.0.1:8080', apiEndpoint: 'http://127.0.0.1:8081/api', region: 'ap-singapore' });
	});

	it('custom without a region or with a bad URL, or an unknown site: an input error naming the field', () => {
		const custom = { site: 'custom', chatBaseUrl: 'https://chat.example.com', apiEndpoint: 'https://api.example.com', region: 'ap-jakarta' };
		expect(() => resolveLkeSite({ ...custom, region: '  ' })).toThrow("Invalid parameter 'region': is required when the site is custom");
		expect(() => resolveLkeSite({ ...custom, chatBaseUrl: 'not a url' })).toThrow(/^Invalid parameter 'chatBaseUrl'/);
		expect(() => resolveLkeSite({ ...custom, apiEndpoint: '' })).toThrow(/^Invalid parameter 'apiEndpoint'/);
		expect(() => resolveLkeSite({ site: 'mars' })).toThrow(`Invalid parameter 'site': must be international, china or custom (got "mars")`);
	});
});

describe('the requests each preset site builds', () => {
	const chatUrl = (site: string) =>
		buildLkeChatRequest(
			{ content: 'hi', sessionId: '', visitorBizId: 'visitor-1', options: {} },
			{ appKey: 'app-key', chatBaseUrl: resolveLkeSite({ site }).chatBaseUrl, newId: () => 'id-1', defaultVisitorBizId: 'v' },
		).url;

	const cloudApiRequest = (site: string) => {
		const { apiEndpoint, region } = resolveLkeSite({ site });
		const plan = planGetWsToken({ secretId: 'AKIDexample', secretKey: 'key', appKey: 'app-key', visitorBizId: 'v', defaultVisitorBizId: 'v', apiEndpoint, region });
		return buildCloudApiRequest(plan, 1_767_225_599);
	};

	it('the dialog goes to the site host + /v1/qbot/chat/sse', () => {
		expect(chatUrl('international')).toBe('https://wss.lke.tencentcloud.com/v1/qbot/chat/sse');
		expect(chatUrl('china')).toBe('https://wss.lke.cloud.tencent.com/v1/qbot/chat/sse');
	});

	it('GetWsToken goes to the site endpoint with its Host and X-TC-Region', () => {
		const international = cloudApiRequest('international');
		expect(international.url).toBe('https://lke.intl.tencentcloudapi.com');
		expect(international.headers).toMatchObject({ Host: 'lke.intl.tencentcloudapi.com', 'X-TC-Region': 'ap-jakarta' });
		const china = cloudApiRequest('china');
		expect(china.url).toBe('https://lke.tencentcloudapi.com');
		expect(china.headers).toMatchObject({ Host: 'lke.tencentcloudapi.com', 'X-TC-Region': 'ap-guangzhou' });
	});
});
