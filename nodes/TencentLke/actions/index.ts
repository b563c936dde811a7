import type { OperationRegistry } from '../../shared/operations';
import * as chat from './chat.operation';
import * as getWsToken from './getWsToken.operation';

/** The node's operations by their `operation` value, in the order the dropdown lists them. */
export const operations: OperationRegistry = { chat, getWsToken };

export const DEFAULT_OPERATION = 'chat';
