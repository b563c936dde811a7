import type { OperationRegistry } from '../../shared/operations';
import * as ask from './ask.operation';
import * as createChatbotToken from './createChatbotToken.operation';

/** The node's operations by their `operation` value, in the order the dropdown lists them. */
export const operations: OperationRegistry = { ask, createChatbotToken };

export const DEFAULT_OPERATION = 'createChatbotToken';
