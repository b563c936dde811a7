/** The dialog API's error codes and their documented meanings (seed 003, section 3). */
export const LKE_ERROR_MEANINGS: Readonly<Record<number, string>> = {
	400: 'Request parameter error, see access documentation',
	460001: 'Token Verification Failure',
	460002: 'Event handler not found',
	460004: 'The application does not exist',
	460006: 'Message does not exist or insufficient permissions',
	460007: 'Session creation failed',
	460008: 'Fail to render Prompt',
	460009: 'The visitor does not exist',
	460010: 'The session does not exist or insufficient permissions',
	460011: 'Exceed the concurrency limit',
	460020: 'Model request timeout',
	460021: 'Knowledge base not released',
	460022: 'Failed to create visitor',
	460023: 'Failed to like or dislike the message',
	460024: 'Invalid tag',
	460025: 'Image Analysis failed',
	460031: 'The number of connections in this application has exceeded the request limit. Try again later',
	460032: 'Insufficient balance in the current application model',
	460033: 'Application does not exist or insufficient permissions',
	460034: 'Content too long',
	460035: 'Content too long, already stopped',
	460036: 'Preview parameter anomaly in process node',
	460037: 'Search for resource exhausted, call failed',
	460038: 'The AppID request shows anomalous behavior, call failed',
	4505004: 'APPKEY is invalid, please verify the source of APPKEY',
};

/** Codes that mean "busy, try again": worth a retry while no answer has started. */
export const LKE_RETRYABLE_CODES: ReadonlySet<number> = new Set([460011, 460031]);

/** What the user can do about a code, where there is something to say beyond its meaning. */
export const LKE_ERROR_HINTS: Readonly<Record<number, string>> = {
	460011: 'Lower the node\'s Concurrency option or raise the application\'s concurrency quota.',
	460031: 'Lower the node\'s Concurrency option or retry later.',
	460032: 'Top up the application\'s model balance or enable postpaid mode.',
	460034: 'Shorten the content.',
	4505004: 'Check the AppKey in the Tencent LKE credential (Release Management > Call Information).',
	460004: 'Check that the application is published and that the AppKey belongs to it.',
};
