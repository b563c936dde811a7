import type { OperationRegistry } from '../../shared/operations';
import * as createChatbotToken from './createChatbotToken.operation';

/** The node's operations by their `operation` value, in the order the dropdown lists them. */
export const operations: OperationRegistry = { createChatbotToken };

export const DEFAULT_OPERATION = 'createChatbotToken';
