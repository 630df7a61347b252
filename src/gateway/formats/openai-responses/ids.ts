/**
 * Ids of a translated Response and its output items. They share one base so a client's response
 * id can be matched to the gateway's request id (and its logs) by eye, and so the streamed and
 * the non-streamed rendering of the same answer carry the same ids.
 */
import { randomBytes } from 'node:crypto';

// The gateway's own request ids (http/request-id.ts). A caller-chosen x-request-id is kept for
// correlation but not unique, so it never becomes a response id.
const GATEWAY_REQUEST_ID = /^req_([0-9a-f]{24})$/;

export type ResponseIds = {
  response: string;
  /** Item ids are unique per response: one output index, one item. */
  item(prefix: 'msg' | 'fc' | 'rs', outputIndex: number): string;
  /** For a provider that gave a tool call no id: the client needs one to send the result back. */
  fallbackCallId(outputIndex: number): string;
};

export function responseIds(requestId: string): ResponseIds {
  const base = GATEWAY_REQUEST_ID.exec(requestId)?.[1] ?? randomBytes(12).toString('hex');
  return {
    response: `resp_${base}`,
    item: (prefix, outputIndex) => `${prefix}_${base}_${outputIndex}`,
    fallbackCallId: (outputIndex) => `call_${base}_${outputIndex}`,
  };
}
