// Every pipeline's MCP tools. A pipeline adds a file mcp/tools/<pipeline>.ts exporting a ToolModule and one line here.
import type { ToolModule } from './context.ts';
import { jobTools } from './jobs.ts';
import { generateTools } from './generate.ts';
import { spriteTools } from './sprites.ts';
import { sceneTools } from './scene.ts';
import { campaignTools } from './campaign.ts';
import { loraTools } from './lora.ts';

export const TOOL_MODULES: ToolModule[] = [jobTools, generateTools, spriteTools, sceneTools, campaignTools, loraTools];
