import { AgentChatError } from '../../nodes/shared/errors';

/** What `promise` rejects with; fails the test when it resolves instead. */
export async function failureOf<Failure = AgentChatError>(promise: Promise<unknown>): Promise<Failure> {
	try {
		await promise;
	} catch (error) {
		return error as Failure;
	}
	throw new Error('expected a failure, but it succeeded');
}

/** What `action` throws; fails the test when it returns instead. */
export function thrownBy<Failure = AgentChatError>(action: () => unknown): Failure {
	try {
		action();
	} catch (error) {
		return error as Failure;
	}
	throw new Error('expected a failure, but it succeeded');
}

/** What `action` throws, which must be an AgentChatError. */
export function thrownAgentChatError(action: () => unknown): AgentChatError {
	const error = thrownBy(action);
	expect(error).toBeInstanceOf(AgentChatError);
	return error;
}
