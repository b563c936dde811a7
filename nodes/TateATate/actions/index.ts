import type { OperationRegistry } from '../../shared/operations';
import * as sendMessage from './sendMessage.operation';

/** The node's operations by their `operation` value, in the order the dropdown lists them. */
export const operations: OperationRegistry = { sendMessage };

export const DEFAULT_OPERATION = 'sendMessage';
