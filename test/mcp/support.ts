// MCP test helpers: the SDK's real client over stdio or streamable HTTP, in either protocol era, and small plans.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { expect } from 'vitest';
import { TOOLS } from '../../src/mcp/tools.js';

export type Era = 'modern' | 'legacy';
export type ElicitAnswer = 'accept' | 'decline';

export interface ClientOptions {
  era: Era;
  /** Declare elicitation and answer every request this way. */
  elicit?: ElicitAnswer;
}

function makeClient(options: ClientOptions): Client & { elicitations: string[] } {
  const client = new Client(
    { name: 'mcpdt-test', version: '1.0.0' },
    {
      capabilities: options.elicit ? { elicitation: { form: {} } } : {},
      ...(options.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    },
  ) as Client & { elicitations: string[] };
  client.elicitations = [];
  if (options.elicit) {
    const answer = options.elicit;
    client.setRequestHandler('elicitation/create', async (request) => {
      client.elicitations.push(String((request.params as { message?: string }).message));
      return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
    });
  }
  return client;
}

export async function httpClient(url: string, options: ClientOptions & { token?: string }): Promise<Client & { elicitations: string[] }> {
  const client = makeClient(options);
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export async function stdioClient(args: string[], env: Record<string, string>, options: ClientOptions): Promise<Client & { elicitations: string[]; stderr: () => string }> {
  const client = makeClient(options) as Client & { elicitations: string[]; stderr: () => string };
  const transport = new StdioClientTransport({ command: process.execPath, args, env: { ...(process.env as Record<string, string>), MCP_DISCOVERY_MDNS: 'false', ...env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  client.stderr = () => stderr;
  await client.connect(transport);
  return client;
}

/** A tool's result: structured output checked against the tool's declared output schema. */
export async function call(client: Client, name: string, args: Record<string, unknown>, options: { onprogress?: (p: { progress: number }) => void; refused?: boolean } = {}) {
  const result = await client.callTool({ name, arguments: args }, options.onprogress ? { onprogress: options.onprogress, timeout: 120_000 } : { timeout: 120_000 });
  const text = (result.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');
  if (result.isError) {
    if (!options.refused) throw new Error(`${name} failed: ${text}`);
    return { error: text, structured: undefined as never };
  }
  expect(options.refused, `${name} was expected to fail`).toBeFalsy();
  const declaration = TOOLS.find((t) => t.name === name)!;
  const checked = declaration.output.safeParse(result.structuredContent);
  expect(checked.success, `${name} output: ${checked.success ? '' : checked.error.message}`).toBe(true);
  return { error: undefined, structured: result.structuredContent as Record<string, any>, text };
}

export function loadPlan(url: string, parameters: Record<string, unknown> = {}) {
  return { name: 'mcp-test', tasks: [{ type: 'load_test', parameters: { targets: [{ url }], duration: 2, base_rps: 100, ...parameters } }] };
}
