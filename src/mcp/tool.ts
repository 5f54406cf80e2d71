// What a tool declaration is, and what it may use: one small object per tool, registered by register.ts.
import type { z } from 'zod';
import type { InputRequiredResult } from '@modelcontextprotocol/server';
import type { Plan } from '../plan/index.js';
import type { ClusterClient } from './cluster-client.js';
import type { ConfirmThreshold, ConfirmationTokens } from './confirmations.js';
import type { DryRun, Planner } from './dry-run.js';

/** Why the guardrails refuse a plan: what to change, named. */
export interface Refusal {
  code: string;
  message: string;
  /** The plan field at fault, e.g. `tasks[0].parameters.targets[1].url`. */
  path?: string;
  /** The setting an operator would change to allow it, e.g. `security.allowed_targets (MCP_ALLOWED_TARGETS, …)`. */
  setting?: string;
  /** What the plan asked, and the cap it went over. */
  value?: number | string;
  limit?: number | string;
}

export interface Guardrails {
  /** Every refusal for this plan on this cluster; empty when it may run. */
  check(plan: Plan, dry: DryRun): Promise<Refusal[]>;
  readonly confirm: ConfirmThreshold;
  /** A short description of the policy in force, for validate_plan and the guide. */
  describe(): Record<string, unknown>;
}

export interface ToolContext {
  cluster: ClusterClient;
  planner: Planner;
  guardrails: Guardrails;
  tokens: ConfirmationTokens;
  /** The client can answer an elicitation (form mode). */
  canElicit: boolean;
  /** Answers to this call's earlier input requests (multi-round-trip), keyed as requested. */
  inputResponses: Record<string, unknown> | undefined;
  /** Set when the client asked for progress notifications. */
  progress?: (progress: number, total: number, message: string) => Promise<void>;
  signal: AbortSignal;
}

export type ToolOutcome<O> = { structured: O; text: string } | { inputRequired: InputRequiredResult };

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolDeclaration<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  run(args: z.output<I>, ctx: ToolContext): Promise<ToolOutcome<z.output<O>>>;
}

/** Keeps each declaration's input and output types tied together inside a heterogeneous table. */
export const tool = <I extends z.ZodObject, O extends z.ZodObject>(declaration: ToolDeclaration<I, O>): ToolDeclaration =>
  declaration as unknown as ToolDeclaration;

export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
