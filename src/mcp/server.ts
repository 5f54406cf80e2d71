// One MCP server definition for every transport and both protocol eras: a factory of McpServer instances
// (createMcpHandler makes one per HTTP request, serveStdio one per connection) over the same surface.
import { McpServer, type ServerContext, type CallToolResult } from '@modelcontextprotocol/server';
import { McpError, errorMessage } from '../errors.js';
import type { Logger } from '../util/log.js';
import { VERSION } from '../version.js';
import type { ClusterClient } from './cluster-client.js';
import type { Planner } from './dry-run.js';
import { ConfirmationTokens } from './confirmations.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import type { Guardrails, ToolContext, ToolDeclaration } from './tool.js';
import { TOOLS } from './tools.js';

export interface McpSurface {
  cluster: ClusterClient;
  planner: Planner;
  guardrails: Guardrails;
  tokens: ConfirmationTokens;
  log: Logger;
}

const INSTRUCTIONS = `Runs load tests across a peer-to-peer cluster. Read mcpdt://plan/guide first.
validate_plan checks a plan and shows what it would do; start_test returns an execution_id at once;
follow it with wait_for_test (bounded wait) or get_test. Targets are limited to an allow-list and plans to caps
set by the operator; large tests need the user's confirmation.`;

const CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';

/** Client capabilities: the request's own envelope (2026-07-28), else what the 2025 handshake declared. */
function canElicit(server: McpServer, ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, { elicitation?: unknown } | undefined> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES] ?? server.server.getClientCapabilities();
  return capabilities?.elicitation !== undefined;
}

function errorResult(error: unknown): CallToolResult {
  const code = error instanceof McpError ? error.code : 'INTERNAL';
  return { isError: true, content: [{ type: 'text', text: `${code}: ${errorMessage(error)}` }] };
}

function registerTool(server: McpServer, surface: McpSurface, declaration: ToolDeclaration): void {
  server.registerTool(
    declaration.name,
    {
      title: declaration.title,
      description: declaration.description,
      inputSchema: declaration.input,
      outputSchema: declaration.output,
      annotations: { title: declaration.title, ...declaration.annotations },
    },
    async (args: unknown, ctx: ServerContext) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      const context: ToolContext = {
        cluster: surface.cluster,
        planner: surface.planner,
        guardrails: surface.guardrails,
        tokens: surface.tokens,
        canElicit: canElicit(server, ctx),
        inputResponses: ctx.mcpReq.inputResponses,
        signal: ctx.mcpReq.signal,
        ...(progressToken !== undefined
          ? { progress: (progress: number, total: number, message: string) => ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total, message } }) }
          : {}),
      };
      try {
        const outcome = await declaration.run(args as never, context);
        if ('inputRequired' in outcome) return outcome.inputRequired;
        return { content: [{ type: 'text', text: outcome.text }], structuredContent: outcome.structured as Record<string, unknown> };
      } catch (error) {
        if (!(error instanceof McpError)) surface.log.warn('tool failed', { tool: declaration.name, error });
        return errorResult(error);
      }
    },
  );
}

export type ServedEra = 'legacy' | 'modern';

/** `onInstance` sees every instance made, with the era it serves (stdio uses it to deliver report updates). */
export function mcpServerFactory(surface: McpSurface, onInstance?: (server: McpServer, era: ServedEra) => void): (ctx: { era: ServedEra }) => McpServer {
  return ({ era }) => {
    const server = new McpServer(
      { name: 'mcp-distributed-testing', version: VERSION },
      { capabilities: { tools: {}, resources: { subscribe: true }, prompts: {} }, instructions: INSTRUCTIONS },
    );
    for (const declaration of TOOLS) registerTool(server, surface, declaration);
    registerResources(server, surface.cluster, surface.guardrails);
    registerPrompts(server);
    onInstance?.(server, era);
    return server;
  };
}
