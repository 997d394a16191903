// zod schemas of what each state machine task receives (the ASL in infra/ builds these shapes).
import { z } from 'zod';
import { FLOWS } from '../domain/model.js';

const id = z.string().min(1);
const stepError = z.object({ Error: z.string().optional(), Cause: z.string().optional() }).loose();

export const flowInputSchema = z.object({ clusterId: id, flow: z.enum(FLOWS), executionId: id }).loose();
export const applyChangeInputSchema = z.object({ clusterId: id, flow: z.enum(FLOWS).optional(), executionId: id, changeId: id }).loose();
export const recordFailureInputSchema = applyChangeInputSchema.extend({ error: stepError.optional() });
export const notifyInputSchema = flowInputSchema.extend({ error: stepError.optional() });
export const reconcileInputSchema = z.object({}).loose();
const count = z.number().int().nonnegative();
export const loadPageInputSchema = flowInputSchema.extend({ lane: count, page: count, pages: z.number().int().positive() });
export const approvalTaskInputSchema = flowInputSchema.extend({ action: z.enum(['request', 'expire']), taskToken: z.string().min(1).optional() });
